// Package usage is the one error type for a mistake in how terok was
// called (a flag, an argument, a name): the CLI exits 2 for it. Every layer
// that finds such a mistake uses it, so the CLI needs one check, not one per
// package.
package usage

import (
	"errors"
	"fmt"
)

// Err is what errors.Is finds in every usage error.
var Err = errors.New("usage")

// Error marks err as a usage error without changing its message.
type Error struct{ Err error }

func (e *Error) Error() string   { return e.Err.Error() }
func (e *Error) Unwrap() []error { return []error{Err, e.Err} }

// Errorf is fmt.Errorf, marked as a usage error; %w still wraps.
func Errorf(format string, a ...any) error {
	return &Error{fmt.Errorf(format, a...)}
}

// Wrap marks err as a usage error; nil stays nil.
func Wrap(err error) error {
	if err == nil {
		return nil
	}
	return &Error{err}
}

// Is reports whether err is, or wraps, a usage error.
func Is(err error) bool { return errors.Is(err, Err) }
