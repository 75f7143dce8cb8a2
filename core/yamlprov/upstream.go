package yamlprov

// Upstream terok's agent files (terok-executor's resources/agents/*.yaml):
// a roster entry for an agent or tool, with `roster_version`, many keys
// about running it, and an `auth:` block about logging in. terok reads the
// auth: block (strictly, as upstream does) and the label, and ignores every
// other key: they describe things this program does not do.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"reflect"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/terok-ai/terok-auth/sdk"
)

// UpstreamNote starts the description of a provider read from an upstream
// agent file, so listings can say where it came from.
const UpstreamNote = "read from an upstream terok agent file"

// ErrNoLogin means an upstream agent file describes no login: a runtime
// component, a bridge, or an agent upstream makes no auth provider of. It
// is not a problem in the file; loading a directory skips it with a note.
// errors.Is(err, ErrNoLogin) holds for a *NoLoginError.
var ErrNoLogin = errors.New("upstream agent file describes no login")

// NoLoginError says which upstream file describes no login, and why.
type NoLoginError struct {
	File   string
	Reason string
}

func (e *NoLoginError) Error() string { return e.File + ": skipped: " + e.Reason }

// Is makes errors.Is(err, ErrNoLogin) hold.
func (e *NoLoginError) Is(target error) bool { return target == ErrNoLogin }

// upstreamAuth is upstream's auth: block. Unknown keys are errors, as they
// are upstream.
type upstreamAuth struct {
	HostDir          string           `yaml:"host_dir"`
	ContainerMount   string           `yaml:"container_mount"`
	Command          Command          `yaml:"command"`
	AuthKey          *upstreamAuthKey `yaml:"auth_key"`
	BannerHint       string           `yaml:"banner_hint"`
	ExtraRunArgs     []string         `yaml:"extra_run_args"`
	Modes            []string         `yaml:"modes"`
	APIKeyHint       string           `yaml:"api_key_hint"`
	PostCaptureState StateFiles       `yaml:"post_capture_state"`
}

// upstreamAuthKey is upstream's auth.auth_key: a key written into a file of
// the tool's config dir with a printf template.
type upstreamAuthKey struct {
	Label          string `yaml:"label"`
	KeyURL         string `yaml:"key_url"`
	EnvVar         string `yaml:"env_var"`
	ConfigPath     string `yaml:"config_path"`
	PrintfTemplate string `yaml:"printf_template"`
	ToolName       string `yaml:"tool_name"`
}

