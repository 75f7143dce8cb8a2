package main

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// stopSignals are the signals that end terok: Ctrl-C, a closed terminal
// (SIGHUP), SIGTERM and Ctrl-\ (SIGQUIT). Each gets the same cleanup: the
// context ends, the login container is stopped and removed, the private
// dir wiped; only then does terok exit.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGQUIT}

// stopOnSignals returns a context that ends at the first of stopSignals,
// and a function that reports that signal (nil if none came). Later
// signals are swallowed until terok exits, so a second Ctrl-C, or the
// SIGHUP that follows a closed terminal, cannot cut the cleanup short.
func stopOnSignals(parent context.Context) (context.Context, func() os.Signal) {
	ctx, cancel := context.WithCancel(parent)
	ch := make(chan os.Signal, 4)
	signal.Notify(ch, stopSignals...)
	var (
		mu  sync.Mutex
		got os.Signal
	)
	go func() {
		for s := range ch {
			mu.Lock()
			if got == nil {
				got = s
			}
			mu.Unlock()
			cancel()
		}
	}()
	return ctx, func() os.Signal {
		mu.Lock()
		defer mu.Unlock()
		return got
	}
}

// signalExitCode is the code terok exits with: a command stopped by a
// signal exits 128+N, as a shell reports a process killed by it (129 for
// SIGHUP, 130 for Ctrl-C, 131 for SIGQUIT, 143 for SIGTERM), once its
// cleanup is done. A command that finished despite the signal keeps its
// code, and so does one whose store write is unsettled (5): that the
// credential may have been stored matters more than why terok stopped.
func signalExitCode(code int, sig os.Signal) int {
	s, ok := sig.(syscall.Signal)
	if !ok || code == exitOK || code == exitUnsettled {
		return code
	}
	return 128 + int(s)
}
