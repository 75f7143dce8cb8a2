package proxy

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terok-ai/terok-auth/core/grant"
	"github.com/terok-ai/terok-auth/core/route"
	"github.com/terok-ai/terok-auth/sdk"
)

// Real credentials of the fake vendor; they must never reach a client.
const (
	claudeKey   = "sk-ant-api03-REALKEY-claude"
	claudeOAuth = "sk-ant-oat01-REALTOKEN-claude"
	ghToken     = "gho_REALTOKENgithub000000"
	glabPAT     = "glpat-REALTOKENgitlab0000"
)

type fakeCreds struct {
	mu sync.Mutex
	m  map[string]sdk.Credential
}

func (f *fakeCreds) Credential(_ context.Context, set, provider string) (sdk.Credential, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.m[set+"/"+provider]
	if !ok {
		return sdk.Credential{}, errors.New("not found")
	}
	return c, nil
}

// seen is what the fake vendor received.
type seen struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (s *seen) add(r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, r)
}

func (s *seen) last(t *testing.T) *http.Request {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.reqs) == 0 {
		t.Fatal("the vendor got no request")
	}
	return s.reqs[len(s.reqs)-1]
}

func (s *seen) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reqs)
}

type rig struct {
	t      *testing.T
	vendor *httptest.Server
	seen   *seen
	reg    *grant.Registry
	creds  *fakeCreds
	srv    *Server
	front  *httptest.Server
	audit  string
	mux    *http.ServeMux
}

func newRig(t *testing.T, tweak func(*Options)) *rig {
	t.Helper()
	r := &rig{t: t, seen: &seen{}, mux: http.NewServeMux()}
	r.mux.HandleFunc("/", func(w http.ResponseWriter, req *http.Request) {
		// Echo every header back, as a careless upstream might: the
		// proxy must drop the one that holds the credential.
		for k, vs := range req.Header {
			w.Header()["X-Echo-"+k] = vs
		}
		_, _ = io.Copy(io.Discard, req.Body)
		fmt.Fprintf(w, "ok %s", req.URL.RequestURI())
	})
	r.vendor = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.seen.add(req.Clone(context.Background()))
		r.mux.ServeHTTP(w, req)
	}))
	t.Cleanup(r.vendor.Close)
	dir := t.TempDir()
	r.reg = grant.New(filepath.Join(dir, "grants.json"))
	r.creds = &fakeCreds{m: map[string]sdk.Credential{
		"default/claude": {Type: sdk.TypeAPIKey, Fields: map[string]any{"key": claudeKey}},
		"oauth/claude":   {Type: sdk.TypeOAuth, Fields: map[string]any{"access_token": claudeOAuth}},
		"default/gh":     {Type: sdk.TypeOAuthToken, Fields: map[string]any{"token": ghToken, "host": "github.com"}},
		"default/glab":   {Type: "pat", Fields: map[string]any{"token": glabPAT}},
	}}
	up := r.vendor.URL
	routes := map[string][]route.Route{}
	for p, rs := range bundledRoutesInProcess(t) {
		for _, rt := range rs {
			rt.Upstream = up
			for k := range rt.PathUpstreams {
				rt.PathUpstreams = map[string]string{k: up}
			}
			routes[p] = append(routes[p], rt)
		}
	}
	routes["gh"] = []route.Route{{Provider: "gh", CredentialType: "oauth_token", Upstream: up, Header: "Authorization", Prefix: "token ", Field: "token", SetupHint: "x"}}
	routes["glab"] = []route.Route{{Provider: "glab", CredentialType: "pat", Upstream: up, Header: "PRIVATE-TOKEN", Field: "token", SetupHint: "x"}}
	audit, err := OpenAudit(filepath.Join(dir, "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	r.audit = filepath.Join(dir, "audit.jsonl")
	o := Options{
		Grants: r.reg, Credentials: r.creds, Routes: routes, Audit: audit,
		Transport: r.vendor.Client().Transport, Poll: 20 * time.Millisecond,
	}
	if tweak != nil {
		tweak(&o)
	}
	r.srv, err = New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.srv.Close)
	r.front = httptest.NewServer(r.srv.Handler(""))
	t.Cleanup(r.front.Close)
	return r
}

