package iostreams

import (
	"os"
	"testing"
)

func TestTestStreamsAreNoTerminal(t *testing.T) {
	s, in, out, errOut := Test()
	if s.InTTY || s.OutTTY || s.CanPrompt() || s.InFd != -1 {
		t.Errorf("%+v", s)
	}
	in.WriteString("answer")
	_, _ = s.Out.Write([]byte("data"))
	_, _ = s.ErrOut.Write([]byte("progress"))
	b := make([]byte, 6)
	if n, _ := s.In.Read(b); string(b[:n]) != "answer" || out.String() != "data" || errOut.String() != "progress" {
		t.Errorf("streams not wired to the buffers: %q %q %q", b[:n], out, errOut)
	}
}

func TestCanPromptNeedsBothTerminals(t *testing.T) {
	for _, tt := range []struct{ in, out, want bool }{{true, true, true}, {true, false, false}, {false, true, false}, {false, false, false}} {
		s := &IOStreams{InTTY: tt.in, OutTTY: tt.out}
		if got := s.CanPrompt(); got != tt.want {
			t.Errorf("in %t, out %t: CanPrompt = %t", tt.in, tt.out, got)
		}
	}
}

// Pipes are not terminals.
func TestSystemOnPipes(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close(); _ = w.Close() }()
	oldIn, oldOut := os.Stdin, os.Stdout
	os.Stdin, os.Stdout = r, w
	defer func() { os.Stdin, os.Stdout = oldIn, oldOut }()
	s := System()
	if s.InTTY || s.OutTTY || s.CanPrompt() || s.In != r || s.Out != w || s.InFd != int(r.Fd()) {
		t.Errorf("%+v", s)
	}
}
