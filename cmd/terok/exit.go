package main

import (
	"context"
	"errors"
	"strings"

	"github.com/terok-ai/terok-auth/core/auth"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/core/usage"
)

// Exit codes, as scripts see them.
const (
	exitOK          = 0
	exitError       = 1
	exitUsage       = 2
	exitNotAuthed   = 4
	exitUnsettled   = 5 // a write may or may not have happened
	exitInterrupted = 130
)

// errNotAuthenticated marks "nothing stored for that provider".
var errNotAuthenticated = errors.New("not authenticated")

// exitCode maps an error to the code terok exits with.
func exitCode(ctx context.Context, err error) int {
	var ran *commandExit
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, store.ErrUnsettled):
		return exitUnsettled
	case errors.As(err, &ran): // the command's code, Ctrl-C or not
		return ran.code
	case errors.Is(err, context.Canceled) || errors.Is(err, auth.ErrStopped) || ctx.Err() != nil:
		return exitInterrupted
	case usage.Is(err) || isCobraUsage(err):
		return exitUsage
	case errors.Is(err, errNotAuthenticated):
		return exitNotAuthed
	}
	return exitError
}

// isCobraUsage recognises the errors cobra itself returns for an unknown
// command; flag and argument errors are wrapped by flagError and args.
func isCobraUsage(err error) bool {
	return strings.HasPrefix(err.Error(), "unknown command")
}
