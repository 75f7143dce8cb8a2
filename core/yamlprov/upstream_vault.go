package yamlprov

// Upstream's vault: and opencode: blocks. Upstream's loader
// (terok-executor src/terok_executor/roster/schema.py, RawVault and
// RawOpenCode, at commit 6b813588e73a, the one the testdata comes from)
// reads them strictly: unknown keys are errors, route_prefix and upstream
// are required, credential_type is one of four types. terok reads every
// key the same way. For a login it uses credential_type and phantom_env
// (the variables the tool reads its key from); the routing keys (upstream,
// path_upstreams, auth_header, auth_prefix, route_prefix, …) describe
// upstream's credential proxy and are accepted without being acted on here.

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/terok-ai/terok-auth/sdk"
)

// upstreamVault is upstream's vault: block: the route of a tool's API
// through upstream's credential proxy, and which variables hold stand-ins.
type upstreamVault struct {
	// RoutePrefix is the path prefix of the route in the proxy.
	RoutePrefix string `yaml:"route_prefix"`
	// Upstream is the API's base URL; PathUpstreams other bases by path
	// prefix.
	Upstream      string            `yaml:"upstream"`
	PathUpstreams map[string]string `yaml:"path_upstreams"`
	// OAuthExtraHeaders are added to requests made with an OAuth login.
	OAuthExtraHeaders map[string]string `yaml:"oauth_extra_headers"`
	// AuthHeader and AuthPrefix say how the credential goes on a request
	// (upstream's defaults: "Authorization", "Bearer "; "dynamic" picks the
	// header by the credential's type).
	AuthHeader *string `yaml:"auth_header"`
	AuthPrefix *string `yaml:"auth_prefix"`
	// CredentialType is the stored credential's type: api_key (upstream's
	// default), oauth, oauth_token or pat.
	CredentialType string `yaml:"credential_type"`
	// CredentialFile is the file of the tool's config dir the credential
	// lives in.
	CredentialFile string `yaml:"credential_file"`
	// PhantomEnv names the variables the tool reads an API key from (true:
	// upstream puts a stand-in there); OAuthPhantomEnv those for an OAuth
	// login.
	PhantomEnv      map[string]bool `yaml:"phantom_env"`
	OAuthPhantomEnv map[string]bool `yaml:"oauth_phantom_env"`
	// BaseURLEnv and SocketEnv are the variables that point the tool at
	// the proxy.
	BaseURLEnv string `yaml:"base_url_env"`
	SocketEnv  string `yaml:"socket_env"`
	// SharedConfigPatch is free-form: upstream's config patcher reads it.
	SharedConfigPatch freeForm `yaml:"shared_config_patch"`
	// OAuthRefresh is how upstream's proxy renews an OAuth login.
	OAuthRefresh *upstreamOAuthRefresh `yaml:"oauth_refresh"`
	// SocketPath is refused, as upstream refuses it; it is here so the
	// message can say why.
	SocketPath anyValue `yaml:"socket_path"`
}

// upstreamOAuthRefresh is upstream's vault.oauth_refresh.
type upstreamOAuthRefresh struct {
	TokenURL string  `yaml:"token_url"`
	ClientID string  `yaml:"client_id"`
	Scope    *string `yaml:"scope"`
}

// upstreamOpenCode is upstream's opencode: block: an OpenAI-compatible
// provider behind OpenCode. Upstream derives an API-key login from it for
// an agent with no auth: block.
type upstreamOpenCode struct {
	DisplayName    string  `yaml:"display_name"`
	BaseURL        string  `yaml:"base_url"`
	PreferredModel string  `yaml:"preferred_model"`
	FallbackModel  string  `yaml:"fallback_model"`
	EnvVarPrefix   string  `yaml:"env_var_prefix"`
	ConfigDir      string  `yaml:"config_dir"`
	AuthKeyURL     string  `yaml:"auth_key_url"`
	APIKeyHint     *string `yaml:"api_key_hint"`
}

