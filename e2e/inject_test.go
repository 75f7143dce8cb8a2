package e2e

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/terok-ai/terok-auth/core/yamlprov"
	claude "github.com/terok-ai/terok-auth/plugins/claude/provider"
	codex "github.com/terok-ai/terok-auth/plugins/codex/provider"
	providersd "github.com/terok-ai/terok-auth/providers.d"
	"github.com/terok-ai/terok-auth/sdk"
)

// apiKeys are keys each bundled provider with an API key accepts; each is
// unique, so finding its bytes anywhere means that provider's key leaked.
var apiKeys = map[string]string{
	"claude":     "sk-ant-api03-InjE2Eclaude0123456789abcdefXYZ",
	"codex":      "sk-proj-InjE2Ecodex0123456789abcdefXYZ",
	"gh":         "ghp_InjE2Egh0123456789abcdefXYZabc",
	"glab":       "glpat-InjE2Eglab0123456789abcdef",
	"vibe":       "InjE2Evibe0123456789abcdefXYZ",
	"sonar":      "InjE2Esonar0123456789abcdefXYZ",
	"coderabbit": "InjE2Ecoderabbit0123456789abcdef",
	"openrouter": "sk-or-v1-InjE2Eopenrouter0123456789",
	"blablador":  "InjE2Eblablador0123456789abcdefXYZ",
	"kisski":     "InjE2Ekisski0123456789abcdefXYZ",
}

// injectEnv is a terok with directories of its own: what a user's config,
// data (mounts), state and runtime dirs are.
type injectEnv struct {
	config, data, state, cache, runtime, mounts string
	opts                                        runOpts
}

func newInjectEnv(t *testing.T, extra ...string) *injectEnv {
	t.Helper()
	requireKeyring(t)
	root := t.TempDir()
	e := &injectEnv{
		config: filepath.Join(root, "config"), data: filepath.Join(root, "data"), state: filepath.Join(root, "state"),
		cache: filepath.Join(root, "cache"), runtime: filepath.Join(root, "run"),
	}
	e.mounts = filepath.Join(e.data, "terok", "mounts")
	for _, d := range []string{e.config, e.data, e.state, e.cache, e.runtime} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	e.opts.env = append([]string{
		"XDG_CONFIG_HOME=" + e.config, "XDG_DATA_HOME=" + e.data, "XDG_STATE_HOME=" + e.state,
		"XDG_CACHE_HOME=" + e.cache, "XDG_RUNTIME_DIR=" + e.runtime,
	}, extra...)
	return e
}

func (e *injectEnv) with(o runOpts) runOpts {
	o.env = append(append([]string(nil), e.opts.env...), o.env...)
	return o
}

// filesHolding lists the files under the dirs whose content holds needle.
func filesHolding(t *testing.T, needle string, dirs ...string) []string {
	t.Helper()
	var found []string
	for _, d := range dirs {
		_ = filepath.WalkDir(d, func(p string, de fs.DirEntry, err error) error {
			if err != nil || !de.Type().IsRegular() {
				return nil
			}
			if data, err := os.ReadFile(p); err == nil && bytes.Contains(data, []byte(needle)) {
				found = append(found, p)
			}
			return nil
		})
	}
	return found
}

