package proxy

import (
	"context"
	"errors"
	"fmt"

	"github.com/terok-ai/terok-auth/core/route"
	"github.com/terok-ai/terok-auth/sdk"
)

// Routes returns the proxy routes provider name declares, checked: a
// plugin or a YAML provider answers sdk.Proxied's ProxyRoutes (a YAML
// provider from its proxy: block), and every route passes route.FromSDK,
// the same checks as a YAML provider's proxy: block, before the proxy may
// use it. A provider that declares none (or a plugin built before
// ProxyRoutes) has no routes: nil and no error.
func Routes(ctx context.Context, name string, p sdk.Provider) ([]route.Route, error) {
	px, ok := p.(sdk.Proxied)
	if !ok {
		return nil, nil
	}
	resp, err := px.ProxyRoutes(ctx, &sdk.ProxyRoutesRequest{})
	if errors.Is(err, sdk.ErrUnimplemented) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("ask %s for its proxy routes: %w", name, err)
	}
	return route.FromSDK(name, resp)
}
