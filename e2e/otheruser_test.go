package e2e

// Holes 8 to 12 of issue 19, through the real binaries: what another local
// user could do with a runtime dir, a script's interpreter or a file store
// directory of theirs, and what a second keyring item or a special file in
// the file store did to terok. A throwaway user is made for each test that
// needs one, and removed after.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/terok-ai/terok-auth/internal/testuser"
)

// otherUser is a throwaway local user, with no home and no login.
type otherUser struct {
	name     string
	uid, gid int
}

// newOtherUser creates a user, and removes it, with every process it still
// has, when t ends.
func newOtherUser(t *testing.T) *otherUser {
	t.Helper()
	name, uid, gid := testuser.New(t, "terok-e2e-ou")
	return &otherUser{name: name, uid: uid, gid: gid}
}

// own gives path to the user, with mode.
func (u *otherUser) own(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chown(path, u.uid, u.gid); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// sharedTemp is a temp dir others may pass through (not t.TempDir(), whose
// parent only its owner may enter), as /run/user or /home are.
func sharedTemp(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "terok-ou")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// homeEnv is a terok of its own: config, data, state and cache dirs.
func homeEnv(t *testing.T, extra ...string) runOpts {
	t.Helper()
	home := t.TempDir()
	return runOpts{env: append([]string{
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"), "XDG_DATA_HOME=" + filepath.Join(home, "data"),
		"XDG_STATE_HOME=" + filepath.Join(home, "state"), "XDG_CACHE_HOME=" + filepath.Join(home, "cache"),
	}, extra...)}
}

func dataDir(o runOpts) string {
	for _, kv := range o.env {
		if v, ok := strings.CutPrefix(kv, "XDG_DATA_HOME="); ok {
			return v
		}
	}
	return ""
}

// TestExecRefusesAnotherUsersRuntimeDir (hole 8): root run with another
// user's XDG_RUNTIME_DIR (theirs, mode 0700) does not make CODEX_HOME
// there, where that user could swap the files codex reads; it falls back
// to the temp dir, and says why at debug level. On main CODEX_HOME was
// made in it.
func TestExecRefusesAnotherUsersRuntimeDir(t *testing.T) {
	e := newInjectEnv(t)
	u := newOtherUser(t)
	theirs := filepath.Join(sharedTemp(t), "run")
	if err := os.Mkdir(theirs, 0o700); err != nil {
		t.Fatal(err)
	}
	u.own(t, theirs, 0o700)
	set := "e2e-exec-foreign-run"
	cleanupStored(t, set, "codex")
	cred := `{"type":"oauth","access_token":"InjE2Eforeign.access","refresh_token":"InjE2Eforeign-refresh","id_token":"i","account_id":"a"}`
	if err := keyring.Set("terok", set+"/codex", cred); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	r := terok(t, e.with(runOpts{env: []string{"XDG_RUNTIME_DIR=" + theirs, "TEROK_LOG_LEVEL=debug", "OUT=" + out}}),
		"auth", "exec", "--set", set, "codex", "--", "sh", "-c", `printf %s "$CODEX_HOME" > "$OUT/dir"; test -f "$CODEX_HOME/auth.json"`)
	if r.code != 0 {
		t.Fatalf("exec: exit %d: %s", r.code, r.stderr)
	}
	dir, _ := os.ReadFile(filepath.Join(out, "dir"))
	if len(dir) == 0 || strings.HasPrefix(string(dir), theirs) {
		t.Errorf("CODEX_HOME was %q, in the runtime dir of %s", dir, u.name)
	}
	if !strings.Contains(r.stderr, "XDG_RUNTIME_DIR") || !strings.Contains(r.stderr, fmt.Sprintf("belongs to another user (uid %d)", u.uid)) {
		t.Errorf("the debug log does not say why the runtime dir was passed over:\n%s", r.stderr)
	}
	if left, _ := os.ReadDir(theirs); len(left) > 0 {
		t.Errorf("terok left %v in the other user's runtime dir", left)
	}
}

// TestScriptPluginRefusesAnotherUsersInterpreter (hole 9): a trusted
// Python plugin whose #! interpreter (a wrapper script) becomes another
// user's is refused at the next start and when trusted again; that user
// could otherwise change the interpreter and run their code as the victim
// with the pin unchanged. On main the login went ahead.
func TestScriptPluginRefusesAnotherUsersInterpreter(t *testing.T) {
	requireKeyring(t)
	u := newOtherUser(t)
	script := pythonPlugin(t)
	bin := filepath.Join(sharedTemp(t), "bin")
	interp := filepath.Join(bin, "python3-wrapper")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(interp, []byte("#!/bin/sh\nexec /usr/bin/python3 \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(data), "\n")
	if err := os.WriteFile(script, []byte("#!"+interp+"\n"+rest), 0o755); err != nil {
		t.Fatal(err)
	}
	o := homeEnv(t, "TEROK_PLUGIN_PATH="+filepath.Dir(script))
	const set = "e2e-foreign-interp"
	t.Cleanup(func() { _ = deleteStored(set, "pyacme") })
	login := func() result {
		lo := o
		lo.stdin = pyKey
		return terok(t, lo, "auth", "login", "pyacme", "--with-key", "--set", set)
	}
	if r := terok(t, o, "auth", "plugins", "trust", script); r.code != 0 {
		t.Fatalf("trust with root's interpreter: exit %d: %s", r.code, r.stderr)
	}
	if r := login(); r.code != 0 {
		t.Fatalf("login with root's interpreter: exit %d: %s", r.code, r.stderr)
	}
	_ = deleteStored(set, "pyacme")

	u.own(t, interp, 0o755)
	want := fmt.Sprintf("%s belongs to another user (uid %d)", interp, u.uid)
	r := login()
	if r.code != 1 || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "runs "+interp) {
		t.Errorf("login with %s's interpreter: exit %d, want 1 naming %q: %s", u.name, r.code, want, r.stderr)
	}
	if stored(t, set, "pyacme") != "" {
		t.Error("the key was stored through a plugin run by another user's interpreter")
	}
	if r := terok(t, o, "auth", "plugins", "trust", script); r.code == 0 || !strings.Contains(r.stderr, want) {
		t.Errorf("trust with %s's interpreter: exit %d: %s", u.name, r.code, r.stderr)
	}
	if r := terok(t, o, "auth", "plugins", "list"); !strings.Contains(r.stdout+r.stderr, "writable") {
		t.Errorf("plugins list does not show the plugin as writable:\n%s%s", r.stdout, r.stderr)
	}
}

// TestFileStoreRefusesAnotherUsersDirectory (hole 11): a credentials
// directory that is a link into another user's directory, or that is
// another user's, is refused: the key is not written there, and their
// directory is not chmodded; so is a set file of theirs. On main terok
// chmodded the directory 0700 and wrote the secret into it, and used
// their set file.
func TestFileStoreRefusesAnotherUsersDirectory(t *testing.T) {
	u := newOtherUser(t)
	for _, tc := range []struct {
		name  string
		plant func(t *testing.T, creds, theirs string)
		want  string
	}{
		{"a link to theirs", func(t *testing.T, creds, theirs string) {
			if err := os.Symlink(theirs, creds); err != nil {
				t.Fatal(err)
			}
		}, "is a symbolic link"},
		{"theirs", func(t *testing.T, creds, _ string) {
			if err := os.Mkdir(creds, 0o700); err != nil {
				t.Fatal(err)
			}
			u.own(t, creds, 0o755)
		}, fmt.Sprintf("belongs to another user (uid %d)", u.uid)},
		{"a set file of theirs", func(t *testing.T, creds, _ string) {
			if err := os.Mkdir(creds, 0o700); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(creds, "e2e-foreign-store.json")
			if err := os.WriteFile(p, []byte(`{"codex":{"type":"api_key","key":"sk-proj-planted0123456789"}}`), 0o600); err != nil {
				t.Fatal(err)
			}
			u.own(t, p, 0o600)
		}, fmt.Sprintf("belongs to another user (uid %d)", u.uid)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := homeEnv(t, "TEROK_CREDENTIAL_STORE=file")
			theirs := filepath.Join(sharedTemp(t), "theirs")
			if err := os.Mkdir(theirs, 0o755); err != nil {
				t.Fatal(err)
			}
			u.own(t, theirs, 0o755)
			creds := filepath.Join(dataDir(o), "terok", "credentials")
			if err := os.MkdirAll(filepath.Dir(creds), 0o700); err != nil {
				t.Fatal(err)
			}
			tc.plant(t, creds, theirs)
			const set = "e2e-foreign-store"
			lo := o
			lo.stdin = codexKey
			r := terok(t, lo, "auth", "login", "codex", "--with-key", "--set", set)
			if r.code != 1 || !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, creds) {
				t.Errorf("login: exit %d, want 1 naming %s and %q: %s", r.code, creds, tc.want, r.stderr)
			}
			for _, d := range []string{theirs, creds} {
				if fi, err := os.Lstat(d); err == nil && fi.IsDir() && fi.Mode().Perm() != 0o755 && tc.name != "a set file of theirs" {
					t.Errorf("%s was chmodded to %v", d, fi.Mode().Perm())
				}
				if found := filesHolding(t, codexKey, d); len(found) > 0 {
					t.Errorf("the key was written to %v", found)
				}
			}
			if r := terok(t, o, "auth", "token", "codex", "--set", set); r.code == 0 || r.stdout != "" || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("token: exit %d, stdout %q: %s", r.code, r.stdout, r.stderr)
			}
		})
	}
}

