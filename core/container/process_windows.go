package container

import "os"

// ProcessAlive reports whether a process with pid exists. On Windows,
// FindProcess opens a handle to the process, which fails when there is none.
func ProcessAlive(pid int) bool {
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
