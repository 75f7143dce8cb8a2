// Package prompt asks the user questions on a terminal.
package prompt

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/term"

	"github.com/terok-ai/terok-auth/core/iostreams"
)

// Prompter asks questions. The auth flow depends on this interface only, so
// tests answer with a fake.
type Prompter interface {
	// Select shows options numbered from 1 and returns the index of the one
	// chosen; an empty answer picks def.
	Select(ctx context.Context, title string, options []string, def int) (int, error)
	// Secret reads a line without echo.
	Secret(ctx context.Context, label string) (string, error)
	// Input reads a line of text.
	Input(ctx context.Context, label string) (string, error)
}

// ErrNoAnswer means the user gave no usable answer (end of input, or too many
// wrong ones).
var ErrNoAnswer = errors.New("no answer")

// Terminal prompts on the streams: questions on ErrOut, answers from In.
type Terminal struct {
	IO *iostreams.IOStreams
	r  *bufio.Reader
	// pending is the read still under way when a prompt was cancelled:
	// the next prompt takes its answer rather than starting a second
	// reader that would race it for the same input.
	pending       chan lineResult
	pendingSecret chan secretResult
}

type lineResult struct {
	s   string
	err error
}

type secretResult struct {
	b   []byte
	err error
}

// New returns a Terminal prompter over s.
func New(s *iostreams.IOStreams) *Terminal { return &Terminal{IO: s, r: bufio.NewReader(s.In)} }

// Select implements Prompter.
func (t *Terminal) Select(ctx context.Context, title string, options []string, def int) (int, error) {
	w := t.IO.ErrOut
	fmt.Fprintln(w, title)
	for i, o := range options {
		mark := ""
		if i == def {
			mark = " (default)"
		}
		fmt.Fprintf(w, "  %d. %s%s\n", i+1, o, mark)
	}
	for attempt := 0; attempt < 3; attempt++ {
		fmt.Fprintf(w, "Choose [1-%d] (default %d): ", len(options), def+1)
		line, err := t.readLine(ctx)
		if err != nil {
			return 0, err
		}
		line = strings.TrimSpace(line)
		if line == "" {
			return def, nil
		}
		n, err := strconv.Atoi(line)
		if err == nil && n >= 1 && n <= len(options) {
			return n - 1, nil
		}
		fmt.Fprintf(w, "Please enter a number from 1 to %d.\n", len(options))
	}
	return 0, fmt.Errorf("%w: no valid choice after 3 tries", ErrNoAnswer)
}

// Input implements Prompter.
func (t *Terminal) Input(ctx context.Context, label string) (string, error) {
	fmt.Fprint(t.IO.ErrOut, label)
	line, err := t.readLine(ctx)
	return strings.TrimSpace(line), err
}

// readLine reads one line, giving up when ctx is done (Ctrl-C).
func (t *Terminal) readLine(ctx context.Context) (string, error) {
	if t.pending == nil {
		ch := make(chan lineResult, 1)
		go func() {
			s, err := t.r.ReadString('\n')
			ch <- lineResult{s, err}
		}()
		t.pending = ch
	}
	select {
	case r := <-t.pending:
		t.pending = nil
		if r.err != nil && r.s == "" {
			return "", fmt.Errorf("%w: input ended", ErrNoAnswer)
		}
		return r.s, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// Secret implements Prompter. On Ctrl-C the terminal's echo is restored
// before returning, so the user's shell is not left without echo.
func (t *Terminal) Secret(ctx context.Context, label string) (string, error) {
	if !t.IO.InTTY {
		return "", errors.New("cannot read a secret without echo: standard input is not a terminal")
	}
	fd := t.IO.InFd
	state, err := term.GetState(fd)
	if err != nil {
		return "", fmt.Errorf("read secret: %w", err)
	}
	fmt.Fprint(t.IO.ErrOut, label)
	if t.pendingSecret == nil {
		ch := make(chan secretResult, 1)
		go func() {
			b, err := term.ReadPassword(fd)
			ch <- secretResult{b, err}
		}()
		t.pendingSecret = ch
	}
	select {
	case r := <-t.pendingSecret:
		t.pendingSecret = nil
		fmt.Fprintln(t.IO.ErrOut)
		if r.err != nil {
			return "", fmt.Errorf("read secret: %w", r.err)
		}
		return string(r.b), nil
	case <-ctx.Done():
		_ = term.Restore(fd, state)
		fmt.Fprintln(t.IO.ErrOut)
		return "", ctx.Err()
	}
}
