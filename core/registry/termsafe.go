package registry

import (
	"context"

	"github.com/terok-ai/terok-auth/core/termtext"
	"github.com/terok-ai/terok-auth/sdk"
)

// termSafe is a provider whose every answer that terok may print (labels,
// hints, URLs, reasons, a banner) has its control characters escaped, so a
// provider file or plugin cannot write escape sequences to the user's
// terminal: the login prompt, the menus and the listings print only what
// came through here.
type termSafe struct{ p sdk.Provider }

var (
	_ sdk.Provider = termSafe{}
	_ sdk.Injector = termSafe{}
	_ sdk.Renewer  = termSafe{}
	_ sdk.Proxied  = termSafe{}
)

// cleanDesc returns a copy of d with its text escaped for the terminal.
func cleanDesc(d *sdk.DescribeResponse) *sdk.DescribeResponse {
	if d == nil {
		return nil
	}
	c := *d
	c.Label, c.Version = termtext.Line(d.Label), termtext.Line(d.Version)
	c.Description = termtext.Text(d.Description)
	c.KeyURL, c.DocsURL = termtext.Line(d.KeyURL), termtext.Line(d.DocsURL)
	return &c
}

func (t termSafe) Describe(ctx context.Context, req *sdk.DescribeRequest) (*sdk.DescribeResponse, error) {
	d, err := t.p.Describe(ctx, req)
	return cleanDesc(d), err
}

func (t termSafe) Negotiate(ctx context.Context, req *sdk.NegotiateRequest) (*sdk.NegotiateResponse, error) {
	r, err := t.p.Negotiate(ctx, req)
	if r != nil {
		c := *r
		c.Unavailable = make([]sdk.UnavailableMode, len(r.Unavailable))
		for i, u := range r.Unavailable {
			u.Reason = termtext.Line(u.Reason)
			c.Unavailable[i] = u
		}
		r = &c
	}
	return r, err
}

func (t termSafe) KeyPrompt(ctx context.Context, req *sdk.KeyPromptRequest) (*sdk.KeyPromptResponse, error) {
	r, err := t.p.KeyPrompt(ctx, req)
	if r != nil {
		c := *r
		c.Label, c.URL, c.EnvVar, c.FormatHint = termtext.Line(r.Label), termtext.Line(r.URL), termtext.Line(r.EnvVar), termtext.Line(r.FormatHint)
		c.Hint = termtext.Text(r.Hint)
		r = &c
	}
	return r, err
}

func (t termSafe) AcceptKey(ctx context.Context, req *sdk.AcceptKeyRequest) (*sdk.AcceptKeyResponse, error) {
	return t.p.AcceptKey(ctx, req)
}

func (t termSafe) ContainerSpec(ctx context.Context, req *sdk.ContainerSpecRequest) (*sdk.ContainerSpecResponse, error) {
	r, err := t.p.ContainerSpec(ctx, req)
	if r != nil {
		c := *r
		c.Banner = termtext.Text(r.Banner)
		r = &c
	}
	return r, err
}

func (t termSafe) Capture(ctx context.Context, req *sdk.CaptureRequest) (*sdk.CaptureResponse, error) {
	return t.p.Capture(ctx, req)
}

// Injection passes on the provider's declaration, which is never printed
// (and is validated where it is used); a provider without one is
// "unimplemented", as an older plugin is.
func (t termSafe) Injection(ctx context.Context, req *sdk.InjectionRequest) (*sdk.InjectionResponse, error) {
	inj, ok := t.p.(sdk.Injector)
	if !ok {
		return nil, sdk.ErrUnimplemented
	}
	return inj.Injection(ctx, req)
}

// Renewal passes on the provider's renewal declaration, validated where it
// is used; a provider without one is "unimplemented".
func (t termSafe) Renewal(ctx context.Context, req *sdk.RenewalRequest) (*sdk.RenewalResponse, error) {
	rn, ok := t.p.(sdk.Renewer)
	if !ok {
		return nil, sdk.ErrUnimplemented
	}
	return rn.Renewal(ctx, req)
}

// ProxyRoutes passes on the provider's proxy routes, validated where they
// are used (route.FromSDK); a setup hint is printed, so it is escaped
// here like every other text. A provider without routes is
// "unimplemented".
func (t termSafe) ProxyRoutes(ctx context.Context, req *sdk.ProxyRoutesRequest) (*sdk.ProxyRoutesResponse, error) {
	px, ok := t.p.(sdk.Proxied)
	if !ok {
		return nil, sdk.ErrUnimplemented
	}
	r, err := px.ProxyRoutes(ctx, req)
	if r == nil || err != nil {
		return r, err
	}
	c := &sdk.ProxyRoutesResponse{Routes: make([]sdk.ProxyRoute, len(r.Routes))}
	for i, rt := range r.Routes {
		rt.SetupHint = termtext.Text(rt.SetupHint)
		c.Routes[i] = rt
	}
	return c, nil
}
