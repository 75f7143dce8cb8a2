//go:build unix && !linux

package pluginhost

import (
	"os"
	"os/exec"
	"syscall"
)

// pinnedCommand: this platform cannot execute an open file, so the path is
// executed; it was checked just before. (Linux executes the checked file.)
func pinnedCommand(_ *os.File, path string) *exec.Cmd { return exec.Command(path) }

func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

func killProcessGroup(pgid int) { _ = syscall.Kill(-pgid, syscall.SIGKILL) }

func startProcess(cmd *exec.Cmd) error { return cmd.Start() }
