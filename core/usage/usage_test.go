package usage_test

import (
	"errors"
	"io/fs"
	"testing"

	"github.com/terok-ai/terok-auth/core/usage"
)

func TestErrorf(t *testing.T) {
	err := usage.Errorf("bad --set %q: %w", "a/b", fs.ErrInvalid)
	if !usage.Is(err) || !errors.Is(err, usage.Err) {
		t.Errorf("Errorf(...) is not a usage error: %v", err)
	}
	if !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("Errorf(...%%w) lost the wrapped error: %v", err)
	}
	if got, want := err.Error(), `bad --set "a/b": invalid argument`; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
	var ue *usage.Error
	if !errors.As(err, &ue) {
		t.Errorf("errors.As(*usage.Error) failed on %v", err)
	}
}

func TestWrap(t *testing.T) {
	if usage.Wrap(nil) != nil {
		t.Error("Wrap(nil) != nil")
	}
	base := errors.New("unknown flag: --x")
	err := usage.Wrap(base)
	if !usage.Is(err) || !errors.Is(err, base) || err.Error() != base.Error() {
		t.Errorf("Wrap(%v) = %v: want a usage error with the same message", base, err)
	}
	if usage.Is(base) || usage.Is(nil) {
		t.Error("a plain error or nil counts as a usage error")
	}
}