func (r *rig) grant(set string, providers ...string) *grant.Issued {
	r.t.Helper()
	g, err := r.reg.Issue(context.Background(), set, providers, time.Hour, "task-"+set)
	if err != nil {
		r.t.Fatal(err)
	}
	return g
}

func (r *rig) do(method, path string, hdr map[string]string, body io.Reader) *http.Response {
	r.t.Helper()
	req, err := http.NewRequest(method, r.front.URL+path, body)
	if err != nil {
		r.t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	return resp
}

// noSecretIn fails when any real credential is in s.
func noSecretIn(t *testing.T, what, s string) {
	t.Helper()
	for _, secret := range []string{claudeKey, claudeOAuth, ghToken, glabPAT} {
		if strings.Contains(s, secret) {
			t.Errorf("%s holds a real credential: %s", what, s)
		}
	}
}

func dumpHeaders(h http.Header) string {
	var b strings.Builder
	_ = h.Write(&b)
	return b.String()
}

// Each credential type goes in its route's header, with its prefix and
// extra headers; the stand-in goes nowhere upstream, and the credential
// comes back in no response header or body.
func TestHeaderSwapPerCredentialType(t *testing.T) {
	r := newRig(t, nil)
	def := r.grant("default", "claude", "gh", "glab")
	oauth := r.grant("oauth", "claude")
	for _, c := range []struct {
		name, header, sendAs, prefix, want, extra string
		standIn                                   string
	}{
		{"claude api_key", "X-Api-Key", "X-Api-Key", "", claudeKey, "", def.StandIns["claude"]},
		{"claude oauth", "Authorization", "Authorization", "Bearer ", "Bearer " + claudeOAuth, "oauth-2025-04-20", oauth.StandIns["claude"]},
		{"gh oauth_token", "Authorization", "Authorization", "token ", "token " + ghToken, "", def.StandIns["gh"]},
		{"glab pat", "Private-Token", "PRIVATE-TOKEN", "", glabPAT, "", def.StandIns["glab"]},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp := r.do("POST", "/v1/messages?beta=true", map[string]string{c.sendAs: c.prefix + c.standIn, "X-Other": "kept"}, strings.NewReader(`{"x":1}`))
			body, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			got := r.seen.last(t)
			if v := got.Header.Get(c.header); v != c.want {
				t.Errorf("upstream %s = %q, want %q", c.header, v, c.want)
			}
			if v := got.Header.Get("anthropic-beta"); v != c.extra {
				t.Errorf("anthropic-beta = %q, want %q", v, c.extra)
			}
			if got.Header.Get("X-Other") != "kept" || got.URL.RawQuery != "beta=true" {
				t.Errorf("the request was changed beyond its credential: %v %q", got.Header, got.URL.RawQuery)
			}
			if d := dumpHeaders(got.Header); strings.Contains(d, grant.StandInPrefix) {
				t.Errorf("a stand-in reached the upstream:\n%s", d)
			}
			noSecretIn(t, "response headers", dumpHeaders(resp.Header))
			noSecretIn(t, "response body", string(body))
		})
	}
}

// A declared extra header joins the client's own list (Claude Code sends
// its anthropic-beta features), once.
func TestExtraHeaderJoinsTheClientsList(t *testing.T) {
	r := newRig(t, nil)
	g := r.grant("oauth", "claude")
	for sent, want := range map[string]string{
		"claude-code-20250219,interleaved-thinking-2025-05-14": "claude-code-20250219,interleaved-thinking-2025-05-14,oauth-2025-04-20",
		"claude-code-20250219, oauth-2025-04-20":               "claude-code-20250219,oauth-2025-04-20",
	} {
		resp := r.do("POST", "/v1/messages", map[string]string{"Authorization": "Bearer " + g.StandIns["claude"], "anthropic-beta": sent}, strings.NewReader(`{}`))
		_ = resp.Body.Close()
		if got := r.seen.last(t).Header.Values("anthropic-beta"); len(got) != 1 || got[0] != want {
			t.Errorf("sent %q: upstream anthropic-beta %q, want %q", sent, got, want)
		}
	}
}

