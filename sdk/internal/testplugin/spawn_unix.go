//go:build unix

package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

// spawnSleepers starts two processes meant to outlive the plugin: a child
// in a session of its own, and a grandchild, also in its own session,
// whose parent (a shell) exits at once, so it is orphaned. It writes both
// pids to file.
func spawnSleepers(file string) {
	child := exec.Command("sleep", "600")
	child.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := child.Start(); err != nil {
		return
	}
	out, err := exec.Command("/bin/sh", "-c", "setsid sleep 601 >/dev/null 2>&1 </dev/null & echo $!").Output()
	if err != nil {
		return
	}
	_ = os.WriteFile(file, fmt.Appendf(nil, "%d %s", child.Process.Pid, out), 0o600)
}
