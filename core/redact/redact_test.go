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