// upstreamTop returns the top-level mapping of data when it is an upstream
// agent file (it has roster_version), else nil.
func upstreamTop(data []byte) (*yaml.Node, error) {
	if len(data) > MaxFileSize {
		return nil, nil // parse reports the size
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		return nil, nil // parse reports syntax errors the usual way
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode || mapValue(root, "roster_version") == nil {
		return nil, nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, errors.New("one agent per file: a second YAML document follows")
	}
	return root, nil
}

func mapValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Kind == yaml.ScalarNode && m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// loadIfUpstream loads data as an upstream agent file when it is one (ok).
func loadIfUpstream(file string, data []byte) (f *File, err error, ok bool) {
	root, err := upstreamTop(data)
	if err != nil {
		return nil, &Error{File: file, Msg: err.Error()}, true
	}
	if root == nil {
		return nil, nil, false
	}
	f, err = loadUpstream(file, root)
	return f, err, true
}

// loadUpstream reads an upstream agent file. The provider's name is the
// file's name without its extension, as upstream names agents.
func loadUpstream(file string, root *yaml.Node) (*File, error) {
	d := &decoder{file: file, nodes: map[string]*yaml.Node{}}
	fail := func(n *yaml.Node, format string, a ...any) (*File, error) {
		d.errorf(n, format, a...)
		return nil, errors.Join(d.errs...)
	}
	var version int
	if v := mapValue(root, "roster_version"); v.Kind != yaml.ScalarNode || v.Decode(&version) != nil || version != 1 {
		return fail(v, "roster_version %s is not supported: this terok reads upstream agent files of roster_version 1", v.Value)
	}
	name := strings.TrimSuffix(strings.TrimSuffix(path.Base(file), ".yaml"), ".yml")
	if !sdk.ValidName(name) {
		return fail(root, "an upstream agent file is named after its agent, and %q is not a provider name (lower case letters, digits, '-', '_')", name)
	}
	var label string
	if l := mapValue(root, "label"); l != nil && l.Kind == yaml.ScalarNode {
		label = l.Value
	}
	kind := "native" // upstream's default
	if k := mapValue(root, "kind"); k != nil {
		if k.Kind != yaml.ScalarNode || k.Tag != "!!str" || !slices.Contains(upstreamKinds, k.Value) {
			return fail(k, "kind: expected one of %s, got %s", strings.Join(upstreamKinds, ", "), kindName(k))
		}
		kind = k.Value
	}
	var vault *upstreamVault
	if n := mapValue(root, "vault"); n != nil {
		vault = decodeUpstreamVault(d, n)
	}
	var oc *upstreamOpenCode
	if n := mapValue(root, "opencode"); n != nil {
		oc = decodeUpstreamOpenCode(d, n)
	}
	if len(d.errs) > 0 {
		return nil, errors.Join(d.errs...)
	}
	var a upstreamAuth
	from := "auth"
	authNode := mapValue(root, "auth")
	switch {
	case authNode != nil && authNode.Tag != "!!null":
		if authNode.Kind != yaml.MappingNode {
			return fail(authNode, "auth: expected a mapping (key: value), got %s", kindName(authNode))
		}
		d.decode(authNode, reflect.ValueOf(&a).Elem(), "")
		if len(d.errs) > 0 {
			return nil, prefixErrs(d.errs, "auth: ")
		}
	case isAgentKind(kind) && oc != nil:
		// Upstream's derive_opencode_auth: an API key, nothing else.
		if vault != nil && vault.CredentialType != sdk.TypeAPIKey {
			return fail(d.at("vault.credential_type"), "vault: credential_type %s: an agent whose login comes from its opencode: block logs in with an API key (credential_type: api_key)", vault.CredentialType)
		}
		a, from = deriveOpenCodeLogin(name, oc), "opencode"
		authNode = mapValue(root, "opencode")
	default:
		return nil, &NoLoginError{File: file, Reason: noLoginReason(kind)}
	}
	ignored := "keys other than label, kind, auth, vault and opencode are ignored"
	if from == "opencode" {
		ignored = "its API-key login is derived from its opencode: and vault: blocks, as upstream derives it; " + ignored
	}
	f := &File{
		Version:          SchemaVersion,
		Name:             name,
		Label:            label,
		Description:      fmt.Sprintf("%s (roster_version %d); %s", UpstreamNote, version, ignored),
		Modes:            a.Modes,
		HostDir:          a.HostDir,
		ContainerMount:   a.ContainerMount,
		Command:          a.Command,
		ExtraRunArgs:     a.ExtraRunArgs,
		BannerHint:       a.BannerHint,
		APIKeyHint:       a.APIKeyHint,
		PostCaptureState: a.PostCaptureState,
	}
	if oc != nil && from == "opencode" {
		f.Key = &KeySpec{URL: oc.AuthKeyURL, EnvVar: upstreamKeyVar(vault, oc)}
	}
	if len(f.Modes) == 0 {
		f.Modes = []string{string(sdk.ModeAPIKey)}
	}
	if k := a.AuthKey; k != nil {
		// Upstream writes the key into the tool's shared config dir; terok
		// keeps secrets out of it (the tool gets the key through inject:
		// at run time), so the key file is not written.
		f.Key = &KeySpec{Label: k.Label, URL: k.KeyURL, EnvVar: k.EnvVar}
	}
	for _, m := range f.Modes {
		if sdk.Mode(m).NeedsContainer() {
			rules, ok := upstreamCapture[name]
			if !ok {
				d.errorf(mapValue(authNode, "modes"), "auth: mode %s: upstream captures this login in its own code, and terok knows how only for %s; "+
					"write a terok provider file with a capture: rule for it (see docs/yaml-providers.md)", m, strings.Join(upstreamCaptureNames(), ", "))
				return nil, errors.Join(d.errs...)
			}
			f.Capture = rules
			break
		}
	}
	f.Inject = upstreamInjection(name, f, vault)
	f.Proxy = upstreamProxy(f, vault, oc)
	c := &checker{d: d}
	c.check(f)
	if len(c.errs) > 0 {
		return nil, prefixErrs(c.errs, "auth: ")
	}
	return f, nil
}

// prefixErrs says, in each message, that the problem is in the auth: block
// (positions are already the file's).
func prefixErrs(errs []error, prefix string) error {
	out := make([]error, len(errs))
	for i, err := range errs {
		var e *Error
		if errors.As(err, &e) {
			c := *e
			c.Msg = prefix + c.Msg
			out[i] = &c
			continue
		}
		out[i] = err
	}
	return errors.Join(out...)
}

// upstreamCapture are the capture rules equivalent to the extractors
// upstream hard-codes for its container logins, keyed by agent name:
// upstream's agent files carry no capture rules of their own.
var upstreamCapture = map[string][]CaptureRule{
	"claude": {
		{
			File: ".credentials.json", Format: "json", Type: sdk.TypeOAuth,
			Fields: map[string]string{
				"access_token": "claudeAiOauth.accessToken", "refresh_token": "claudeAiOauth.refreshToken",
				"subscription_type": "claudeAiOauth.subscriptionType", "rate_limit_tier": "claudeAiOauth.rateLimitTier",
			},
			Optional:  []string{"refresh_token", "subscription_type", "rate_limit_tier"},
			ExpiresAt: &Expiry{Path: "claudeAiOauth.expiresAt", Unit: "ms"},
		},
		{File: "config.json", Format: "json", Type: sdk.TypeAPIKey, Fields: map[string]string{"key": "api_key"}},
	},
	"codex": {{
		File: "auth.json", Format: "json", Type: sdk.TypeOAuth,
		Fields: map[string]string{
			"access_token": "tokens.access_token", "refresh_token": "tokens.refresh_token",
			"id_token": "tokens.id_token", "account_id": "tokens.account_id",
		},
		Optional: []string{"refresh_token", "id_token", "account_id"},
	}},
	"gh": {{
		File: "hosts.yml", Format: "yaml", Type: sdk.TypeOAuthToken, Prefer: "github.com",
		Fields:   map[string]string{"token": "*.oauth_token", "host": "$key", "user": "*.user"},
		Optional: []string{"user"},
	}},
}

func upstreamCaptureNames() []string { return []string{"claude", "codex", "gh"} }

// upstreamInject are the injections of the bundled providers of the same
// names (plugins/*/provider/inject.go, providers.d), for what upstream's
// agents store. Upstream's files declare none: upstream hands agents their
// credentials in its own code.
var upstreamInject = map[string]map[string]*InjectSpec{
	"claude": {
		sdk.TypeAPIKey: {Env: map[string]string{"ANTHROPIC_API_KEY": "${key}"}},
		sdk.TypeOAuth:  {Env: map[string]string{"CLAUDE_CODE_OAUTH_TOKEN": "${access_token}"}},
	},
	"codex": {
		sdk.TypeAPIKey: {Env: map[string]string{"OPENAI_API_KEY": "${key}"}},
		sdk.TypeOAuth: {DirEnv: "CODEX_HOME", Files: map[string]string{"auth.json": `{"OPENAI_API_KEY":null,"tokens":{"id_token":${id_token?|json},` +
			`"access_token":${access_token|json},"refresh_token":${refresh_token?|json},"account_id":${account_id?|json}}}` + "\n"}},
	},
	"gh": {
		sdk.TypeAPIKey:     {Env: map[string]string{"GH_TOKEN": "${key}"}},
		sdk.TypeOAuthToken: {Env: map[string]string{"GH_TOKEN": "${token}", "GH_HOST": "${host?}"}},
	},
	"glab":  {sdk.TypeAPIKey: {Env: map[string]string{"GITLAB_TOKEN": "${key}"}}},
	"vibe":  {sdk.TypeAPIKey: {Env: map[string]string{"MISTRAL_API_KEY": "${key}"}}},
	"sonar": {sdk.TypeAPIKey: {Env: map[string]string{"SONAR_TOKEN": "${key}"}}},
}

// upstreamInjection is what an upstream agent's credentials inject: the
// bundled provider's declaration for a known agent; else, for an API key,
// the variables its vault: block's phantom_env names (where upstream puts
// the key's stand-in), the one its auth_key names, or NAME_API_KEY.
func upstreamInjection(name string, f *File, vault *upstreamVault) map[string]*InjectSpec {
	if inj, ok := upstreamInject[name]; ok {
		return inj
	}
	env := map[string]string{}
	if vault != nil && vault.CredentialType == sdk.TypeAPIKey {
		for _, v := range phantomVars(vault.PhantomEnv) {
			env[v] = "${key}"
		}
	}
	if len(env) == 0 {
		v := strings.ToUpper(strings.ReplaceAll(name, "-", "_")) + "_API_KEY"
		if f.Key != nil && f.Key.EnvVar != "" {
			v = f.Key.EnvVar
		}
		env[v] = "${key}"
	}
	return map[string]*InjectSpec{sdk.TypeAPIKey: {Env: env}}
}

// upstreamKeyVar is the variable a user knows an opencode agent's key by:
// the first of its phantom_env, else upstream's PREFIX_API_KEY.
func upstreamKeyVar(vault *upstreamVault, oc *upstreamOpenCode) string {
	if vault != nil {
		if vars := phantomVars(vault.PhantomEnv); len(vars) > 0 {
			return vars[0]
		}
	}
	return oc.EnvVarPrefix + "_API_KEY"
}

// noLoginReason says why an upstream entry of this kind with no auth:
// block describes no login.
func noLoginReason(kind string) string {
	what := map[string]string{
		"runtime": "a runtime component that agents depend on",
		"tool":    "a tool",
		"bridge":  "a bridge other agents run through",
	}[kind]
	if what == "" {
		what = "an agent"
	}
	also := ""
	if isAgentKind(kind) {
		also = " and no opencode: block"
	}
	return fmt.Sprintf("%s (kind: %s) with no auth: block%s, so it describes no login; upstream makes no auth provider of it either", what, kind, also)
}

// StateFiles are post_capture_state: file name → content.
type StateFiles map[string]StateContent

// StateContent is one state file's content: the file's text, or — as
// upstream writes it — a mapping or list, stored as JSON.
type StateContent string

// UnmarshalYAML accepts a string, or a mapping or list written as JSON.
func (s *StateContent) UnmarshalYAML(n *yaml.Node) error {
	switch {
	case n.Kind == yaml.ScalarNode && n.Tag == "!!str":
		*s = StateContent(n.Value)
		return nil
	case n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode:
		if hasAlias(n, 0) {
			return errors.New("anchors and aliases are not supported in provider files; write the value out")
		}
		var val any
		if err := n.Decode(&val); err != nil {
			return err
		}
		data, err := json.Marshal(jsonable(val))
		if err != nil {
			return fmt.Errorf("cannot be written as JSON: %w", err)
		}
		*s = StateContent(string(data) + "\n")
		return nil
	}
	return fmt.Errorf("expected the file's text, or a mapping to write as JSON, got %s", kindName(n))
}

// jsonable turns yaml.v3's map[any]any-free values into ones encoding/json
// takes; yaml.v3 decodes mappings with non-string keys as map[any]any.
func jsonable(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = jsonable(e)
		}
		return x
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[fmt.Sprint(k)] = jsonable(e)
		}
		return m
	case []any:
		for i, e := range x {
			x[i] = jsonable(e)
		}
		return x
	}
	return v
}
