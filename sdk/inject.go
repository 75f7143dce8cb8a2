package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
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

// reservedEnv are variables an injection may not set: they change where a
// program lives or which code it loads, for the command and everything it
// starts, which is no business of a credential.
var reservedEnv = map[string]bool{
	"PATH": true, "HOME": true, "SHELL": true, "USER": true, "LOGNAME": true, "PWD": true,
	"IFS": true, "ENV": true, "BASH_ENV": true, "TERM": true, "TMPDIR": true, "GCONV_PATH": true,
	"NODE_OPTIONS": true, "PYTHONPATH": true, "PYTHONSTARTUP": true, "PERL5LIB": true, "PERL5OPT": true,
	"RUBYOPT": true, "RUBYLIB": true, "GIT_EXEC_PATH": true, "GIT_SSH": true, "GIT_SSH_COMMAND": true,
}

// CheckEnvName reports whether name may be set by an injection: a portable
// variable name, not one that changes how programs run (PATH, HOME,
// LD_PRELOAD, …) and not terok's own TEROK_ namespace.
func CheckEnvName(name string) error {
	upper := strings.ToUpper(name)
	switch {
	case !injectEnvRE.MatchString(name):
		return fmt.Errorf("%q is not a valid environment variable name (letters, digits and '_', not starting with a digit)", name)
	case reservedEnv[upper] || strings.HasPrefix(upper, "LD_") || strings.HasPrefix(upper, "DYLD_"):
		return fmt.Errorf("%q changes how every program runs; an injection may not set it", name)
	case strings.HasPrefix(upper, "TEROK_"):
		return fmt.Errorf("%q is in terok's own TEROK_ namespace; an injection may not set it", name)
	}
	return nil
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
		if err := CheckEnvName(name); err != nil {
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
	for _, p := range sortedKeys(in.Files) {
		if _, err := CleanRelPath(p); err != nil {
			add("file: %v", err)
		}
		if _, err := parseTemplate(in.Files[p]); err != nil {
			add("file %s: %v", p, err)
		}
	}
	if in.DirEnv != "" {
		if err := CheckEnvName(in.DirEnv); err != nil {
			add("dir_env: %v", err)
		}
	}
	if len(in.Files) > 0 && in.DirEnv == "" {
		add("files need DirEnv: the variable that tells the tool where they are")
	}
	return errors.Join(errs...)
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
	return parts, nil
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
