package main

// Stand-in files for exec --proxy: a tool that reads its credential from a
// file, not a variable (codex reads a ChatGPT login from auth.json in
// CODEX_HOME), gets the file the provider's own injection renders, but
// over a stand-in credential, so no real secret is in any file or variable
// the command sees. The provider declares the files (sdk.Injector, the
// same declaration exec renders over the real credential; an injection for
// sdk.ProxyInjectionType when the files must also point the tool at the
// proxy); the host makes the stand-in credential and renders it, so a
// provider never sees a stand-in or decides what is secret.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/terok-ai/terok-auth/core/inject"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/route"
	"github.com/terok-ai/terok-auth/core/usage"
	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/host"
	"github.com/terok-ai/terok-auth/sdk/secret"
)

// standInCredential is c as a command behind the proxy may hold it: the
// route's field holds the stand-in, every other secret field (secret.IsField,
// at any depth) holds sdk.ProxyPlaceholder or, for a JWT, the same claims
// unsigned (a tool may read claims, as codex reads an id token's plan and
// account, but an unsigned token proves nothing), and a secret that is no
// string is dropped. The other fields (account_id, expires_at, a host) are
// kept: none is a secret. proxy_url and proxy_issued_at are the host's own
// (sdk.ProxyInjectionType).
func standInCredential(c sdk.Credential, r route.Route, standIn, proxyURL string, now time.Time) sdk.Credential {
	field := r.Field
	if field == "" {
		field = route.DefaultField(c.Type)
	}
	out := sdk.Credential{Type: c.Type, Fields: map[string]any{}}
	for k, v := range c.Fields {
		if x, ok := placeholderValue(k, v, 0); ok {
			out.Fields[k] = x
		}
	}
	out.Fields[field] = standIn
	out.Fields["proxy_url"] = proxyURL
	out.Fields["proxy_issued_at"] = now.UTC().Format(time.RFC3339)
	return out
}

// placeholderValue is v, under field k, with its secrets replaced; ok is
// false when it is dropped.
func placeholderValue(k string, v any, depth int) (any, bool) {
	if depth > 16 {
		return nil, false
	}
	if secret.IsField(k) {
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		if j, ok := unsignedJWT(s); ok {
			return j, true
		}
		return sdk.ProxyPlaceholder, true
	}
	switch v := v.(type) {
	case map[string]any:
		m := map[string]any{}
		for kk, vv := range v {
			if x, ok := placeholderValue(kk, vv, depth+1); ok {
				m[kk] = x
			}
		}
		return m, true
	case []any:
		l := make([]any, 0, len(v))
		for _, vv := range v {
			if x, ok := placeholderValue("", vv, depth+1); ok {
				l = append(l, x)
			}
		}
		return l, true
	}
	return v, true
}

