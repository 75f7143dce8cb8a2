package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/terok-ai/terok-auth/sdk/secret"
)

// Injector is an optional capability: a provider that implements it says
// how a stored credential reaches a tool at run time (`terok auth exec`,
// `terok auth env`). The answer is data, not an action: environment
// variables and files whose content are templates over the credential's
// fields. The host checks the declaration, renders it and carries it out;
// the provider never sees the credential at run time.
//
// A provider that does not implement Injector (or a plugin built against an
// older SDK) declares no injection: its credentials can still be printed
// with `terok auth token`.
type Injector interface {
	Injection(ctx context.Context, req *InjectionRequest) (*InjectionResponse, error)
}

// InjectionRequest is empty today.
type InjectionRequest struct{}

// InjectionResponse declares, per credential type, how a credential is
// used.
type InjectionResponse struct {
	Injections []Injection
}

// For returns the injection declared for a credential type.
func (r *InjectionResponse) For(credType string) (Injection, bool) {
	if r == nil {
		return Injection{}, false
	}
	for _, in := range r.Injections {
		if in.CredentialType == credType {
			return in, true
		}
	}
	return Injection{}, false
}

// Injection says how one type of credential is handed to a tool.
//
// Values are templates: ${field} is the credential's field (a string as
// it is, anything else as JSON); ${field?} is the same but "" when the
// field is absent; a "|json" suffix, ${field|json} or ${field?|json},
// writes the value as a JSON string or value, for JSON files; $$ is a
// literal $. Any other $ is an error. A required field that is absent
// fails the injection with a message saying which field, so a stale
// credential is caught before the tool runs.
//
// A variable whose value renders empty is not set at all.
//
// The declaration is meant to grow (an API host, an auth header and its
// prefix, stand-in variables for a credential proxy) by adding fields;
// a zero field always means "not declared".
type Injection struct {
	// CredentialType is the stored credential's type this applies to,
	// e.g. "api_key" or "oauth".
	CredentialType string
	// Env maps environment variable names to value templates, e.g.
	// {"ANTHROPIC_API_KEY": "${key}"}.
	Env map[string]string
	// Files maps slash-separated paths, relative to a private directory the
	// host creates for the run (mode 0700, removed afterwards), to content
	// templates. Files need DirEnv.
	Files map[string]string
	// DirEnv is the variable the host sets to the private directory's
	// path, e.g. "CODEX_HOME", so the tool finds the files there.
	DirEnv string
}

// Rendered is an injection carried out on one credential: what the host
// puts in the environment and into the private directory.
type Rendered struct {
	Env    map[string]string
	Files  map[string][]byte
	DirEnv string
}

// Limits on a declaration, so that a provider cannot make the host render
// something huge.
const (
	maxInjectEnv      = 64
	maxInjectFiles    = 16
	maxTemplateLength = 64 << 10
)

