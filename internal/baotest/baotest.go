//go:build unix

package baotest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Server is a running dev server.
type Server struct {
	Bin       string // the bao or vault binary
	Addr      string // http://127.0.0.1:PORT
	Token     string // the root token
	UnsealKey string
	CACert    string // with StartTLS: the CA that signed the server's certificate

	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
}

const howToGet = "the OpenBao tests need a bao (or vault) server binary: put one on PATH, set TEROK_TEST_OPENBAO to it,\n" +
	"or keep the repository beside shared/ (../shared/tools/openbao/ holds one; see its README)"

// Find returns the server binary to use: bao (or vault) on PATH, else
// TEROK_TEST_OPENBAO, else the one in ../shared/tools/openbao/ beside the
// repository, unpacked once.
func Find() (string, error) {
	root, rootErr := repoRoot()
	shared := ""
	if rootErr == nil {
		shared = filepath.Join(filepath.Dir(root), "shared", "tools", "openbao")
	}
	return find(exec.LookPath, os.Getenv, shared)
}

func find(lookPath func(string) (string, error), getenv func(string) string, shared string) (string, error) {
	for _, name := range []string{"bao", "vault"} {
		if p, err := lookPath(name); err == nil {
			return p, nil
		}
	}
	if p := getenv("TEROK_TEST_OPENBAO"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("TEROK_TEST_OPENBAO=%s: %w\n%s", p, err, howToGet)
		}
		return p, nil
	}
	if shared == "" {
		return "", fmt.Errorf("%s\n(the repository's root was not found)", howToGet)
	}
	return unpack(shared)
}

// repoRoot is the directory of this module's go.mod, above the working
// directory (tests run in their package's directory).
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.Contains(data, []byte("module github.com/terok-ai/terok-auth\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("cannot find the repository's root (its go.mod)")
		}
		dir = parent
	}
}

var unpackMu sync.Mutex

// unpack unpacks dir's bao-linux-amd64.xz with its get-bao script into
// the user's cache, under the archive's checksum, once.
func unpack(dir string) (string, error) {
	unpackMu.Lock()
	defer unpackMu.Unlock()
	archive := filepath.Join(dir, "bao-linux-amd64.xz")
	f, err := os.Open(archive)
	if err != nil {
		return "", fmt.Errorf("%s\n(%w)", howToGet, err)
	}
	h := sha256.New()
	_, err = io.Copy(h, f)
	_ = f.Close()
	if err != nil {
		return "", err
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	dest := filepath.Join(cache, "terok-test", "openbao", hex.EncodeToString(h.Sum(nil))[:16], "bao")
	if _, err := os.Stat(dest); err == nil {
		return dest, nil
	}
	out, err := exec.Command("sh", filepath.Join(dir, "get-bao"), dest).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("unpack %s: %w: %s (needs xz: apt-get install xz-utils)", archive, err, out)
	}
	return dest, nil
}

