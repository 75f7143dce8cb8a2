package providertest

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/host"
)

// CheckInjection checks that p says how its credentials are used (see
// sdk.Injector): the declaration is valid (only variable names a host
// sets, templates that parse, files with a directory variable), and each
// of creds, credentials p produces, has an injection that renders it. Run
// calls it with the credential AcceptKey returns for a key it finds, and
// CaptureGolden with each captured one; call it yourself for credentials
// those cannot reach.
func CheckInjection(t *testing.T, p sdk.Provider, creds ...sdk.Credential) {
	t.Helper()
	decl, ok := injection(t, p)
	if !ok {
		return
	}
	for _, c := range creds {
		in, ok := decl.For(c.Type)
		if !ok {
			t.Errorf("the provider stores %s credentials but declares no injection for them: a tool could not get one through terok auth exec", c.Type)
			continue
		}
		if _, err := in.Render(c); err != nil {
			t.Errorf("the injection for %s does not render the credential the provider produced: %v", c.Type, err)
		}
	}
}

func injection(t *testing.T, p sdk.Provider) (*sdk.InjectionResponse, bool) {
	t.Helper()
	inj, ok := p.(sdk.Injector)
	if !ok {
		t.Error("the provider declares no injection: implement sdk.Injector, so terok auth exec and env can hand its credentials to a tool")
		return nil, false
	}
	decl, err := inj.Injection(context.Background(), &sdk.InjectionRequest{})
	if errors.Is(err, sdk.ErrUnimplemented) {
		t.Error("the provider declares no injection (Injection answers ErrUnimplemented)")
		return nil, false
	}
	if err != nil {
		t.Errorf("Injection: %v", err)
		return nil, false
	}
	name := ""
	if d, err := p.Describe(context.Background(), &sdk.DescribeRequest{}); err == nil {
		name = d.Name
	}
	if err := host.ValidateInjectionOf(name, decl); err != nil {
		t.Errorf("Injection is not valid: %v", err)
		return nil, false
	}
	if len(decl.Injections) == 0 {
		t.Error("Injection declares nothing")
		return nil, false
	}
	return decl, true
}

var startsWithRE = regexp.MustCompile(`starts? with ([^\s,;]+)`)

// checkInjection is Run's part: the declaration, and the credential of a
// key AcceptKey takes, when one of the usual shapes is such a key.
func checkInjection(t *testing.T, p sdk.Provider, d *sdk.DescribeResponse) {
	if _, ok := injection(t, p); !ok || !has(d.Modes, sdk.ModeAPIKey) {
		return
	}
	prefixes := []string{""}
	if kp, err := p.KeyPrompt(context.Background(), &sdk.KeyPromptRequest{}); err == nil {
		for _, m := range startsWithRE.FindAllStringSubmatch(kp.FormatHint, -1) {
			prefixes = append(prefixes, strings.Trim(m[1], "\"'`"))
		}
	}
	prefixes = append(prefixes, "sk-", "sk-ant-api03-", "sk-proj-", "ghp_", "glpat-", "fake-", "acme_")
	for _, prefix := range prefixes {
		resp, err := p.AcceptKey(context.Background(), &sdk.AcceptKeyRequest{Key: prefix + "Conformance0123456789abcdefABCDEF"})
		if err == nil {
			CheckInjection(t, p, resp.Credential)
			return
		}
	}
	t.Logf("no sample key was accepted by AcceptKey, so its credential's injection is unchecked; call providertest.CheckInjection with one")
}

// Injection passes the optional capability through the in-process wrapper,
// watching standard output like every other call.
func (q quiet) Injection(ctx context.Context, req *sdk.InjectionRequest) (*sdk.InjectionResponse, error) {
	inj, ok := q.p.(sdk.Injector)
	if !ok {
		return nil, sdk.ErrUnimplemented
	}
	return watchStdout(q, "Injection", func() (*sdk.InjectionResponse, error) { return inj.Injection(ctx, req) })
}

// Injection implements sdk.Injector for the fake: an API key goes in
// <NAME>_API_KEY, and a captured credential's string fields each in
// <NAME>_<FIELD>.
func (f *Fake) Injection(context.Context, *sdk.InjectionRequest) (*sdk.InjectionResponse, error) {
	if err := f.record("Injection"); err != nil {
		return nil, err
	}
	prefix := strings.ToUpper(strings.ReplaceAll(f.Desc.Name, "-", "_")) + "_"
	resp := &sdk.InjectionResponse{Injections: []sdk.Injection{
		{CredentialType: sdk.TypeAPIKey, Env: map[string]string{prefix + "API_KEY": "${key}"}},
	}}
	if c := f.Captured.Credential; c.Type != "" && c.Type != sdk.TypeAPIKey {
		in := sdk.Injection{CredentialType: c.Type, Env: map[string]string{}}
		for k, v := range c.Fields {
			// Only the fields whose variable hands over a credential: the
			// host sets no other (host.CheckEnvName).
			if _, ok := v.(string); ok && host.CheckEnvName(prefix+strings.ToUpper(k)) == nil {
				in.Env[prefix+strings.ToUpper(k)] = "${" + k + "}"
			}
		}
		resp.Injections = append(resp.Injections, in)
	}
	return resp, nil
}

// Renewal passes the optional capability through the in-process wrapper,
// watching standard output like every other call.
func (q quiet) Renewal(ctx context.Context, req *sdk.RenewalRequest) (*sdk.RenewalResponse, error) {
	rn, ok := q.p.(sdk.Renewer)
	if !ok {
		return nil, sdk.ErrUnimplemented
	}
	return watchStdout(q, "Renewal", func() (*sdk.RenewalResponse, error) { return rn.Renewal(ctx, req) })
}

// ProxyRoutes passes the optional capability through the in-process
// wrapper, watching standard output like every other call.
func (q quiet) ProxyRoutes(ctx context.Context, req *sdk.ProxyRoutesRequest) (*sdk.ProxyRoutesResponse, error) {
	px, ok := q.p.(sdk.Proxied)
	if !ok {
		return nil, sdk.ErrUnimplemented
	}
	return watchStdout(q, "ProxyRoutes", func() (*sdk.ProxyRoutesResponse, error) { return px.ProxyRoutes(ctx, req) })
}
