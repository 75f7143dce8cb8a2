package termtext

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/terok-ai/terok-auth/sdk/host"
)

func TestLineAndText(t *testing.T) {
	for _, tc := range []struct{ in, line, text string }{
		{"Claude", "Claude", "Claude"},
		{"Zoë — 東京", "Zoë — 東京", "Zoë — 東京"},
		{"\x1b]52;c;ZXZpbA==\x07x", `\x1b]52;c;ZXZpbA==\x07x`, `\x1b]52;c;ZXZpbA==\x07x`},
		{"\x1b]0;pwned\x1b\\", `\x1b]0;pwned\x1b\`, `\x1b]0;pwned\x1b\`},
		{"a\x1b[2Jb", `a\x1b[2Jb`, `a\x1b[2Jb`},
		{"a\u009b2Jb", `a\u009b2Jb`, `a\u009b2Jb`},
		{"line\nnext\ttab\r", `line\nnext\ttab\r`, "line\nnext\ttab\\r"},
		{"\x7f\x00", `\x7f\x00`, `\x7f\x00`},
		{"bad \xff\xfe utf8", `bad \xff\xfe utf8`, `bad \xff\xfe utf8`},
		{"evil\u202egnp.exe", `evil\u202egnp.exe`, `evil\u202egnp.exe`},
		{"zero\u200bwidth", `zero\u200bwidth`, `zero\u200bwidth`},
	} {
		if got := Line(tc.in); got != tc.line {
			t.Errorf("Line(%q) = %q, want %q", tc.in, got, tc.line)
		}
		if got := Text(tc.in); got != tc.text {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.text)
		}
	}
}

func TestCheck(t *testing.T) {
	for _, ok := range []string{"", "Claude Code", "Zoë", "a — b"} {
		if err := Check(ok, false); err != nil {
			t.Errorf("Check(%q) = %v", ok, err)
		}
	}
	if err := Check("two\nlines\tok", true); err != nil {
		t.Errorf("multiline: %v", err)
	}
	for _, bad := range []string{"\x1b]52;c;eA==\x07", "a\nb", "\x9b", "\u009b", "\xff", "x\u202e"} {
		if err := Check(bad, false); err == nil {
			t.Errorf("Check(%q) accepted it", bad)
		}
	}
	if err := Check("\x1b[2J", true); err == nil || !strings.Contains(err.Error(), "U+001B") {
		t.Errorf("multiline ESC: %v", err)
	}
}

// TestWriterEscapesAcrossWrites: a C1 control (two bytes in UTF-8) split
// between two writes is escaped too, and text passes as it was.
func TestWriterEscapesAcrossWrites(t *testing.T) {
	var out bytes.Buffer
	w := Writer(&out)
	for _, p := range []string{"ok \xc2", "\x9b2J and \x1b]0;t\x07", " done é\xc3", "\xa9\n"} {
		if n, err := w.Write([]byte(p)); err != nil || n != len(p) {
			t.Fatalf("Write(%q) = %d, %v", p, n, err)
		}
	}
	if got, want := out.String(), `ok \u009b2J and \x1b]0;t\x07 done éé`+"\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// FuzzPrintedText: whatever a provider sends, what terok prints holds no
// byte a terminal acts on (Line: not even a newline), is valid UTF-8, and
// plain text comes through unchanged.
func FuzzPrintedText(f *testing.F) {
	for _, s := range []string{"Claude", "\x1b]52;c;ZXZpbA==\x07", "\x1b]0;t\x1b\\", "\x1b[2J", "\u009b31m", "a\nb\tc\r", "\xff\xc2", "\u202e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, multiline := range []bool{false, true} {
			out := escape(s, multiline)
			if !utf8.ValidString(out) {
				t.Fatalf("escape(%q) = %q is not UTF-8", s, out)
			}
			for _, r := range out {
				if Control(r) && !keeps(r, multiline) {
					t.Fatalf("escape(%q, %v) = %q holds %U", s, multiline, out, r)
				}
			}
			if Check(s, multiline) == nil && out != s {
				t.Fatalf("escape changed clean text %q to %q", s, out)
			}
			if Check(out, multiline) != nil {
				t.Fatalf("escaped %q does not pass Check: %q", s, out)
			}
		}
		var buf bytes.Buffer
		w := Writer(&buf)
		for i := 0; i < len(s); i += 3 {
			_, _ = w.Write([]byte(s[i:min(i+3, len(s))]))
		}
		for _, r := range buf.String() {
			if Control(r) && r != '\n' && r != '\t' {
				t.Fatalf("Writer passed %U of %q: %q", r, s, buf.String())
			}
		}
	})
}

// TestControlAgreesWithTheSDK: what the SDK tells a provider author to
// avoid is what the host escapes.
func TestControlAgreesWithTheSDK(t *testing.T) {
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if r >= 0xd800 && r <= 0xdfff || r == utf8.RuneError {
			continue
		}
		if Control(r) != (host.CheckText(string(r), false) != nil) {
			t.Fatalf("%U: Control %v, host.CheckText %v", r, Control(r), host.CheckText(string(r), false))
		}
	}
}
