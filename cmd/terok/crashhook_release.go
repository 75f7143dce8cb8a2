//go:build !teroktest

package main

// crashStep is the crash tests' hook, which only a test build has (make
// testbins builds testbin/crashy/terok with -tags teroktest;
// crashhook.go): a release binary has no way to be told to kill itself,
// and does not even hold the variables' names.
func crashStep(func(string) string) func(string) { return nil }
