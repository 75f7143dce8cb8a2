package yamlprov

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/host"
)

// InjectSpec is the inject: entry of one credential type: the same data as
// sdk.Injection, in YAML.
//
//	inject:
//	  api_key:
//	    env:
//	      OPENROUTER_API_KEY: ${key}
type InjectSpec struct {
	Env    map[string]string `yaml:"env"`
	Files  map[string]string `yaml:"files"`
	DirEnv string            `yaml:"dir_env"`
}

var _ sdk.Injector = (*Provider)(nil)

// Injection implements sdk.Injector from the inject: block; a file without
// one declares nothing.
func (p *Provider) Injection(context.Context, *sdk.InjectionRequest) (*sdk.InjectionResponse, error) {
	if len(p.f.Inject) == 0 {
		return nil, fmt.Errorf("%w: %s has no inject: block", sdk.ErrUnimplemented, p.f.Name)
	}
	return &sdk.InjectionResponse{Injections: injections(p.f)}, nil
}

func injections(f *File) []sdk.Injection {
	types := make([]string, 0, len(f.Inject))
	for t := range f.Inject {
		types = append(types, t)
	}
	sort.Strings(types)
	out := make([]sdk.Injection, 0, len(types))
	for _, t := range types {
		s := f.Inject[t]
		if s == nil {
			s = &InjectSpec{}
		}
		out = append(out, sdk.Injection{CredentialType: t, Env: s.Env, Files: s.Files, DirEnv: s.DirEnv})
	}
	return out
}

// storedFields is, per credential type the file can store, the fields it
// stores, so the inject: block can be checked against them.
func storedFields(f *File, modes map[sdk.Mode]bool) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	add := func(typ string, names ...string) {
		if out[typ] == nil {
			out[typ] = map[string]bool{}
		}
		for _, n := range names {
			out[typ][n] = true
		}
	}
	if modes[sdk.ModeAPIKey] {
		typ := sdk.TypeAPIKey
		if f.Key != nil && f.Key.Type != "" {
			typ = f.Key.Type
		}
		add(typ, keyField(f.Key))
		if f.Key != nil {
			for name := range f.Key.Extra {
				add(typ, name)
			}
		}
	}
	for _, r := range f.Capture {
		add(r.Type)
		for name := range r.Fields {
			add(r.Type, name)
		}
		if r.ExpiresAt != nil {
			add(r.Type, "expires_at")
		}
	}
	return out
}

func (c *checker) checkInject(f *File, modes map[sdk.Mode]bool) {
	// checkInjectSpec reports each problem at its own line.
	if len(f.Inject) == 0 {
		return
	}
	if len(f.Modes) == 0 { // Load defaults to api_key after the checks
		modes = map[sdk.Mode]bool{sdk.ModeAPIKey: true}
	}
	stored := storedFields(f, modes)
	for _, in := range injections(f) {
		p := "inject." + in.CredentialType
		fields, ok := stored[in.CredentialType]
		if !ok {
			c.errorf(p, "inject: %q is not a credential type this provider stores (it stores: %s)", in.CredentialType, typeList(stored))
			continue
		}
		c.checkInjectSpec(p, f.Name, f.Inject[in.CredentialType])
		for name := range in.Fields() {
			if !fields[name] {
				c.errorf(p, "inject.%s uses ${%s}, which a %s credential of this provider never holds (it holds: %s)",
					in.CredentialType, name, in.CredentialType, setList(fields))
			}
		}
	}
}

// checkInjectSpec reports each problem of one inject: entry at its own line;
// sdk.Injection.Validate is the same check, worded for Go.
func (c *checker) checkInjectSpec(p, provider string, s *InjectSpec) {
	if s == nil || len(s.Env) == 0 && len(s.Files) == 0 {
		c.errorf(p, "%s sets no variable (env:) and writes no file (files:)", p)
		return
	}
	in := sdk.Injection{CredentialType: strings.TrimPrefix(p, "inject."), Env: s.Env, Files: s.Files, DirEnv: s.DirEnv}
	for _, name := range sortedNames(s.Env) {
		// Whose variable it is comes first: that is the reason to give.
		err := host.CheckEnvName(name)
		if err == nil {
			err = host.CheckEnvOf(provider, name)
		}
		if err == nil {
			err = in.CheckEnv(name)
		}
		if err != nil {
			c.errorf(p+".env."+name, "%s.env: %v", p, err)
		}
		if name == s.DirEnv {
			c.errorf(p+".env."+name, "%s.env: %s is also dir_env", p, name)
		}
		if err := host.CheckTemplate(s.Env[name]); err != nil {
			c.errorf(p+".env."+name, "%s.env.%s: %v", p, name, err)
		}
		if strings.ContainsRune(s.Env[name], 0) {
			c.errorf(p+".env."+name, "%s.env.%s: a NUL byte, which no environment can carry", p, name)
		}
	}
	for _, path := range sortedNames(s.Files) {
		if _, err := sdk.CleanRelPath(path); err != nil {
			c.errorf(p+".files."+path, "%s.files: %v", p, err)
		}
		if err := host.CheckTemplate(s.Files[path]); err != nil {
			c.errorf(p+".files."+path, "%s.files.%s: %v", p, path, err)
		}
	}
	if s.DirEnv != "" {
		if err := host.CheckDirEnvOf(provider, s.DirEnv); err != nil {
			c.errorf(p+".dir_env", "%s.dir_env: %v", p, err)
		}
	}
	if len(s.Files) > 0 && s.DirEnv == "" {
		c.errorf(p+".files", "%s.files needs dir_env: the variable that tells the tool where the private directory with the files is (e.g. CODEX_HOME)", p)
	}
	// Anything the per-item checks above do not word (limits, for one).
	if len(c.errs) == 0 {
		if err := in.Validate(); err != nil {
			c.errorf(p, "%s: %v", p, err)
		}
	}
}

func sortedNames(m map[string]string) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

func typeList(m map[string]map[string]bool) string {
	s := map[string]bool{}
	for k := range m {
		s[k] = true
	}
	return setList(s)
}

func setList(m map[string]bool) string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return "nothing"
	}
	out := names[0]
	for _, n := range names[1:] {
		out += ", " + n
	}
	return out
}
