package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terok-ai/terok-auth/core/iostreams"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/internal/fakeoauth"
	"github.com/terok-ai/terok-auth/sdk"
)

const realGHToken = "gho_realrealrealrealrealrealrealreal0001"

// fakeVendor is an https API that records the credential header of every
// request; the proxy reaches it through proxyTransport, which trusts it.
type fakeVendor struct {
	*httptest.Server
	mu   sync.Mutex
	seen []http.Header
	// hold, if set, is waited on before a request is answered.
	hold chan struct{}
}

func newFakeVendor(t *testing.T) *fakeVendor {
	t.Helper()
	v := &fakeVendor{}
	v.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v.mu.Lock()
		v.seen = append(v.seen, r.Header.Clone())
		hold := v.hold
		v.mu.Unlock()
		if hold != nil {
			<-hold
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(v.Close)
	old := proxyTransport
	proxyTransport = v.Client().Transport
	t.Cleanup(func() { proxyTransport = old })
	return v
}

func (v *fakeVendor) headers() []http.Header {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]http.Header(nil), v.seen...)
}

// startProxy runs `terok auth proxy --tcp 127.0.0.1:0` until the test
// stops it; it returns where it listens, and stop, which ends it as a
// SIGTERM would and returns its exit code and output.
func startProxy(t *testing.T, env map[string]string) (li listenerInfo, stop func() (int, string, string)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	io, _, out, errOut := iostreams.Test()
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, io, []string{"auth", "proxy", "--tcp", "127.0.0.1:0"}, func(k string) string { return env[k] })
	}()
	path := filepath.Join(env["HOME"], ".local", "state", "terok", "proxy-listeners.json")
	deadline := time.Now().Add(10 * time.Second)
	for {
		data, err := os.ReadFile(path)
		if err == nil && json.Unmarshal(data, &li) == nil && li.TCP != "" {
			break
		}
		select {
		case code := <-done:
			t.Fatalf("the proxy exited %d: %s", code, errOut)
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatal("the proxy never said where it listens")
		}
		time.Sleep(20 * time.Millisecond)
	}
	stopped := false
	stop = func() (int, string, string) {
		cancel()
		select {
		case code := <-done:
			stopped = true
			return code, out.String(), errOut.String()
		case <-time.After(10 * time.Second):
			t.Fatal("the proxy did not stop within 10 s")
			return -1, "", ""
		}
	}
	t.Cleanup(func() {
		if !stopped {
			stop()
		}
	})
	return li, stop
}

// unixClient reaches the proxy through one grant's socket.
func unixClient(socket string) *http.Client {
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", socket)
	}}}
}

