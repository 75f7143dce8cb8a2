package inject

import "os"

// forwarded: Windows delivers Ctrl-C to every process of the console, the
// command included, and has no other signals to pass on.
var forwarded = []os.Signal{os.Interrupt}

// fromTerminal: the console already gave Ctrl-C to the command.
var fromTerminal = map[os.Signal]bool{os.Interrupt: true}

// alive: FindProcess opens a handle to the process, which fails when there
// is none.
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	_ = p.Release()
	return true
}
