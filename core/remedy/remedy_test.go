package remedy

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"
)

type kindErr struct{ fix string }

func (k *kindErr) Error() string  { return "the keyring is locked" }
func (k *kindErr) Remedy() string { return k.fix }

func TestRemedyTravelsThroughWrapping(t *testing.T) {
	base := &kindErr{fix: "Unlock it."}
	wrapped := fmt.Errorf("claude: %w; nothing was stored", base)
	for _, tc := range []struct {
		err        error
		remedy     string
		text       string
		isNotExist bool
	}{
		{nil, "", "", false},
		{errors.New("plain"), "", "plain", false},
		{base, "Unlock it.", "the keyring is locked\nUnlock it.", false},
		{wrapped, "Unlock it.", "claude: the keyring is locked; nothing was stored\nUnlock it.", false},
		{With(wrapped, "Use --store file."), "Use --store file.", "claude: the keyring is locked; nothing was stored\nUse --store file.", false},
		{With(fs.ErrNotExist, "Log in first."), "Log in first.", "file does not exist\nLog in first.", true},
		{&kindErr{fix: "  "}, "  ", "the keyring is locked", false},
	} {
		if got := Of(tc.err); got != tc.remedy {
			t.Errorf("Of(%v) = %q, want %q", tc.err, got, tc.remedy)
		}
		if got := Text(tc.err); got != tc.text {
			t.Errorf("Text(%v) = %q, want %q", tc.err, got, tc.text)
		}
		if tc.isNotExist != errors.Is(tc.err, fs.ErrNotExist) {
			t.Errorf("errors.Is(%v, fs.ErrNotExist) changed", tc.err)
		}
	}
	if With(nil, "x") != nil {
		t.Error("With(nil) is not nil")
	}
}
