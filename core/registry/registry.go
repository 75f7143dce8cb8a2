// Package registry knows every provider terok can use and where each comes
// from, and opens one by name. Today its providers are the plugin binaries on
// the plugin path.
package registry

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/terok-ai/terok-auth/core/pluginhost"
	"github.com/terok-ai/terok-auth/sdk"
)

// Registry lists providers and opens them.
type Registry struct {
	Host     *pluginhost.Host
	Plugins  []pluginhost.Plugin
	Shadowed []pluginhost.Plugin
}

// Load discovers the plugins in dirs. A dir that cannot be read is an error,
// but the plugins found elsewhere are still returned.
func Load(host *pluginhost.Host, dirs []string) (*Registry, error) {
	found, shadowed, err := pluginhost.Discover(dirs)
	return &Registry{Host: host, Plugins: found, Shadowed: shadowed}, err
}

// Names returns the provider names, sorted.
func (r *Registry) Names() []string {
	names := make([]string, len(r.Plugins))
	for i, p := range r.Plugins {
		names[i] = p.Name
	}
	sort.Strings(names)
	return names
}

// UnknownProviderError names a provider that is not on the plugin path and
// lists the ones that are.
type UnknownProviderError struct {
	Name      string
	Available []string
}

func (e *UnknownProviderError) Error() string {
	if len(e.Available) == 0 {
		return fmt.Sprintf("unknown provider %q: no providers are installed (see `terok auth providers` for where terok looks)", e.Name)
	}
	return fmt.Sprintf("unknown provider %q; available: %s", e.Name, strings.Join(e.Available, ", "))
}

// Provider is an opened provider.
type Provider struct {
	sdk.Provider
	Desc   *sdk.DescribeResponse
	Source string // the plugin binary's path
	Close  func()
}

// Open starts the named provider and checks its description.
func (r *Registry) Open(ctx context.Context, name string) (*Provider, error) {
	for _, p := range r.Plugins {
		if p.Name == name {
			return r.open(ctx, p)
		}
	}
	return nil, &UnknownProviderError{Name: name, Available: r.Names()}
}

func (r *Registry) open(ctx context.Context, p pluginhost.Plugin) (*Provider, error) {
	prov, stop, err := r.Host.Start(ctx, p)
	if err != nil {
		return nil, err
	}
	desc, err := prov.Describe(ctx, &sdk.DescribeRequest{})
	if err == nil {
		err = checkDescription(p, desc)
	}
	if err != nil {
		stop()
		return nil, err
	}
	return &Provider{Provider: prov, Desc: desc, Source: p.Path, Close: stop}, nil
}

func checkDescription(p pluginhost.Plugin, d *sdk.DescribeResponse) error {
	if err := sdk.ValidateDescription(d); err != nil {
		return fmt.Errorf("plugin %s (%s) describes itself wrongly: %w", p.Name, p.Path, err)
	}
	if d.Name != p.Name {
		return fmt.Errorf("plugin %s (%s) says its name is %q; the binary must be named %s%s", p.Name, p.Path, d.Name, pluginhost.Prefix, d.Name)
	}
	if d.ProtocolVersion != sdk.ProtocolVersion {
		return fmt.Errorf("plugin %s (%s) speaks protocol %d, terok speaks %d", p.Name, p.Path, d.ProtocolVersion, sdk.ProtocolVersion)
	}
	return nil
}

// Entry is one provider in a listing.
type Entry struct {
	Name   string
	Kind   string // "plugin"
	Source string
	Desc   *sdk.DescribeResponse // nil when Err is set
	Err    error
}

// maxParallelStarts bounds how many plugins a listing starts at once.
const maxParallelStarts = 8

// List describes every provider, starting plugins in parallel and stopping
// each once it has answered. A plugin that fails is listed with its error;
// it does not hide the others.
func (r *Registry) List(ctx context.Context) []Entry {
	entries := make([]Entry, len(r.Plugins))
	sem := make(chan struct{}, maxParallelStarts)
	var wg sync.WaitGroup
	for i, p := range r.Plugins {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			e := Entry{Name: p.Name, Kind: "plugin", Source: p.Path}
			opened, err := r.open(ctx, p)
			if err != nil {
				e.Err = err
			} else {
				e.Desc = opened.Desc
				opened.Close()
			}
			entries[i] = e
		}()
	}
	wg.Wait()
	return entries
}

// IsPluginFailure reports whether err is the plugin's fault rather than the
// user's.
func IsPluginFailure(err error) bool { return errors.Is(err, pluginhost.ErrPluginFailed) }
