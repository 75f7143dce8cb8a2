package pluginhost

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/terok-ai/terok-auth/internal/testuser"
	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/host"
)

// withPid returns the TEROK_REATTACH_PROVIDERS value with every pid
// replaced by pid, as a stale or hand-edited line would have it.
func withPid(t *testing.T, value string, pid int) string {
	t.Helper()
	var m map[string]host.Reattach
	if err := json.Unmarshal([]byte(value), &m); err != nil {
		t.Fatal(err)
	}
	for k, r := range m {
		r.Pid = pid
		m[k] = r
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// attachKey attaches a Host to provider name through the environment the
// test set and hands it key, as `terok auth login NAME --with-key` does.
// It returns the error and what the host said on stderr.
func attachKey(name, key string) (string, error) {
	var notices bytes.Buffer
	h := &Host{Trust: refuseAll{}, Notices: &notices}
	defer h.Close()
	p, stop, err := h.Start(context.Background(), Plugin{Name: "fake", Path: "/nonexistent/terok-provider-" + name})
	if err != nil {
		return notices.String(), err
	}
	defer stop()
	_, err = p.AcceptKey(context.Background(), &sdk.AcceptKeyRequest{Key: key})
	return notices.String(), err
}

// deadPid returns the pid of a process that has exited.
func deadPid(t *testing.T) int {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

func TestReattachRefusesAPidThatIsNotRunning(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a plugin process")
	}
	_, value, _ := debugChild(t, nil)
	setReattach(t, withPid(t, value, deadPid(t)))
	if _, err := attachKey("fake", "fake-123"); err == nil || !strings.Contains(err.Error(), "is not running") {
		t.Errorf("attached to a plugin whose named pid has exited: %v", err)
	}
}

// TestReattachRefusesASocketWhoseListenerIsNotTheNamedPid: the pid is a
// live process of the user (this test), but another process listens on
// the socket; SO_PEERCRED tells them apart, and nothing is sent.
func TestReattachRefusesASocketWhoseListenerIsNotTheNamedPid(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a plugin process")
	}
	_, value, got := debugChild(t, func(c *exec.Cmd) { c.Env = append(c.Env, debugChildNameEnv+"=fake") })
	setReattach(t, withPid(t, value, os.Getpid()))
	_, err := attachKey("fake", "fake-secret-1")
	if err == nil || !strings.Contains(err.Error(), "not pid "+strconv.Itoa(os.Getpid())) {
		t.Errorf("attached to a socket another process listens on: %v", err)
	}
	assertNoKey(t, got, "fake-secret-1")
}

// assertNoKey fails if the debug child printed key.
func assertNoKey(t *testing.T, got <-chan string, key string) {
	t.Helper()
	deadline := time.After(300 * time.Millisecond)
	for {
		select {
		case l, ok := <-got:
			if !ok {
				return
			}
			if strings.Contains(l, key) {
				t.Fatalf("the plugin got the key: %s", l)
			}
		case <-deadline:
			return
		}
	}
}

func TestReattachRefusesASocketInADirectoryOthersMayWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a plugin process")
	}
	dir := t.TempDir()
	sock := filepath.Join(dir, "sockets")
	if err := os.Mkdir(sock, 0o700); err != nil {
		t.Fatal(err)
	}
	_, value, got := debugChild(t, func(c *exec.Cmd) {
		c.Env = append(c.Env, debugChildNameEnv+"=fake", "PLUGIN_UNIX_SOCKET_DIR="+sock)
	})
	if err := os.Chmod(sock, 0o777); err != nil { // anyone could now swap the socket
		t.Fatal(err)
	}
	setReattach(t, value)
	_, err := attachKey("fake", "fake-secret-2")
	if err == nil || !strings.Contains(err.Error(), "writable by group or others") {
		t.Errorf("attached through a socket in a directory anyone may write: %v", err)
	}
	assertNoKey(t, got, "fake-secret-2")
}

