package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/terok-ai/terok-auth/core/account"
)

// printDetails says, under the status table, what a person recognises
// each stored login by, as gh auth status does: the host, the account,
// the kind of token and its masked prefix, and where it is kept. Never
// the secret: Details hold only what account.Describe lets through.
func printDetails(w io.Writer, statuses []account.Status) {
	var lines []string
	for _, s := range statuses {
		if !s.Authenticated || s.EnvOverride != "" || s.Location == "" {
			continue
		}
		var parts []string
		if s.Host != "" {
			parts = append(parts, "on "+s.Host)
		}
		if s.Account != "" {
			parts = append(parts, "account "+s.Account)
		}
		token := s.Masked
		if s.TokenKind != "" {
			token = s.TokenKind + " " + s.Masked
		}
		if token != "" {
			parts = append(parts, token)
		}
		parts = append(parts, "in "+s.Location)
		lines = append(lines, fmt.Sprintf("  %s (set %s): %s", s.Provider, s.Set, strings.Join(parts, "; ")))
	}
	if len(lines) == 0 {
		return
	}
	fmt.Fprintln(w)
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
}
