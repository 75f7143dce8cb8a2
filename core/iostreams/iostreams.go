// Package iostreams carries the program's standard streams and whether each
// is a terminal, so commands can be tested with buffers and decide when they
// may prompt. Data goes to Out; prompts, progress and warnings to ErrOut.
package iostreams

import (
	"bytes"
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams are a command's streams.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	InTTY  bool
	OutTTY bool
	// InFd is the descriptor of In when it is a terminal, for reading a
	// secret without echo.
	InFd int
}

// System returns the process's own streams.
func System() *IOStreams {
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		InTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		OutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		InFd:   int(os.Stdin.Fd()),
	}
}

// Test returns streams over buffers, none of them a terminal.
func Test() (s *IOStreams, in, out, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut, InFd: -1}, in, out, errOut
}

// CanPrompt reports whether the user can be asked questions: stdin and
// stdout are both terminals.
func (s *IOStreams) CanPrompt() bool { return s.InTTY && s.OutTTY }
