// Package termtext makes text a provider wrote safe to print on a
// terminal. A label, hint, banner, reason, version or error message comes
// from a provider file or a plugin's answer; printed as it is, an escape
// sequence in it would write the user's clipboard (OSC 52), retitle the
// window (OSC 0), clear the screen (CSI 2J) or move the cursor to forge
// what terok said. Line and Text escape every control character, so what
// the provider sent is shown, never obeyed.
package termtext

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/terok-ai/terok-auth/sdk/host"
)

// Control reports whether r is a character a terminal may act on rather
// than show: C0 and C1 controls and DEL, and the Unicode formatting
// characters that reorder or hide text (bidi overrides and isolates, and
// zero-width ones), which can make a line read other than it is.
func Control(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x200b && r <= 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0xfeff:
		return true
	}
	return false
}

// keeps reports whether multi-line text keeps r as it is.
func keeps(r rune, multiline bool) bool { return multiline && (r == '\n' || r == '\t') }

// Line returns s for one line of output: every control character,
// newlines and tabs included, and every byte that is not UTF-8, escaped
// as Go would write it (\x1b, \n, \u202e).
func Line(s string) string { return escape(s, false) }

// Text is Line for text that may run over several lines: newlines and
// tabs stay as they are; every other control character is escaped.
func Text(s string) string { return escape(s, true) }

func escape(s string, multiline bool) string {
	if clean(s, multiline) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case multiline && (r == '\n' || r == '\t'):
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x80 && Control(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case Control(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += n
	}
	return b.String()
}

func clean(s string, multiline bool) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return cleanSlow(s, multiline)
		}
	}
	return true
}

func cleanSlow(s string, multiline bool) bool {
	for _, r := range s {
		if r == utf8.RuneError || Control(r) && !keeps(r, multiline) {
			return false
		}
	}
	return true
}

// Check says what is wrong with s as provider text (a label, a hint):
// the first control character in it, or a byte that is not UTF-8. With
// multiline, newlines and tabs are allowed. It is host.CheckText, which
// provider authors see.
func Check(s string, multiline bool) error { return host.CheckText(s, multiline) }

// Writer escapes every control character but newlines and tabs in what
// goes through it to w, as Text does, also when a character is split
// across writes. terok's log goes through one: plugins' log lines reach
// it as they wrote them.
func Writer(w io.Writer) io.Writer { return &writer{w: w} }

type writer struct {
	w    io.Writer
	held []byte // the start of a UTF-8 sequence the last write ended in
}

func (t *writer) Write(p []byte) (int, error) {
	data := append(t.held, p...)
	t.held = nil
	// Keep back an incomplete sequence at the end for the next write.
	if cut := incompleteTail(data); cut < len(data) {
		t.held = append([]byte(nil), data[cut:]...)
		data = data[:cut]
	}
	if _, err := io.WriteString(t.w, Text(string(data))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// incompleteTail returns where a UTF-8 sequence that data ends in before
// it is complete starts, or len(data).
func incompleteTail(data []byte) int {
	for back := 1; back <= utf8.UTFMax-1 && back <= len(data); back++ {
		i := len(data) - back
		if c := data[i]; c >= 0xc0 {
			if !utf8.FullRune(data[i:]) {
				return i
			}
			return len(data)
		} else if c < 0x80 {
			return len(data)
		}
	}
	return len(data)
}