func get(t *testing.T, c *http.Client, url, header, value string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(header, value)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func storeCred(t *testing.T, env map[string]string, provider string, c sdk.Credential) {
	t.Helper()
	s := &store.File{Dir: filepath.Join(env["HOME"], ".local", "share", "terok", "credentials")}
	p, err := names.ParseProvider(provider)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set(context.Background(), "default", p, c); err != nil {
		t.Fatal(err)
	}
}

func ghEnv(t *testing.T, v *fakeVendor) map[string]string {
	env := isolated(t, "TEROK_GH_PROXY_UPSTREAM", v.URL)
	storeCred(t, env, "gh", sdk.Credential{Type: "oauth_token", Fields: map[string]any{"token": realGHToken, "host": "github.com"}})
	return env
}

// A grant's stand-in works through its socket and the TCP listener; the
// vendor gets the real token and never the stand-in; grants lists no
// stand-in; a revoke refuses the next request; SIGTERM stops the proxy
// cleanly and takes its sockets away.
func TestProxyGrantRevoke(t *testing.T) {
	v := newFakeVendor(t)
	env := ghEnv(t, v)
	li, stop := startProxy(t, env)
	if code, _, errOut := run(t, env, "auth", "proxy"); code != exitError || !strings.Contains(errOut, "another terok auth proxy runs for this user (pid ") {
		t.Errorf("a second proxy: exit %d: %s", code, errOut)
	}

	code, out, errOut := run(t, env, "auth", "grant", "gh", "--label", "agent-1", "--ttl", "1h", "--json")
	if code != 0 {
		t.Fatalf("grant: exit %d: %s", code, errOut)
	}
	var g grantView
	if err := json.Unmarshal([]byte(out), &g); err != nil {
		t.Fatalf("grant --json: %v\n%s", err, out)
	}
	standIn := g.StandIns["gh"]
	if !strings.HasPrefix(standIn, "terok-sa-") || g.Env["GH_TOKEN"] != standIn || g.TCP != li.TCP || g.Label != "agent-1" {
		t.Fatalf("grant: %+v", g)
	}
	if strings.Contains(out, realGHToken) {
		t.Fatal("grant printed the real token")
	}
	if !waitFor(5*time.Second, func() bool { _, err := os.Stat(g.Socket); return err == nil }) {
		t.Fatalf("the proxy never opened %s", g.Socket)
	}
	if st, _ := os.Stat(filepath.Dir(g.Socket)); st.Mode().Perm() != 0o700 {
		t.Errorf("socket dir mode %v", st.Mode().Perm())
	}
	for name, c := range map[string]*http.Client{"socket": unixClient(g.Socket), "tcp": http.DefaultClient} {
		base := li.TCP
		if name == "socket" {
			base = "http://grant"
		}
		status, body := get(t, c, base+"/user", "Authorization", "token "+standIn)
		if status != 200 || body != `{"ok":true}` {
			t.Fatalf("%s: %d %s", name, status, body)
		}
	}
	for _, h := range v.headers() {
		if h.Get("Authorization") != "token "+realGHToken {
			t.Errorf("the vendor got Authorization %q", h.Get("Authorization"))
		}
		for k, vs := range h {
			if strings.Contains(strings.Join(vs, " "), "terok-sa-") {
				t.Errorf("the stand-in reached the vendor in %s", k)
			}
		}
	}
	if n := len(v.headers()); n != 2 {
		t.Errorf("the vendor saw %d requests, want 2", n)
	}

	code, out, _ = run(t, env, "auth", "grants", "--json")
	if code != 0 || !strings.Contains(out, g.ID) || !strings.Contains(out, `"state": "active"`) || strings.Contains(out, "terok-sa-") || strings.Contains(out, "hash") {
		t.Errorf("grants: exit %d\n%s", code, out)
	}
	if code, out, _ = run(t, env, "auth", "grants"); code != 0 || !strings.Contains(out, g.ID) || !strings.Contains(out, "agent-1") {
		t.Errorf("grants: exit %d\n%s", code, out)
	}

	if _, out, _ = run(t, env, "__complete", "auth", "revoke", ""); !strings.Contains(out, g.ID+"\tgh agent-1") {
		t.Errorf("revoke does not complete the grant:\n%s", out)
	}
	if code, out, errOut = run(t, env, "auth", "revoke", g.ID); code != 0 || out != "revoked "+g.ID+"\n" {
		t.Fatalf("revoke: exit %d %q %s", code, out, errOut)
	}
	status, body := get(t, http.DefaultClient, li.TCP+"/user", "Authorization", "token "+standIn)
	if status != 401 || !strings.Contains(body, "revoked") {
		t.Errorf("after revoke: %d %s", status, body)
	}
	if !waitFor(5*time.Second, func() bool { _, err := os.Stat(g.Socket); return os.IsNotExist(err) }) {
		t.Error("the revoked grant's socket is still there")
	}
	if _, out, _ = run(t, env, "auth", "grants", "--json"); !strings.Contains(out, `"state": "revoked"`) {
		t.Errorf("grants after revoke:\n%s", out)
	}

	code, out, errOut = stop()
	if code != 0 || !strings.Contains(out, "listening on "+li.TCP) || !strings.Contains(out, "(grant "+g.ID+")") {
		t.Errorf("proxy: exit %d\n%s\n%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, realGHToken) || strings.Contains(out+errOut, standIn) {
		t.Error("the proxy printed a secret")
	}
	if _, err := os.Stat(filepath.Join(env["HOME"], ".local", "state", "terok", "proxy-listeners.json")); !os.IsNotExist(err) {
		t.Error("the listeners file outlived the proxy")
	}
	audit, err := os.ReadFile(filepath.Join(env["HOME"], ".local", "state", "terok", "proxy-audit.jsonl"))
	if err != nil || !strings.Contains(string(audit), `"label":"agent-1"`) || strings.Contains(string(audit), realGHToken) || strings.Contains(string(audit), standIn) {
		t.Errorf("audit (%v):\n%s", err, audit)
	}
}

// Two requests at once with an expired OAuth credential: the proxy
// renews it once (one POST to the token endpoint, under the renewal
// lock), and both requests reach the vendor with the new token.
func TestProxyRenewsOnceForTwoRequests(t *testing.T) {
	v := newFakeVendor(t)
	tok := fakeoauth.New("rt-0")
	tok.Encoding = "form"
	t.Cleanup(tok.Close)
	// The token endpoint answers slowly, so the second request arrives
	// while the first renewal is in flight and has to wait for its lock.
	tu, _ := url.Parse(tok.TokenURL())
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: tu.Scheme, Host: tu.Host})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond)
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(slow.Close)
	env := isolated(t, "TEROK_ACME_PROXY_UPSTREAM", v.URL, "TEROK_ACME_TOKEN_URL", slow.URL+tu.Path)
	acmeOAuthProvider(t, env)
	storeCred(t, env, "acme", sdk.Credential{Type: sdk.TypeOAuth, Fields: map[string]any{
		"access_token": "at-old", "refresh_token": "rt-0", "expires_at": time.Now().Add(-time.Hour).Unix(),
	}})
	li, stop := startProxy(t, env)
	code, out, errOut := run(t, env, "auth", "grant", "acme", "--json")
	if code != 0 {
		t.Fatalf("grant: exit %d: %s", code, errOut)
	}
	var g grantView
	if err := json.Unmarshal([]byte(out), &g); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodGet, li.TCP+"/api/thing", nil)
			req.Header.Set("Authorization", "Bearer "+g.StandIns["acme"])
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			statuses[i] = resp.StatusCode
		}()
	}
	wg.Wait()
	if statuses[0] != 200 || statuses[1] != 200 {
		_, _, perr := stop()
		t.Fatalf("statuses %v; the proxy said:\n%s", statuses, perr)
	}
	if tok.Posts() != 1 {
		t.Errorf("%d POSTs to the token endpoint, want 1", tok.Posts())
	}
	hs := v.headers()
	if len(hs) != 2 {
		t.Fatalf("the vendor saw %d requests", len(hs))
	}
	for _, h := range hs {
		if h.Get("Authorization") != "Bearer "+fakeoauth.AccessToken(1) {
			t.Errorf("the vendor got %q, want the renewed token", h.Get("Authorization"))
		}
	}
}

