package e2e

import (
	"bufio"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// sdkFrom says how a plugin made outside this repository gets the SDK:
// through a local module proxy (GOPROXY=file://…), as a third party gets a
// tagged release (moduleproxy_test.go), or, with TEROK_TEST_SDK=replace, a
// replace directive to this checkout (faster, for a quick local run).
func sdkFrom(t *testing.T) (newArgs, goEnv []string) {
	if os.Getenv("TEROK_TEST_SDK") == "replace" {
		return sdkByReplace(t)
	}
	return sdkByProxy(t)
}

// sdkByReplace makes `plugins new` write a replace to this checkout.
func sdkByReplace(t *testing.T) (newArgs, goEnv []string) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return []string{"--sdk-replace", root}, nil
}

// TestPluginAuthorJourney does what a third party does, outside this
// module: make a plugin with `plugins new`, build and test it against
// providertest, release it with the script it came with, install the
// release from an https server (loopback, with a certificate terok trusts
// through SSL_CERT_FILE), and log in with it. A tampered archive and a
// wrong checksum are refused, leaving nothing behind.
func TestPluginAuthorJourney(t *testing.T) {
	requireKeyring(t)
	const name = "e2eauthor"
	src := filepath.Join(t.TempDir(), "terok-provider-"+name)
	newArgs, goEnv := sdkFrom(t)
	if r := terok(t, runOpts{}, append([]string{"auth", "plugins", "new", name, src}, newArgs...)...); r.code != 0 {
		t.Fatalf("plugins new: exit %d: %s", r.code, r.stderr)
	}
	inPlugin := func(argv ...string) string {
		t.Helper()
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Dir = src
		cmd.Env = append(append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod"), goEnv...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, out)
		}
		return string(out)
	}
	if len(newArgs) == 0 {
		// The SDK comes from the module proxy, tagged, as a third party
		// gets it: the guide's own line.
		inPlugin("go", "get", "github.com/terok-ai/terok-auth/sdk@"+sdkRelease)
	}
	inPlugin("go", "mod", "tidy")
	if len(newArgs) == 0 {
		// The SDK is a module of its own: it brings none of the host's
		// dependencies into a plugin's build.
		for _, f := range []string{"go.mod", "go.sum"} {
			data, err := os.ReadFile(filepath.Join(src, f))
			if err != nil {
				t.Fatal(err)
			}
			if f == "go.mod" && !strings.Contains(string(data), "github.com/terok-ai/terok-auth/sdk "+sdkRelease) {
				t.Errorf("the plugin's go.mod does not require the SDK at %s:\n%s", sdkRelease, data)
			}
			for _, host := range []string{"spf13/cobra", "zalando/go-keyring", "creack/pty", "github.com/terok-ai/terok-auth "} {
				if strings.Contains(string(data), host) {
					t.Errorf("the plugin's %s names %s, a dependency of the host, not of the SDK", f, host)
				}
			}
		}
	}
	inPlugin("go", "vet", "./...")
	inPlugin("go", "test", "-count=1", "./...")
	inPlugin("./release.sh", "0.1.0")

	dist := filepath.Join(src, "dist")
	archive := "terok-provider-" + name + "_0.1.0_" + runtime.GOOS + "_" + runtime.GOARCH + ".tar.gz"
	good, err := os.ReadFile(filepath.Join(dist, archive))
	if err != nil {
		t.Fatalf("release.sh made no %s: %v", archive, err)
	}
	sums, err := os.ReadFile(filepath.Join(dist, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	tampered := append([]byte(nil), good...)
	tampered[len(tampered)/2] ^= 0x55
	wrongSums := strings.Replace(string(sums), string(sums[:8]), "00000000", 1)

	serve := map[string][]byte{
		"/v0.1.0/" + archive:         good,
		"/v0.1.0/SHA256SUMS":         sums,
		"/tampered/" + archive:       tampered,
		"/tampered/SHA256SUMS":       sums,
		"/wrong-sum/" + archive:      good,
		"/wrong-sum/SHA256SUMS":      []byte(wrongSums),
		"/no-entry/" + archive:       good,
		"/no-entry/SHA256SUMS":       []byte(strings.ReplaceAll(string(sums), archive, "other.tar.gz")),
		"/not-found/SHA256SUMS":      sums,
		"/not-found-sums/" + archive: good,
	}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, ok := serve[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(data)
	}))
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}

	// A private home for terok: its own data, config and temp dirs.
	home := t.TempDir()
	tmp := filepath.Join(home, "tmp")
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"XDG_DATA_HOME=" + filepath.Join(home, "data"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"XDG_STATE_HOME=" + filepath.Join(home, "state"),
		"XDG_CACHE_HOME=" + filepath.Join(home, "cache"),
		"TEROK_PLUGIN_PATH=" + filepath.Join(home, "nothing-here"),
		"SSL_CERT_FILE=" + ca,
		"TMPDIR=" + tmp,
	}
	pluginDir := filepath.Join(home, "data", "terok", "plugins")
	registerPluginDir(t, pluginDir)
	nothingLeft := func(what string) {
		t.Helper()
		for _, dir := range []string{pluginDir, tmp} {
			if entries, _ := os.ReadDir(dir); len(entries) > 0 {
				t.Errorf("%s: left in %s: %v", what, dir, entries)
			}
		}
	}

	for _, bad := range []struct{ path, want string }{
		{"/tampered/" + archive, "does not match SHA256SUMS"},
		{"/wrong-sum/" + archive, "does not match SHA256SUMS"},
		{"/no-entry/" + archive, "SHA256SUMS has no entry for " + archive},
		{"/not-found/" + archive, "404"},
		{"/not-found-sums/" + archive, "the checksum file"},
	} {
		r := terok(t, runOpts{env: env}, "auth", "plugins", "install", srv.URL+bad.path)
		if r.code == 0 || !strings.Contains(r.stderr, bad.want) {
			t.Errorf("install %s: exit %d, stderr %q; want a refusal containing %q", bad.path, r.code, r.stderr, bad.want)
		}
		nothingLeft(bad.path)
	}

	r := terok(t, runOpts{env: env}, "auth", "plugins", "install", srv.URL+"/v0.1.0/"+archive)
	if r.code != 0 {
		t.Fatalf("install: exit %d: %s", r.code, r.stderr)
	}
	if fi, err := os.Stat(pluginDir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("plugin dir %s: %v (want it created, mode 0700)", pluginDir, err)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) > 0 {
		t.Errorf("install left files in TMPDIR: %v", entries)
	}

	const key = name + "_0123456789abcdef0123456789abcdef"
	const set = "e2e-author"
	t.Cleanup(func() { _ = deleteStored(set, name) })
	if r := terok(t, runOpts{env: env, stdin: key}, "auth", "login", name, "--with-key", "--set", set); r.code != 0 {
		t.Fatalf("login with the installed plugin: exit %d: %s", r.code, r.stderr)
	}
	if got := stored(t, set, name); got != `{"key":"`+key+`","type":"api_key"}` {
		t.Errorf("keyring holds %q", got)
	}

	t.Run("debug mode", func(t *testing.T) {
		attachToDebugPlugin(t, src, name, filepath.Join(pluginDir, "terok-provider-"+name), env, goEnv)
	})

	if r := terok(t, runOpts{env: env}, "auth", "plugins", "remove", name); r.code != 0 {
		t.Fatalf("remove: exit %d: %s", r.code, r.stderr)
	}
	nothingLeft("after remove")
}

