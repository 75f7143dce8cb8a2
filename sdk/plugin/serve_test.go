package plugin

import (
	"os"
	"testing"
	"time"
)

func TestExitWithParent(t *testing.T) {
	exited := make(chan struct{})
	// A parent pid that is not ours: the watchdog must see it as gone.
	go exitWithParent(os.Getppid()+1, time.Millisecond, func() { close(exited) })
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		t.Fatal("watchdog did not fire for a parent that is gone")
	}

	stay := make(chan struct{})
	go exitWithParent(os.Getppid(), time.Millisecond, func() { close(stay) })
	select {
	case <-stay:
		t.Fatal("watchdog fired while the parent is alive")
	case <-time.After(50 * time.Millisecond):
	}
}
