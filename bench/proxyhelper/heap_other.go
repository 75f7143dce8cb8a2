//go:build !unix

package main

// heapOnSignal needs SIGUSR1, which this platform has not.
func heapOnSignal(string) {}
