//go:build unix

package testuser

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
)

var made atomic.Int32

// New creates a user with no home and no login shell, named from prefix,
// and returns its name and ids. When t ends, every process the user still
// has is killed and the user removed. Without root the test fails with what
// to do; in -short mode it is skipped, as every test that needs root is.
func New(t testing.TB, prefix string) (name string, uid, gid int) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs root to make a throwaway user (run make test)")
	}
	if os.Geteuid() != 0 {
		t.Fatal("this test makes a throwaway user to play another local user: run it as root (make test does on CI machines)")
	}
	for _, tool := range []string{"useradd", "userdel", "id"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("this test needs %s (apt-get install passwd)", tool)
		}
	}
	name = fmt.Sprintf("%s%d-%d", prefix, os.Getpid(), made.Add(1))
	if out, err := exec.Command("useradd", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin",
		"--user-group", name).CombinedOutput(); err != nil {
		t.Fatalf("useradd %s: %v\n%s", name, err, out)
	}
	t.Cleanup(func() {
		if uid != 0 {
			killUID(uid)
		}
		if out, err := exec.Command("userdel", name).CombinedOutput(); err != nil {
			t.Errorf("userdel %s: %v\n%s", name, err, out)
		}
	})
	for _, id := range []struct {
		flag string
		to   *int
	}{{"-u", &uid}, {"-g", &gid}} {
		out, err := exec.Command("id", id.flag, name).Output()
		if err != nil {
			t.Fatal(err)
		}
		if *id.to, err = strconv.Atoi(strings.TrimSpace(string(out))); err != nil {
			t.Fatal(err)
		}
	}
	if uid == 0 {
		t.Fatalf("%s got uid 0", name)
	}
	return name, uid, gid
}

func killUID(uid int) {
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if fi, err := os.Stat(filepath.Join("/proc", e.Name())); err == nil && int(fi.Sys().(*syscall.Stat_t).Uid) == uid {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}
