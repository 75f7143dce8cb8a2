//go:build unix

package baotest

import (
	"strings"
	"testing"
	"time"
)

// EnableKV2 mounts a KV version 2 engine at path and waits until it
// serves: a new v2 mount first upgrades itself, and answers every request
// meanwhile with "Upgrading from non-versioned to versioned data" (HTTP
// 400), which a test would take for a broken mount. env is added to the
// CLI's environment (a namespace: BAO_NAMESPACE=...).
func (s *Server) EnableKV2(t testing.TB, path string, env ...string) {
	t.Helper()
	if _, err := s.TryBao("", env, "secrets", "enable", "-path="+path, "-version=2", "kv"); err != nil {
		t.Fatalf("bao secrets enable -path=%s -version=2 kv: %v", path, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		// A list of an empty mount is "no value found" (exit 2) once it
		// serves; while it upgrades, the error says so.
		_, err := s.TryBao("", env, "kv", "metadata", "list", "-mount="+path)
		if err == nil || !strings.Contains(err.Error(), "Upgrading") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the KV v2 mount %s was still upgrading after 30s: %v", path, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
