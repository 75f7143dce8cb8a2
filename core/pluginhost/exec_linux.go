package pluginhost

import (
	"os"
	"os/exec"
	"runtime"
	"sync"
	"syscall"
)

// pinnedCommand executes the open binary itself: the child gets it as fd 3
// and the kernel executes /proc/self/fd/3, the very file that was checked
// and hashed, whatever its path names now. argv[0] stays the path, which
// is what the plugin and ps see.
func pinnedCommand(bin *os.File, path string) *exec.Cmd {
	return &exec.Cmd{Path: "/proc/self/fd/3", Args: []string{path}, ExtraFiles: []*os.File{bin}}
}

// sysProcAttr: a process group of its own, and SIGKILL when terok dies.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

func killProcessGroup(pgid int) { _ = syscall.Kill(-pgid, syscall.SIGKILL) }

// The parent-death signal fires when the OS thread that forked the child
// exits, not the process, and Go ends threads (a goroutine that exits
// while locked to its thread takes the thread with it). So every plugin is
// forked by one goroutine locked to its thread for the life of the process.
var (
	spawnOnce sync.Once
	spawnCh   chan func()
)

func spawner() {
	runtime.LockOSThread() // never unlocked: this thread lives as long as terok
	for f := range spawnCh {
		f()
	}
}

// startProcess starts cmd from the spawner thread.
func startProcess(cmd *exec.Cmd) error {
	spawnOnce.Do(func() {
		spawnCh = make(chan func())
		go spawner()
	})
	done := make(chan error, 1)
	spawnCh <- func() { done <- cmd.Start() }
	return <-done
}
