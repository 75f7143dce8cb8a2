package redact

import (
	"bytes"
	"testing"
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