// upstreamKinds are upstream's kinds of roster entry; the first three are
// agents, and only an agent gets a login derived from its opencode: block.
var upstreamKinds = []string{"native", "opencode", "bridge", "tool", "runtime"}

func isAgentKind(kind string) bool { return kind != "tool" && kind != "runtime" }

// upstreamCredentialTypes are the values upstream takes for
// vault.credential_type.
var upstreamCredentialTypes = []string{sdk.TypeAPIKey, sdk.TypeOAuth, sdk.TypeOAuthToken, "pat"}

// freeForm is a mapping read whole, for keys whose content is upstream's
// business.
type freeForm map[string]any

// UnmarshalYAML takes a mapping, or null for none.
func (m *freeForm) UnmarshalYAML(n *yaml.Node) error {
	if n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("expected a mapping (key: value), got %s", kindName(n))
	}
	if hasAlias(n, 0) {
		return errors.New("anchors and aliases are not supported in provider files; write the value out")
	}
	var v map[string]any
	if err := n.Decode(&v); err != nil {
		return err
	}
	*m = v
	return nil
}

// decodeUpstreamVault reads and checks the vault: block at n.
func decodeUpstreamVault(d *decoder, n *yaml.Node) *upstreamVault {
	var v upstreamVault
	if !decodeBlock(d, n, "vault", &v) {
		return nil
	}
	bad := len(d.errs)
	if v.SocketPath.set {
		d.errorf(d.at("vault.socket_path#key"), "vault: socket_path is no longer configurable, as upstream says: remove it (the socket's path is chosen centrally)")
	}
	for key, val := range map[string]string{"route_prefix": v.RoutePrefix, "upstream": v.Upstream} {
		if val == "" && d.at("vault."+key) == nil {
			d.errorf(n, "vault: %s is missing; upstream requires it", key)
		}
	}
	if v.CredentialType == "" {
		v.CredentialType = sdk.TypeAPIKey
	} else if !slices.Contains(upstreamCredentialTypes, v.CredentialType) {
		d.errorf(d.at("vault.credential_type"), "vault: credential_type %q is not one of %s", v.CredentialType, strings.Join(upstreamCredentialTypes, ", "))
	}
	if v.OAuthRefresh != nil {
		for key, val := range map[string]string{"token_url": v.OAuthRefresh.TokenURL, "client_id": v.OAuthRefresh.ClientID} {
			if val == "" {
				d.errorf(d.at("vault.oauth_refresh"), "vault: oauth_refresh.%s is missing; upstream requires it", key)
			}
		}
	}
	if len(d.errs) > bad {
		return nil
	}
	return &v
}

// decodeUpstreamOpenCode reads and checks the opencode: block at n.
func decodeUpstreamOpenCode(d *decoder, n *yaml.Node) *upstreamOpenCode {
	var o upstreamOpenCode
	if !decodeBlock(d, n, "opencode", &o) {
		return nil
	}
	bad := len(d.errs)
	for _, key := range []string{"display_name", "base_url", "preferred_model", "fallback_model", "env_var_prefix", "config_dir", "auth_key_url"} {
		if d.at("opencode."+key) == nil {
			d.errorf(n, "opencode: %s is missing; upstream requires it", key)
		}
	}
	if len(d.errs) > bad {
		return nil
	}
	return &o
}

// decodeBlock decodes the top-level block name at n into v strictly,
// reporting whether it decoded without problems.
func decodeBlock(d *decoder, n *yaml.Node, name string, v any) bool {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%s: expected a mapping (key: value), got %s", name, kindName(n))
		return false
	}
	bad := len(d.errs)
	d.decode(n, reflect.ValueOf(v).Elem(), name)
	return len(d.errs) == bad
}

