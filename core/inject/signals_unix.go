//go:build unix

package inject

import (
	"errors"
	"os"
	"syscall"
)

// forwarded are the signals terok passes on to the command. Without a
// terminal, whoever signals terok means the command.
var forwarded = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2}

// fromTerminal are the signals a terminal sends to the whole foreground
// process group, the command included.
var fromTerminal = map[os.Signal]bool{syscall.SIGINT: true, syscall.SIGQUIT: true}

func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
