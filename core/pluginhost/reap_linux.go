package pluginhost

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// A plugin's children may leave its process group, even its session
// (setsid), and outlive it. A Host with AdoptOrphans makes its process their
// subreaper:
// a descendant whose parent exits is re-parented to terok, not to init, so
// Close finds it among terok's own children and kills it. Those children
// are told apart from the others terok has (podman's, say) by a mark in
// the environment every plugin gets and its children inherit.

const prSetChildSubreaper = 36 // PR_SET_CHILD_SUBREAPER

var subreaperOnce sync.Once

// becomeSubreaper makes this process the subreaper of its descendants, once.
func becomeSubreaper() {
	subreaperOnce.Do(func() {
		_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0)
	})
}

// childrenOf lists the children of pid.
func childrenOf(pid string) []int {
	files, _ := filepath.Glob("/proc/" + pid + "/task/*/children")
	var out []int
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, s := range strings.Fields(string(data)) {
			if n, err := strconv.Atoi(s); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// descendants lists every process below pid, at this moment.
func descendants(pid int) []int {
	var out []int
	queue := []int{pid}
	for len(queue) > 0 && len(out) < 10000 {
		kids := childrenOf(strconv.Itoa(queue[0]))
		queue = append(queue[1:], kids...)
		out = append(out, kids...)
	}
	return out
}

// killPids kills pids and waits, briefly, until each is dead: SIGKILL is
// delivered asynchronously, and Close promises that nothing is left
// running when it returns.
func killPids(pids []int) {
	for _, p := range pids {
		_ = syscall.Kill(p, syscall.SIGKILL)
	}
	deadline := time.Now().Add(killWait)
	for _, p := range pids {
		for runs(p) && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
	}
}

// killWait bounds how long killPids waits for the killed to die.
const killWait = 2 * time.Second

// runs: pid exists and is neither a zombie nor dead.
func runs(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	_, rest, _ := strings.Cut(string(data), ") ")
	return !strings.HasPrefix(rest, "Z") && !strings.HasPrefix(rest, "X")
}

// reapOrphans kills and reaps every child of terok whose environment holds
// mark, except the plugins themselves (skip), whose go-plugin clients reap
// them. Killing one re-parents its own children to terok, so it repeats
// until no marked child is left.
func reapOrphans(mark string, skip map[int]bool) {
	want := []byte(mark)
	for range 100 {
		found := false
		for _, pid := range childrenOf("self") {
			if skip[pid] {
				continue
			}
			env, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
			if err != nil || !hasEntry(env, want) {
				continue
			}
			found = true
			_ = syscall.Kill(pid, syscall.SIGKILL)
			var ws syscall.WaitStatus
			_, _ = syscall.Wait4(pid, &ws, 0, nil)
		}
		if !found {
			return
		}
	}
}

func hasEntry(environ, entry []byte) bool {
	for _, kv := range bytes.Split(environ, []byte{0}) {
		if bytes.Equal(kv, entry) {
			return true
		}
	}
	return false
}
