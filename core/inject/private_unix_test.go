//go:build unix

package inject

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Where exec makes its private directories (issue 19, hole 8). A runtime
// dir of another user is in e2e (TestExecRefusesAnotherUsersRuntimeDir),
// which makes that user.

// TestPrivateBaseUsesOnlyARuntimeDirNobodyElseMayWrite: the user's own
// 0700 runtime dir is used (resolved, when reached through a link); one
// others may use, or one below a directory others may write, is passed
// over for the temp dir, and debug says why.
func TestPrivateBaseUsesOnlyARuntimeDirNobodyElseMayWrite(t *testing.T) {
	base := t.TempDir()
	mk := func(p string, mode os.FileMode) string {
		t.Helper()
		if err := os.MkdirAll(p, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	own := mk(filepath.Join(base, "own"), 0o700)
	link := filepath.Join(base, "link")
	if err := os.Symlink(own, link); err != nil {
		t.Fatal(err)
	}
	open := mk(filepath.Join(base, "open"), 0o777)
	mk(filepath.Join(base, "wide"), 0o777)
	below := mk(filepath.Join(base, "wide", "run"), 0o700)
	group := mk(filepath.Join(base, "group"), 0o770)
	tmp := mk(filepath.Join(base, "tmp"), 0o700)
	t.Setenv("TMPDIR", tmp)
	for _, tc := range []struct {
		name, runtime, want, why string
	}{
		{"own", own, own, ""},
		{"a link to the user's own", link, own, ""},
		{"unset", "", tmp, ""},
		{"relative", "run/user", tmp, "not an absolute path"},
		{"writable by all", open, tmp, "others may use it"},
		{"writable by the group", group, tmp, "others may use it"},
		{"below a directory others may write", below, tmp, "others may write the directory " + filepath.Join(base, "wide")},
		{"missing", filepath.Join(base, "nope"), tmp, "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logged []string
			got, err := privateBase(func(k string) string {
				if k == "XDG_RUNTIME_DIR" {
					return tc.runtime
				}
				return os.Getenv(k)
			}, func(msg string, args ...any) { logged = append(logged, fmt.Sprint(append([]any{msg}, args...)...)) })
			if err != nil || got != tc.want {
				t.Fatalf("privateBase = %q, %v; want %q", got, err, tc.want)
			}
			switch {
			case tc.why == "" && len(logged) > 0:
				t.Errorf("logged %q, though nothing was passed over", logged)
			case tc.why != "" && (len(logged) != 1 || !strings.Contains(logged[0], tc.why) || !strings.Contains(logged[0], "XDG_RUNTIME_DIR")):
				t.Errorf("debug log %q; want one line naming XDG_RUNTIME_DIR and %q", logged, tc.why)
			}
		})
	}
}

// TestPrivateBaseRefusesATempDirOthersMayWrite: a TMPDIR everyone may
// write, not sticky, is passed over for /tmp; a sticky one of the user's
// own, like /tmp, is fine.
func TestPrivateBaseRefusesATempDirOthersMayWrite(t *testing.T) {
	base := t.TempDir()
	open := filepath.Join(base, "open")
	sticky := filepath.Join(base, "sticky")
	for p, mode := range map[string]os.FileMode{open: 0o777, sticky: 0o777 | os.ModeSticky} {
		if err := os.Mkdir(p, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
	}
	getenv := func(string) string { return "" }
	t.Setenv("TMPDIR", open)
	var logged []string
	got, err := privateBase(getenv, func(msg string, args ...any) { logged = append(logged, fmt.Sprint(append([]any{msg}, args...)...)) })
	if err != nil || got != "/tmp" || len(logged) != 1 || !strings.Contains(logged[0], "others may write it") {
		t.Errorf("TMPDIR open to all: %q, %v, logged %q; want /tmp and why", got, err, logged)
	}
	t.Setenv("TMPDIR", sticky)
	if got, err := privateBase(getenv, func(string, ...any) {}); err != nil || got != sticky {
		t.Errorf("a sticky TMPDIR: %q, %v", got, err)
	}
}

// TestExecPassesOverARuntimeDirOthersCanSwap: Exec itself, with a 0700
// runtime dir of the user's own in a directory everyone may write (so
// anyone may move it away and put theirs in its place), puts CODEX_HOME
// elsewhere.
func TestExecPassesOverARuntimeDirOthersCanSwap(t *testing.T) {
	wide := filepath.Join(t.TempDir(), "wide")
	runtime := filepath.Join(wide, "run")
	if err := os.MkdirAll(runtime, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(wide, 0o777); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	out := filepath.Join(t.TempDir(), "dir")
	plan := &Plan{Dirs: []DirPlan{{Provider: "codex", Var: "CODEX_HOME", Files: map[string][]byte{"auth.json": []byte("{}")}}}}
	code, err := plan.Exec([]string{"sh", "-c", `printf %s "$CODEX_HOME" > "$OUT"`}, ExecConfig{
		Env:    append(os.Environ(), "OUT="+out),
		Getenv: func(k string) string { return map[string]string{"XDG_RUNTIME_DIR": runtime}[k] },
	})
	if err != nil || code != 0 {
		t.Fatalf("code %d, err %v", code, err)
	}
	dir, _ := os.ReadFile(out)
	if !strings.HasPrefix(string(dir), tmp+"/"+DirPrefix) {
		t.Errorf("CODEX_HOME was %s; want it in %s, not in the runtime dir others can swap", dir, tmp)
	}
}
