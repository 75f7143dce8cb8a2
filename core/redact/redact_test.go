package redact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"
)

func TestWriter(t *testing.T) {
	var buf bytes.Buffer
	w := &Writer{W: &buf}
	w.Add("sk-ant-secret-1", "tok", "")
	n, err := w.Write([]byte(`[WARN] plugin: got key: key=sk-ant-secret-1 again sk-ant-secret-1 tok` + "\n"))
	if err != nil || n != 70 {
		t.Fatalf("n=%d err=%v", n, err)
	}
	if got := buf.String(); got != "[WARN] plugin: got key: key=[REDACTED] again [REDACTED] tok\n" {
		t.Errorf("got %q", got)
	}
}

func TestHoldUntilTheSecretIsKnown(t *testing.T) {
	var buf bytes.Buffer
	w := &Writer{W: &buf}
	w.Hold()
	_, _ = w.Write([]byte("plugin: captured access_token=at-fresh-secret\n"))
	if buf.Len() != 0 {
		t.Fatalf("written while held: %q", buf.String())
	}
	w.Add("at-fresh-secret") // what the call returned
	w.Release()
	if got := buf.String(); got != "plugin: captured access_token=[REDACTED]\n" {
		t.Errorf("got %q", got)
	}
	_, _ = w.Write([]byte("after\n"))
	if !bytes.HasSuffix(buf.Bytes(), []byte("after\n")) {
		t.Error("not writing through after Release")
	}
}

// hostile keys: each has characters loggers escape.
var hostileKeys = []string{
	`good-quote"in-the-middle`,
	`good-back\slash-key`,
	"good-tab\tin-the-key",
	"good-newline\nin-the-key",
	"good-non-ascii-é-ß-key",
	"good-astral-😀-key",
	"good-html-<&>-key",
	"good-control-\x01-key",
	`good-all"\` + "\t\n" + `é<😀`,
}

// renderings are the ways a logger writes a value into a line.
var renderings = map[string]func(string) string{
	"raw": func(s string) string { return s },
	"json": func(s string) string {
		b, _ := json.Marshal(map[string]string{"key": s})
		return string(b)
	},
	"%q":  func(s string) string { return fmt.Sprintf("key=%q", s) },
	"%+q": func(s string) string { return fmt.Sprintf("key=%+q", s) },
	"json-ascii": func(s string) string {
		return `{"key": "` + jsonASCII(s) + `"}`
	},
	"json in %q": func(s string) string {
		b, _ := json.Marshal(map[string]string{"key": s})
		return fmt.Sprintf("line=%q", b)
	},
	"hclog json": func(s string) string {
		var b bytes.Buffer
		hclog.New(&hclog.LoggerOptions{Output: &b, JSONFormat: true}).Warn("received a key", "key", s)
		return b.String()
	},
	"hclog text": func(s string) string {
		var b bytes.Buffer
		hclog.New(&hclog.LoggerOptions{Output: &b}).Warn("received a key", "key", s)
		return b.String()
	},
}

// TestEscapedSecretsAreMasked: whatever a logger did to a key, its line
// goes out without it.
func TestEscapedSecretsAreMasked(t *testing.T) {
	for _, key := range hostileKeys {
		for name, render := range renderings {
			line := render(key) + "\n"
			var buf bytes.Buffer
			w := &Writer{W: &buf}
			w.Add(key)
			_, _ = w.Write([]byte(line))
			_ = w.Flush()
			assertMasked(t, fmt.Sprintf("%s of %q", name, key), buf.String(), key)
		}
	}
}

// TestSecretSplitAcrossWritesIsMasked: a line written in pieces, cut
// anywhere, even inside the secret, goes out masked.
func TestSecretSplitAcrossWritesIsMasked(t *testing.T) {
	for _, key := range hostileKeys {
		for _, name := range []string{"raw", "json", "%q"} {
			line := renderings[name](key) + "\n"
			for step := 1; step <= 7; step++ {
				var buf bytes.Buffer
				w := &Writer{W: &buf}
				w.Add(key)
				for i := 0; i < len(line); i += step {
					_, _ = w.Write([]byte(line[i:min(i+step, len(line))]))
				}
				_ = w.Flush()
				assertMasked(t, fmt.Sprintf("%s of %q in pieces of %d", name, key, step), buf.String(), key)
				if !strings.HasSuffix(buf.String(), "\n") {
					t.Errorf("%s of %q in pieces of %d: the line's end was lost: %q", name, key, step, buf.String())
				}
			}
		}
	}
}

// TestFlushMasksALongStartOfASecret: output that ends in the first part of
// a secret, which never completes, is not written out as is.
func TestFlushMasksALongStartOfASecret(t *testing.T) {
	var buf bytes.Buffer
	w := &Writer{W: &buf}
	w.Add("good-very-long-secret-key")
	_, _ = w.Write([]byte("token: good-very-long-sec"))
	_ = w.Flush()
	if got := buf.String(); got != "token: "+Mask {
		t.Errorf("got %q", got)
	}
	buf.Reset()
	_, _ = w.Write([]byte("ends in go"))
	_ = w.Flush()
	if got := buf.String(); got != "ends in go" {
		t.Errorf("a short end was changed: %q", got)
	}
}

func assertMasked(t *testing.T, what, out, key string) {
	t.Helper()
	if !strings.Contains(out, Mask) {
		t.Errorf("%s: nothing masked: %q", what, out)
	}
	for _, f := range Forms(key) {
		if strings.Contains(out, f) {
			t.Errorf("%s: the key's form %q is in %q", what, f, out)
		}
	}
	// The part of the key after its first escaped character must not
	// appear either (a mask over just the start is no mask).
	if tail := key[len(key)-5:]; strings.Contains(out, tail) && !strings.Contains(Mask, tail) {
		t.Errorf("%s: the key's end %q is in %q", what, tail, out)
	}
}
