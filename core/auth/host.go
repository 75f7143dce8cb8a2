package auth

import (
	"fmt"
	"maps"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/sdk"
)

// slot is where req's credential is stored: the provider's own name, or
// PROVIDER:HOST for a login with --host (names.OnHost).
func (req LoginRequest) slot() names.Provider { return names.OnHost(req.Name, req.Host) }

// forHost makes c the credential for req.Host. A key the user typed is
// for whichever host they say, so its host field is set; a credential a
// login container left names the host the vendor's CLI logged in to, and
// must name the one asked for, or the credential would be stored (and
// later handed to git) under a host it is not for. A provider whose
// credentials name no host (claude, codex, …) cannot take --host.
func forHost(name string, req LoginRequest, c sdk.Credential, typed bool) (sdk.Credential, error) {
	if req.Host == "" {
		return c, nil
	}
	got, has := c.Fields["host"].(string)
	if !has {
		return c, fmt.Errorf("%s: its credentials name no host, so --host does not apply; nothing was stored", name)
	}
	if typed {
		fields := maps.Clone(c.Fields)
		fields["host"] = string(req.Host)
		return sdk.Credential{Type: c.Type, Fields: fields}, nil
	}
	if got != string(req.Host) {
		return c, fmt.Errorf("%s: the login was to %q, not to --host %s; nothing was stored. Choose %s in the login, or leave out --host", name, got, req.Host, req.Host)
	}
	return c, nil
}

// where names the slot in messages: "gh" or "gh on ghe.example.com".
func (req LoginRequest) where() string {
	if req.Host == "" {
		return string(req.Name)
	}
	return fmt.Sprintf("%s on %s", req.Name, req.Host)
}
