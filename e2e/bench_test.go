package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/terok-ai/terok-auth/core/pluginhost"
	"github.com/terok-ai/terok-auth/core/trust"
	"github.com/terok-ai/terok-auth/sdk"
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

// BenchmarkPluginColdStart is what terok pays per plugin it starts (launch,
// handshake with mutual TLS, Describe, kill) against a bare exec of the same
// binary, which refuses to run without terok's cookie and exits at once.
func BenchmarkPluginColdStart(b *testing.B) {
	plugin := filepath.Join(binDir, "terok-provider-claude")
	host := &pluginhost.Host{}
	defer host.Close()
	var startTotal, execTotal time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		p, stop, err := host.Start(context.Background(), pluginhost.Plugin{Name: "claude", Path: plugin})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.Describe(context.Background(), &sdk.DescribeRequest{}); err != nil {
			b.Fatal(err)
		}
		stop()
		startTotal += time.Since(start)

		start = time.Now()
		_ = exec.Command(plugin).Run() // exits 1: "This binary is a plugin"
		execTotal += time.Since(start)
	}
	b.ReportMetric(float64(startTotal.Microseconds())/float64(b.N)/1000, "start-ms/op")
	b.ReportMetric(float64(execTotal.Microseconds())/float64(b.N)/1000, "exec-ms/op")
	b.ReportMetric(float64(startTotal)/float64(execTotal), "ratio")
}

// BenchmarkProvidersWith20Plugins lists providers with 20 plugin binaries
// on the path: cold (no cached descriptions: they start in parallel) and
// warm (cached: none starts). serial-ratio compares the cold listing with
// starting the 20 one after another (BenchmarkPluginColdStart's cost × 20);
// under 1 means they did not start one by one.
func BenchmarkProvidersWith20Plugins(b *testing.B) {
	requireKeyring(b)
	dir := b.TempDir()
	data, err := os.ReadFile(faultyPlugin)
	if err != nil {
		b.Fatal(err)
	}
	args := []string{"auth", "plugins", "trust"}
	for i := 0; i < 20; i++ {
		p := filepath.Join(dir, fmt.Sprintf("terok-provider-good%02d", i))
		if err := os.WriteFile(p, data, 0o755); err != nil {
			b.Fatal(err)
		}
		args = append(args, p)
	}
	pluginDirs[dir], allPluginDirs[dir] = true, true
	terokBin := filepath.Join(binDir, "terok")
	run := func(env ...string) time.Duration {
		cmd := exec.Command(terokBin, "auth", "providers")
		cmd.Env = append(os.Environ(), append(env, "TEROK_PLUGIN_PATH="+dir)...)
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v\n%s", err, out)
		}
		return time.Since(start)
	}
	if out, err := exec.Command(terokBin, args...).CombinedOutput(); err != nil {
		b.Fatalf("trust: %v\n%s", err, out)
	}
	// The baseline checks the pin as terok does: a cold start hashes the
	// binary, which is most of its cost.
	host := &pluginhost.Host{Trust: &trust.Store{Path: filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "terok", "plugins.lock")}}
	defer host.Close()
	one := time.Now()
	p, stop, err := host.Start(context.Background(), pluginhost.Plugin{Name: "good00", Path: filepath.Join(dir, "terok-provider-good00")})
	if err != nil {
		b.Fatal(err)
	}
	_, _ = p.Describe(context.Background(), &sdk.DescribeRequest{})
	stop()
	single := time.Since(one)

	warmCache := b.TempDir()
	run("XDG_CACHE_HOME=" + warmCache)
	var cold, warm time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cold += run("XDG_CACHE_HOME=" + b.TempDir())
		warm += run("XDG_CACHE_HOME=" + warmCache)
	}
	b.StopTimer()
	b.ReportMetric(float64(cold.Microseconds())/float64(b.N)/1000, "cold-ms/op")
	b.ReportMetric(float64(warm.Microseconds())/float64(b.N)/1000, "warm-ms/op")
	b.ReportMetric(float64(cold)/float64(b.N)/float64(20*single), "serial-ratio")
}
