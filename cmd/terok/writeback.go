package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/terok-ai/terok-auth/core/capture"
	"github.com/terok-ai/terok-auth/core/inject"
	"github.com/terok-ai/terok-auth/core/remedy"
	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/secret"
)

// writeBackTimeout bounds reading a private directory back and storing
// what it holds, after the command ended (also after Ctrl-C).
const writeBackTimeout = 30 * time.Second

// writeBack reads a private directory back through the provider's Capture
// when the command has ended: a tool that renewed its login there (codex
// rotates the refresh token in auth.json; glab rewrites config.yml) left
// the only copy of the new token, and the host stores it if it is newer
// than what the run started with. Failures are warnings: the command's
// exit code stays its own.
func writeBack(ctx context.Context, f *factory, d inject.DirPlan, dir string) {
	if d.Credential.Type == "" {
		return // an override: nothing stored to renew
	}
	// The command may have ended on Ctrl-C, which cancelled ctx: the
	// rotated token is stored all the same.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), writeBackTimeout)
	defer cancel()
	warn := func(err error) {
		fmt.Fprintf(f.IO.ErrOut, "warning: after the command, reading back what %s left in its private directory failed: %v; "+
			"if the tool renewed its login during the run, the renewal is lost and the next run may need: %s\n",
			d.Provider, err, inject.LoginCommand(d.Provider, d.Set))
	}
	res, err := capture.Read(ctx, dir, capture.DefaultLimits)
	if err != nil {
		warn(err)
		return
	}
	providers, err := f.Providers()
	if err != nil {
		warn(err)
		return
	}
	p, err := providers.Open(ctx, d.Provider.Base())
	if err != nil {
		warn(err)
		return
	}
	defer p.Close()
	resp, err := p.Capture(ctx, &sdk.CaptureRequest{Mode: sdk.ModeOAuth, Files: res.Files})
	if errors.Is(err, sdk.ErrNothingCaptured) || errors.Is(err, sdk.ErrUnimplemented) {
		return
	}
	if err != nil {
		warn(err)
		return
	}
	c := resp.Credential
	if err := c.Validate(); err != nil {
		warn(err)
		return
	}
	if err := sdk.CheckSecretField(c); err != nil {
		warn(err)
		return
	}
	if f.Redact != nil {
		f.Redact.Add(secret.Values(c.Fields)...)
	}
	// What the files do not carry (a subscription type, a host) is kept.
	merged := sdk.Credential{Type: c.Type, Fields: map[string]any{}}
	for k, v := range d.Credential.Fields {
		merged.Fields[k] = v
	}
	for k, v := range c.Fields {
		merged.Fields[k] = v
	}
	if _, ok := c.Fields["expires_at"]; !ok {
		delete(merged.Fields, "expires_at")
	}
	accounts, err := f.Accounts()
	if err != nil {
		warn(err)
		return
	}
	stored, err := renewerFor(f, accounts, d.Set, d.Provider).WriteBack(ctx, d.Set, d.Provider, d.Credential, merged)
	if err != nil {
		fmt.Fprintf(f.IO.ErrOut, "warning: %s renewed its login during the command, and storing the new credential failed: %s\n", d.Provider, remedy.Text(err))
		return
	}
	if stored && f.Logger != nil {
		f.Logger.Debug("stored the credential the tool renewed during the command", "provider", d.Provider, "set", d.Set)
	}
}