// acmeOAuthProvider is a YAML provider with an OAuth credential that
// renews itself and a proxy route for it.
func acmeOAuthProvider(t *testing.T, env map[string]string) {
	t.Helper()
	dir := filepath.Join(env["HOME"], ".config", "terok", "providers.d")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	yaml := `version: 1
name: acme
label: Acme
modes: [api_key, oauth]
host_dir: _acme
container_mount: /home/dev/.acme
command: acme login
key:
  label: Acme key
  env_var: ACME_API_KEY
capture:
  - file: auth.json
    format: json
    type: oauth
    fields:
      access_token: access_token
      refresh_token: refresh_token
inject:
  oauth:
    env:
      ACME_TOKEN: ${access_token}
refresh:
  oauth:
    endpoints: [https://auth.acme.example/oauth/token]
    encoding: form
proxy:
  oauth:
    upstream: https://api.acme.example
    stand_in_env: ACME_TOKEN
    base_url_env: ACME_BASE_URL
`
	if err := os.WriteFile(filepath.Join(dir, "acme.yaml"), []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
}

// exec --proxy: the command gets a stand-in and the proxy's address, its
// requests reach the vendor with the real token, and when it ends the
// grant is revoked and the socket gone.
func TestExecProxy(t *testing.T) {
	v := newFakeVendor(t)
	env := ghEnv(t, v)
	work := t.TempDir()
	script := `env > "$1/env"; while [ ! -e "$1/done" ]; do sleep 0.05; done; exit 7`
	ctx := context.Background()
	io, _, out, errOut := iostreams.Test()
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, io, []string{"auth", "exec", "--proxy", "--label", "job", "gh", "--", "sh", "-c", script, "sh", work},
			func(k string) string { return env[k] })
	}()
	var vars map[string]string
	if !waitFor(10*time.Second, func() bool {
		data, err := os.ReadFile(filepath.Join(work, "env"))
		if err != nil || !bytes.Contains(data, []byte("TEROK_PROXY_URL=")) {
			return false
		}
		vars = map[string]string{}
		for _, l := range strings.Split(string(data), "\n") {
			if k, val, ok := strings.Cut(l, "="); ok {
				vars[k] = val
			}
		}
		return true
	}) {
		t.Fatalf("the command never started: %s", errOut)
	}
	all, _ := os.ReadFile(filepath.Join(work, "env"))
	if strings.Contains(string(all), realGHToken) {
		t.Fatal("the command's environment holds the real token")
	}
	standIn := vars["GH_TOKEN"]
	if !strings.HasPrefix(standIn, "terok-sa-") || vars["TEROK_PROXY_SOCKET"] == "" {
		t.Fatalf("the command got %v", vars)
	}
	for _, c := range []struct {
		client *http.Client
		base   string
	}{{http.DefaultClient, vars["TEROK_PROXY_URL"]}, {unixClient(vars["TEROK_PROXY_SOCKET"]), "http://grant"}} {
		if status, body := get(t, c.client, c.base+"/user", "Authorization", "token "+standIn); status != 200 {
			t.Fatalf("%s: %d %s", c.base, status, body)
		}
	}
	if h := v.headers(); len(h) != 2 || h[0].Get("Authorization") != "token "+realGHToken {
		t.Errorf("the vendor saw %v", h)
	}
	_, gl, _ := run(t, env, "auth", "grants", "--json")
	if !strings.Contains(gl, `"state": "active"`) || !strings.Contains(gl, "job") {
		t.Errorf("grants while it runs:\n%s", gl)
	}
	// A running terok auth proxy does not honour an exec's grant: only the
	// exec's own proxy does, so one a killed exec left is no use to anyone.
	li, stopDaemon := startProxy(t, env)
	if status, body := get(t, http.DefaultClient, li.TCP+"/user", "Authorization", "token "+standIn); status != 401 || !strings.Contains(body, "never granted") {
		t.Errorf("the daemon took an exec's stand-in: %d %s", status, body)
	}
	if _, err := os.Stat(filepath.Join(env["HOME"], ".local", "state", "terok", "proxy")); err == nil {
		if socks, _ := filepath.Glob(filepath.Join(env["HOME"], ".local", "state", "terok", "proxy", "*.sock")); len(socks) > 0 {
			t.Errorf("the daemon opened sockets for an exec's grant: %v", socks)
		}
	}
	stopDaemon()
	if err := os.WriteFile(filepath.Join(work, "done"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != 7 {
			t.Errorf("exit %d, want the command's 7: %s %s", code, out, errOut)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("exec did not end")
	}
	if _, err := os.Stat(vars["TEROK_PROXY_SOCKET"]); !os.IsNotExist(err) {
		t.Error("the socket outlived the command")
	}
	if _, gl, _ = run(t, env, "auth", "grants", "--json"); strings.Contains(gl, `"state": "active"`) || !strings.Contains(gl, `"state": "revoked"`) {
		t.Errorf("grants after the command:\n%s", gl)
	}
	if resp, err := http.Get(vars["TEROK_PROXY_URL"] + "/-/health"); err == nil {
		_ = resp.Body.Close()
		t.Error("the proxy still answers after the command ended")
	}
}

// env --proxy prints a grant's stand-ins and the running proxy, never
// the credential.
func TestEnvProxy(t *testing.T) {
	v := newFakeVendor(t)
	env := ghEnv(t, v)
	li, _ := startProxy(t, env)
	code, out, errOut := run(t, env, "auth", "env", "--proxy", "gh", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var vars map[string]string
	if err := json.Unmarshal([]byte(out), &vars); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(vars["GH_TOKEN"], "terok-sa-") || vars["TEROK_PROXY_URL"] != li.TCP || strings.Contains(out, realGHToken) {
		t.Errorf("env --proxy: %s", out)
	}
	if !strings.Contains(errOut, "terok auth revoke g") || !strings.Contains(errOut, "http_unix_socket") {
		t.Errorf("stderr: %s", errOut)
	}
	if status, _ := get(t, http.DefaultClient, li.TCP+"/user", "Authorization", "token "+vars["GH_TOKEN"]); status != 200 {
		t.Errorf("status %d", status)
	}
}

func TestProxyCommandsUsage(t *testing.T) {
	env := isolated(t)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"auth", "grant"}, exitUsage, "name the providers"},
		{[]string{"auth", "grant", "gh", "--ttl", "0s"}, exitUsage, "positive time"},
		{[]string{"auth", "grant", "gh"}, exitNotAuthed, "log in with: terok auth login gh"},
		{[]string{"auth", "grant", "sonar"}, exitError, "declares no proxy route"},
		{[]string{"auth", "revoke"}, exitUsage, "or give --all"},
		{[]string{"auth", "revoke", "g1", "--all"}, exitUsage, "not both"},
		{[]string{"auth", "revoke", "g000000000000"}, exitError, "no grant g000000000000"},
		{[]string{"auth", "revoke", "--all"}, 0, "No active grants"},
		{[]string{"auth", "grants"}, 0, "No grants"},
		{[]string{"auth", "proxy", "--tcp", "0.0.0.0:8080"}, exitUsage, "loopback address only"},
		{[]string{"auth", "exec", "--ttl", "1h", "gh", "--", "true"}, exitUsage, "--ttl is for --proxy"},
		{[]string{"auth", "exec", "--proxy", "--allow-expired", "gh", "--", "true"}, exitUsage, "does not go with --proxy"},
		{[]string{"auth", "env", "--label", "x", "gh"}, exitUsage, "--label is for --proxy"},
		{[]string{"auth", "grant", "gh", "--label", "exec:1"}, exitUsage, "mark the grants of exec --proxy"},
		{[]string{"auth", "grant", "gh", "--label", "a\nb"}, exitUsage, "no control characters"},
		{[]string{"auth", "exec", "--proxy", "--label", "a\x1bb", "gh", "--", "true"}, exitUsage, "no control characters"},
		{[]string{"auth", "env", "--proxy", "--label", "exec:1", "gh"}, exitUsage, "mark the grants of exec --proxy"},
	} {
		code, _, errOut := run(t, env, c.args...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, want %d with %q: %s", c.args, code, c.code, c.want, errOut)
		}
	}
}

func TestUpstreamOverrideIsLoopbackHTTPSOnly(t *testing.T) {
	for _, bad := range []string{"https://example.com", "http://127.0.0.1:9", "https://127.0.0.1:9/path"} {
		env := map[string]string{"TEROK_GH_PROXY_UPSTREAM": bad}
		if _, err := withUpstreamOverride(func(k string) string { return env[k] }, "gh", nil); err == nil {
			t.Errorf("%s was taken", bad)
		}
	}
}

func waitFor(d time.Duration, ok func() bool) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if ok() {
			return true
		}
	}
	return ok()
}
