// Package redact keeps secrets out of what terok writes: a Writer replaces
// every secret it has been told about before passing bytes on. The host's
// log, plugin lines forwarded into it included, goes through one, so a
// plugin that logs the key it was handed does not leak it.
//
// A secret is masked in every form a logger may have put it in: as is,
// JSON-escaped (a plugin logs JSON lines), Go-quoted, escaped as hclog's
// text format writes a value (quoted, or over several lines), ASCII-escaped
// as other JSON encoders do, and each of those escaped once more (a JSON line quoted in a text line). A secret
// split across writes is masked too: a write's last bytes that may begin
// a secret wait for the next write.
package redact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf16"
)

// Mask replaces a secret.
const Mask = "[REDACTED]"

// minLen: shorter strings are not treated as secrets, or every "true" or
// "oauth" in a log line would vanish.
const minLen = 6

// Writer redacts secrets from what is written to W.
//
// Hold and Release cover calls that return a secret: a plugin may log it
// before the host knows it. Lines written while held wait, and go out,
// masked, on Release, once the caller has added what the call returned.
type Writer struct {
	W io.Writer

	mu      sync.Mutex
	forms   [][]byte // every form of every secret, longest first
	held    bool
	pending [][]byte
	tail    []byte // the end of the last write, which may begin a secret
}

// Add makes s a secret from now on.
func (r *Writer) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range secrets {
		if len(s) < minLen {
			continue
		}
		for _, f := range Forms(s) {
			if !r.has(f) {
				r.forms = append(r.forms, []byte(f))
			}
		}
	}
	sort.SliceStable(r.forms, func(i, j int) bool { return len(r.forms[i]) > len(r.forms[j]) })
}

func (r *Writer) has(f string) bool {
	for _, g := range r.forms {
		if string(g) == f {
			return true
		}
	}
	return false
}

// Forms returns the forms s takes when loggers escape it, s itself first,
// without duplicates.
func Forms(s string) []string {
	escapers := []func(string) string{jsonEscape(true), jsonEscape(false), jsonASCII, goQuote, goQuoteASCII, hclogQuoted, hclogLines}
	seen := map[string]bool{s: true}
	out := []string{s}
	add := func(f string) {
		if !seen[f] && len(f) >= minLen {
			seen[f] = true
			out = append(out, f)
		}
	}
	for _, e1 := range escapers {
		once := e1(s)
		add(once)
		for _, e2 := range escapers {
			add(e2(once))
		}
	}
	return out
}

// jsonEscape is encoding/json's escaping of a string, without the quotes,
// with or without its HTML escapes (<, >, & as \u003c...).
func jsonEscape(html bool) func(string) string {
	return func(s string) string {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(html)
		_ = enc.Encode(s)
		out := strings.TrimSuffix(b.String(), "\n")
		return out[1 : len(out)-1]
	}
}

// jsonASCII is the escaping of JSON encoders that write ASCII only (such as
// Python's json.dumps): non-ASCII as \uXXXX, in UTF-16 surrogate pairs
// beyond the BMP.
func jsonASCII(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c == '"':
			b.WriteString(`\"`)
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\b':
			b.WriteString(`\b`)
		case c == '\f':
			b.WriteString(`\f`)
		case c < 0x20 || c >= 0x7f && c <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, c)
		case c > 0xffff:
			r1, r2 := utf16.EncodeRune(c)
			fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// hclogQuoted is how hclog's text format writes a value that needs quotes:
// '"' and what is not printable escaped, '\' left alone.
func hclogQuoted(s string) string { return hclogEscape(s, true) }

// hclogLines is how hclog's text format writes a value of several lines:
// each on its own line after "  | ".
func hclogLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = hclogEscape(l, false)
	}
	return strings.Join(lines, "\n  | ")
}

// hclogEscape is hclog v1's writeEscapedForOutput.
func hclogEscape(s string, quotes bool) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case quotes && r == '"':
			b.WriteString(`\"`)
		case unicode.IsPrint(r):
			b.WriteRune(r)
		case r == '\a':
			b.WriteString(`\a`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\v':
			b.WriteString(`\v`)
		case r < ' ':
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x10000:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	return b.String()
}

func goQuote(s string) string      { q := strconv.Quote(s); return q[1 : len(q)-1] }
func goQuoteASCII(s string) string { q := strconv.QuoteToASCII(s); return q[1 : len(q)-1] }

// Write implements io.Writer.
func (r *Writer) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.held {
		r.pending = append(r.pending, bytes.Clone(p))
		return len(p), nil
	}
	if err := r.write(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// write masks what was held back from the last write and p together, and
// writes it out but for an end that may begin a secret.
func (r *Writer) write(p []byte) error {
	buf := r.mask(append(r.tail, p...))
	keep := r.partialSuffix(buf)
	r.tail = bytes.Clone(buf[len(buf)-keep:])
	if len(buf) == keep {
		return nil
	}
	_, err := r.W.Write(buf[:len(buf)-keep])
	return err
}

func (r *Writer) mask(p []byte) []byte {
	for _, s := range r.forms {
		if bytes.Contains(p, s) {
			p = bytes.ReplaceAll(p, s, []byte(Mask))
		}
	}
	return p
}

// partialSuffix is the length of the longest end of p that is the start
// (not the whole) of a secret's form.
func (r *Writer) partialSuffix(p []byte) int {
	best := 0
	for _, f := range r.forms {
		for k := min(len(f)-1, len(p)); k > best; k-- {
			if p[len(p)-k] == f[0] && bytes.Equal(p[len(p)-k:], f[:k]) {
				best = k
				break
			}
		}
	}
	return best
}

// Flush writes out what a write left held back because it might have
// begun a secret that never came: as is if short, else masked (a long
// start of a secret is too much of it).
func (r *Writer) Flush() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.flush()
}

func (r *Writer) flush() error {
	t := r.tail
	r.tail = nil
	if len(t) == 0 {
		return nil
	}
	if len(t) >= minLen {
		t = []byte(Mask)
	}
	_, err := r.W.Write(t)
	return err
}

// Hold keeps what is written from now on until Release.
func (r *Writer) Hold() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.held = true
}

// Release writes out, masked, what was held, and stops holding.
func (r *Writer) Release() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.held = false
	for _, p := range r.pending {
		_ = r.write(p)
	}
	r.pending = nil
}
