// Command bench measures terok against the tools a user would otherwise
// call, and prints one table with a verdict per row against the budgets of
// docs/performance.md, plus scaling tables. It is not shipped: `make bench`
// builds the binaries, starts a throwaway keyring session and runs it.
//
// Every row alternates its two commands (terok first in even pairs, the
// reference first in odd ones) and reports the median of each and the
// median of the per-pair ratios, so load that comes and goes during a run
// hits both sides alike. The table goes to stdout and to OUT/latest.txt;
// the previous latest.txt becomes previous.txt, so a run can be compared
// with the last (diff bench/results/previous.txt bench/results/latest.txt).
package main

import (
	"archive/tar"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/terok-ai/terok-auth/core/account"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/pluginhost"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/core/trust"
	"github.com/terok-ai/terok-auth/sdk"
)

// Test key of the shape Claude's plugin accepts.
const claudeKey = "sk-ant-api03-BENCH0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000-AAAAAA"

// imageName is this benchmark's own login image (one tag), so it never
// collides with the end-to-end tests' images.
const imageName = "localhost/terok-bench-vendor:ok"

var (
	pairs    = flag.Int("pairs", 21, "alternating pairs per row (the median of them is reported)")
	outDir   = flag.String("out", "bench/results", "where latest.txt (and previous.txt) go; \"\" writes none")
	only     = flag.String("only", "", "run only the rows whose name contains this (and no scaling tables); openbao: only the OpenBao table, proxy: only the proxy table (neither needs a keyring)")
	noScale  = flag.Bool("no-scale", false, "skip the scaling tables")
	scaleRun = flag.Int("scale-runs", 7, "runs per point of the scaling tables")
)

type env struct {
	bin, faulty, vendor string
	tmp                 string
	lone                string // a terok binary alone in its dir: no bundled plugins
	out                 io.Writer
}

