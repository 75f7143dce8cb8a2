//go:build teroktest && unix

package main

import (
	"os"
	"syscall"
)

// killSelf ends terok as a power cut would: SIGKILL, no cleanup.
func killSelf() { _ = syscall.Kill(os.Getpid(), syscall.SIGKILL) }
