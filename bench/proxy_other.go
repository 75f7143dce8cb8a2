//go:build !linux

package main

import (
	"errors"
	"io"
)

var errProxyLinux = errors.New("the proxy rows run on Linux only (they read the proxy's RSS from /proc)")

func runProxyOnly() error                { return errProxyLinux }
func proxyTable(string, io.Writer) error { return errProxyLinux }
func saveProxy(string) error             { return errProxyLinux }
