package baotest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// setProcAttr makes the server die with the test binary, even when that is
// killed (a test timeout).
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// waitStopped waits until every thread of pid is stopped (state T in
// /proc): SIGSTOP is delivered asynchronously, and on a loaded machine a
// thread of the server can still answer a request after kill returned.
func waitStopped(pid int) error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/stat", pid))
		if err != nil {
			return err
		}
		if len(tasks) == 0 {
			return fmt.Errorf("no threads of %d in /proc", pid)
		}
		running := 0
		for _, p := range tasks {
			data, err := os.ReadFile(p)
			if err != nil {
				continue // a thread that ended
			}
			// pid (comm) STATE ...: comm may hold spaces and parens.
			i := bytes.LastIndexByte(data, ')')
			if i < 0 || i+2 >= len(data) || (data[i+2] != 'T' && data[i+2] != 't') {
				running++
			}
		}
		if running == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d threads of %d still running 5s after SIGSTOP", running, pid)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
