package auth

import (
	"time"

	"github.com/hashicorp/go-hclog"
)

// A login logs each of its steps at debug level (TEROK_LOG_LEVEL=debug)
// when the step ends: its name, how long it took, and how it ended, so a
// user's "it failed" can be followed. Only names, modes, types, counts and
// durations are logged: never a key, a token, a file's content or anything
// else a provider or the user gave as a value.

func (l *Login) log() hclog.Logger {
	if l.Log == nil {
		return hclog.NewNullLogger()
	}
	return l.Log
}

// step starts a step; calling what it returns ends it, with its error (nil
// for success) and more key-value pairs to log.
func (l *Login) step(name string, args ...any) func(err error, more ...any) {
	log := l.log()
	if !log.IsDebug() {
		return func(error, ...any) {}
	}
	start := time.Now()
	return func(err error, more ...any) {
		kv := append(append([]any{"step", name}, args...), more...)
		kv = append(kv, "took", time.Since(start).Round(time.Microsecond))
		if err != nil {
			kv = append(kv, "failed", true)
		}
		log.Debug("login step", kv...)
	}
}
