package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/terok-ai/terok-auth/sdk/internal/rules"
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
// something huge (a template is bounded by rules.MaxTemplateLength).
const (
	maxInjectEnv   = 64
	maxInjectFiles = 16
)

// Validate checks one injection against the host's rules for what an
// injection may set (variable names and their families, templates, file
// paths). The host applies the same rules, and those that need the
// provider's name or the whole declaration, with host.ValidateInjectionOf
// (package sdk/host); sdk/providertest applies them in a provider's tests.
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
	for _, name := range rules.SortedKeys(in.Env) {
		if err := in.CheckEnv(name); err != nil {
			add("%v", err)
		}
		if name == in.DirEnv {
			add("%s is both a variable and the private directory's variable", name)
		}
		if _, err := rules.ParseTemplate(in.Env[name]); err != nil {
			add("variable %s: %v", name, err)
		}
		if strings.ContainsRune(in.Env[name], 0) {
			add("variable %s: a NUL byte, which no environment can carry", name)
		}
	}
	for _, name := range rules.SortedKeys(in.Env) {
		if err := in.checkSecretFromField(name); err != nil {
			add("%v", err)
		}
	}
	if err := in.checkUsesAField(); err != nil {
		add("%v", err)
	}
	for _, p := range rules.SortedKeys(in.Files) {
		if _, err := CleanRelPath(p); err != nil {
			add("file: %v", err)
		}
		if _, err := rules.ParseTemplate(in.Files[p]); err != nil {
			add("file %s: %v", p, err)
		}
	}
	if in.DirEnv != "" {
		if err := rules.CheckDirEnvName(in.DirEnv); err != nil {
			add("dir_env: %v", err)
		}
	}
	if len(in.Files) > 0 && in.DirEnv == "" {
		add("files need DirEnv: the variable that tells the tool where they are")
	}
	return errors.Join(errs...)
}

// CheckEnv reports whether the injection may set the variable name: a
// name the host's rules take (host.CheckEnvName, package sdk/host) and, for one that says where a credential is
// sent, the injection's own credential beside it.
func (in Injection) CheckEnv(name string) error {
	if err := rules.CheckEnvName(name); err != nil {
		return err
	}
	return in.checkRouting(name)
}

// checkRouting refuses a variable that says where a credential is sent
// (GH_HOST) unless the injection hands over a credential of the same family
// itself (GH_TOKEN from a credential field): a provider may point only its
// own credential somewhere.
func (in Injection) checkRouting(name string) error {
	if !rules.IsRoutingName(name) {
		return nil
	}
	fam := rules.EnvFamily(name)
	for other, t := range in.Env {
		o := strings.ToUpper(other)
		if rules.EnvFamily(o) != fam || !secret.IsEnvName(o) {
			continue
		}
		if parts, err := rules.ParseTemplate(t); err == nil {
			for _, p := range parts {
				if p.Field != "" {
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
	parts, err := rules.ParseTemplate(in.Env[name])
	if err != nil {
		return nil // reported as a template error
	}
	for _, p := range parts {
		if p.Field != "" {
			return nil
		}
	}
	return fmt.Errorf("variable %s is named as a secret but is fixed text (%q), with no credential field: write ${key} (or ${token}, the field that holds the secret)", name, in.Env[name])
}

// checkUsesAField refuses an injection that uses no field of the
// credential at all: the tool would get none of it.
func (in Injection) checkUsesAField() error {
	for _, t := range append(mapValues(in.Env), mapValues(in.Files)...) {
		if _, err := rules.ParseTemplate(t); err != nil {
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
		parts, _ := rules.ParseTemplate(t)
		for _, p := range parts {
			if p.Field != "" {
				out[p.Field] = out[p.Field] || !p.Optional
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
	for _, name := range rules.SortedKeys(in.Env) {
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
	for _, p := range rules.SortedKeys(in.Files) {
		v, err := renderTemplate(in.Files[p], c)
		if err != nil {
			return nil, fmt.Errorf("file %s: %w", p, err)
		}
		clean, _ := CleanRelPath(p)
		out.Files[clean] = []byte(v)
	}
	return out, nil
}
func renderTemplate(t string, c Credential) (string, error) {
	parts, err := rules.ParseTemplate(t)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, p := range parts {
		if p.Field == "" {
			b.WriteString(p.Text)
			continue
		}
		v, ok := c.Fields[p.Field]
		if !ok || v == nil {
			if !p.Optional {
				return "", fmt.Errorf("the %s credential has no field %q; log in again to store a complete one", c.Type, p.Field)
			}
			v = ""
		}
		if p.JSON {
			enc, err := json.Marshal(v)
			if err != nil {
				return "", fmt.Errorf("field %q cannot be written as JSON: %w", p.Field, err)
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
			return "", fmt.Errorf("field %q cannot be written out: %w", p.Field, err)
		}
		b.Write(enc)
	}
	return b.String(), nil
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, k := range rules.SortedKeys(m) {
		out = append(out, m[k])
	}
	return out
}
