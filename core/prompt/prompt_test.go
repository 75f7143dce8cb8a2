package prompt

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/terok-ai/terok-auth/core/iostreams"
)

func TestSelect(t *testing.T) {
	tests := []struct {
		name, input string
		want        int
		err         error
	}{
		{"a number", "2\n", 1, nil},
		{"empty picks the default", "\n", 1, nil},
		{"retry after a bad answer", "9\nx\n1\n", 0, nil},
		{"three bad answers", "0\n4\nfoo\n", 0, ErrNoAnswer},
		{"end of input", "", 0, ErrNoAnswer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			io, in, _, errOut := iostreams.Test()
			in.WriteString(tt.input)
			got, err := New(io).Select(context.Background(), "Pick one", []string{"a", "b", "c"}, 1)
			if !errors.Is(err, tt.err) || (err == nil && got != tt.want) {
				t.Fatalf("Select = %d, %v; want %d, %v", got, err, tt.want, tt.err)
			}
			if !strings.Contains(errOut.String(), "  2. b (default)") || !strings.Contains(errOut.String(), "Choose [1-3] (default 2): ") {
				t.Errorf("menu = %q", errOut)
			}
		})
	}
}

func TestSelectCancelled(t *testing.T) {
	io, _, _, _ := iostreams.Test()
	io.In = blockingReader{}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := New(io).Select(ctx, "Pick", []string{"a", "b"}, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
}

type blockingReader struct{}

func (blockingReader) Read([]byte) (int, error) { select {} }

func TestSecretNeedsATerminal(t *testing.T) {
	io, in, _, _ := iostreams.Test()
	in.WriteString("secret\n")
	if _, err := New(io).Secret(context.Background(), "Key: "); err == nil || !strings.Contains(err.Error(), "not a terminal") {
		t.Errorf("err = %v", err)
	}
}

func TestInput(t *testing.T) {
	io, in, _, errOut := iostreams.Test()
	in.WriteString("  1, codex \n")
	got, err := New(io).Input(context.Background(), "Which? ")
	if err != nil || got != "1, codex" || errOut.String() != "Which? " {
		t.Errorf("Input = %q, %v; shown %q", got, err, errOut)
	}
}

// A prompt cancelled while it waits leaves its read under way; the next
// prompt must get the next line the user types, not race that read for it
// (before, the cancelled read took it and the second prompt waited forever).
func TestCancelledPromptDoesNotEatTheNextAnswer(t *testing.T) {
	for round := range 5 {
		pr, pw := io.Pipe()
		s, _, _, _ := iostreams.Test()
		s.In = pr
		term := New(s)

		// Cancelled once its read is surely waiting, as Ctrl-C would be.
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		_, err := term.Input(ctx, "first: ")
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("cancelled Input = %v, want context.DeadlineExceeded", err)
		}
		got := make(chan string, 1)
		go func() {
			ans, err := term.Input(context.Background(), "second: ")
			if err != nil {
				ans = "error: " + err.Error()
			}
			got <- ans
		}()
		if _, err := pw.Write([]byte("answer\n")); err != nil {
			t.Fatal(err)
		}
		select {
		case ans := <-got:
			if ans != "answer" {
				t.Fatalf("round %d: second Input = %q, want %q", round, ans, "answer")
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("round %d: the second prompt never got the answer: the cancelled prompt's reader took it", round)
		}
		_ = pw.Close()
	}
}