func TestReattachRefusesTCPWithoutASecondOptIn(t *testing.T) {
	tcp := fmt.Sprintf(`{"fake":{"protocol":"grpc","protocol_version":%d,"addr":{"network":"tcp","string":"127.0.0.1:1"},"pid":%d,"test":true}}`,
		sdk.ProtocolVersion, os.Getpid())
	setReattach(t, tcp)
	if _, err := reattachFor("fake"); err == nil || !strings.Contains(err.Error(), ReattachTCPEnv+"=1") {
		t.Errorf("tcp reattach without %s: %v", ReattachTCPEnv, err)
	}
	setReattach(t, tcp, ReattachTCPEnv, "1")
	if rc, err := reattachFor("fake"); err != nil || rc == nil {
		t.Errorf("tcp reattach with %s=1: %v, %v", ReattachTCPEnv, rc, err)
	}
	// The second opt-in does not lift the pid check.
	setReattach(t, withPid(t, tcp, 1), ReattachTCPEnv, "1")
	if os.Geteuid() != 0 {
		if _, err := reattachFor("fake"); err == nil || !strings.Contains(err.Error(), "belongs to uid 0") {
			t.Errorf("tcp reattach naming root's pid 1: %v", err)
		}
	}
	setReattach(t, withPid(t, tcp, deadPid(t)), ReattachTCPEnv, "1")
	if _, err := reattachFor("fake"); err == nil || !strings.Contains(err.Error(), "is not running") {
		t.Errorf("tcp reattach naming an exited pid: %v", err)
	}
}

func TestReattachSaysSoOnStderrEveryTime(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a plugin process")
	}
	_, value, _ := debugChild(t, nil)
	setReattach(t, value)
	for round := 1; round <= 2; round++ {
		notice, err := attachKey("fake", "fake-123")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(notice, "provider fake is not the installed plugin") || !strings.Contains(notice, host.ReattachEnv) {
			t.Errorf("round %d: attaching said %q on stderr", round, notice)
		}
	}
	a, err := Attachments()
	if err != nil || len(a) != 1 || a[0].Name != "fake" || a[0].Err != nil || !strings.Contains(a[0].String(), "debug plugin pid") {
		t.Errorf("Attachments() = %+v, %v", a, err)
	}
}

// TestReattachRefusesAnotherUsersPlugin: a throwaway user serves "claude"
// in debug mode, in a socket of its own, and terok is pointed at it (the
// line copied from a shared screen, or planted in a profile). Neither its
// own pid nor a pid of the victim's gets it the key.
func TestReattachRefusesAnotherUsersPlugin(t *testing.T) {
	u := throwawayUser(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// A copy of the test binary the other user may run.
	dir, err := os.MkdirTemp("", "terok-reattach")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "pluginhost.test")
	b, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	child, value, got := debugChild(t, func(c *exec.Cmd) {
		c.Path, c.Args[0], c.Dir = bin, bin, dir
		c.Env = []string{debugChildEnv + "=1", debugChildNameEnv + "=fake", "TMPDIR=/tmp", "HOME=/"}
		c.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(u.uid), Gid: uint32(u.gid)}}
	})
	setReattach(t, value)
	_, err = attachKey("fake", "fake-secret-3")
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("pid %d belongs to uid %d", child.Process.Pid, u.uid)) {
		t.Errorf("attached to another user's plugin: %v", err)
	}
	setReattach(t, withPid(t, value, os.Getpid()))
	_, err = attachKey("fake", "fake-secret-4")
	if err == nil || !strings.Contains(err.Error(), "belongs to another user") {
		t.Errorf("attached to another user's socket under one of our pids: %v", err)
	}
	assertNoKey(t, got, "fake-secret-")
}

type localUser struct {
	name     string
	uid, gid int
}

// throwawayUser creates a local user with no home and removes it when t
// ends.
func throwawayUser(t *testing.T) localUser {
	t.Helper()
	name, uid, gid := testuser.New(t, "terok-ph")
	return localUser{name: name, uid: uid, gid: gid}
}