// unsignedJWT is token with its claims kept and its header and signature
// replaced ({"alg":"none"} and a fixed "stand-in"), when token is a JWT
// (three base64url parts, a JSON object in the middle). Nobody can verify
// it, so it is no credential; a tool that only reads its claims still can.
func unsignedJWT(token string) (string, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", false
	}
	claims, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return "", false
	}
	var obj map[string]any
	if json.Unmarshal(claims, &obj) != nil || obj == nil {
		return "", false
	}
	b := base64.RawURLEncoding.EncodeToString
	return b([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + b(claims) + "." + b([]byte("stand-in")), true
}

// fileInjection is what provider p declares for a credential of credType
// that is handed over in files: its injection for
// sdk.ProxyInjectionType(credType), else its plain one; ok is false when
// neither writes a file (the tool then takes the stand-in from a variable,
// or the route's hint says how to point it).
func fileInjection(ctx context.Context, src providerSource, p names.Provider, credType string) (in sdk.Injection, ok bool, err error) {
	prov, err := src.Open(ctx, p.Base())
	if err != nil {
		return in, false, err
	}
	defer prov.Close()
	inj, isInj := prov.Provider.(sdk.Injector)
	if !isInj {
		return in, false, nil
	}
	decl, err := inj.Injection(ctx, &sdk.InjectionRequest{})
	if errors.Is(err, sdk.ErrUnimplemented) {
		return in, false, nil
	}
	if err != nil {
		return in, false, fmt.Errorf("%s: %w", p, err)
	}
	// A plugin's answer is untrusted: checked as exec checks it.
	if err := host.ValidateInjectionOf(string(p.Base()), decl); err != nil {
		return in, false, fmt.Errorf("%s declares an injection terok will not carry out: %w", p, err)
	}
	for _, t := range []string{sdk.ProxyInjectionType(credType), credType} {
		if in, ok := decl.For(t); ok && len(in.Files) > 0 {
			return in, true, nil
		}
	}
	return in, false, nil
}

// standInDirs renders the stand-in files of every provider of grant v whose
// tool takes no stand-in from a variable but declares files, for a proxy
// at proxyURL. It returns the private directories, the variables the
// injections set besides, and which providers' files also point the tool
// at the proxy (their setup hint is then done). It fails, naming the provider, when a rendered file or
// variable would hold a secret of the stored credential: no declaration
// may hand one to a command behind the proxy.
func standInDirs(ctx context.Context, src providerSource, v *grantView, proxyURL string, now time.Time) ([]inject.DirPlan, map[string]string, map[string]bool, error) {
	var dirs []inject.DirPlan
	env := map[string]string{}
	served := map[string]bool{}
	for _, p := range v.provs {
		r, c := v.routes[p], v.creds[p]
		if r.StandInEnv != "" {
			continue
		}
		in, ok, err := fileInjection(ctx, src, p, c.Type)
		if err != nil {
			return nil, nil, nil, err
		}
		if !ok {
			continue
		}
		sc := standInCredential(c, r, v.StandIns[string(p)], proxyURL, now)
		sc.Type = in.CredentialType
		rendered, err := in.Render(sc)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%s: the stand-in files: %w", p, err)
		}
		if held := heldSecret(c, rendered); held != "" {
			return nil, nil, nil, fmt.Errorf("%s declares files that would hand the command its real %s: the proxy keeps every secret on the host, so terok writes none; "+
				"use terok auth exec without --proxy", p, held)
		}
		for k, val := range rendered.Env {
			if _, taken := v.Env[k]; !taken {
				env[k] = val
			}
		}
		dirs = append(dirs, inject.DirPlan{Provider: p, Var: rendered.DirEnv, Files: rendered.Files, Set: v.set})
		// Only a proxy injection points the tool at the proxy; after a
		// plain one the route's hint still says how.
		served[string(p)] = in.CredentialType == sdk.ProxyInjectionType(c.Type)
	}
	return dirs, env, served, nil
}

// heldSecret names the field of c whose secret r holds somewhere, "" none.
func heldSecret(c sdk.Credential, r *sdk.Rendered) string {
	for k, val := range c.Fields {
		for _, s := range secret.Values(map[string]any{k: val}) {
			for _, f := range r.Files {
				if bytes.Contains(f, []byte(s)) {
					return k
				}
			}
			for _, e := range r.Env {
				if strings.Contains(e, s) {
					return k
				}
			}
		}
	}
	return ""
}

// refuseFileOnly is env --proxy's check before a grant: a credential its
// tool reads only from files cannot be printed as variables, so no grant
// is made that nothing could use.
func refuseFileOnly(ctx context.Context, src providerSource) func(names.Provider, route.Route, sdk.Credential) error {
	return func(p names.Provider, r route.Route, c sdk.Credential) error {
		if r.StandInEnv != "" {
			return nil
		}
		in, ok, err := fileInjection(ctx, src, p, c.Type)
		if err != nil || !ok {
			return err
		}
		var files []string
		for name := range in.Files {
			files = append(files, name)
		}
		sort.Strings(files)
		return usage.Errorf("%s: its tool reads the %s credential from files (%s in %s), not a variable, and terok auth env prints only variables: "+
			"run the tool under terok auth exec --proxy %s -- COMMAND, which writes stand-in files and points the tool at its proxy "+
			"(or make a grant with terok auth grant %s and write them by hand, see docs/proxy.md)",
			p, c.Type, strings.Join(files, ", "), in.DirEnv, p.Base(), p.Base())
	}
}