// TestFileStoreSpecialSetFilesDoNotHangTerok (hole 12): a set file that is
// a named pipe is refused at once, by token and login alike, and a 200 MB
// one from its size. On main token blocked in open(2), deaf to SIGINT and
// SIGTERM, until the test's own timeout killed it.
func TestFileStoreSpecialSetFilesDoNotHangTerok(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end: needs the built binaries")
	}
	o := homeEnv(t, "TEROK_CREDENTIAL_STORE=file")
	creds := filepath.Join(dataDir(o), "terok", "credentials")
	if err := os.MkdirAll(creds, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(creds, "e2e-fifo.json"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(creds, "e2e-huge.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(200 << 20); err != nil { // sparse
		t.Fatal(err)
	}
	_ = f.Close()
	for set, want := range map[string]string{"e2e-fifo": "it is a named pipe", "e2e-huge": "too large"} {
		for _, args := range [][]string{{"token", "codex"}, {"login", "codex", "--with-key"}} {
			ro := o
			ro.stdin = codexKey
			r := terok(t, ro, append(append([]string{"auth"}, args...), "--set", set)...)
			if r.code != 1 || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "move it aside") {
				t.Errorf("%s %v: exit %d after %v, want 1 saying %q and what to do: %s", set, args, r.code, r.elapsed, want, r.stderr)
			}
		}
	}
	// SIGTERM, once terok has had the time to take its signals (main then
	// sat in open(2) and ignored it), leaves no terok running: it has ended
	// by itself, or ends now.
	cmd := exec.Command(filepath.Join(binDir, "terok"), "auth", "token", "codex", "--set", "e2e-fifo")
	cmd.Env = append(os.Environ(), o.env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case werr := <-done: // the refusal's exit status, or SIGTERM's
		t.Logf("terok ended: %v", werr)
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Error("terok did not end after SIGTERM")
	}
}