func main() {
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run() error {
	if *only == "openbao" {
		return runOpenBao()
	}
	if *only == "proxy" {
		return runProxyOnly()
	}
	if os.Getenv("TEROK_TEST_KEYRING") != "isolated" {
		return errors.New("run me through `make bench`: I need a throwaway keyring session (scripts/with-keyring) and the built binaries")
	}
	e := &env{bin: os.Getenv("TEROK_TEST_BIN"), faulty: os.Getenv("TEROK_TEST_PLUGIN"), vendor: os.Getenv("TEROK_TEST_VENDOR")}
	if e.bin == "" || e.faulty == "" || e.vendor == "" {
		return errors.New("TEROK_TEST_BIN, TEROK_TEST_PLUGIN and TEROK_TEST_VENDOR must be set (make bench sets them)")
	}
	for _, tool := range []string{"secret-tool", "podman"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s not found: make bench installs it (scripts/deps test)", tool)
		}
	}
	tmp, err := os.MkdirTemp("", "terok-bench-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	e.tmp = tmp
	// The cache dir is the bench's own: each row says whether it wants it
	// warm or cold.
	_ = os.Setenv("XDG_CACHE_HOME", filepath.Join(tmp, "cache"))
	if e.lone, err = lone(e); err != nil {
		return err
	}

	var report strings.Builder
	e.out = io.MultiWriter(os.Stdout, &report)
	host, _ := os.Hostname()
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Fprintf(e.out, "terok bench, %s, %s, %d CPUs, load %s, %d pairs per row (medians; ratio = median of per-pair ratios)\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), host, runtime.NumCPU(), strings.Join(strings.Fields(string(load))[:3], " "), *pairs)

	start := time.Now()
	rows := rows(e)
	var results []result
	for _, r := range rows {
		if *only != "" && !strings.Contains(r.name, *only) {
			continue
		}
		res := measure(r)
		results = append(results, res)
		fmt.Fprintf(os.Stderr, "  %-58s %s\n", r.name, res.verdict)
	}
	printTable(e.out, results)
	if *only == "" {
		var px strings.Builder
		fmt.Fprintln(e.out)
		if err := proxyTable(tmp, io.MultiWriter(e.out, &px)); err != nil {
			return err
		}
		if err := saveProxy(px.String()); err != nil {
			return err
		}
	}
	if *only == "" && !*noScale {
		if err := scaling(e); err != nil {
			return err
		}
	}
	if (*only == "" && !*noScale) || *only == "openbao" {
		if err := scalingOpenBao(e); err != nil {
			return err
		}
	}
	load, _ = os.ReadFile("/proc/loadavg")
	fmt.Fprintf(e.out, "\ntook %s; load at the end %s\n", time.Since(start).Round(time.Second), strings.Join(strings.Fields(string(load))[:3], " "))
	return save(report.String())
}

// runOpenBao runs the OpenBao table alone (make bench-openbao): it needs
// the terok binary and the dev server, and no keyring, podman or plugins.
// Its report goes to OUT/openbao.txt.
func runOpenBao() error {
	e := &env{bin: os.Getenv("TEROK_TEST_BIN")}
	if e.bin == "" {
		return errors.New("TEROK_TEST_BIN must be set (make bench-openbao sets it)")
	}
	tmp, err := os.MkdirTemp("", "terok-bench-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	e.tmp = tmp
	_ = os.Setenv("XDG_CACHE_HOME", filepath.Join(tmp, "cache"))
	var report strings.Builder
	e.out = io.MultiWriter(os.Stdout, &report)
	host, _ := os.Hostname()
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Fprintf(e.out, "terok bench (openbao only), %s, %s, %d CPUs, load %s\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), host, runtime.NumCPU(), strings.Join(strings.Fields(string(load))[:3], " "))
	if err := scalingOpenBao(e); err != nil {
		return err
	}
	if *outDir == "" {
		return nil
	}
	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		return err
	}
	path := filepath.Join(*outDir, "openbao.txt")
	fmt.Fprintf(os.Stderr, "written to %s\n", path)
	return os.WriteFile(path, []byte(report.String()), 0o644)
}

// save writes the report to OUT/latest.txt, keeping the one before as
// previous.txt.
func save(report string) error {
	if *outDir == "" {
		return nil
	}
	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		return err
	}
	latest := filepath.Join(*outDir, "latest.txt")
	if _, err := os.Stat(latest); err == nil {
		if err := os.Rename(latest, filepath.Join(*outDir, "previous.txt")); err != nil {
			return err
		}
	}
	if err := os.WriteFile(latest, []byte(report), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "written to %s (the run before: previous.txt)\n", latest)
	return nil
}

// lone copies terok into a dir of its own, so that it finds no bundled
// plugins beside it: the "no plugins" reference.
func lone(e *env) (string, error) {
	dir := filepath.Join(e.tmp, "lone")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return filepath.Join(dir, "terok"), copyFile(filepath.Join(e.bin, "terok"), filepath.Join(dir, "terok"), 0o755)
}

func copyFile(from, to string, mode os.FileMode) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, data, mode)
}

// kind is how a row is judged.
type kind int

const (
	ratio kind = iota // terok / reference ≤ budget
	delta             // terok − reference ≤ budget milliseconds
	size              // terok's size ≤ budget MB; no reference run
)

type row struct {
	name   string
	kind   kind
	budget float64
	setup  func() error
	terok  func() (time.Duration, error)
	ref    func() (time.Duration, error)
	sizeOf string // for size rows
}

type result struct {
	row
	terok, ref time.Duration
	ratio      float64
	bytes      int64
	verdict    string
	err        error
}