// attachToDebugPlugin starts the plugin by hand with -debug, as its author
// would under a debugger, and has terok use it through the line it prints.
// The installed copy is broken first, so a login that works went to the
// process started by hand: trust does not apply to it.
func attachToDebugPlugin(t *testing.T, src, name, installed string, env, goEnv []string) {
	bin := filepath.Join(t.TempDir(), "terok-provider-"+name)
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = src
	build.Env = append(append(os.Environ(), "GOWORK=off"), goEnv...)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	dbg := exec.Command(bin, "-debug")
	out, err := dbg.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	dbg.Stderr = os.Stderr
	if err := dbg.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = dbg.Process.Kill()
		_ = dbg.Wait()
	})
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "TEROK_REATTACH_PROVIDERS="); ok {
				lines <- strings.Trim(v, "'")
			}
		}
	}()
	var reattach string
	select {
	case reattach = <-lines:
	case <-time.After(30 * time.Second):
		t.Fatal("the plugin in debug mode printed no TEROK_REATTACH_PROVIDERS line")
	}

	if err := os.WriteFile(installed, []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	const key = "0123456789abcdef0123456789abcdef"
	const set = "e2e-author-debug"
	t.Cleanup(func() { _ = deleteStored(set, name) })
	if r := terok(t, runOpts{env: env, stdin: name + "_" + key}, "auth", "login", name, "--with-key", "--set", set); r.code == 0 {
		t.Fatalf("the broken installed copy logged in: %s", r.stderr)
	}
	withReattach := append(append([]string(nil), env...), "TEROK_REATTACH_PROVIDERS="+reattach)
	for round := 1; round <= 2; round++ {
		r := terok(t, runOpts{env: withReattach, stdin: name + "_" + key}, "auth", "login", name, "--with-key", "--set", set)
		if r.code != 0 {
			t.Fatalf("round %d: login through the plugin in debug mode: exit %d: %s", round, r.code, r.stderr)
		}
		if !strings.Contains(r.stderr, "provider "+name+" is not the installed plugin") {
			t.Errorf("round %d: login through an attached plugin did not say so: %s", round, r.stderr)
		}
	}
	if r := terok(t, runOpts{env: withReattach}, "auth", "providers"); !strings.Contains(r.stdout, "attached: debug plugin pid") {
		t.Errorf("providers does not show the attached plugin: %s", r.stdout)
	}
	if r := terok(t, runOpts{env: withReattach}, "auth", "doctor"); !strings.Contains(r.stdout, "debug reattach "+name) {
		t.Errorf("doctor does not show the attached plugin: %s", r.stdout)
	}
	if dbg.ProcessState != nil {
		t.Error("terok stopped the plugin the user started")
	}
	if got := stored(t, set, name); !strings.Contains(got, key) {
		t.Errorf("keyring holds %q", got)
	}
}
