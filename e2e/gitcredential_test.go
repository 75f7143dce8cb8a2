package e2e

import (
	"encoding/pem"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// gitServer serves the bare repositories under root over https with git's
// own smart HTTP (git http-backend, as CGI), and answers 401 to every
// request whose Basic password is not token, as GitHub Enterprise and
// GitLab do for a private repository.
func gitServer(t *testing.T, root, token string) (srv *httptest.Server, caFile string, authed *atomic.Int32) {
	t.Helper()
	backend, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Fatalf("git --exec-path: %v (the test needs Debian's git: apt-get install git)", err)
	}
	authed = &atomic.Int32{}
	cgiH := &cgi.Handler{
		Path: filepath.Join(strings.TrimSpace(string(backend)), "git-http-backend"),
		Env:  []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"},
	}
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pw, ok := r.BasicAuth(); !ok || pw != token {
			w.Header().Set("WWW-Authenticate", `Basic realm="terok test forge"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		authed.Add(1)
		cgiH.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	caFile = filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return srv, caFile, authed
}

// TestGitCloneThroughTheCredentialHelper: the real git clones over https
// from a server that demands a GitHub Enterprise token, once terok holds
// the token (login gh --host) and setup-git has told git to ask terok. It
// fails before setup-git, and the token of another host (github.com,
// stored beside it) is never the one given.
func TestGitCloneThroughTheCredentialHelper(t *testing.T) {
	e := newInjectEnv(t)
	home := t.TempDir()
	root := t.TempDir()
	const token = "ghp_GitE2Ehost0123456789abcdefXYZ"
	const otherToken = "ghp_GitE2Egithubcom0123456789abcdef"
	gitEnv := []string{
		"HOME=" + home, "GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0", "GIT_ASKPASS=", "SSH_ASKPASS=",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com",
	}
	git := func(dir string, extra []string, args ...string) (string, error) {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(append(append(os.Environ(), e.opts.env...), gitEnv...), extra...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	// A bare repository with one commit.
	work := filepath.Join(root, "work")
	for _, args := range [][]string{{"init", "-q", "-b", "main", work}, {"-C", work, "commit", "-q", "--allow-empty", "-m", "first"},
		{"clone", "-q", "--bare", work, filepath.Join(root, "repo.git")}} {
		if out, err := git(root, nil, args...); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	srv, caFile, authed := gitServer(t, root, token)
	u, _ := url.Parse(srv.URL)
	host := u.Host // 127.0.0.1:PORT, as git sends it
	sslEnv := []string{"GIT_SSL_CAINFO=" + caFile}

	set := "e2e-git"
	o := e.with(runOpts{env: []string{"HOME=" + home, "GIT_CONFIG_NOSYSTEM=1"}})
	in := o
	in.stdin = otherToken
	if r := terok(t, in, "auth", "login", "gh", "--with-key", "--set", set); r.code != 0 {
		t.Fatalf("login gh: exit %d: %s", r.code, r.stderr)
	}
	in.stdin = token
	if r := terok(t, in, "auth", "login", "gh", "--host", host, "--with-key", "--set", set); r.code != 0 {
		t.Fatalf("login gh --host: exit %d: %s", r.code, r.stderr)
	}

	// Without the helper, git has no password and may not ask for one.
	if out, err := git(root, sslEnv, "clone", "-q", srv.URL+"/repo.git", filepath.Join(root, "before")); err == nil {
		t.Fatalf("clone without the helper succeeded:\n%s", out)
	} else if !strings.Contains(out, "could not read Username") && !strings.Contains(out, "Authentication failed") {
		t.Errorf("clone without the helper failed, but not for want of a password:\n%s", out)
	}

	r := terok(t, o, "auth", "setup-git", "--set", set)
	if r.code != 0 {
		t.Fatalf("setup-git: exit %d: %s", r.code, r.stderr)
	}
	for _, h := range []string{host, "github.com"} {
		if !strings.Contains(r.stderr, "https://"+h) {
			t.Errorf("setup-git did not say it configured %s: %s", h, r.stderr)
		}
	}
	cfg, err := os.ReadFile(filepath.Join(home, ".gitconfig"))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{token, otherToken} {
		if strings.Contains(string(cfg), secret) {
			t.Fatalf("~/.gitconfig holds a token:\n%s", cfg)
		}
	}
	if !strings.Contains(string(cfg), `[credential "https://`+host+`"]`) || !strings.Contains(string(cfg), "auth git-credential --set "+set) {
		t.Errorf("~/.gitconfig does not configure the helper for %s:\n%s", host, cfg)
	}

	if out, err := git(root, sslEnv, "clone", "-q", srv.URL+"/repo.git", filepath.Join(root, "after")); err != nil {
		t.Fatalf("clone with the helper: %v\n%s", err, out)
	}
	if authed.Load() == 0 {
		t.Error("the server never saw the token")
	}
	if out, err := git(filepath.Join(root, "after"), nil, "log", "--format=%s"); err != nil || strings.TrimSpace(out) != "first" {
		t.Errorf("the clone does not hold the commit: %v\n%s", err, out)
	}

	// What git itself gets from the helper chain: this host's token, and
	// nothing for a host terok holds nothing for.
	fill := func(input string) string {
		cmd := exec.Command("git", "credential", "fill")
		cmd.Env = append(append(append(os.Environ(), e.opts.env...), gitEnv...), sslEnv...)
		cmd.Stdin = strings.NewReader(input)
		out, _ := cmd.CombinedOutput()
		return string(out)
	}
	if out := fill("protocol=https\nhost=" + host + "\n\n"); !strings.Contains(out, "password="+token+"\n") || strings.Contains(out, otherToken) {
		t.Errorf("git credential fill for %s = %q; want its own token", host, out)
	}
	if out := fill("protocol=https\nhost=nothing.example\n\n"); strings.Contains(out, "password=ghp_") {
		t.Errorf("git credential fill for an unknown host got a token: %q", out)
	}
	// Over plain http, no token at all.
	if out := fill("protocol=http\nhost=" + host + "\n\n"); strings.Contains(out, "password=ghp_") {
		t.Errorf("git credential fill over http got a token: %q", out)
	}
	// store and erase, which git sends after a success or a 401, change
	// nothing.
	for _, op := range []string{"store", "erase"} {
		in := o
		in.stdin = "protocol=https\nhost=" + host + "\nusername=x\npassword=ghp_NotTheStoredOne0123456789abcdef\n\n"
		if r := terok(t, in, "auth", "git-credential", "--set", set, op); r.code != 0 || r.stdout != "" {
			t.Errorf("git-credential %s: exit %d, stdout %q: %s", op, r.code, r.stdout, r.stderr)
		}
	}
	in = o
	in.stdin = "protocol=https\nhost=" + host + "\n\n"
	if r := terok(t, in, "auth", "git-credential", "--set", set, "get"); !strings.Contains(r.stdout, "password="+token+"\n") {
		t.Errorf("after store and erase, get = %q (exit %d): %s", r.stdout, r.code, r.stderr)
	}
	// A hostile request is refused, with nothing on stdout.
	in.stdin = "protocol=https\nhost=" + host + "\nhost=github.com\n\n"
	if r := terok(t, in, "auth", "git-credential", "--set", set, "get"); r.code == 0 || r.stdout != "" {
		t.Errorf("a request naming two hosts: exit %d, stdout %q", r.code, r.stdout)
	}
	if r := terok(t, o, "auth", "logout", "gh", "gh:"+host, "--set", set); r.code != 0 {
		t.Errorf("logout: exit %d: %s", r.code, r.stderr)
	}
}