func measure(r row) result {
	res := result{row: r}
	if r.kind == size {
		fi, err := os.Stat(r.sizeOf)
		if err != nil {
			res.err, res.verdict = err, "ERROR"
			return res
		}
		res.bytes = fi.Size()
		mb := float64(fi.Size()) / 1e6
		res.verdict = verdict(mb <= r.budget)
		return res
	}
	if r.setup != nil {
		if err := r.setup(); err != nil {
			res.err, res.verdict = err, "ERROR"
			return res
		}
	}
	// One of each first, untimed: page cache, keyring items, image layers.
	if _, err := r.terok(); err != nil {
		res.err, res.verdict = err, "ERROR"
		return res
	}
	if _, err := r.ref(); err != nil {
		res.err, res.verdict = err, "ERROR"
		return res
	}
	var ts, rs, ratios []float64
	for i := 0; i < *pairs; i++ {
		first, second := r.terok, r.ref
		if i%2 == 1 {
			first, second = r.ref, r.terok
		}
		a, err := first()
		if err != nil {
			res.err, res.verdict = err, "ERROR"
			return res
		}
		b, err := second()
		if err != nil {
			res.err, res.verdict = err, "ERROR"
			return res
		}
		if i%2 == 1 {
			a, b = b, a
		}
		ts, rs = append(ts, ms(a)), append(rs, ms(b))
		ratios = append(ratios, ms(a)/ms(b))
	}
	res.terok, res.ref = fromMS(median(ts)), fromMS(median(rs))
	switch r.kind {
	case ratio:
		res.ratio = median(ratios)
		res.verdict = verdict(res.ratio <= r.budget)
	case delta:
		diffs := make([]float64, len(ts))
		for i := range ts {
			diffs[i] = ts[i] - rs[i]
		}
		res.ratio = median(diffs)
		res.verdict = verdict(res.ratio <= r.budget)
	}
	return res
}

func verdict(ok bool) string {
	if ok {
		return "ok"
	}
	return "OVER"
}

func ms(d time.Duration) float64     { return float64(d.Microseconds()) / 1000 }
func fromMS(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func printTable(w io.Writer, results []result) {
	fmt.Fprintf(w, "%-60s %10s %10s %8s %8s  %s\n", "measure", "terok", "reference", "ratio", "budget", "verdict")
	fmt.Fprintln(w, strings.Repeat("-", 108))
	for _, r := range results {
		var t, ref, rat, bud string
		switch r.kind {
		case ratio:
			t, ref, rat, bud = fmtMS(r.terok), fmtMS(r.ref), fmt.Sprintf("%.2fx", r.ratio), fmt.Sprintf("<= %.1fx", r.budget)
		case delta:
			t, ref, rat, bud = fmtMS(r.terok), fmtMS(r.ref), fmt.Sprintf("%+.1fms", r.ratio), fmt.Sprintf("<= +%.0fms", r.budget)
		case size:
			t, ref, rat, bud = fmt.Sprintf("%.2f MB", float64(r.bytes)/1e6), "-", "-", fmt.Sprintf("<= %g MB", r.budget)
		}
		if r.err != nil {
			t, ref, rat = "-", "-", "-"
		}
		fmt.Fprintf(w, "%-60s %10s %10s %8s %8s  %s\n", r.name, t, ref, rat, bud, r.verdict)
		if r.err != nil {
			fmt.Fprintf(w, "    error: %s\n", firstLines(r.err.Error(), 4))
		}
	}
	fmt.Fprintln(w, "\nreferences: login: secret-tool store; token: secret-tool lookup; plugin cold start: a bare exec of the same binary;")
	fmt.Fprintln(w, "providers: terok with no plugins (cold: with only its bundled ones), or hashing and running the 20 bare; status: the same command with 1 credential; OAuth: podman run of the same image.")
}

func fmtMS(d time.Duration) string { return fmt.Sprintf("%.1fms", ms(d)) }

func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n    ")
}

// cmd runs argv with extra environment and stdin, and times it; a non-zero
// exit is an error that carries the output.
func cmd(stdin string, extraEnv []string, argv ...string) func() (time.Duration, error) {
	return func() (time.Duration, error) {
		c := exec.Command(argv[0], argv[1:]...)
		c.Env = append(os.Environ(), extraEnv...)
		c.Stdin = strings.NewReader(stdin)
		var out strings.Builder
		c.Stdout, c.Stderr = io.Discard, &out
		start := time.Now()
		err := c.Run()
		d := time.Since(start)
		if err != nil {
			return d, fmt.Errorf("%s: %w\n%s", strings.Join(argv, " "), err, out.String())
		}
		return d, nil
	}
}

