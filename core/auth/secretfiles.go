package auth

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/terok-ai/terok-auth/core/leftover"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/secret"
)

// The files a provider asks the host to write after a login (key files
// after an API key, state files after a capture) go into the provider's
// shared config dir, which agent containers see. No secret goes there: a
// file holding one is refused before anything is stored, and a login or
// logout removes the files holding a secret that earlier versions wrote.

// refuseSecretFiles fails when any file would hold a secret of c (or one of
// more, such as the key as typed).
func refuseSecretFiles(desc *sdk.DescribeResponse, c sdk.Credential, files map[string][]byte, kind string, more ...string) error {
	secrets := append(secret.Values(c.Fields), more...)
	names := make([]string, 0, len(files))
	for p := range files {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, p := range names {
		if leftover.Holds(files[p], secrets) {
			return fmt.Errorf("%s asked terok to write the %s file %s, holding the secret itself, into its shared config dir %s, "+
				"which agent containers see; terok writes no secret there, and nothing was stored. "+
				"This is a fault in the provider: report it to its author (a file may hold a stand-in; the secret reaches the tool through terok auth exec)",
				desc.Name, kind, p, desc.HostDir)
		}
	}
	return nil
}

// CurrentReader reads the credential stored now; account.Accounts is one.
// A login given one finds, and removes, files an earlier terok wrote with
// the secret the new credential replaces.
type CurrentReader interface {
	Token(ctx context.Context, set names.Set, provider names.Provider) (sdk.Credential, string, error)
}

// previousSecrets are the secrets of the credential the login replaces, so
// that a file an earlier terok wrote with it is found too.
func (l *Login) previousSecrets(ctx context.Context, req LoginRequest) []string {
	if req.oldKnown || l.Current == nil {
		return req.old
	}
	c, _, err := l.Current.Token(ctx, req.Set, req.slot())
	if err != nil {
		return nil
	}
	return secret.Values(c.Fields)
}

// afterSave runs once the credential is stored: it removes files in the
// provider's shared config dir that hold a secret (the new one, or the one
// it replaced), then writes the provider's files and records those it
// created, for logout.
func (l *Login) afterSave(ctx context.Context, req LoginRequest, c sdk.Credential, old []string, files map[string][]byte, kind string) {
	desc := req.Desc
	if desc.HostDir != "" && l.MountsDir != "" {
		// Only the provider's own dir, through no link: see leftover.
		removed, err := leftover.RemoveHolding(l.MountsDir, desc.HostDir, append(secret.Values(c.Fields), old...))
		for _, p := range removed {
			fmt.Fprintf(l.IO.ErrOut, "Removed %s: it held %s's secret in plain text (an earlier terok wrote it there)\n", p, desc.Name)
		}
		if err != nil {
			fmt.Fprintf(l.IO.ErrOut, "warning: could not check all of %s for files holding %s's secret: %v; run terok auth doctor\n",
				filepath.Join(l.MountsDir, desc.HostDir), desc.Name, err)
		}
	}
	var created []string
	if req.Host != "" && len(files) > 0 {
		// The shared dir holds one state of the tool, its default host's;
		// another host's state would replace it.
		fmt.Fprintf(l.IO.ErrOut, "note: %s's %s files are written for its default host only; not for %s\n", desc.Name, kind, req.Host)
	} else {
		created = l.writeFiles(desc, files, kind)
	}
	// What logout cleans up is recorded now, with the provider's shared
	// dir: logout then needs no plugin, even one uninstalled since.
	if l.Written != nil {
		if err := l.Written.Record(ctx, req.Set, req.slot(), desc.HostDir, created); err != nil {
			fmt.Fprintf(l.IO.ErrOut, "warning: could not record the files the login wrote (%v); logout will not remove them\n", err)
		}
	}
}

// newFiles lists the files of files that do not exist in dir yet.
func newFiles(dir string, files map[string][]byte) []string {
	var out []string
	for p := range files {
		clean, err := sdk.CleanRelPath(p)
		if err != nil {
			continue
		}
		full := filepath.Join(dir, clean)
		if _, err := os.Lstat(full); os.IsNotExist(err) {
			out = append(out, full)
		}
	}
	sort.Strings(out)
	return out
}