func TestWithListValue(t *testing.T) {
	for _, c := range []struct {
		cur  []string
		want string
	}{
		{nil, "b"},
		{[]string{""}, "b"},
		{[]string{" , ,"}, "b"},
		{[]string{"a"}, "a,b"},
		{[]string{"a, B"}, "a,B"},
		{[]string{"a", "c"}, "a,c,b"},
		{[]string{"a,,c,"}, "a,c,b"},
		{[]string{"b,b"}, "b,b"},
	} {
		if got := withListValue(c.cur, "b"); got != c.want {
			t.Errorf("withListValue(%q, b) = %q, want %q", c.cur, got, c.want)
		}
	}
}

// A client's own copy of the credential header cannot win over the real
// one, and hop-by-hop headers do not cross.
func TestClientHeadersDoNotOverride(t *testing.T) {
	r := newRig(t, nil)
	g := r.grant("default", "claude")
	resp := r.do("GET", "/v1/models", map[string]string{
		"Authorization": "Bearer " + g.StandIns["claude"], "Connection": "X-Secret-Hop", "X-Secret-Hop": "1", "Proxy-Authorization": "Basic eA==",
	}, nil)
	_ = resp.Body.Close()
	got := r.seen.last(t)
	if got.Header.Get("X-Api-Key") != claudeKey || got.Header.Get("Authorization") != "" {
		t.Errorf("upstream headers: %v", got.Header)
	}
	if got.Header.Get("X-Secret-Hop") != "" || got.Header.Get("Proxy-Authorization") != "" {
		t.Errorf("hop-by-hop headers crossed: %v", got.Header)
	}
}

func TestRefusals(t *testing.T) {
	r := newRig(t, nil)
	expired, err := r.reg.Issue(context.Background(), "default", []string{"gh"}, time.Millisecond, "")
	if err != nil {
		t.Fatal(err)
	}
	revoked := r.grant("default", "gh")
	if _, err := r.reg.Revoke(context.Background(), revoked.ID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	unknown, _ := grant.NewStandIn()
	for _, c := range []struct{ name, hdr, reason string }{
		{"none", "token nothing", "no-stand-in"},
		{"unknown", "token " + unknown, "unknown"},
		{"expired", "token " + expired.StandIns["gh"], "expired"},
		{"revoked", "token " + revoked.StandIns["gh"], "revoked"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := r.seen.count()
			resp := r.do("GET", "/user", map[string]string{"Authorization": c.hdr}, nil)
			var body struct {
				Error struct{ Reason, Message string }
			}
			err := json.NewDecoder(resp.Body).Decode(&body)
			_ = resp.Body.Close()
			if resp.StatusCode != 401 || err != nil || body.Error.Reason != c.reason || body.Error.Message == "" {
				t.Errorf("status %d, body %+v (%v), want 401 %s", resp.StatusCode, body, err, c.reason)
			}
			if resp.Header.Get("Content-Type") != "application/json" {
				t.Errorf("content type %q", resp.Header.Get("Content-Type"))
			}
			if r.seen.count() != before {
				t.Error("a refused request reached the upstream")
			}
		})
	}
}

func TestHealthNeedsNoStandIn(t *testing.T) {
	r := newRig(t, nil)
	resp := r.do("GET", HealthPath, nil, nil)
	_ = resp.Body.Close()
	if resp.StatusCode != 200 || r.seen.count() != 0 {
		t.Errorf("health: %d, upstream hits %d", resp.StatusCode, r.seen.count())
	}
}