// TestLogoutRemovesEveryKeyringItemOfTheAccount (hole 10): a second item of
// the account in the real Secret Service, written by another program
// (secret-tool) with an extra attribute, is removed by logout, and status
// then finds nothing. On main logout said "Logged out" and status still
// reported claude logged in.
func TestLogoutRemovesEveryKeyringItemOfTheAccount(t *testing.T) {
	requireKeyring(t)
	if _, err := exec.LookPath("secret-tool"); err != nil {
		t.Fatal("this test needs secret-tool: apt-get install libsecret-tools (make test installs it)")
	}
	o := homeEnv(t)
	const set = "e2e-logout-two"
	account := set + "/claude"
	t.Cleanup(func() { _ = exec.Command("secret-tool", "clear", "service", "terok", "username", account).Run() })
	lo := o
	lo.stdin = apiKeys["claude"]
	if r := terok(t, lo, "auth", "login", "claude", "--with-key", "--set", set); r.code != 0 {
		t.Fatalf("login: exit %d: %s", r.code, r.stderr)
	}
	cmd := exec.Command("secret-tool", "store", "--label=written by another program", "service", "terok", "username", account, "application", "other")
	cmd.Stdin = strings.NewReader(`{"type":"api_key","key":"sk-ant-api03-SecondItem0123456789abcdefXYZ"}`)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("secret-tool store: %v\n%s", err, out)
	}
	r := terok(t, o, "auth", "logout", "claude", "--set", set)
	if r.code != 0 || !strings.Contains(r.stderr, "Logged out of claude") {
		t.Errorf("logout: exit %d: %s", r.code, r.stderr)
	}
	if st, r := statusOf(t, o, "claude", "--set", set); r.code != 4 || st.Authenticated {
		t.Errorf("status after logout: exit %d, %+v", r.code, st)
	}
	if out, _ := exec.Command("secret-tool", "search", "--all", "service", "terok", "username", account).CombinedOutput(); strings.Contains(string(out), "username") {
		t.Errorf("items of %s left after logout:\n%s", account, out)
	}
}
