package registry

import (
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/route"
)

// DeclaredRoutes are the proxy routes an opened provider declares as
// data: a YAML provider's proxy: block (or an upstream vault: block).
// ok is false when the provider has no way to declare them (a plugin,
// until the SDK carries routes); the caller then uses the host's table.
func DeclaredRoutes(p *Provider) (routes []route.Route, ok bool) {
	inner := p.Provider
	if ts, isTS := inner.(termSafe); isTS {
		inner = ts.p
	}
	r, ok := inner.(interface{ Routes() []route.Route })
	if !ok {
		return nil, false
	}
	return r.Routes(), true
}

// YAMLRoutes are the proxy routes of the named provider when it is a YAML
// provider (not shadowed by a plugin binary); ok is false otherwise. No
// plugin is started.
func (r *Registry) YAMLRoutes(name names.Provider) (routes []route.Route, ok bool, err error) {
	for _, p := range r.Plugins {
		if p.Name == name {
			return nil, false, nil
		}
	}
	y, found := r.YAML[name]
	if !found {
		return nil, false, nil
	}
	p, err := openYAML(y)
	if err != nil {
		return nil, false, err
	}
	defer p.Close()
	routes, ok = DeclaredRoutes(p)
	return routes, ok, nil
}
