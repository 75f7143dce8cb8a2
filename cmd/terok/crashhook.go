//go:build teroktest

package main

import (
	"time"

	"github.com/terok-ai/terok-auth/core/refresh"
)

// crashStep is the test hook of the crash tests, in test builds only
// (-tags teroktest; a release build has crashhook_release.go): TEROK_TEST_REFRESH_KILL_AT
// names a step of a renewal (refresh.Step*) at which terok kills itself
// with SIGKILL, as a power cut would stop it.
// TEROK_TEST_REFRESH_KILL_AFTER kills it that long after the request
// starts, while it is in flight.
func crashStep(getenv func(string) string) func(string) {
	at := getenv("TEROK_TEST_REFRESH_KILL_AT")
	after, _ := time.ParseDuration(getenv("TEROK_TEST_REFRESH_KILL_AFTER"))
	if at == "" && after <= 0 {
		return nil
	}
	kill := func() {
		killSelf()
		time.Sleep(time.Minute)
	}
	return func(step string) {
		switch {
		case step == at:
			kill()
		case step == refresh.StepPost && after > 0:
			time.AfterFunc(after, kill)
		}
	}
}