// A path is passed on byte for byte: %2F stays %2F (GitLab's project
// ids are such paths).
func TestEncodedPathKept(t *testing.T) {
	r := newRig(t, nil)
	g := r.grant("default", "glab")
	resp := r.do("GET", "/api/v4/projects/group%2Fproject/merge_requests", map[string]string{"PRIVATE-TOKEN": g.StandIns["glab"]}, nil)
	_ = resp.Body.Close()
	if got := r.seen.last(t).RequestURI; got != "/api/v4/projects/group%2Fproject/merge_requests" {
		t.Errorf("upstream saw %q", got)
	}
}

// A redirect to another host goes back to the client as it is; the proxy
// follows none, so the credential never reaches that host. A redirect to
// the upstream itself becomes a path back through the proxy.
func TestRedirects(t *testing.T) {
	r := newRig(t, nil)
	other := &seen{}
	elsewhere := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) { other.add(req) }))
	defer elsewhere.Close()
	r.mux.HandleFunc("/away", func(w http.ResponseWriter, req *http.Request) {
		http.Redirect(w, req, elsewhere.URL+"/steal", http.StatusFound)
	})
	r.mux.HandleFunc("/home", func(w http.ResponseWriter, req *http.Request) {
		http.Redirect(w, req, r.vendor.URL+"/v1/next?page=2", http.StatusTemporaryRedirect)
	})
	g := r.grant("default", "gh")
	resp := r.do("GET", "/away", map[string]string{"Authorization": "token " + g.StandIns["gh"]}, nil)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != elsewhere.URL+"/steal" || other.count() != 0 {
		t.Errorf("cross-host redirect: %d %q, other host hit %d times", resp.StatusCode, resp.Header.Get("Location"), other.count())
	}
	resp = r.do("GET", "/home", map[string]string{"Authorization": "token " + g.StandIns["gh"]}, nil)
	_ = resp.Body.Close()
	if resp.Header.Get("Location") != "/v1/next?page=2" {
		t.Errorf("same-host redirect Location %q", resp.Header.Get("Location"))
	}
}

func TestBodyCap(t *testing.T) {
	r := newRig(t, func(o *Options) { o.MaxBody = 1024 })
	g := r.grant("default", "gh")
	hdr := map[string]string{"Authorization": "token " + g.StandIns["gh"]}
	resp := r.do("POST", "/up", hdr, strings.NewReader(strings.Repeat("a", 2048)))
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("with Content-Length: %d", resp.StatusCode)
	}
	// Chunked: no length up front; the cap is found while streaming.
	resp = r.do("POST", "/up", hdr, io.MultiReader(strings.NewReader(strings.Repeat("a", 2048))))
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked: %d", resp.StatusCode)
	}
	resp = r.do("POST", "/up", hdr, io.MultiReader(strings.NewReader(strings.Repeat("a", 1024))))
	_ = resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("at the cap exactly: %d", resp.StatusCode)
	}
}

// sseHandler sends one event, then waits for release before the rest.
func sseHandler(release <-chan struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "event: message_start\ndata: {}\n\n")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-req.Context().Done():
			return
		}
		fmt.Fprint(w, "event: message_stop\ndata: {}\n\n")
	}
}

