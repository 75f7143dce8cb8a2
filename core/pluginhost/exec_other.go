//go:build !unix

package pluginhost

import (
	"os"
	"os/exec"
	"syscall"
)

// pinnedCommand: this platform cannot execute an open file, so the path is
// executed; it was checked just before.
func pinnedCommand(_ *os.File, path string) *exec.Cmd { return exec.Command(path) }

func sysProcAttr() *syscall.SysProcAttr { return nil }

// killProcessGroup: no process groups here; the plugin itself is killed.
func killProcessGroup(int) {}

func startProcess(cmd *exec.Cmd) error { return cmd.Start() }
