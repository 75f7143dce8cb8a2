package e2e

// A login with callback ports under rootless podman: a throwaway user with
// its own podman storage runs terok, whose relay then goes through the
// helper `podman unshare terok __relay PORT` (see core/relay), since only
// a process in podman's user namespace may join the container's network
// namespace. The test machines run everything as root; this is the one
// test that runs terok as an ordinary user.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// rootlessUser is a throwaway user with a home, a runtime dir and podman
// settings of its own, all under one temp dir.
type rootlessUser struct {
	name              string
	uid, gid          int
	dir, home, runDir string
	terok             string // a copy of terok the user can run
	conf              string // CONTAINERS_CONF, as $CONTAINERS_CONF or testdata's
}

// newRootlessUser creates the user, and removes it, its files and every
// process it still has when t ends.
func newRootlessUser(t *testing.T) *rootlessUser {
	t.Helper()
	if testing.Short() {
		t.Skip("end to end: needs root, podman and a throwaway user (run make test)")
	}
	if os.Geteuid() != 0 {
		t.Fatal("this test creates a throwaway user to run rootless podman as: run it as root (make test does on CI machines)")
	}
	for _, tool := range []string{"podman", "newuidmap", "newgidmap", "slirp4netns", "useradd", "userdel", "runuser"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("rootless podman needs %s: run `scripts/deps test rootless` (apt-get install podman uidmap slirp4netns)", tool)
		}
	}
	// Not t.TempDir(): with the user's runtime dir and home under its long
	// path, podman 4.3 waited 20 seconds for every container's exit (likely
	// the 108-byte limit of the socket paths it makes there).
	dir, err := os.MkdirTemp("", "terok-rl")
	if err != nil {
		t.Fatal(err)
	}
	// The user must get to its home, under dir.
	if err := os.Chmod(dir, 0o711); err != nil {
		t.Fatal(err)
	}
	u := &rootlessUser{
		name: fmt.Sprintf("terok-e2e-rl%d", os.Getpid()),
		dir:  dir, home: filepath.Join(dir, "home"), runDir: filepath.Join(dir, "run"),
		terok: filepath.Join(dir, "terok"), conf: filepath.Join(dir, "containers.conf"),
	}
	if out, err := exec.Command("useradd", "--no-create-home", "--home-dir", u.home, "--shell", "/bin/sh", "--user-group", u.name).CombinedOutput(); err != nil {
		_ = os.RemoveAll(dir)
		t.Fatalf("useradd %s: %v\n%s", u.name, err, out)
	}
	t.Cleanup(func() { u.remove(t) })
	for _, id := range []struct {
		flag string
		to   *int
	}{{"-u", &u.uid}, {"-g", &u.gid}} {
		out, err := exec.Command("id", id.flag, u.name).Output()
		if err != nil {
			t.Fatal(err)
		}
		if *id.to, err = strconv.Atoi(strings.TrimSpace(string(out))); err != nil {
			t.Fatal(err)
		}
	}
	// useradd gives a new user subordinate IDs when the system is set up
	// for them (Debian is); otherwise give it a range of its own.
	if !u.hasSubIDs(t) {
		first := 1<<30 + (os.Getpid()%4096)*65536
		ids := fmt.Sprintf("%d-%d", first, first+65535)
		if out, err := exec.Command("usermod", "--add-subuids", ids, "--add-subgids", ids, u.name).CombinedOutput(); err != nil {
			t.Fatalf("usermod --add-subuids %s: %v\n%s", ids, err, out)
		}
	}
	for _, d := range []string{u.home, u.runDir, filepath.Join(u.home, "tmp")} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(d, u.uid, u.gid); err != nil {
			t.Fatal(err)
		}
	}
	bin, err := os.ReadFile(filepath.Join(binDir, "terok"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(u.terok, bin, 0o755); err != nil {
		t.Fatal(err)
	}
	base := os.Getenv("CONTAINERS_CONF")
	if base == "" {
		base = "testdata/containers.conf"
	}
	conf, err := os.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(u.conf, conf, 0o644); err != nil {
		t.Fatal(err)
	}
	return u
}

func (u *rootlessUser) hasSubIDs(t *testing.T) bool {
	t.Helper()
	for _, f := range []string{"/etc/subuid", "/etc/subgid"} {
		b, err := os.ReadFile(f)
		if err != nil || !strings.Contains("\n"+string(b), "\n"+u.name+":") {
			return false
		}
	}
	return true
}

// argv is argv run as the user, in a clean environment of its own.
func (u *rootlessUser) argv(argv ...string) []string {
	return append([]string{"runuser", "-u", u.name, "--", "env", "-i",
		"HOME=" + u.home, "XDG_RUNTIME_DIR=" + u.runDir, "TMPDIR=" + filepath.Join(u.home, "tmp"),
		"PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "LANG=C.UTF-8", "CONTAINERS_CONF=" + u.conf}, argv...)
}

func (u *rootlessUser) command(argv ...string) *exec.Cmd {
	a := u.argv(argv...)
	return exec.Command(a[0], a[1:]...)
}

// procs lists the user's processes as pid → argv.
func (u *rootlessUser) procs() map[int][]string {
	out := map[int][]string{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		info, err := os.Stat(filepath.Join("/proc", e.Name()))
		if err != nil || int(info.Sys().(*syscall.Stat_t).Uid) != u.uid {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		out[pid] = strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
	}
	return out
}

// pausePID is rootless podman's own pause process, which holds its user
// namespace between podman commands and is meant to outlive them.
func (u *rootlessUser) pausePID() int {
	b, _ := os.ReadFile(filepath.Join(u.runDir, "libpod", "tmp", "pause.pid"))
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return n
}

// remove kills the user's processes (its podman's pause process, and
// whatever a failed test left), then deletes the user and its files.
func (u *rootlessUser) remove(t *testing.T) {
	if u.uid != 0 {
		waitFor(10*time.Second, func() bool {
			procs := u.procs()
			for pid := range procs {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
			return len(procs) == 0
		})
		if left := u.procs(); len(left) > 0 {
			t.Errorf("processes of %s still running: %v", u.name, left)
		}
	}
	if out, err := exec.Command("userdel", u.name).CombinedOutput(); err != nil {
		t.Errorf("userdel %s: %v\n%s", u.name, err, out)
	}
	for _, f := range []string{"/etc/subuid", "/etc/subgid"} {
		if b, _ := os.ReadFile(f); strings.Contains("\n"+string(b), "\n"+u.name+":") {
			t.Errorf("%s still lists %s after userdel", f, u.name)
		}
	}
	// podman's storage holds files of the user's subordinate IDs with
	// modes only root gets through.
	if err := os.RemoveAll(u.dir); err != nil {
		t.Errorf("remove %s: %v", u.dir, err)
	}
}

// TestRootlessGlabWebLoginThroughTheRelay: an ordinary user's glab web
// login (the stand-in, bound to the container's 127.0.0.1:7171) under
// rootless podman gets the browser's redirect from the host's
// 127.0.0.1:7171 through the relay helper, and stores the credential;
// afterwards no container, no helper and no private dir is left. Both
// rootless network set-ups: none (runc makes the container's network
// namespace, inside the container's user namespace) and podman's default
// slirp4netns (podman makes it, in its own user namespace).
func TestRootlessGlabWebLoginThroughTheRelay(t *testing.T) {
	u := newRootlessUser(t)
	lockPodman(t) // port 7171 is the rootful glab tests' too
	img := importGlabStandIn(t, u.argv())
	base, err := os.ReadFile(u.conf)
	if err != nil {
		t.Fatal(err)
	}
	useNetwork := func(t *testing.T, network string) {
		conf := strings.Replace(string(base), "[containers]\n", "[containers]\nnetns = \""+network+"\"\n", 1)
		if !strings.Contains(conf, "netns") {
			conf += "\n[containers]\nnetns = \"" + network + "\"\n"
		}
		if err := os.WriteFile(u.conf, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		if network == "slirp4netns" {
			openTun(t)
		}
	}
	for _, network := range []string{"none", "slirp4netns"} {
		t.Run(network, func(t *testing.T) {
			useNetwork(t, network)
			rootlessGlabLogin(t, u, img, "e2e-rootless-"+network)
		})
	}
	// Ctrl-C in the middle of the login: terok stops the container and the
	// helper, and stores nothing.
	t.Run("interrupted", func(t *testing.T) {
		useNetwork(t, "none")
		cmd := u.command(u.terok, "auth", "login", "glab", "--mode", "oauth", "--image", img,
			"--store", "file", "--set", "e2e-rootless-int", "--project", "e2e-rootless")
		out := &screen{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill() })
		if !waitFor(30*time.Second, func() bool { return strings.Contains(out.String(), "redirect_uri=") }) {
			t.Fatalf("glab never showed its login URL:\n%s", out)
		}
		// The signal goes to terok itself, as a terminal's Ctrl-C would,
		// not to runuser.
		for pid, argv := range u.procs() {
			if len(argv) > 2 && argv[0] == u.terok && argv[1] == "auth" {
				_ = syscall.Kill(pid, syscall.SIGINT)
			}
		}
		if code := waitExit(t, cmd); code != 130 {
			t.Errorf("exit %d after Ctrl-C, want 130:\n%s", code, out)
		}
		if _, err := os.Stat(filepath.Join(u.home, ".local", "share", "terok", "credentials", "e2e-rootless-int.json")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("a credential file after an interrupted login: %v", err)
		}
		u.assertNothingLeft(t)
	})
	// A taken port: the helper cannot bind it, and the login stops there,
	// naming the port, with nothing started and no helper left.
	t.Run("port in use", func(t *testing.T) {
		useNetwork(t, "none")
		ln, err := listenLoopback(7171)
		if err != nil {
			t.Fatalf("this test needs 127.0.0.1:7171 free to take it itself: %v", err)
		}
		defer func() { _ = ln.Close() }()
		out, err := u.command(u.terok, "auth", "login", "glab", "--mode", "oauth", "--image", img,
			"--store", "file", "--set", "e2e-rootless-port", "--project", "e2e-rootless").CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), "127.0.0.1:7171") ||
			!strings.Contains(string(out), "already taken") || !strings.Contains(string(out), "Nothing was started") ||
			strings.Contains(string(out), "$ podman run") {
			t.Errorf("%v:\n%s", err, out)
		}
		u.assertNothingLeft(t)
	})
}

// openTun lets every user open /dev/net/tun, which slirp4netns needs, as
// udev makes it on Debian (0666); these test machines have no udev and
// leave it 0600. The mode is put back when t ends.
func openTun(t *testing.T) {
	t.Helper()
	info, err := os.Stat("/dev/net/tun")
	if err != nil {
		t.Fatalf("slirp4netns needs /dev/net/tun: %v", err)
	}
	if info.Mode().Perm()&0o006 == 0o006 {
		return
	}
	if err := os.Chmod("/dev/net/tun", 0o666); err != nil {
		t.Fatal(err)
	}
	t.Logf("/dev/net/tun was %v; 0666 (as udev makes it) for this test", info.Mode().Perm())
	t.Cleanup(func() { _ = os.Chmod("/dev/net/tun", info.Mode().Perm()) })
}

func rootlessGlabLogin(t *testing.T, u *rootlessUser, img, set string) {
	t.Helper()
	cmd := u.command(u.terok, "auth", "login", "glab", "--mode", "oauth", "--image", img,
		"--store", "file", "--set", set, "--project", "e2e-rootless")
	out := &screen{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() }) // the user's own processes go with the user
	if !waitFor(30*time.Second, func() bool { return strings.Contains(out.String(), "redirect_uri=http%3A%2F%2Flocalhost%3A7171") }) {
		t.Fatalf("glab never showed its login URL:\n%s", out)
	}
	if !strings.Contains(out.String(), "Browser callback: localhost:7171") {
		t.Errorf("terok did not say where the callback arrives:\n%s", out)
	}
	// The relay is the rootless one: terok's helper, in podman's user
	// namespace, holds the host's port.
	var helpers []string
	for _, argv := range u.procs() {
		if len(argv) == 3 && argv[0] == u.terok && argv[1] == "__relay" && argv[2] == "7171" {
			helpers = append(helpers, strings.Join(argv, " "))
		}
	}
	if len(helpers) != 1 {
		t.Errorf("want one relay helper `%s __relay 7171` of %s, have %v", u.terok, u.name, u.procs())
	}
	answerGlabCallback(t, " in the rootless container", out)
	if code := waitExit(t, cmd); code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if !strings.Contains(out.String(), "Credentials captured for glab") {
		t.Errorf("output:\n%s", out)
	}
	b, err := os.ReadFile(filepath.Join(u.home, ".local", "share", "terok", "credentials", set+".json"))
	if err != nil {
		t.Fatalf("the credential file: %v\n%s", err, out)
	}
	var stored map[string]map[string]any
	if err := json.Unmarshal(b, &stored); err != nil {
		t.Fatal(err)
	}
	if c := stored["glab"]; c["type"] != "oauth" || c["access_token"] != "e2e-glab-oauth2-access-token" ||
		c["refresh_token"] != "e2e-glab-oauth2-refresh-token" || c["expires_at"] != 1796083200.0 {
		t.Errorf("the file store holds %v", c)
	}

	u.assertNothingLeft(t)
}

// assertNothingLeft checks that no login of the user left a container, a
// process (but podman's pause process) or a private dir.
func (u *rootlessUser) assertNothingLeft(t *testing.T) {
	t.Helper()
	ps, err := u.command("podman", "ps", "--all", "--filter", "label=io.terok.auth", "--format", "{{.Names}}").CombinedOutput()
	if err != nil {
		t.Fatalf("podman ps as %s: %v\n%s", u.name, err, ps)
	}
	if names := strings.TrimSpace(string(ps)); names != "" {
		t.Errorf("auth containers left behind: %s", names)
	}
	pause := u.pausePID()
	if !waitFor(5*time.Second, func() bool {
		procs := u.procs()
		delete(procs, pause)
		return len(procs) == 0
	}) {
		t.Errorf("processes of %s left after the login (besides podman's pause process %d): %v", u.name, pause, u.procs())
	}
	// Anywhere in the user's home (TMPDIR is in it), podman's storage aside.
	var left []string
	storage := filepath.Join(u.home, ".local", "share", "containers")
	_ = filepath.WalkDir(u.home, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil || !d.IsDir():
		case p == storage:
			return filepath.SkipDir
		case strings.HasPrefix(d.Name(), "terok-auth-"):
			left = append(left, p)
		}
		return nil
	})
	if len(left) > 0 {
		t.Errorf("private login dirs left behind: %v", left)
	}
}