// phantomVars are the variables of a phantom_env that are marked true, in
// order.
func phantomVars(m map[string]bool) []string {
	var out []string
	for k, on := range m {
		if on {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// deriveOpenCodeLogin is upstream's derive_opencode_auth: an agent with an
// opencode: block and no auth: block logs in with an API key, kept in the
// config dir the block names.
func deriveOpenCodeLogin(name string, o *upstreamOpenCode) upstreamAuth {
	hint := "Get your API key at: " + o.AuthKeyURL
	if o.APIKeyHint != nil && *o.APIKeyHint != "" {
		hint = *o.APIKeyHint
	}
	return upstreamAuth{
		HostDir:        "_" + name + "-config",
		ContainerMount: "/home/dev/" + strings.TrimPrefix(o.ConfigDir, "/"),
		Modes:          []string{string(sdk.ModeAPIKey)},
		APIKeyHint:     hint,
	}
}

// anyValue takes any value and records that there was one.
type anyValue struct{ set bool }

// UnmarshalYAML records that the key was given.
func (a *anyValue) UnmarshalYAML(*yaml.Node) error {
	a.set = true
	return nil
}

// upstreamProxy maps the vault: block onto terok's proxy: block, for the
// credential types the file stores: credential_type, and an API key (which
// upstream's proxy sends the same way, except with auth_header: dynamic,
// where an API key goes in x-api-key and an OAuth token in Authorization).
// oauth_extra_headers go with the OAuth types only. A tool upstream points
// at its proxy through a config file (shared_config_patch) or OpenCode's
// base_url gets a setup_hint saying so: terok writes no tool's config.
func upstreamProxy(f *File, v *upstreamVault, oc *upstreamOpenCode) map[string]*ProxySpec {
	if v == nil || v.Upstream == "" {
		return nil
	}
	modes := map[sdk.Mode]bool{}
	for _, m := range f.Modes {
		modes[sdk.Mode(m)] = true
	}
	stored := storedFields(f, modes)
	header, prefix := "Authorization", "Bearer "
	if v.AuthHeader != nil {
		header = *v.AuthHeader
	}
	if v.AuthPrefix != nil {
		prefix = *v.AuthPrefix
	}
	basePath, hint := "", ""
	if oc != nil {
		if i := strings.Index(oc.BaseURL, "://"); i >= 0 {
			if j := strings.IndexByte(oc.BaseURL[i+3:], '/'); j >= 0 {
				basePath = strings.TrimSuffix(oc.BaseURL[i+3+j:], "/")
			}
		}
		hint = "OpenCode reads this provider's base URL from its config (upstream's opencode.base_url): set it to the listener's URL followed by " + basePath
	}
	if v.BaseURLEnv == "" && hint == "" {
		hint = "upstream points this tool at its proxy through the tool's config file"
		if file, ok := v.SharedConfigPatch["file"].(string); ok && file != "" {
			hint += " (" + file + ")"
		}
		hint += "; set the tool's API base URL there to the listener's URL"
	}
	out := map[string]*ProxySpec{}
	for typ := range stored {
		if typ != v.CredentialType && typ != sdk.TypeAPIKey {
			continue
		}
		h, pre := header, prefix
		if header == "dynamic" {
			h, pre = "Authorization", "Bearer "
			if typ == sdk.TypeAPIKey {
				h, pre = "x-api-key", ""
			}
		}
		s := &ProxySpec{
			Upstream: v.Upstream, PathUpstreams: v.PathUpstreams, Header: &h, Prefix: &pre,
			BaseURLEnv: v.BaseURLEnv, BaseURLPath: basePath, SetupHint: hint,
		}
		stand := phantomVars(v.PhantomEnv)
		if typ != sdk.TypeAPIKey {
			s.ExtraHeaders = v.OAuthExtraHeaders
			if o := phantomVars(v.OAuthPhantomEnv); len(o) > 0 {
				stand = o
			}
		}
		if len(stand) > 0 {
			s.StandInEnv = stand[0]
		}
		out[typ] = s
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
