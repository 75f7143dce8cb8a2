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
type Writer struct {
	W io.Writer

	mu      sync.RWMutex
	secrets [][]byte
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
	r.mu.RLock()
	out := p
	for _, s := range r.secrets {
		if bytes.Contains(out, s) {
			out = bytes.ReplaceAll(out, s, []byte(Mask))
		}
	}
	r.mu.RUnlock()
	if _, err := r.W.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}
