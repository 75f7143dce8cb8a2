//go:build linux

package store

import (
	"errors"
	"os"
	"strings"
	"sync"
	"syscall"
)

// pidSpace names this process's pid space: the kernel's boot id and the
// pid namespace. Two processes with the same pid space see the same pids,
// so one can tell whether the other still runs. A host name alone cannot
// say it: containers (and cloned machines) share names, not pids.
var pidSpace = sync.OnceValue(func() string {
	boot, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	ns, err := os.Readlink("/proc/self/ns/pid")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(boot)) + "/" + ns
})

// pidGone reports whether no process has pid.
func pidGone(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
