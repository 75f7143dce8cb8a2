//go:build !teroktest

package main

import "testing"

// A build without the teroktest tag, the one released, ignores the crash
// tests' variables: nothing an environment says makes it kill itself in a
// renewal.
func TestReleaseBuildHasNoCrashHook(t *testing.T) {
	env := map[string]string{"TEROK_TEST_REFRESH_KILL_AT": "locked", "TEROK_TEST_REFRESH_KILL_AFTER": "1ms"}
	if step := crashStep(func(k string) string { return env[k] }); step != nil {
		t.Fatal("a release build has a crash hook: crashStep returned a function")
	}
}