// exitsNonZero times a command that is expected to fail (a plugin binary
// run bare refuses to run).
func exitsNonZero(f func() (time.Duration, error)) func() (time.Duration, error) {
	return func() (time.Duration, error) {
		d, err := f()
		var ee *exec.ExitError
		if err == nil || errors.As(err, &ee) {
			return d, nil
		}
		return d, err
	}
}

func rows(e *env) []row {
	terok := filepath.Join(e.bin, "terok")
	claude := filepath.Join(e.bin, "terok-provider-claude")
	plugins20 := filepath.Join(e.tmp, "plugins20")
	yaml1000 := filepath.Join(e.tmp, "yaml1000")
	oauthDir := filepath.Join(e.tmp, "oauth-ref")
	var coldCache = func() string { d, _ := os.MkdirTemp(e.tmp, "cold-cache-"); return "XDG_CACHE_HOME=" + d }
	warmCache := "XDG_CACHE_HOME=" + filepath.Join(e.tmp, "warm-cache")
	return []row{
		{
			name: "login --with-key vs secret-tool store (same key on stdin)", kind: ratio, budget: 2.5,
			terok: cmd(claudeKey, nil, terok, "auth", "login", "claude", "--with-key", "--set", "bench"),
			ref:   cmd(claudeKey, nil, "secret-tool", "store", "--label=terok bench", "service", "terok", "username", "bench/secret-tool"),
		},
		{
			name: "token vs secret-tool lookup", kind: ratio, budget: 1.3,
			terok: cmd("", nil, terok, "auth", "token", "claude", "--set", "bench"),
			ref:   cmd("", nil, "secret-tool", "lookup", "service", "terok", "username", "bench/claude"),
		},
		{
			name: "plugin cold start (launch, handshake, Describe, stop) vs exec", kind: ratio, budget: 2,
			terok: coldStart(e, claude),
			ref:   exitsNonZero(cmd("", nil, claude)), // exits 1 at once without terok's cookie
		},
		{
			// As the issue measured it: terok with its bundled plugins, no
			// cached descriptions, with and without 20 more plugins.
			name: "providers, cold cache, 20 plugins vs none", kind: ratio, budget: 2,
			setup: func() error { return makePlugins(e, plugins20, 20) },
			terok: func() (time.Duration, error) {
				return cmd("", []string{coldCache(), "TEROK_PLUGIN_PATH=" + plugins20}, terok, "auth", "providers")()
			},
			ref: func() (time.Duration, error) { return cmd("", []string{coldCache()}, terok, "auth", "providers")() },
		},
		{
			// What no listing of 20 unknown plugins can avoid: hashing each
			// pinned binary and running it, as many at a time as terok does.
			name: "providers, cold cache, 20 plugins vs 20 hash+exec", kind: ratio, budget: 2,
			setup: func() error { return makePlugins(e, plugins20, 20) },
			terok: func() (time.Duration, error) {
				return cmd("", []string{coldCache(), "TEROK_PLUGIN_PATH=" + plugins20}, e.lone, "auth", "providers")()
			},
			ref: hashAndExec(plugins20),
		},
		{
			name: "providers, warm cache, 20 plugins (10 refused) vs none", kind: ratio, budget: 2,
			setup: func() error { return makeRefused(e, plugins20) },
			terok: cmd("", []string{warmCache, "TEROK_PLUGIN_PATH=" + plugins20}, e.lone, "auth", "providers"),
			ref:   cmd("", []string{warmCache}, e.lone, "auth", "providers"),
		},
		{
			name: "providers with 1000 YAML files, over none", kind: delta, budget: 50,
			setup: func() error { return makeYAML(yaml1000, 1000) },
			terok: cmd("", []string{warmCache, "TEROK_PROVIDERS_PATH=" + yaml1000}, e.lone, "auth", "providers"),
			ref:   cmd("", []string{warmCache}, e.lone, "auth", "providers"),
		},
		{
			name: "status --json, 500 stored credentials vs 1", kind: ratio, budget: 2,
			setup: func() error {
				if err := seed("one", 1); err != nil {
					return err
				}
				return seed("many", 500)
			},
			terok: cmd("", nil, terok, "auth", "status", "--json", "--set", "many"),
			ref:   cmd("", nil, terok, "auth", "status", "--json", "--set", "one"),
		},
		{
			name: "OAuth login vs podman run of the same image", kind: ratio, budget: 1.3,
			setup: func() error {
				if err := os.MkdirAll(oauthDir, 0o700); err != nil {
					return err
				}
				return buildImage(e)
			},
			terok: cmd("", []string{"TEROK_MOUNTS_DIR=" + filepath.Join(e.tmp, "mounts")}, terok, "auth", "login", "claude", "--mode", "oauth", "--image", imageName, "--set", "bench-oauth",
				// a container name of its own, beside others' tests on the same podman
				"--project", fmt.Sprintf("terokbench%d", os.Getpid())),
			ref: cmd("", nil, "podman", "run", "--rm", "-i", "--name", fmt.Sprintf("terokbench%d-ref", os.Getpid()), "-v", oauthDir+":/home/dev/.claude:Z", imageName, "claude"),
		},
		{name: "size of bin/terok", kind: size, budget: 16.5, sizeOf: terok},
		{name: "size of bin/terok-provider-claude", kind: size, budget: 14, sizeOf: claude},
		{name: "size of bin/terok-provider-codex", kind: size, budget: 14, sizeOf: filepath.Join(e.bin, "terok-provider-codex")},
	}
}

