// Package redact keeps secrets out of what terok writes: a Writer replaces
// every secret it has been told about before passing bytes on. The host's
// log, plugin lines forwarded into it included, goes through one, so a
// plugin that logs the key it was handed does not leak it.
package redact

import (
	"bytes"
	"io"
	"sync"
)

// Mask replaces a secret.
const Mask = "[REDACTED]"

// minLen: shorter strings are not treated as secrets, or every "true" or
// "oauth" in a log line would vanish.
const minLen = 6

// Writer redacts secrets from what is written to W. Each Write is expected
// to hold whole lines, as loggers write them.
//
// Hold and Release cover calls that return a secret: a plugin may log it
// before the host knows it. Lines written while held wait, and go out,
// masked, on Release, once the caller has added what the call returned.
type Writer struct {
	W io.Writer

	mu      sync.Mutex
	secrets [][]byte
	held    bool
	pending [][]byte
}

// Add makes s a secret from now on.
func (r *Writer) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range secrets {
		if len(s) >= minLen {
			r.secrets = append(r.secrets, []byte(s))
		}
	}
}

// Write implements io.Writer.
func (r *Writer) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.held {
		r.pending = append(r.pending, bytes.Clone(p))
		return len(p), nil
	}
	if _, err := r.W.Write(r.mask(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (r *Writer) mask(p []byte) []byte {
	for _, s := range r.secrets {
		if bytes.Contains(p, s) {
			p = bytes.ReplaceAll(p, s, []byte(Mask))
		}
	}
	return p
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
		_, _ = r.W.Write(r.mask(p))
	}
	r.pending = nil
}
