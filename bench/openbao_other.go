//go:build !unix

package main

import "errors"

func scalingOpenBao(*env) error { return errors.New("the OpenBao rows run on Linux and macOS only") }
