//go:build !unix

package main

// spawnSleepers: the process tests that use it run on Unix only.
func spawnSleepers(string) {}
