package providertest

import (
	"bytes"
	"io"
	"log"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/go-hclog"
)

// logRecorder keeps everything a provider logs during a suite, and the
// secrets it was given or returned, so the suite can check at the end that
// no secret reached a log. Secrets are named in messages, never repeated.
type logRecorder struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	secrets []secret
}

func (r *logRecorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.Write(p)
}

func (r *logRecorder) addSecret(name, value string) {
	if len(value) < minSecret {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.secrets {
		if s.value == value {
			return
		}
	}
	r.secrets = append(r.secrets, secret{name: name, value: value})
}

// check fails t for every secret found in the logs. A secret may appear
// escaped, as a JSON log line writes it.
func (r *logRecorder) check(t testing.TB) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	logs := r.buf.String()
	for _, s := range r.secrets {
		if strings.Contains(logs, s.value) || strings.Contains(logs, jsonEscaped(s.value)) {
			t.Errorf("the plugin logged a secret: %s appears in its log output (value not repeated here). "+
				"terok forwards plugin logs to the user's terminal and log files: log that a key was received, never the key", s.name)
		}
	}
}

func jsonEscaped(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// recordLogs sends the in-process logs a provider can reach without being
// handed a logger (hclog's default logger, the standard log package) to r
// as well as to standard error, until the returned function is called.
// Standard error itself is recorded per call by quiet.
func recordLogs(r *logRecorder) (restore func()) {
	prevH := hclog.L() // L, not SetDefault's result: that is nil before first use
	hclog.SetDefault(hclog.New(&hclog.LoggerOptions{
		Name:       "provider",
		Level:      hclog.Trace, // every line is checked; only warnings and errors are shown
		Output:     io.MultiWriter(r, &minLevel{w: os.Stderr}),
		JSONFormat: true,
	}))
	prevLog := log.Writer()
	log.SetOutput(io.MultiWriter(r, prevLog))
	return func() {
		hclog.SetDefault(prevH)
		log.SetOutput(prevLog)
	}
}

// minLevel passes on only the JSON log lines of level warn and above, so a
// suite that records at trace does not flood the test output.
type minLevel struct{ w io.Writer }

func (m *minLevel) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte(`"@level":"warn`)) || bytes.Contains(p, []byte(`"@level":"error`)) {
		if _, err := m.w.Write(p); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}