// The first event reaches the client while the upstream is still
// answering: nothing is buffered.
func TestSSEStreamsBeforeUpstreamFinishes(t *testing.T) {
	r := newRig(t, nil)
	release := make(chan struct{})
	r.mux.HandleFunc("/v1/messages", sseHandler(release))
	g := r.grant("default", "claude")
	resp := r.do("POST", "/v1/messages", map[string]string{"x-api-key": g.StandIns["claude"]}, strings.NewReader("{}"))
	defer func() { _ = resp.Body.Close() }()
	br := bufio.NewReader(resp.Body)
	got := make(chan string, 1)
	go func() { line, _ := br.ReadString('\n'); got <- line }()
	select {
	case line := <-got:
		if line != "event: message_start\n" {
			t.Errorf("first line %q", line)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the first event did not arrive while the upstream held the stream open")
	}
	close(release)
	rest, _ := io.ReadAll(br)
	if !strings.Contains(string(rest), "message_stop") {
		t.Errorf("rest %q", rest)
	}
}

// A revoke cuts a stream in flight, and the next request is refused.
func TestRevokeCutsStreamInFlight(t *testing.T) {
	r := newRig(t, nil)
	never := make(chan struct{})
	r.mux.HandleFunc("/v1/messages", sseHandler(never))
	g := r.grant("default", "claude")
	resp := r.do("POST", "/v1/messages", map[string]string{"x-api-key": g.StandIns["claude"]}, strings.NewReader("{}"))
	defer func() { _ = resp.Body.Close() }()
	br := bufio.NewReader(resp.Body)
	if line, _ := br.ReadString('\n'); line != "event: message_start\n" {
		t.Fatalf("first line %q", line)
	}
	if _, err := r.reg.Revoke(context.Background(), g.ID); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, br); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the stream went on after the revoke")
	}
	resp2 := r.do("POST", "/v1/messages", map[string]string{"x-api-key": g.StandIns["claude"]}, nil)
	_ = resp2.Body.Close()
	if resp2.StatusCode != 401 {
		t.Errorf("after revoke: %d", resp2.StatusCode)
	}
}