// Start starts a dev server, or fails the test saying how to get one. It
// is stopped when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := Find()
	if err != nil {
		t.Fatal(err)
	}
	s, err := start(bin, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// StartTLS starts a dev server that speaks only HTTPS, with a certificate
// signed by a CA of its own making (-dev-tls): its file is s.CACert, and
// the server's address is https://127.0.0.1:PORT.
func StartTLS(t testing.TB) *Server {
	t.Helper()
	bin, err := Find()
	if err != nil {
		t.Fatal(err)
	}
	s, err := start(bin, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// StartServer starts a dev server outside a test (make bench); the caller
// stops it.
func StartServer() (*Server, error) {
	bin, err := Find()
	if err != nil {
		return nil, err
	}
	return start(bin, "")
}

var unsealRe = regexp.MustCompile(`(?m)^Unseal Key: (\S+)`)

// start starts a dev server; with certDir, a TLS one whose CA and
// certificate are made in certDir.
func start(bin, certDir string) (*Server, error) {
	tok := make([]byte, 16)
	if _, err := rand.Read(tok); err != nil {
		return nil, err
	}
	var lastErr error
	for try := 0; try < 3; try++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		s := &Server{Bin: bin, Addr: "http://127.0.0.1:" + port, Token: "root-" + hex.EncodeToString(tok), out: &syncBuffer{}, done: make(chan struct{})}
		args := []string{"server", "-dev", "-dev-root-token-id=" + s.Token, "-dev-listen-address=127.0.0.1:" + port, "-dev-no-store-token"}
		if certDir != "" {
			s.Addr = "https://127.0.0.1:" + port
			s.CACert = filepath.Join(certDir, "vault-ca.pem")
			args = append(args, "-dev-tls", "-dev-tls-cert-dir="+certDir)
		}
		s.cmd = exec.Command(bin, args...)
		s.cmd.Env = cleanEnv()
		s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
		setProcAttr(s.cmd)
		if err := s.cmd.Start(); err != nil {
			return nil, fmt.Errorf("start %s: %w", bin, err)
		}
		go func() { _ = s.cmd.Wait(); close(s.done) }()
		if err := s.waitReady(30 * time.Second); err != nil {
			s.Stop()
			lastErr = err
			continue
		}
		// The dev server prints its unseal key just after it is ready.
		for wait := time.Now().Add(5 * time.Second); s.UnsealKey == "" && time.Now().Before(wait); time.Sleep(20 * time.Millisecond) {
			if m := unsealRe.FindStringSubmatch(s.out.String()); m != nil {
				s.UnsealKey = m[1]
			}
		}
		return s, nil
	}
	return nil, lastErr
}

// cleanEnv is the environment without the variables that point a server or
// CLI elsewhere.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "VAULT_") || strings.HasPrefix(kv, "BAO_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer func() { _ = l.Close() }()
	_, port, err := net.SplitHostPort(l.Addr().String())
	return port, err
}

func (s *Server) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	client := &http.Client{Timeout: time.Second}
	if s.CACert != "" {
		// Readiness only: the tests check the certificate themselves.
		client.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} //nolint:gosec // a local dev server's health
	}
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("the dev server exited: %s", s.out.String())
		default:
		}
		resp, err := client.Get(s.Addr + "/v1/sys/health")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("the dev server did not become ready in %s: %s", limit, s.out.String())
}

// Env is the environment a CLI or terok needs to reach the server as
// root.
func (s *Server) Env() []string {
	env := []string{"BAO_ADDR=" + s.Addr, "BAO_TOKEN=" + s.Token, "VAULT_ADDR=" + s.Addr, "VAULT_TOKEN=" + s.Token}
	if s.CACert != "" {
		env = append(env, "BAO_CACERT="+s.CACert, "VAULT_CACERT="+s.CACert)
	}
	return env
}

// Bao runs the CLI against the server as root (or with token, when
// given in env as BAO_TOKEN=…) and returns its stdout; it fails the test
// when the CLI fails.
func (s *Server) Bao(t testing.TB, stdin string, args ...string) string {
	t.Helper()
	out, err := s.TryBao(stdin, nil, args...)
	if err != nil {
		t.Fatalf("bao %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// TryBao runs the CLI and returns its stdout, or an error with its stderr.
func (s *Server) TryBao(stdin string, env []string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.Bin, args...)
	cmd.Env = append(append(cleanEnv(), s.Env()...), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// Pause stops the server's process (SIGSTOP): it keeps its data and its
// port but answers nothing until Resume.
func (s *Server) Pause(t testing.TB) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	if err := waitStopped(s.cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
}

// Resume continues a paused server.
func (s *Server) Resume(t testing.TB) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
}

// Seal seals the server; Unseal unseals it with the dev unseal key.
func (s *Server) Seal(t testing.TB) { t.Helper(); s.Bao(t, "", "operator", "seal") }

// Unseal unseals a sealed dev server.
func (s *Server) Unseal(t testing.TB) {
	t.Helper()
	if s.UnsealKey == "" {
		t.Fatal("the dev server printed no unseal key")
	}
	s.Bao(t, "", "operator", "unseal", s.UnsealKey)
}

// Stop stops the server and waits for it; it is safe to call twice.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGCONT)
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// Output is what the server printed so far.
func (s *Server) Output() string { return s.out.String() }

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// Lines returns the lines of s, for tests that parse CLI output.
func Lines(s string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}
