package e2e

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// benchCompare runs terok's command and the bare operation it wraps (a
// keyring call by secret-tool, libsecret's CLI, or a podman run)
// alternately, b.N times each, and reports both and their ratio: terok's
// own overhead (plugin start, gRPC, index) over the work it cannot avoid.
func benchCompare(b *testing.B, stdin string, terokArgs []string, bareArgs []string) {
	requireKeyring(b)
	if _, err := exec.LookPath(bareArgs[0]); err != nil {
		b.Fatalf("%s not found: make bench installs it", bareArgs[0])
	}
	run := func(argv []string) time.Duration {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Stdin = strings.NewReader(stdin)
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, out)
		}
		return time.Since(start)
	}
	terokArgv := append([]string{filepath.Join(binDir, "terok")}, terokArgs...)
	run(terokArgv) // warm the page cache and the keyring item
	run(bareArgs)
	var terokTotal, bareTotal time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		terokTotal += run(terokArgv)
		bareTotal += run(bareArgs)
	}
	b.StopTimer()
	b.ReportMetric(float64(terokTotal.Microseconds())/float64(b.N)/1000, "terok-ms/op")
	b.ReportMetric(float64(bareTotal.Microseconds())/float64(b.N)/1000, filepath.Base(bareArgs[0])+"-ms/op")
	b.ReportMetric(float64(terokTotal)/float64(bareTotal), "ratio")
}

func BenchmarkLogin(b *testing.B) {
	benchCompare(b, claudeKey,
		[]string{"auth", "login", "claude", "--with-key", "--set", "bench"},
		[]string{"secret-tool", "store", "--label=terok bench", "service", "terok", "username", "bench/secret-tool"})
}

func BenchmarkToken(b *testing.B) {
	benchCompare(b, "",
		[]string{"auth", "token", "claude", "--set", "bench"},
		[]string{"secret-tool", "lookup", "service", "terok", "username", "bench/claude"})
}

func BenchmarkStatus(b *testing.B) {
	benchCompare(b, "",
		[]string{"auth", "status", "claude", "--set", "bench"},
		[]string{"secret-tool", "lookup", "service", "terok", "username", "bench/claude"})
}

// BenchmarkOAuthLogin is a whole OAuth login (container run, capture
// through the plugin, keyring, state file) against a bare `podman run` of
// the same image with the same mount: terok's own overhead on a login.
func BenchmarkOAuthLogin(b *testing.B) {
	requirePodman(b)
	dir := b.TempDir()
	benchCompare(b, "",
		[]string{"auth", "login", "claude", "--mode", "oauth", "--image", vendorImage + ":ok", "--set", "bench-oauth"},
		[]string{"podman", "run", "--rm", "-i", "-v", dir + ":/home/dev/.claude:Z", vendorImage + ":ok", "claude"})
}

// BenchmarkProvidersVsVersion lists the providers (the bundled plugins and
// YAML set) against printing the version, the cheapest command: the ratio
// is what a listing costs beyond starting terok at all.
func BenchmarkProvidersVsVersion(b *testing.B) {
	benchCompare(b, "", []string{"auth", "providers"}, []string{filepath.Join(binDir, "terok"), "version"})
}
