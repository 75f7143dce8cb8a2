package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// benchCompare runs terok's command and the equivalent bare keyring
// operation with secret-tool (libsecret's CLI) alternately, b.N times each,
// and reports both and their ratio: terok's own overhead (plugin start,
// gRPC, index) over the keyring round trip it wraps.
func benchCompare(b *testing.B, stdin string, terokArgs []string, secretToolArgs []string) {
	if os.Getenv("TEROK_TEST_KEYRING") != "isolated" {
		b.Fatal("benchmarks need the throwaway keyring: run them with `make bench`")
	}
	if _, err := exec.LookPath("secret-tool"); err != nil {
		b.Fatal("secret-tool not found: apt-get install libsecret-tools (make bench installs it)")
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
	secretArgv := append([]string{"secret-tool"}, secretToolArgs...)
	run(terokArgv) // warm the page cache and the keyring item
	run(secretArgv)
	var terokTotal, secretTotal time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		terokTotal += run(terokArgv)
		secretTotal += run(secretArgv)
	}
	b.StopTimer()
	b.ReportMetric(float64(terokTotal.Microseconds())/float64(b.N)/1000, "terok-ms/op")
	b.ReportMetric(float64(secretTotal.Microseconds())/float64(b.N)/1000, "secret-tool-ms/op")
	b.ReportMetric(float64(terokTotal)/float64(secretTotal), "ratio")
}

func BenchmarkLogin(b *testing.B) {
	benchCompare(b, claudeKey,
		[]string{"auth", "login", "claude", "--with-key", "--set", "bench"},
		[]string{"store", "--label=terok bench", "service", "terok", "username", "bench/secret-tool"})
}

func BenchmarkToken(b *testing.B) {
	benchCompare(b, "",
		[]string{"auth", "token", "claude", "--set", "bench"},
		[]string{"lookup", "service", "terok", "username", "bench/claude"})
}

func BenchmarkStatus(b *testing.B) {
	benchCompare(b, "",
		[]string{"auth", "status", "claude", "--set", "bench"},
		[]string{"lookup", "service", "terok", "username", "bench/claude"})
}