func allFiles(dir string) []string {
	var out []string
	_ = filepath.WalkDir(dir, func(p string, de fs.DirEntry, err error) error {
		if err == nil && de.Type().IsRegular() {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

func cleanupStored(t *testing.T, set string, providers ...string) {
	t.Cleanup(func() {
		for _, p := range providers {
			_ = keyring.Delete("terok", set+"/"+p)
		}
	})
}

// TestNoSecretOutsideTheStore logs in to every bundled provider that takes
// an API key, with files an earlier terok left planted in the shared config
// dirs, and looks for the key's bytes everywhere terok writes.
func TestNoSecretOutsideTheStore(t *testing.T) {
	e := newInjectEnv(t)
	set := "e2e-nosecret"
	for provider, key := range apiKeys {
		t.Run(provider, func(t *testing.T) {
			cleanupStored(t, set, provider)
			// What terok before this change wrote for openrouter,
			// blablador, kisski (config.json) and vibe (.env).
			legacy, content := filepath.Join(e.mounts, "_"+provider+"-config", "config.json"), `{"api_key": "`+key+`"}`
			if provider == "vibe" {
				legacy, content = filepath.Join(e.mounts, "_vibe-config", ".env"), "MISTRAL_API_KEY="+key+"\n"
			}
			if err := os.MkdirAll(filepath.Dir(legacy), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(legacy, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			r := terok(t, e.with(runOpts{stdin: key}), "auth", "login", provider, "--mode", "api-key", "--with-key", "--set", set)
			if r.code != 0 {
				t.Fatalf("login: exit %d: %s", r.code, r.stderr)
			}
			if !strings.Contains(stored(t, set, provider), key) {
				t.Fatal("the key is not in the keyring")
			}
			if leaks := filesHolding(t, key, e.mounts, e.state, e.config, e.cache); len(leaks) > 0 {
				t.Errorf("after login, the key is in %v", leaks)
			}
			if !strings.Contains(r.stderr, "Removed "+legacy) {
				t.Errorf("login did not say it removed the leftover:\n%s", r.stderr)
			}

			// A copy planted after the login: doctor names it and says how
			// to remove it.
			planted := filepath.Join(e.mounts, "_"+provider+"-config", "copied.env")
			if err := os.WriteFile(planted, []byte("KEY="+key+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			r = terok(t, e.opts, "auth", "doctor", "--json")
			var checks []check
			if err := json.Unmarshal([]byte(r.stdout), &checks); err != nil {
				t.Fatalf("doctor --json: %v\n%s", err, r.stdout)
			}
			flagged := false
			for _, c := range checks {
				if c.Name == "secret in a shared dir" && c.Status == "fail" && strings.Contains(c.Detail, planted) && strings.Contains(c.Fix, "rm ") {
					flagged = true
				}
			}
			if !flagged || r.code == 0 {
				t.Errorf("doctor (exit %d) did not flag %s: %s", r.code, planted, r.stdout)
			}

			before := allFiles(e.mounts)
			r = terok(t, e.opts, "auth", "logout", provider, "--set", set)
			if r.code != 0 {
				t.Fatalf("logout: exit %d: %s", r.code, r.stderr)
			}
			if stored(t, set, provider) != "" {
				t.Error("logout left the credential in the keyring")
			}
			if leaks := filesHolding(t, key, e.mounts, e.state, e.config, e.cache); len(leaks) > 0 {
				t.Errorf("after logout, the key is still in %v", leaks)
			}
			for _, f := range before {
				if strings.Contains(f, "_"+provider+"-config") {
					if _, err := os.Stat(f); err == nil {
						t.Errorf("logout left %s, which the login or a leak put there", f)
					}
				}
			}
		})
	}
}

// declared renders what a bundled provider declares for c, as the test's
// own expectation.
func declared(t *testing.T, provider string, c sdk.Credential) *sdk.Rendered {
	t.Helper()
	var p sdk.Injector
	switch provider {
	case "claude":
		p = claude.New()
	case "codex":
		p = codex.New()
	default:
		data, err := fs.ReadFile(providersd.FS, provider+".yaml")
		if err != nil {
			t.Fatal(err)
		}
		f, err := yamlprov.Load(provider+".yaml", data)
		if err != nil {
			t.Fatal(err)
		}
		p = yamlprov.New(f)
	}
	decl, err := p.Injection(context.Background(), &sdk.InjectionRequest{})
	if err != nil {
		t.Fatal(err)
	}
	in, ok := decl.For(c.Type)
	if !ok {
		t.Fatalf("%s declares nothing for %s", provider, c.Type)
	}
	r, err := in.Render(c)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// argvWatch scans every process's command line until stopped, and reports
// the first that holds any of secrets. scanned counts the scans so far.
func argvWatch(secrets ...string) (stop func() (leak string, scans int), scanned func() int64) {
	done := make(chan struct{})
	result := make(chan [2]any, 1)
	var count atomic.Int64
	go func() {
		for {
			select {
			case <-done:
				result <- [2]any{"", int(count.Load())}
				return
			default:
			}
			files, _ := filepath.Glob("/proc/[0-9]*/cmdline")
			for _, f := range files {
				data, _ := os.ReadFile(f)
				for _, s := range secrets {
					if bytes.Contains(data, []byte(s)) {
						<-done
						result <- [2]any{f + ": " + strings.ReplaceAll(string(data), "\x00", " "), int(count.Load())}
						return
					}
				}
			}
			count.Add(1)
			time.Sleep(5 * time.Millisecond)
		}
	}()
	return func() (string, int) {
		close(done)
		r := <-result
		return r[0].(string), r[1].(int)
	}, count.Load
}

// releaseAfterScans creates release once the command has started (started
// exists) and the watch has scanned every command line n more times, so
// the command is seen while it runs, however slow the machine.
func releaseAfterScans(scanned func() int64, started, release string, n int64) {
	go func() {
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			if _, err := os.Stat(started); err == nil {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		from := scanned()
		for scanned() < from+n && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		_ = os.WriteFile(release, nil, 0o600)
	}()
}

// TestExecHandsEachProviderItsCredential runs, for every bundled provider
// (and the OAuth credentials of claude and codex), a command that records
// its environment and private files, and checks them against the
// provider's declaration, while watching every command line for the secret.
func TestExecHandsEachProviderItsCredential(t *testing.T) {
	e := newInjectEnv(t)
	set := "e2e-exec"
	type tc struct {
		name, provider string
		cred           sdk.Credential
	}
	var cases []tc
	for provider := range apiKeys {
		cases = append(cases, tc{provider, provider, sdk.Credential{}})
	}
	future := float64(time.Now().Add(time.Hour).Unix())
	cases = append(cases,
		tc{"claude-oauth", "claude", sdk.Credential{Type: sdk.TypeOAuth, Fields: map[string]any{"access_token": "sk-ant-oat01-InjE2Eaccess", "refresh_token": "sk-ant-ort01-InjE2Erefresh", "expires_at": future}}},
		tc{"codex-oauth", "codex", sdk.Credential{Type: sdk.TypeOAuth, Fields: map[string]any{"access_token": "InjE2Ecodex.access.tok", "refresh_token": "InjE2Ecodex-refresh", "id_token": "InjE2Ecodex.id.tok", "account_id": "acct-1", "expires_at": future}}},
	)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := set + "-" + c.name
			cleanupStored(t, s, c.provider)
			cred := c.cred
			if cred.Type == "" {
				r := terok(t, e.with(runOpts{stdin: apiKeys[c.provider]}), "auth", "login", c.provider, "--mode", "api-key", "--with-key", "--set", s)
				if r.code != 0 {
					t.Fatalf("login: %s", r.stderr)
				}
				if err := json.Unmarshal([]byte(stored(t, s, c.provider)), &cred); err != nil {
					t.Fatal(err)
				}
			} else {
				data, _ := json.Marshal(cred)
				if err := keyring.Set("terok", s+"/"+c.provider, string(data)); err != nil {
					t.Fatal(err)
				}
			}
			want := declared(t, c.provider, cred)
			var secrets []string
			for _, v := range cred.Fields {
				if str, ok := v.(string); ok && len(str) > 12 {
					secrets = append(secrets, str)
				}
			}

			out := t.TempDir()
			// The command waits until every command line has been scanned a
			// few times while it runs.
			script := `env -0 > "$OUT/env"; while [ ! -e "$OUT/release" ]; do sleep 0.02; done`
			if want.DirEnv != "" {
				script += `; cp -r "$` + want.DirEnv + `" "$OUT/dir"; stat -c %a "$` + want.DirEnv + `" > "$OUT/mode"`
			}
			stop, scanned := argvWatch(secrets...)
			releaseAfterScans(scanned, filepath.Join(out, "env"), filepath.Join(out, "release"), 5)
			r := terok(t, e.with(runOpts{env: []string{"OUT=" + out}}), "auth", "exec", "--set", s, c.provider, "--", "sh", "-c", script)
			leak, scans := stop()
			if r.code != 0 {
				t.Fatalf("exec: exit %d: %s", r.code, r.stderr)
			}
			if leak != "" {
				t.Errorf("a secret was on a command line: %s", leak)
			}
			if scans < 5 {
				t.Errorf("only %d scans of the command lines during the run", scans)
			}
			envData, err := os.ReadFile(filepath.Join(out, "env"))
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, kv := range strings.Split(string(envData), "\x00") {
				if k, v, ok := strings.Cut(kv, "="); ok {
					got[k] = v
				}
			}
			for k, v := range want.Env {
				if got[k] != v {
					t.Errorf("%s = %q, want %q (the declaration)", k, got[k], v)
				}
			}
			if want.DirEnv != "" {
				dir := got[want.DirEnv]
				if !strings.HasPrefix(dir, e.runtime+"/") {
					t.Errorf("%s = %q, not in the runtime dir %s", want.DirEnv, dir, e.runtime)
				}
				for p, content := range want.Files {
					data, err := os.ReadFile(filepath.Join(out, "dir", p))
					if err != nil || !bytes.Equal(data, content) {
						t.Errorf("%s/%s = %q, %v; want %q", want.DirEnv, p, data, err, content)
					}
				}
				if mode, _ := os.ReadFile(filepath.Join(out, "mode")); string(mode) != "700\n" {
					t.Errorf("private dir mode %q", mode)
				}
				if _, err := os.Stat(dir); !os.IsNotExist(err) {
					t.Errorf("the private dir %s is still there: %v", dir, err)
				}
			}
			if left, _ := filepath.Glob(filepath.Join(e.runtime, "terok-exec-*")); len(left) > 0 {
				t.Errorf("private dirs left: %v", left)
			}
		})
	}
}

// TestExecExitCodesAndSignals: the command's code is terok's, a signal to
// terok reaches the command, and the private dir goes in every case.
func TestExecExitCodesAndSignals(t *testing.T) {
	e := newInjectEnv(t)
	set := "e2e-exec-codes"
	cleanupStored(t, set, "codex")
	cred := `{"type":"oauth","access_token":"InjE2Ecodes.access","refresh_token":"InjE2Ecodes-refresh","id_token":"i","account_id":"a"}`
	if err := keyring.Set("terok", set+"/codex", cred); err != nil {
		t.Fatal(err)
	}
	for _, code := range []int{0, 3} {
		r := terok(t, e.opts, "auth", "exec", "--set", set, "codex", "--", "sh", "-c", fmt.Sprintf(`test -f "$CODEX_HOME/auth.json" && exit %d`, code))
		if r.code != code {
			t.Errorf("exit %d, want %d: %s", r.code, code, r.stderr)
		}
		if r.stderr != "" {
			t.Errorf("terok said something about a command that exited %d: %q", code, r.stderr)
		}
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			out := t.TempDir()
			cmd := exec.Command(filepath.Join(binDir, "terok"), "auth", "exec", "--set", set, "codex", "--",
				"sh", "-c", `echo "$CODEX_HOME" > "$OUT/dir"; exec sleep 30`)
			cmd.Env = append(append(os.Environ(), e.opts.env...), "OUT="+out)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if !waitFor(10*time.Second, func() bool { b, _ := os.ReadFile(filepath.Join(out, "dir")); return len(b) > 0 }) {
				_ = cmd.Process.Kill()
				t.Fatalf("the command did not start: %s", stderr.String())
			}
			time.Sleep(100 * time.Millisecond) // let sh exec sleep
			_ = cmd.Process.Signal(sig)
			err := cmd.Wait()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			}
			if want := 128 + int(sig); code != want {
				t.Errorf("exit %d, want %d: %s", code, want, stderr.String())
			}
			dir, _ := os.ReadFile(filepath.Join(out, "dir"))
			if _, err := os.Stat(strings.TrimSpace(string(dir))); !os.IsNotExist(err) {
				t.Errorf("private dir %s left after %s", dir, sig)
			}
		})
	}
	// A command killed outright: its code says so, the dir still goes.
	r := terok(t, e.opts, "auth", "exec", "--set", set, "codex", "--", "sh", "-c", `kill -KILL $$`)
	if r.code != 128+9 {
		t.Errorf("killed command: exit %d: %s", r.code, r.stderr)
	}
	if left, _ := filepath.Glob(filepath.Join(e.runtime, "terok-exec-*")); len(left) > 0 {
		t.Errorf("private dirs left: %v", left)
	}
	// A container gets the variable by name: podman run -e GH_TOKEN. The
	// stand-in for podman here is env, which sees what podman would.
	cleanupStored(t, set, "gh")
	if r := terok(t, e.with(runOpts{stdin: apiKeys["gh"]}), "auth", "login", "gh", "--mode", "api-key", "--with-key", "--set", set); r.code != 0 {
		t.Fatal(r.stderr)
	}
	r = terok(t, e.opts, "auth", "exec", "--set", set, "gh", "--", "sh", "-c", `printenv GH_TOKEN`)
	if r.code != 0 || strings.TrimSpace(r.stdout) != apiKeys["gh"] {
		t.Errorf("gh: exit %d, GH_TOKEN %q: %s", r.code, r.stdout, r.stderr)
	}
}

func TestExecAndEnvRefuseAnExpiredCredential(t *testing.T) {
	e := newInjectEnv(t)
	set := "e2e-expired"
	cleanupStored(t, set, "claude")
	// No refresh token: nothing renews it (see refresh_test.go for one
	// that does).
	seedValue := `{"type":"oauth","access_token":"InjE2Eexpired-access","expires_at":1000}`
	if err := keyring.Set("terok", set+"/claude", seedValue); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"exec", "--set", set, "claude", "--", "true"}, {"env", "--set", set, "claude"}} {
		r := terok(t, e.opts, append([]string{"auth"}, args...)...)
		if r.code != 4 || !strings.Contains(r.stderr, "terok auth login claude --set "+set) || !strings.Contains(r.stderr, "--allow-expired") {
			t.Errorf("%v: exit %d: %s", args, r.code, r.stderr)
		}
	}
	r := terok(t, e.opts, "auth", "env", "--set", set, "--allow-expired", "claude")
	if r.code != 0 || !strings.Contains(r.stdout, "CLAUDE_CODE_OAUTH_TOKEN='InjE2Eexpired-access'") {
		t.Errorf("--allow-expired: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	r = terok(t, e.opts, "auth", "env", "--set", "e2e-nothing-here", "claude")
	if r.code != 2 || !strings.Contains(r.stderr, `unknown set "e2e-nothing-here"`) || !strings.Contains(r.stderr, "terok auth login claude --set e2e-nothing-here") {
		t.Errorf("not stored: exit %d: %s", r.code, r.stderr)
	}
}

// TestEnvRoundTripsThroughItsConsumers: values with quotes, $, spaces,
// backslashes and newlines come out of each format's consumer as stored.
func TestEnvRoundTripsThroughItsConsumers(t *testing.T) {
	if _, err := exec.LookPath("jq"); err != nil {
		t.Fatal("jq is needed for this test: apt-get install jq (scripts/deps test installs it)")
	}
	e := newInjectEnv(t)
	set := "e2e-env"
	hard := map[string]string{
		"sonar":      `it's "quoted" $HOME ${PATH} $(id) ` + "`id`" + ` back\slash` + "\nsecond line\twith tab",
		"openrouter": "sk-or-v1 with spaces and 'single' \"double\" $$ \\n literal",
	}
	names := map[string]string{"sonar": "SONAR_TOKEN", "openrouter": "OPENROUTER_API_KEY"}
	for p, v := range hard {
		cleanupStored(t, set, p)
		data, _ := json.Marshal(map[string]string{"type": "api_key", "key": v})
		if err := keyring.Set("terok", set+"/"+p, string(data)); err != nil {
			t.Fatal(err)
		}
	}
	get := func(format string) string {
		t.Helper()
		r := terok(t, e.opts, "auth", "env", "--set", set, "--format", format, "sonar,openrouter")
		if r.code != 0 {
			t.Fatalf("env --format %s: exit %d: %s", format, r.code, r.stderr)
		}
		return r.stdout
	}
	consume := func(stdin string, argv ...string) string {
		t.Helper()
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%v: %v", argv, err)
		}
		return string(out)
	}

	shell := get("shell")
	for p, v := range hard {
		if got := consume(shell, "sh", "-c", `eval "$(cat)"; printf '%s' "$`+names[p]+`"`); got != v {
			t.Errorf("shell: %s = %q, want %q", names[p], got, v)
		}
	}
	// No quoting carries $ with ' through both godotenv and python-dotenv,
	// and an env file holds one variable a line: both refuse, and write
	// nothing (TestEnvFormatsReachTheirConsumers has values they carry).
	for format, why := range map[string]string{
		"dotenv":   "--format dotenv cannot carry the value of OPENROUTER_API_KEY: it holds $ together with",
		"env-file": "--format env-file cannot carry the value of SONAR_TOKEN: it holds a line break",
	} {
		r := terok(t, e.opts, "auth", "env", "--set", set, "--format", format, "sonar,openrouter")
		if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, why) {
			t.Errorf("%s: exit %d, stdout %q, stderr %s", format, r.code, r.stdout, r.stderr)
		}
	}
	js := get("json")
	for p, v := range hard {
		if got := consume(js, "jq", "-j", "."+names[p]); got != v {
			t.Errorf("json: %s = %q, want %q", names[p], got, v)
		}
	}

	// The override applies as in `terok auth token`, turned into the
	// provider's own credential (gh: a token for github.com).
	override := "ghp_InjE2Eoverride0123456789abcdef"
	r := terok(t, e.with(runOpts{env: []string{"TEROK_GH_API_KEY=" + override}}), "auth", "env", "--set", set, "gh", "--format", "json")
	var m map[string]string
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil || m["GH_TOKEN"] != override || m["GH_HOST"] != "github.com" {
		t.Errorf("override: exit %d, %v %v: %s", r.code, m, err, r.stderr)
	}

	// Files exist only while a command runs: env says to use exec.
	cleanupStored(t, set, "codex")
	if err := keyring.Set("terok", set+"/codex", `{"type":"oauth","access_token":"InjE2Eenv-codex"}`); err != nil {
		t.Fatal(err)
	}
	r = terok(t, e.opts, "auth", "env", "--set", set, "codex")
	if r.code != 2 || !strings.Contains(r.stderr, "terok auth exec codex -- COMMAND") || strings.Contains(r.stdout, "InjE2Eenv-codex") {
		t.Errorf("codex oauth through env: exit %d: %q %s", r.code, r.stdout, r.stderr)
	}
}

// The watch above would prove nothing if it could not see a secret on a
// command line: here one is.
func TestArgvWatchSeesASecretOnACommandLine(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end")
	}
	secret := fmt.Sprintf("InjE2Eargv-%d", time.Now().UnixNano())
	stop, _ := argvWatch(secret)
	if err := exec.Command("sh", "-c", "sleep 0.5", secret).Run(); err != nil {
		t.Fatal(err)
	}
	if leak, _ := stop(); !strings.Contains(leak, secret) {
		t.Errorf("the watch missed %q on a command line", secret)
	}
}

// TestExecIntoAContainer: podman run -e NAME copies the variable from the
// environment exec gives podman into the container; the token is on no
// command line on the way.
func TestExecIntoAContainer(t *testing.T) {
	e := newInjectEnv(t)
	if _, err := exec.LookPath("podman"); err != nil {
		t.Fatal("this test needs podman: run it with `make test`, which installs it (apt-get install podman runc)")
	}
	image := buildPrintenvImage(t)
	set := "e2e-exec-podman"
	cleanupStored(t, set, "gh")
	token := apiKeys["gh"]
	if r := terok(t, e.with(runOpts{stdin: token}), "auth", "login", "gh", "--mode", "api-key", "--with-key", "--set", set); r.code != 0 {
		t.Fatal(r.stderr)
	}
	stop, _ := argvWatch(token)
	r := terok(t, e.opts, "auth", "exec", "--set", set, "gh", "--",
		"podman", "run", "--rm", "--pull=never", "--network=none", "-e", "GH_TOKEN", "-e", "GH_HOST", image, "/printenv", "GH_TOKEN", "GH_HOST")
	leak, _ := stop()
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if want := "GH_TOKEN=" + token + "\nGH_HOST=github.com\n"; r.stdout != want {
		t.Errorf("the container saw %q, want %q", r.stdout, want)
	}
	if leak != "" {
		t.Errorf("the token was on a command line: %s", leak)
	}
	// The container's exit code is terok's too.
	r = terok(t, e.opts, "auth", "exec", "--set", set, "gh", "--", "podman", "run", "--rm", "--pull=never", "--network=none", image, "/nonexistent")
	if r.code == 0 {
		t.Errorf("a failing container run exited 0: %s", r.stderr)
	}
}

// buildPrintenvImage builds a FROM-scratch image holding a static
// /printenv, under a name no other test uses, removed afterwards.
func buildPrintenvImage(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "printenv")
	build := exec.Command("go", "build", "-o", bin, "./testdata/printenv")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build printenv: %v\n%s", err, out)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: "printenv", Mode: 0o755, Size: int64(len(data))}); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	rootfs := filepath.Join(dir, "rootfs.tar")
	if err := os.WriteFile(rootfs, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	image := fmt.Sprintf("localhost/terok-e2e-inject-printenv:%d", os.Getpid())
	if out, err := exec.Command("podman", "import", "--quiet", rootfs, image).CombinedOutput(); err != nil {
		t.Fatalf("podman import: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("podman", "rmi", "--force", image).Run() })
	return image
}
