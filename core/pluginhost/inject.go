package pluginhost

import (
	"context"

	"github.com/terok-ai/terok-auth/sdk"
)

// Injection is bounded like every other call; the gRPC client underneath
// always implements it (an older plugin answers sdk.ErrUnimplemented).
func (b *bounded) Injection(ctx context.Context, req *sdk.InjectionRequest) (*sdk.InjectionResponse, error) {
	inj, ok := b.p.(sdk.Injector)
	if !ok {
		return nil, sdk.ErrUnimplemented
	}
	return call(b, ctx, "Injection", func(ctx context.Context) (*sdk.InjectionResponse, error) { return inj.Injection(ctx, req) })
}

var _ sdk.Injector = (*bounded)(nil)

// Renewal is bounded like every other call; an older plugin answers
// sdk.ErrUnimplemented.
func (b *bounded) Renewal(ctx context.Context, req *sdk.RenewalRequest) (*sdk.RenewalResponse, error) {
	rn, ok := b.p.(sdk.Renewer)
	if !ok {
		return nil, sdk.ErrUnimplemented
	}
	return call(b, ctx, "Renewal", func(ctx context.Context) (*sdk.RenewalResponse, error) { return rn.Renewal(ctx, req) })
}

var _ sdk.Renewer = (*bounded)(nil)

// ProxyRoutes is bounded like every other call; an older plugin answers
// sdk.ErrUnimplemented. What it answers is the plugin's word only: the
// host validates every route (route.FromSDK) before the proxy uses one.
func (b *bounded) ProxyRoutes(ctx context.Context, req *sdk.ProxyRoutesRequest) (*sdk.ProxyRoutesResponse, error) {
	px, ok := b.p.(sdk.Proxied)
	if !ok {
		return nil, sdk.ErrUnimplemented
	}
	return call(b, ctx, "ProxyRoutes", func(ctx context.Context) (*sdk.ProxyRoutesResponse, error) { return px.ProxyRoutes(ctx, req) })
}

var _ sdk.Proxied = (*bounded)(nil)
