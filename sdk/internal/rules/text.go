package rules

import (
	"fmt"
	"unicode/utf8"
)

// CheckText reports whether s may be text the host prints for a provider
// (a label, a description, a hint, a banner): valid UTF-8 with no control
// character a terminal would act on rather than show (ESC and the other
// C0 and C1 controls, DEL, and the bidi and zero-width characters that
// make a line read other than it is). With multiline, newlines and tabs
// are fine. The host escapes such characters anyway; this is how a
// provider learns early that its text would show as \x1b[….
func CheckText(s string, multiline bool) error {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
				return fmt.Errorf("a byte that is not UTF-8 (\\x%02x) at byte %d", s[i], i)
			}
		}
		if controlRune(r) && !keeps(r, multiline) {
			return fmt.Errorf("a control character (%U) at byte %d, which a terminal would act on rather than show", r, i)
		}
	}
	return nil
}

// keeps reports whether multi-line text keeps r as it is.
func keeps(r rune, multiline bool) bool { return multiline && (r == '\n' || r == '\t') }

// controlRune is termtext.Control on the host's side; the two are tested
// to agree.
func controlRune(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x200b && r <= 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0xfeff:
		return true
	}
	return false
}