var (
	injectEnvRE   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	injectFieldRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// What an injection may set. A credential's variables reach the command
// and everything it starts, beside other providers' credentials in the same
// `terok auth exec`. A variable that changes how a program runs (which code
// it loads, which config it reads, which proxy or certificates it trusts)
// would let one provider's declaration run code of its choosing with
// another's secret: GIT_CONFIG_* sets core.fsmonitor, XDG_CONFIG_HOME
// points git at a config file, HTTPS_PROXY and SSL_CERT_DIR read the
// traffic. A list of such variables is never complete, so the rule is an
// allow-list of shapes: a provider names only variables that hand a tool
// its credential, or say where that credential is sent.
//
//   - Env: a name ending in a credential suffix (credentialSuffixes) or a
//     routing suffix (routingSuffixes). A routing variable (GH_HOST,
//     BLABLADOR_BASE_URL) must come with a credential variable of its own
//     family in the same injection (GH_TOKEN), so a provider cannot send
//     a credential it does not hand over itself somewhere else.
//   - DirEnv: NAME_HOME or NAME_CONFIG_DIR, NAME the provider's own name
//     (CODEX_HOME for codex): a directory of config files is read by one
//     tool, and a provider points only its own tool at the files it wrote.
//     Checked by ValidateInjectionOf, which knows the provider's name.
//   - Whatever the suffix, never a name in a family (the part before the
//     first '_') that configures how programs run (deniedFamilies), nor
//     one that holds PROXY.
//
// Across the providers of one `terok auth exec` or `env`, a family belongs
// to one provider: the host refuses two that set GH_* variables (see
// EnvFamily), so no provider can redirect another's credential.
var (
	credentialSuffixes = []string{
		"_TOKEN", "_KEY", "_SECRET", "_PASSWORD", "_PASSPHRASE",
		"_USER", "_USERNAME", "_ORG", "_ORGANIZATION", "_ORG_ID", "_PROJECT", "_PROJECT_ID",
		"_ACCOUNT", "_ACCOUNT_ID", "_CLIENT_ID", "_TENANT_ID", "_REGION",
	}
	routingSuffixes = []string{"_HOST", "_BASE_URL", "_API_URL", "_HOST_URL", "_API_BASE", "_ENDPOINT"}
	dirSuffixes     = []string{"_HOME", "_CONFIG_DIR"}

	// deniedFamilies configure programs rather than hand one a credential,
	// whatever a name of theirs ends in: version control, config and
	// library search paths, TLS and proxies, language runtimes and their
	// package managers (an index URL installs code), shells, containers,
	// and terok's own.
	deniedFamilies = map[string]bool{
		"GIT": true, "XDG": true, "SSL": true, "TLS": true, "CURL": true, "REQUESTS": true, "LD": true, "DYLD": true,
		"NODE": true, "NPM": true, "YARN": true, "PNPM": true, "BUN": true, "DENO": true, "PIP": true, "UV": true, "POETRY": true,
		"CONDA": true, "PYTHON": true, "PERL": true, "RUBY": true, "GEM": true, "BUNDLE": true, "JAVA": true, "JDK": true,
		"MAVEN": true, "GRADLE": true, "CARGO": true, "RUSTUP": true, "RUSTC": true, "GO": true, "BASH": true, "ZSH": true,
		"SHELL": true, "SSH": true, "GPG": true, "GNUPG": true, "SUDO": true, "DBUS": true, "SYSTEMD": true, "LC": true,
		"TEROK": true, "DOCKER": true, "CONTAINER": true, "CONTAINERS": true, "PODMAN": true, "BUILDAH": true,
		"KUBE": true, "KUBECONFIG": true, "HELM": true, "OTEL": true, "VOLTA": true, "NVM": true, "HOMEBREW": true,
	}
	// deniedPrefixes are families with many spellings (PYTHONPATH,
	// PERL5LIB, RUBYOPT, JAVAX_…, KUBECONFIG).
	deniedPrefixes = []string{"PYTHON", "PERL", "RUBY", "JAVA", "KUBE"}
)

// toolFamilies are the variable families a bundled provider's tool reads,
// whatever the provider's own name: Claude Code reads ANTHROPIC_* as well
// as CLAUDE_*, codex OPENAI_* as well as CODEX_*. Only that provider may
// set a variable of such a family: ANTHROPIC_BASE_URL from any other would
// send claude's token to a URL of its choosing.
var toolFamilies = map[string]string{
	"ANTHROPIC": "claude", "CLAUDE": "claude",
	"OPENAI": "codex", "CODEX": "codex",
	"GH": "gh", "GITHUB": "gh",
	"GLAB": "glab", "GITLAB": "glab",
	"MISTRAL": "vibe", "VIBE": "vibe",
}

// FamilyOwner returns the provider whose tool reads the variables of
// family (as EnvFamily gives it): claude for ANTHROPIC and CLAUDE. A
// family no tool is known to read is owned by no one (""), and in one run
// belongs to the first provider that sets it.
func FamilyOwner(family string) string { return toolFamilies[strings.ToUpper(family)] }

// ownFamily reports whether the variable family fam is provider's own:
// its name's (EVIL for evil and evil-corp), or one its tool reads.
func ownFamily(provider, fam string) bool {
	if owner := FamilyOwner(fam); owner != "" {
		return owner == provider
	}
	return fam == EnvFamily(ProviderFamily(provider))
}

// CheckEnvOf reports whether provider may set the variable name at all,
// beyond the rules of CheckEnvName: not a variable of another provider's
// tool (ANTHROPIC_* and CLAUDE_* are claude's), and, for one that routes
// a tool (a host, a base URL, an endpoint, a home or config directory),
// only in the provider's own family. Whoever may set where a tool sends
// its credential can have it sent anywhere; that belongs to the provider
// whose tool reads the variable.
func CheckEnvOf(provider, name string) error {
	fam := EnvFamily(name)
	if owner := FamilyOwner(fam); owner != "" && owner != provider {
		return fmt.Errorf("%q is in the %s_ family, which %s's tool reads; only the %s provider may set it "+
			"(it could send %s's credential elsewhere, or make its tool use another)", name, fam, owner, owner, owner)
	}
	upper := strings.ToUpper(name)
	routes := (hasSuffix(upper, routingSuffixes) && !hasSuffix(upper, credentialSuffixes)) || hasSuffix(upper, dirSuffixes)
	if routes && !ownFamily(provider, fam) {
		return fmt.Errorf("%q says where a tool sends its credential, and is not in %s's own family (%s_): "+
			"a variable that routes a tool belongs to the provider whose tool reads it", name, provider, EnvFamily(ProviderFamily(provider)))
	}
	return nil
}

// EnvFamily is the family of a variable: its name up to the first '_',
// upper-cased (GH for GH_TOKEN and GH_HOST). In one run, a family belongs
// to one provider.
func EnvFamily(name string) string {
	f, _, _ := strings.Cut(strings.ToUpper(name), "_")
	return f
}

// ProviderFamily is the family a provider's own names start with: its name
// upper-cased, '-' as '_' (MY_TOOL for my-tool).
func ProviderFamily(provider string) string {
	return strings.ToUpper(strings.ReplaceAll(provider, "-", "_"))
}

func hasSuffix(upper string, suffixes []string) bool {
	for _, s := range suffixes {
		if strings.HasSuffix(upper, s) && len(upper) > len(s) {
			return true
		}
	}
	return false
}

// checkFamily refuses a name of a family that configures programs.
func checkFamily(name string) error {
	upper := strings.ToUpper(name)
	fam := EnvFamily(upper)
	denied := deniedFamilies[fam]
	for _, p := range deniedPrefixes {
		denied = denied || strings.HasPrefix(fam, p)
	}
	if strings.HasPrefix(upper, "TEROK_") {
		return fmt.Errorf("%q is in terok's own TEROK_ namespace; an injection may not set it", name)
	}
	if strings.Contains(upper, "PROXY") {
		return fmt.Errorf("%q names a proxy, which would see every request a program makes; an injection may not set it", name)
	}
	if denied {
		return fmt.Errorf("%q is in the %s_ family, which changes how programs run (the code, config, proxy or certificates they use), "+
			"not which credential they send; an injection may not set it", name, fam)
	}
	return nil
}

func checkShape(name string) error {
	if !injectEnvRE.MatchString(name) {
		return fmt.Errorf("%q is not a valid environment variable name (letters, digits and '_', not starting with a digit)", name)
	}
	return nil
}

// CheckEnvName reports whether name may be an injected variable: a
// portable name, ending in a credential suffix (_TOKEN, _KEY, _SECRET,
// _USER, _ORG, _PROJECT, _ACCOUNT, _REGION, …) or a routing suffix (_HOST,
// _BASE_URL, _API_BASE, _ENDPOINT, …), and not in a family that changes
// how programs run (GIT_, XDG_, SSL_, LD_, PYTHON*, NODE_, TEROK_, any
// *PROXY*, …). See the rules above credentialSuffixes.
func CheckEnvName(name string) error {
	if err := checkShape(name); err != nil {
		return err
	}
	if err := checkFamily(name); err != nil {
		return err
	}
	upper := strings.ToUpper(name)
	if !hasSuffix(upper, credentialSuffixes) && !hasSuffix(upper, routingSuffixes) {
		return fmt.Errorf("%q does not name a credential: an injected variable ends in %s (the credential) or %s (where it is sent)",
			name, strings.Join(credentialSuffixes, ", "), strings.Join(routingSuffixes, ", "))
	}
	return nil
}

// CheckDirEnvName reports whether name may be the variable that points a
// tool at the private directory: a name ending in _HOME or _CONFIG_DIR, not
// in a family that changes how programs run. ValidateInjectionOf also
// requires the provider's own name before the suffix.
func CheckDirEnvName(name string) error {
	if err := checkShape(name); err != nil {
		return err
	}
	if err := checkFamily(name); err != nil {
		return err
	}
	if !hasSuffix(strings.ToUpper(name), dirSuffixes) {
		return fmt.Errorf("%q is not a tool's home or config directory variable: dir_env ends in _HOME or _CONFIG_DIR (e.g. CODEX_HOME)", name)
	}
	return nil
}

// CheckDirEnvOf reports whether provider may point name at its private
// directory: name is the provider's own NAME_HOME or NAME_CONFIG_DIR.
func CheckDirEnvOf(provider, name string) error {
	if err := CheckDirEnvName(name); err != nil {
		return err
	}
	fam := ProviderFamily(provider)
	for _, s := range dirSuffixes {
		if strings.EqualFold(name, fam+s) {
			return nil
		}
	}
	return fmt.Errorf("%q is not %s's own directory variable: a provider points only its own tool at the files it writes, "+
		"so dir_env is %s_HOME or %s_CONFIG_DIR", name, provider, fam, fam)
}

// ValidateInjection checks a declaration for everything the host would
// otherwise trip over: types declared twice, bad or reserved variable
// names, bad templates, file paths that leave the private directory, files
// without DirEnv.
func ValidateInjection(r *InjectionResponse) error {
	if r == nil {
		return nil
	}
	var errs []error
	seen := map[string]bool{}
	for _, in := range r.Injections {
		if err := in.Validate(); err != nil {
			errs = append(errs, err)
		}
		if seen[in.CredentialType] {
			errs = append(errs, fmt.Errorf("credential type %q has two injections", in.CredentialType))
		}
		seen[in.CredentialType] = true
	}
	return errors.Join(errs...)
}

// ValidateInjectionOf is ValidateInjection for the provider named
// provider, with the checks that need its name: a DirEnv is the provider's
// own (CODEX_HOME for codex), and every variable one it may set
// (CheckEnvOf).
func ValidateInjectionOf(provider string, r *InjectionResponse) error {
	err := ValidateInjection(r)
	if r == nil {
		return err
	}
	errs := []error{err}
	for _, in := range r.Injections {
		for _, name := range sortedKeys(in.Env) {
			if CheckEnvName(name) != nil {
				continue // reported above
			}
			if oerr := CheckEnvOf(provider, name); oerr != nil {
				errs = append(errs, fmt.Errorf("injection for %q: %w", in.CredentialType, oerr))
			}
		}
		if in.DirEnv == "" || CheckDirEnvName(in.DirEnv) != nil {
			continue
		}
		if derr := CheckDirEnvOf(provider, in.DirEnv); derr != nil {
			errs = append(errs, fmt.Errorf("injection for %q: dir_env: %w", in.CredentialType, derr))
		}
	}
	return errors.Join(errs...)
}

// Validate checks one injection; see ValidateInjection.
func (in Injection) Validate() error {
	var errs []error
	add := func(format string, a ...any) {
		errs = append(errs, fmt.Errorf("injection for %q: "+format, append([]any{in.CredentialType}, a...)...))
	}
	if in.CredentialType == "" {
		add("no credential type")
	}
	if len(in.Env) == 0 && len(in.Files) == 0 {
		add("sets no variable and writes no file")
	}
	if len(in.Env) > maxInjectEnv {
		add("%d variables; at most %d", len(in.Env), maxInjectEnv)
	}
	if len(in.Files) > maxInjectFiles {
		add("%d files; at most %d", len(in.Files), maxInjectFiles)
	}
	for _, name := range sortedKeys(in.Env) {
		if err := in.CheckEnv(name); err != nil {
			add("%v", err)
		}
		if name == in.DirEnv {
			add("%s is both a variable and the private directory's variable", name)
		}
		if _, err := parseTemplate(in.Env[name]); err != nil {
			add("variable %s: %v", name, err)
		}
		if strings.ContainsRune(in.Env[name], 0) {
			add("variable %s: a NUL byte, which no environment can carry", name)
		}
	}
	for _, name := range sortedKeys(in.Env) {
		if err := in.checkSecretFromField(name); err != nil {
			add("%v", err)
		}
	}
	if err := in.checkUsesAField(); err != nil {
		add("%v", err)
	}
	for _, p := range sortedKeys(in.Files) {
		if _, err := CleanRelPath(p); err != nil {
			add("file: %v", err)
		}
		if _, err := parseTemplate(in.Files[p]); err != nil {
			add("file %s: %v", p, err)
		}
	}
	if in.DirEnv != "" {
		if err := CheckDirEnvName(in.DirEnv); err != nil {
			add("dir_env: %v", err)
		}
	}
	if len(in.Files) > 0 && in.DirEnv == "" {
		add("files need DirEnv: the variable that tells the tool where they are")
	}
	return errors.Join(errs...)
}

// CheckEnv reports whether the injection may set the variable name: a
// name CheckEnvName takes and, for one that says where a credential is
// sent, the injection's own credential beside it.
func (in Injection) CheckEnv(name string) error {
	if err := CheckEnvName(name); err != nil {
		return err
	}
	return in.checkRouting(name)
}

// checkRouting refuses a variable that says where a credential is sent
// (GH_HOST) unless the injection hands over a credential of the same family
// itself (GH_TOKEN from a credential field): a provider may point only its
// own credential somewhere.
func (in Injection) checkRouting(name string) error {
	upper := strings.ToUpper(name)
	if !hasSuffix(upper, routingSuffixes) || hasSuffix(upper, credentialSuffixes) {
		return nil
	}
	fam := EnvFamily(upper)
	for other, t := range in.Env {
		o := strings.ToUpper(other)
		if EnvFamily(o) != fam || !secret.IsEnvName(o) {
			continue
		}
		if parts, err := parseTemplate(t); err == nil {
			for _, p := range parts {
				if p.field != "" {
					return nil
				}
			}
		}
	}
	return fmt.Errorf("%q says where a credential is sent, but the injection hands over no %s_ credential of its own "+
		"(a %s_TOKEN or %s_…_KEY from a credential field); a provider may point only its own credential somewhere", name, fam, fam, fam)
}

// checkSecretFromField refuses a variable named as a secret (…_TOKEN,
// …_KEY, …) whose value is fixed text: a template in another syntax
// ({{key}}) or a forgotten ${…} would hand the tool that text instead of
// the credential.
func (in Injection) checkSecretFromField(name string) error {
	if !secret.IsEnvName(name) {
		return nil
	}
	parts, err := parseTemplate(in.Env[name])
	if err != nil {
		return nil // reported as a template error
	}
	for _, p := range parts {
		if p.field != "" {
			return nil
		}
	}
	return fmt.Errorf("variable %s is named as a secret but is fixed text (%q), with no credential field: write ${key} (or ${token}, the field that holds the secret)", name, in.Env[name])
}

// checkUsesAField refuses an injection that uses no field of the
// credential at all: the tool would get none of it.
func (in Injection) checkUsesAField() error {
	for _, t := range append(mapValues(in.Env), mapValues(in.Files)...) {
		if _, err := parseTemplate(t); err != nil {
			return nil // reported as a template error
		}
	}
	if len(in.Env)+len(in.Files) == 0 || len(in.Fields()) > 0 {
		return nil
	}
	return errors.New("uses no field of the credential: no variable and no file holds ${key} (or another field), so the tool would get none of it")
}

// Fields lists the credential fields the injection uses, and whether each
// is required, so a host or a test can check a credential against it.
func (in Injection) Fields() map[string]bool {
	out := map[string]bool{}
	for _, t := range append(mapValues(in.Env), mapValues(in.Files)...) {
		parts, _ := parseTemplate(t)
		for _, p := range parts {
			if p.field != "" {
				out[p.field] = out[p.field] || !p.optional
			}
		}
	}
	return out
}

// Render carries out the injection on c, without side effects: it returns
// the variables and the file contents. It fails when c is of another type
// or lacks a required field.
func (in Injection) Render(c Credential) (*Rendered, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if c.Type != in.CredentialType {
		return nil, fmt.Errorf("the credential is of type %q, the injection is for %q", c.Type, in.CredentialType)
	}
	out := &Rendered{Env: map[string]string{}, DirEnv: in.DirEnv}
	for _, name := range sortedKeys(in.Env) {
		v, err := renderTemplate(in.Env[name], c)
		if err != nil {
			return nil, fmt.Errorf("variable %s: %w", name, err)
		}
		if strings.ContainsRune(v, 0) {
			return nil, fmt.Errorf("variable %s: the value holds a NUL byte, which no environment can carry", name)
		}
		if v != "" {
			out.Env[name] = v
		}
	}
	if len(in.Files) > 0 {
		out.Files = map[string][]byte{}
	}
	for _, p := range sortedKeys(in.Files) {
		v, err := renderTemplate(in.Files[p], c)
		if err != nil {
			return nil, fmt.Errorf("file %s: %w", p, err)
		}
		clean, _ := CleanRelPath(p)
		out.Files[clean] = []byte(v)
	}
	return out, nil
}

// part is a piece of a template: literal text, or a field reference.
type part struct {
	text     string
	field    string
	optional bool
	json     bool
}

// parseTemplate splits a template into parts, or says what is wrong.
func parseTemplate(t string) ([]part, error) {
	if len(t) > maxTemplateLength {
		return nil, fmt.Errorf("template is %d bytes; at most %d", len(t), maxTemplateLength)
	}
	var parts []part
	var lit strings.Builder
	for i := 0; i < len(t); i++ {
		if t[i] != '$' {
			lit.WriteByte(t[i])
			continue
		}
		if i+1 < len(t) && t[i+1] == '$' {
			lit.WriteByte('$')
			i++
			continue
		}
		if i+1 >= len(t) || t[i+1] != '{' {
			if m := shellRefRE.FindStringSubmatch(t[i:]); m != nil {
				name := m[1] + m[2]
				return nil, fmt.Errorf("%s at byte %d is another syntax: terok's templates spell a credential field ${%s} (and a $ itself $$)", m[0], i, name)
			}
			return nil, fmt.Errorf("a lone $ at byte %d: write ${field} for a credential field or $$ for a $", i)
		}
		end := strings.IndexByte(t[i:], '}')
		if end < 0 {
			return nil, fmt.Errorf("${ at byte %d is not closed with }", i)
		}
		ref := t[i+2 : i+end]
		p := part{}
		if name, filter, ok := strings.Cut(ref, "|"); ok {
			if filter != "json" {
				return nil, fmt.Errorf("unknown filter %q in ${%s}: the only filter is json", filter, ref)
			}
			p.json, ref = true, name
		}
		if strings.HasSuffix(ref, "?") {
			p.optional, ref = true, strings.TrimSuffix(ref, "?")
		}
		if !injectFieldRE.MatchString(ref) {
			return nil, fmt.Errorf("${%s} does not name a credential field (letters, digits and '_')", t[i+2:i+end])
		}
		if ref == "type" {
			return nil, errors.New(`${type} is the credential's type, not a field`)
		}
		p.field = ref
		if lit.Len() > 0 {
			parts = append(parts, part{text: lit.String()})
			lit.Reset()
		}
		parts = append(parts, p)
		i += end
	}
	if lit.Len() > 0 {
		parts = append(parts, part{text: lit.String()})
	}
	for _, p := range parts {
		if err := foreignTemplate(p.text); err != nil {
			return nil, err
		}
	}
	return parts, nil
}

var (
	// shellRefRE is a shell's $name or $(name) where ${name} was meant.
	shellRefRE = regexp.MustCompile(`^\$(?:([A-Za-z_][A-Za-z0-9_]*)|\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\))`)
	// braceRE is a Go, Jinja or Mustache placeholder: {{key}}, {{ .key }}.
	braceRE = regexp.MustCompile(`\{\{\s*\.?\s*([A-Za-z_][A-Za-z0-9_]*)?[^{}]*\}\}`)
	// printfRE is a printf or Python placeholder: %s, %v, %q, %(key)s.
	// Digits are not taken as a width: %20s is a percent-encoded space.
	printfRE = regexp.MustCompile(`%(?:\(([A-Za-z_][A-Za-z0-9_]*)\))?[svq]`)
)

// foreignTemplate refuses literal text that is a placeholder in another
// template syntax: it would reach the tool as it is ({{key}} instead of
// the key), and the tool would fail without saying why.
func foreignTemplate(lit string) error {
	spell := func(name string) string {
		if name == "" || name == "type" {
			name = "key"
		}
		return "${" + name + "}"
	}
	if m := braceRE.FindStringSubmatch(lit); m != nil {
		return fmt.Errorf("%q is a placeholder of another template syntax, and would reach the tool as it is: terok's templates spell a credential field %s", m[0], spell(m[1]))
	}
	if m := printfRE.FindStringSubmatch(lit); m != nil {
		return fmt.Errorf("%q is a printf placeholder, and would reach the tool as it is: terok's templates spell a credential field %s (a %% elsewhere is fine)", m[0], spell(m[1]))
	}
	return nil
}

func renderTemplate(t string, c Credential) (string, error) {
	parts, err := parseTemplate(t)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, p := range parts {
		if p.field == "" {
			b.WriteString(p.text)
			continue
		}
		v, ok := c.Fields[p.field]
		if !ok || v == nil {
			if !p.optional {
				return "", fmt.Errorf("the %s credential has no field %q; log in again to store a complete one", c.Type, p.field)
			}
			v = ""
		}
		if p.json {
			enc, err := json.Marshal(v)
			if err != nil {
				return "", fmt.Errorf("field %q cannot be written as JSON: %w", p.field, err)
			}
			b.Write(enc)
			continue
		}
		if s, ok := v.(string); ok {
			b.WriteString(s)
			continue
		}
		enc, err := json.Marshal(v)
		if err != nil {
			return "", fmt.Errorf("field %q cannot be written out: %w", p.field, err)
		}
		b.Write(enc)
	}
	return b.String(), nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, m[k])
	}
	return out
}

// CheckTemplate reports whether t is a valid injection template (see
// Injection), for checkers that report problems one by one.
func CheckTemplate(t string) error {
	_, err := parseTemplate(t)
	return err
}