// coldStart is what terok pays for one plugin (as it runs a bundled one:
// trust resolved, no pin to hash): launch, handshake with mutual TLS,
// Describe, stop.
func coldStart(e *env, plugin string) func() (time.Duration, error) {
	host := &pluginhost.Host{Trust: &trust.Store{Path: filepath.Join(e.tmp, "plugins.lock"), BundledDir: e.bin}}
	return func() (time.Duration, error) {
		start := time.Now()
		p, stop, err := host.Start(context.Background(), pluginhost.Plugin{Name: "claude", Path: plugin})
		if err != nil {
			return 0, err
		}
		_, err = p.Describe(context.Background(), &sdk.DescribeRequest{})
		stop()
		return time.Since(start), err
	}
}

// hashAndExec hashes every plugin in dir and runs it bare, 8 at a time (as
// terok starts them): the floor of a cold listing.
func hashAndExec(dir string) func() (time.Duration, error) {
	return func() (time.Duration, error) {
		paths, _ := filepath.Glob(filepath.Join(dir, "terok-provider-*"))
		start := time.Now()
		sem := make(chan struct{}, 8)
		errs := make(chan error, len(paths))
		for _, p := range paths {
			go func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				if _, err := trust.HashFile(p); err != nil {
					errs <- err
					return
				}
				_ = exec.Command(p).Run() // refuses to run without terok's cookie
				errs <- nil
			}()
		}
		for range paths {
			if err := <-errs; err != nil {
				return 0, err
			}
		}
		return time.Since(start), nil
	}
}

