package baotest

import (
	"os/exec"
	"syscall"
)

// setProcAttr makes the server die with the test binary, even when that is
// killed (a test timeout).
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
