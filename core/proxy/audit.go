package proxy

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"
)

// AuditEntry is one line of the audit log: who, what, how it went. No
// body, no query string, no header value: nothing secret.
type AuditEntry struct {
	Time       time.Time `json:"time"`
	Grant      string    `json:"grant,omitempty"`
	Label      string    `json:"label,omitempty"`
	Provider   string    `json:"provider,omitempty"`
	Method     string    `json:"method"`
	Path       string    `json:"path"`
	Status     int       `json:"status"`
	BytesIn    int64     `json:"bytes_in"`
	BytesOut   int64     `json:"bytes_out"`
	DurationMS int64     `json:"duration_ms"`
	// Refused says why the proxy answered itself (unknown, expired,
	// revoked, too-large, busy, …), or "cut" for a stream a revoke ended.
	Refused string `json:"refused,omitempty"`
}

// Audit writes the audit log, JSONL, 0600, from its own goroutine: Log
// never blocks a request. When the queue is full a line is dropped and
// counted, and the next line written says how many were.
type Audit struct {
	f       *os.File
	q       chan AuditEntry
	done    chan struct{}
	dropped atomic.Int64
}

// OpenAudit appends to the log at path, creating it 0600 (in a 0700
// directory) if needed.
func OpenAudit(path string) (*Audit, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	if err := f.Chmod(0o600); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("audit log: %w", err)
	}
	a := &Audit{f: f, q: make(chan AuditEntry, 4096), done: make(chan struct{})}
	go a.run()
	return a, nil
}

// Log queues e, or drops it when the writer is behind.
func (a *Audit) Log(e AuditEntry) {
	if a == nil {
		return
	}
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	select {
	case a.q <- e:
	default:
		a.dropped.Add(1)
	}
}

func (a *Audit) run() {
	defer close(a.done)
	enc := json.NewEncoder(a.f)
	for e := range a.q {
		if n := a.dropped.Swap(0); n > 0 {
			_ = enc.Encode(map[string]any{"time": time.Now().UTC(), "dropped": n})
		}
		_ = enc.Encode(e)
	}
}

// Close writes what is queued and closes the file.
func (a *Audit) Close() error {
	if a == nil {
		return nil
	}
	close(a.q)
	<-a.done
	return a.f.Close()
}