// makePlugins puts n copies of the test plugin (well-behaved, as "goodNN")
// in dir and trusts them, as a user would.
func makePlugins(e *env, dir string, n int) error {
	if _, err := os.Stat(filepath.Join(dir, "terok-provider-good01")); err == nil {
		return nil // made by an earlier row
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	args := []string{"auth", "plugins", "trust"}
	for i := 0; i < n; i++ {
		p := filepath.Join(dir, fmt.Sprintf("terok-provider-good%02d", i))
		if err := copyFile(e.faulty, p, 0o755); err != nil {
			return err
		}
		args = append(args, p)
	}
	_, err := cmd("", nil, append([]string{e.lone}, args...)...)()
	return err
}

// makeRefused replaces half of the plugins by ones terok refuses (the
// binary says another name than its file's: the test plugin run as "liar"),
// then warms the cache.
func makeRefused(e *env, dir string) error {
	if _, err := os.Stat(dir); err != nil {
		if err := makePlugins(e, dir, 20); err != nil {
			return err
		}
	}
	args := []string{"auth", "plugins", "trust"}
	for i := 0; i < 20; i += 2 {
		_ = os.Remove(filepath.Join(dir, fmt.Sprintf("terok-provider-good%02d", i)))
		to := filepath.Join(dir, fmt.Sprintf("terok-provider-misnamed%02d", i))
		script := fmt.Sprintf("#!/bin/bash\nexec -a terok-provider-liar %s \"$@\"\n", e.faulty)
		if err := os.WriteFile(to, []byte(script), 0o755); err != nil {
			return err
		}
		args = append(args, to)
	}
	if _, err := cmd("", nil, append([]string{e.lone}, args...)...)(); err != nil {
		return err
	}
	_, err := cmd("", []string{"XDG_CACHE_HOME=" + filepath.Join(e.tmp, "warm-cache"), "TEROK_PLUGIN_PATH=" + dir}, e.lone, "auth", "providers")()
	return err
}

// makeYAML writes n provider files, like the bundled ones in size.
func makeYAML(dir string, n int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		data := fmt.Sprintf(`version: 1
name: bench%05d
label: Bench provider %d
modes: [oauth, api_key]
host_dir: _bench%d
container_mount: /home/dev/.bench
command: bench login
key: {label: Bench key, url: "https://example.com/keys", env_var: BENCH_KEY, format: "b-[a-z0-9]+"}
capture:
  - file: hosts.yml
    format: yaml
    type: oauth_token
    prefer: example.com
    fields: {token: "*.oauth_token", host: $key}
`, i, i, i)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("bench%05d.yaml", i)), []byte(data), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// seed stores api keys for providers p00001… in set until it holds n, and
// records them in the index, as n logins would.
func seed(setName string, n int) error {
	set, err := names.ParseSet(setName)
	if err != nil {
		return err
	}
	dirs := os.Getenv("XDG_STATE_HOME")
	accounts := &account.Accounts{Store: &store.Keyring{}, Backend: "keyring",
		Index: &account.Index{Path: filepath.Join(dirs, "terok", "index.json")}}
	ctx := context.Background()
	have, _ := accounts.IndexedProviders(set)
	var entries []account.Entry
	now := time.Now().UTC().Truncate(time.Second)
	for i := len(have); i < n; i++ {
		p, err := names.ParseProvider(fmt.Sprintf("p%05d", i))
		if err != nil {
			return err
		}
		if err := accounts.Store.Set(ctx, set, p, sdk.APIKey(fmt.Sprintf("key-%s-%05d", set, i))); err != nil {
			return err
		}
		entries = append(entries, account.Entry{Set: set, Provider: p, Type: sdk.TypeAPIKey, Backend: "keyring", StoredAt: &now})
	}
	return accounts.Index.Update(ctx, func(m map[string]account.Entry) {
		for _, e := range entries {
			m[store.Account(e.Set, e.Provider)] = e
		}
	})
}

// buildImage makes the login image: FROM scratch, the static stand-in
// vendor CLI as claude, writing the files a Claude login leaves.
func buildImage(e *env) error {
	if exec.Command("podman", "image", "exists", imageName).Run() == nil {
		return nil
	}
	bin, err := os.ReadFile(e.vendor)
	if err != nil {
		return err
	}
	rootfs := filepath.Join(e.tmp, "rootfs.tar")
	f, err := os.Create(rootfs)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(f)
	for _, d := range []struct {
		name string
		mode int64
	}{{"home/", 0o755}, {"home/dev/", 0o777}, {"tmp/", 0o1777}, {"usr/", 0o755}, {"usr/local/", 0o755}, {"usr/local/bin/", 0o755}} {
		if err := tw.WriteHeader(&tar.Header{Name: d.name, Typeflag: tar.TypeDir, Mode: d.mode}); err != nil {
			return err
		}
	}
	if err := tw.WriteHeader(&tar.Header{Name: "usr/local/bin/claude", Mode: 0o755, Size: int64(len(bin))}); err != nil {
		return err
	}
	if _, err := tw.Write(bin); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	out, err := exec.Command("podman", "import", "--quiet", "--change", "ENV HOME=/home/dev", "--change", "ENV PATH=/usr/local/bin",
		"--change", "ENV TEROK_FAKE=ok", rootfs, imageName).CombinedOutput()
	if err != nil {
		return fmt.Errorf("podman import: %w\n%s", err, out)
	}
	return nil
}

// scaling prints how status, token and providers grow with what is stored
// and installed. Points are measured round robin, so load hits them alike.
func scaling(e *env) error {
	terok := filepath.Join(e.bin, "terok")
	// Start from an empty keyring and index: each point then holds exactly
	// its count of terok credentials.
	_ = exec.Command("secret-tool", "clear", "service", "terok").Run()
	_ = os.Remove(filepath.Join(os.Getenv("XDG_STATE_HOME"), "terok", "index.json"))

	fmt.Fprintf(e.out, "\nstatus --json and token against what is stored (one set holding N credentials; medians of %d runs)\n", *scaleRun)
	fmt.Fprintf(e.out, "%12s %14s %14s %20s %16s\n", "credentials", "status --json", "token", "secret-tool lookup", "status per cred")
	var status1 float64
	for _, n := range []int{1, 10, 100, 500} {
		if err := seed("scale", n); err != nil {
			return err
		}
		steps := []func() (time.Duration, error){
			cmd("", nil, terok, "auth", "status", "--json", "--set", "scale"),
			cmd("", nil, terok, "auth", "token", "p00000", "--set", "scale"),
			cmd("", nil, "secret-tool", "lookup", "service", "terok", "username", "scale/p00000"),
		}
		med, err := roundRobin(steps, *scaleRun)
		if err != nil {
			return err
		}
		if n == 1 {
			status1 = med[0]
		}
		fmt.Fprintf(e.out, "%12d %12.1fms %12.1fms %18.1fms %14.3fms   (status %.2fx of 1)\n", n, med[0], med[1], med[2], med[0]/float64(n), med[0]/status1)
	}

	fmt.Fprintf(e.out, "\nproviders against YAML files in TEROK_PROVIDERS_PATH (no plugins, warm cache; medians of %d runs)\n", *scaleRun)
	fmt.Fprintf(e.out, "%12s %14s %14s %14s\n", "YAML files", "providers", "over none", "per file")
	counts := []int{0, 1, 10, 100, 1000, 5000}
	var steps []func() (time.Duration, error)
	cache := "XDG_CACHE_HOME=" + filepath.Join(e.tmp, "yaml-cache")
	for _, n := range counts {
		dir := filepath.Join(e.tmp, fmt.Sprintf("yaml-scale-%d", n))
		if err := makeYAML(dir, n); err != nil {
			return err
		}
		step := cmd("", []string{cache, "TEROK_PROVIDERS_PATH=" + dir}, e.lone, "auth", "providers")
		if _, err := step(); err != nil { // warm the cache
			return err
		}
		steps = append(steps, step)
	}
	med, err := roundRobin(steps, *scaleRun)
	if err != nil {
		return err
	}
	for i, n := range counts {
		per := "-"
		if n > 0 {
			per = fmt.Sprintf("%.3fms", (med[i]-med[0])/float64(n))
		}
		fmt.Fprintf(e.out, "%12d %12.1fms %+12.1fms %14s\n", n, med[i], med[i]-med[0], per)
	}
	return nil
}

// roundRobin runs each step once per round for runs rounds and returns the
// median milliseconds of each.
func roundRobin(steps []func() (time.Duration, error), runs int) ([]float64, error) {
	times := make([][]float64, len(steps))
	for r := 0; r < runs; r++ {
		for i, s := range steps {
			d, err := s()
			if err != nil {
				return nil, err
			}
			times[i] = append(times[i], ms(d))
		}
	}
	out := make([]float64, len(steps))
	for i := range times {
		out[i] = median(times[i])
	}
	return out, nil
}