// A WebSocket upgrade is passed through, both ways.
func TestWebSocketEcho(t *testing.T) {
	r := newRig(t, nil)
	r.mux.HandleFunc("/ws", func(w http.ResponseWriter, req *http.Request) {
		if req.Header.Get("Upgrade") != "websocket" || req.Header.Get("Authorization") != "token "+ghToken {
			http.Error(w, "no upgrade", 400)
			return
		}
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer func() { _ = conn.Close() }()
		fmt.Fprint(brw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
		_ = brw.Flush()
		buf := make([]byte, 5)
		if _, err := io.ReadFull(brw, buf); err == nil {
			_, _ = conn.Write(buf)
		}
	})
	g := r.grant("default", "gh")
	conn, err := net.Dial("tcp", strings.TrimPrefix(r.front.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(conn, "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nAuthorization: token %s\r\n\r\n", g.StandIns["gh"])
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil) //nolint:bodyclose // closed below, once the upgrade is known to have worked
	if err != nil || resp.StatusCode != 101 {
		t.Fatalf("upgrade: %v %v", resp, err)
	}
	fmt.Fprint(conn, "hello")
	buf := make([]byte, 5)
	if _, err := io.ReadFull(br, buf); err != nil || string(buf) != "hello" {
		t.Errorf("echo %q %v", buf, err)
	}
}

func TestConcurrencyLimitPerGrant(t *testing.T) {
	r := newRig(t, func(o *Options) { o.MaxConcurrent = 1 })
	hold := make(chan struct{})
	defer close(hold)
	r.mux.HandleFunc("/v1/messages", sseHandler(hold))
	g := r.grant("default", "claude")
	other := r.grant("default", "claude")
	resp := r.do("POST", "/v1/messages", map[string]string{"x-api-key": g.StandIns["claude"]}, nil)
	defer func() { _ = resp.Body.Close() }()
	_, _ = bufio.NewReader(resp.Body).ReadString('\n')
	busy := r.do("GET", "/v1/models", map[string]string{"x-api-key": g.StandIns["claude"]}, nil)
	_ = busy.Body.Close()
	if busy.StatusCode != http.StatusTooManyRequests {
		t.Errorf("second request of the grant: %d", busy.StatusCode)
	}
	ok := r.do("GET", "/v1/models", map[string]string{"x-api-key": other.StandIns["claude"]}, nil)
	_ = ok.Body.Close()
	if ok.StatusCode != 200 {
		t.Errorf("another grant: %d", ok.StatusCode)
	}
}

// waitLines waits (up to 5 s) for the audit log to hold n lines: a
// handler logs after its response has gone (the audit never holds a
// request up), so a client can be done before its line is queued.
func waitLines(path string, n int) {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if data, _ := os.ReadFile(path); strings.Count(string(data), "\n") >= n {
			return
		}
	}
}

// Audit lines carry who and what, never a secret, a stand-in, a query or
// a body; the file is 0600.
func TestAuditLines(t *testing.T) {
	r := newRig(t, nil)
	g := r.grant("default", "gh")
	resp := r.do("POST", "/repos/x/y/issues?access_token=querysecret", map[string]string{"Authorization": "token " + g.StandIns["gh"]}, strings.NewReader("bodysecret"))
	_ = resp.Body.Close()
	waitLines(r.audit, 1)
	resp = r.do("GET", "/user", map[string]string{"Authorization": "token terok-sa-nope"}, nil)
	_ = resp.Body.Close()
	waitLines(r.audit, 2)
	if err := r.srv.o.Audit.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(r.audit)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(r.audit); fi.Mode().Perm() != 0o600 {
		t.Errorf("audit mode %v", fi.Mode())
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d audit lines:\n%s", len(lines), data)
	}
	var first, second AuditEntry
	_ = json.Unmarshal([]byte(lines[0]), &first)
	_ = json.Unmarshal([]byte(lines[1]), &second)
	if first.Grant != g.ID || first.Label != "task-default" || first.Provider != "gh" || first.Method != "POST" ||
		first.Path != "/repos/x/y/issues" || first.Status != 200 || first.BytesIn != 10 || first.BytesOut == 0 {
		t.Errorf("first line %+v", first)
	}
	if second.Status != 401 || second.Refused != "unknown" {
		t.Errorf("second line %+v", second)
	}
	noSecretIn(t, "audit", string(data))
	for _, bad := range []string{"querysecret", "bodysecret", g.StandIns["gh"], "access_token"} {
		if strings.Contains(string(data), bad) {
			t.Errorf("audit holds %q", bad)
		}
	}
}

// A grant's socket serves that grant only, and goes when the grant ends.
func TestSocketPerGrant(t *testing.T) {
	r := newRig(t, nil)
	dir := filepath.Join(t.TempDir(), "sockets")
	a := r.grant("default", "gh")
	b := r.grant("default", "gh")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 4)
	go func() {
		_ = r.srv.Run(ctx, Listeners{SocketDir: dir, Ready: func(id, addr string) { ready <- id }})
	}()
	for range 2 {
		select {
		case <-ready:
		case <-time.After(5 * time.Second):
			t.Fatal("sockets did not open")
		}
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("socket dir: %v %v", fi.Mode(), err)
	}
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", SocketPath(dir, a.ID))
	}}}
	get := func(standIn string) int {
		req, _ := http.NewRequest("GET", "http://api.github.com/user", nil)
		req.Header.Set("Authorization", "token "+standIn)
		resp, err := client.Do(req)
		if err != nil {
			return -1
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	if got := get(a.StandIns["gh"]); got != 200 {
		t.Errorf("own grant on its socket: %d", got)
	}
	if got := get(b.StandIns["gh"]); got != 401 {
		t.Errorf("another grant's stand-in on this socket: %d", got)
	}
	if _, err := r.reg.Revoke(context.Background(), a.ID); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := os.Stat(SocketPath(dir, a.ID)); errors.Is(err, os.ErrNotExist) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the revoked grant's socket is still there")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := os.Stat(SocketPath(dir, b.ID)); err != nil {
		t.Errorf("the live grant's socket: %v", err)
	}
}

func TestTCPListenerIsLoopbackOnly(t *testing.T) {
	r := newRig(t, nil)
	err := r.srv.Run(context.Background(), Listeners{SocketDir: t.TempDir(), TCP: "0.0.0.0:0"})
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("Run on 0.0.0.0: %v", err)
	}
}
