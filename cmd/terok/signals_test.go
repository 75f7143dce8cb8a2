//go:build unix

package main

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"
)

func TestEveryStopSignalEndsTheContextAndSetsTheExitCode(t *testing.T) {
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGHUP, 129}, {syscall.SIGINT, 130}, {syscall.SIGQUIT, 131}, {syscall.SIGTERM, 143}} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			ctx, stopped := stopOnSignals(context.Background())
			if err := syscall.Kill(os.Getpid(), tc.sig); err != nil {
				t.Fatal(err)
			}
			select {
			case <-ctx.Done():
			case <-time.After(10 * time.Second):
				t.Fatalf("%s did not end the context", tc.sig)
			}
			// The process is still here: the signal only asked for cleanup.
			if got := signalExitCode(exitInterrupted, stopped()); got != tc.code {
				t.Errorf("exit code %d, want %d", got, tc.code)
			}
			if got := signalExitCode(exitOK, stopped()); got != exitOK {
				t.Errorf("a command that finished exits %d", got)
			}
			if got := signalExitCode(exitUnsettled, stopped()); got != exitUnsettled {
				t.Errorf("an unsettled store write exits %d, hiding that the credential may be stored", got)
			}
		})
	}
	if signalExitCode(exitError, nil) != exitError {
		t.Error("no signal, yet the code changed")
	}
}
