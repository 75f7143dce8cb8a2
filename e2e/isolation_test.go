package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// Two e2e runs on one machine (two developers, or a developer and CI)
// share podman. Login containers have fixed names (host-auth-claude, and
// <project>-auth-<provider> for the projects the tests name), and the tests
// assert those names, so instead of renaming them, every test that uses
// podman holds a lock shared by all runs on the machine while it runs: two
// runs take turns test by test instead of removing each other's containers.
// assertClean then looks only at the containers of its own test.

// podmanLockPath is the same for every run on the machine.
var podmanLockPath = filepath.Join(os.TempDir(), "terok-e2e-podman.lock")

var podmanLock struct {
	sync.Mutex
	held int // tests (and subtests) of this process holding it
	f    *os.File
}

// lockPodman takes the machine-wide lock for t, until t ends. Nested
// calls (a subtest of a test that holds it) share the one lock.
func lockPodman(t testing.TB) {
	t.Helper()
	podmanLock.Lock()
	defer podmanLock.Unlock()
	if podmanLock.held == 0 {
		f, err := os.OpenFile(podmanLockPath, os.O_RDONLY|os.O_CREATE, 0o666)
		if err != nil {
			t.Fatalf("open the e2e podman lock: %v", err)
		}
		_ = os.Chmod(podmanLockPath, 0o666) // another user's run may lock it too; umask took write bits
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
			_ = f.Close()
			t.Fatalf("lock %s: %v", podmanLockPath, err)
		}
		podmanLock.f = f
	}
	podmanLock.held++
	t.Cleanup(func() {
		podmanLock.Lock()
		defer podmanLock.Unlock()
		if podmanLock.held--; podmanLock.held == 0 {
			_ = podmanLock.f.Close() // releases the flock
			podmanLock.f = nil
		}
	})
}

// authContainersUnder lists the auth containers (label io.terok.auth) that
// mount a directory under dir: the login containers of the test whose
// TMPDIR dir is. Others' containers are not looked at.
func authContainersUnder(t *testing.T, dir string) []string {
	t.Helper()
	out, err := exec.Command("podman", "ps", "--all", "--filter", "label=io.terok.auth", "--format", "{{.ID}}").Output()
	if err != nil {
		t.Fatalf("podman ps: %v", err)
	}
	var mine []string
	for _, id := range strings.Fields(string(out)) {
		info, err := exec.Command("podman", "inspect", "--format", "{{.Name}}{{range .Mounts}} {{.Source}}{{end}}", id).Output()
		if err != nil {
			continue // gone in the meantime
		}
		fields := strings.Fields(string(info))
		if len(fields) == 0 {
			continue
		}
		for _, src := range fields[1:] {
			if src == dir || strings.HasPrefix(src, dir+string(filepath.Separator)) {
				mine = append(mine, fields[0])
				break
			}
		}
	}
	return mine
}

// TestAssertCleanSeesOnlyItsOwnContainers: a leftover login container of
// this test is found; another run's, mounting another directory, is not.
func TestAssertCleanSeesOnlyItsOwnContainers(t *testing.T) {
	requirePodman(t)
	mine, theirs := newLoginEnv(t), newLoginEnv(t)
	names := map[*loginEnv]string{mine: "e2e-isolation-mine-" + filepath.Base(mine.tmp), theirs: "e2e-isolation-theirs-" + filepath.Base(theirs.tmp)}
	for e, name := range names {
		dir := filepath.Join(e.tmp, "terok-auth-1-claude-x")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("podman", "create", "--name", name, "--label", "io.terok.auth=1",
			"-v", dir+":/home/dev/.claude:Z", vendorImage+":ok", "claude").CombinedOutput(); err != nil {
			t.Fatalf("podman create: %v\n%s", err, out)
		}
		t.Cleanup(func() { _ = exec.Command("podman", "rm", "-f", name).Run() })
	}
	if got := authContainersUnder(t, mine.tmp); len(got) != 1 || got[0] != names[mine] {
		t.Errorf("this test's containers = %v, want [%s] (and not %s)", got, names[mine], names[theirs])
	}
}
