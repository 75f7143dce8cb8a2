// Package remedy lets an error say what the user can do about it, apart
// from what went wrong: an error with a remedy has a Remedy method, and
// its Error text is only the failure. The CLI prints the remedy under the
// error; a JSON answer carries it in a field of its own. Nobody takes a
// message apart to find it.
package remedy

import (
	"errors"
	"strings"
)

// Remedied is an error that says what to do about it.
type Remedied interface {
	error
	Remedy() string
}

// Of is the remedy of the first error in err's chain that has one, "" for
// none.
func Of(err error) string {
	var r Remedied
	if errors.As(err, &r) {
		return r.Remedy()
	}
	return ""
}

// Text is err's message followed by its remedy on the next lines: what a
// user reads where an error is shown whole.
func Text(err error) string {
	if err == nil {
		return ""
	}
	msg := err.Error()
	if r := strings.TrimSpace(Of(err)); r != "" {
		msg += "\n" + r
	}
	return msg
}

// With gives err a remedy (replacing one deeper in its chain); err's
// message and its errors.Is and errors.As matches are unchanged.
func With(err error, remedy string) error {
	if err == nil {
		return nil
	}
	return &withRemedy{err: err, remedy: remedy}
}

type withRemedy struct {
	err    error
	remedy string
}

func (w *withRemedy) Error() string  { return w.err.Error() }
func (w *withRemedy) Unwrap() error  { return w.err }
func (w *withRemedy) Remedy() string { return w.remedy }
