package e2e

// The credential proxy with the real, pinned vendor CLIs (scripts/vendor-bins)
// in podman containers that hold only stand-ins: claude -p, codex exec and
// gh api reach a fake vendor on this machine (httptest over TLS, no
// internet) through terok auth proxy, by the grant's bind-mounted Unix
// socket or by the loopback TCP listener. Each test asserts that the fake
// got the real credential and never a stand-in, and that nothing in the
// container (its environment, every file it can see) holds the real one.
//
// How a container reaches each listener (docs/proxy.md says the same):
//   - the Unix socket, bind-mounted (-v SOCKET:/run/terok.sock), rootful
//     and rootless alike; the socket is 0600 and its owner is the user
//     who runs the proxy, which is the container's root under rootless
//     podman;
//   - loopback TCP with --network=host (rootful and rootless), or under
//     slirp4netns with allow_host_loopback=true at 10.0.2.2, the host's
//     127.0.0.1 (rootful and rootless).

import (
	"archive/tar"
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// fakeAPI is the vendors' APIs, as far as the CLIs use them here.
type fakeAPI struct {
	srv      *httptest.Server
	certFile string // its certificate, for the proxy's SSL_CERT_FILE

	mu   sync.Mutex
	reqs []fakeReq
}

type fakeReq struct {
	Method, Path string
	Header       http.Header
}

// startFakeAPI serves over TLS; certDir gets the certificate (readable by
// every user, for a rootless proxy).
func startFakeAPI(t *testing.T, certDir string) *fakeAPI {
	t.Helper()
	f := &fakeAPI{}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", "proxy", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	messages, responses := read("anthropic-messages.sse"), read("openai-responses.sse")
	f.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 4<<20))
		f.mu.Lock()
		f.reqs = append(f.reqs, fakeReq{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone()})
		f.mu.Unlock()
		stream := func(b []byte) {
			w.Header().Set("Content-Type", "text/event-stream")
			w.Header().Set("Cache-Control", "no-cache")
			for _, ev := range bytes.SplitAfter(b, []byte("\n\n")) {
				_, _ = w.Write(ev)
				w.(http.Flusher).Flush()
			}
		}
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/v1/messages" && bytes.Contains(body, []byte(`"stream":true`)):
			stream(messages)
		case r.Method == http.MethodPost && r.URL.Path == "/v1/messages":
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"id":"msg_fake00","type":"message","role":"assistant","content":[{"type":"text","text":"ok"}],"model":"claude-fake","stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}`)
		case r.Method == http.MethodPost && (r.URL.Path == "/v1/responses" || r.URL.Path == "/backend-api/codex/responses"):
			stream(responses)
		case r.URL.Path == "/backend-api/wham/accounts/check":
			// What codex 0.171.0 reads of a ChatGPT account (AccountEntry in
			// openai/codex codex-rs/backend-client, the fields its binary
			// names): the account, and no residency constraint.
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"accounts":[{"id":"`+r.Header.Get("ChatGPT-Account-Id")+`","structure":"personal",`+
				`"workspace_backend_origin":"NO_CONSTRAINT","account_routing_override":"NO_CONSTRAINT"}],"account_ordering":["`+
				r.Header.Get("ChatGPT-Account-Id")+`"]}`)
		case r.URL.Path == "/user":
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"login":"octo-fake","id":4242}`)
		default:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"type":"error","error":{"type":"not_found_error","message":"the fake vendor has no `+r.URL.Path+`"}}`)
		}
	}))
	f.srv.StartTLS()
	t.Cleanup(f.srv.Close)
	f.certFile = filepath.Join(certDir, "fake-vendor.pem")
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.srv.Certificate().Raw})
	if err := os.WriteFile(f.certFile, cert, 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fakeAPI) requests() []fakeReq {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeReq(nil), f.reqs...)
}

// assertGotOnly checks that path was asked for, every request carried
// want in header, and no request carried a stand-in anywhere.
func (f *fakeAPI) assertGotOnly(t *testing.T, path, header, want string) {
	t.Helper()
	seen := false
	for _, r := range f.requests() {
		if r.Path == path {
			seen = true
		}
		if got := r.Header.Get(header); got != want {
			t.Errorf("%s %s reached the vendor with %s %q, want the real credential", r.Method, r.Path, header, got)
		}
		for k, vs := range r.Header {
			if strings.Contains(strings.Join(vs, "\n"), "terok-sa-") {
				t.Errorf("a stand-in reached the vendor in %s (%s %s)", k, r.Method, r.Path)
			}
		}
	}
	if !seen {
		t.Errorf("the vendor never got %s; it got %v", path, f.requests())
	}
}

// proxyEnv is the environment of every terok of one test: its own state
// dir (grants, sockets, audit), the fake vendor's upstream and trust.
func proxyEnv(f *fakeAPI, state string, providers ...string) []string {
	env := []string{"XDG_STATE_HOME=" + state, "SSL_CERT_FILE=" + f.certFile}
	for _, p := range providers {
		env = append(env, "TEROK_"+strings.ToUpper(p)+"_PROXY_UPSTREAM="+f.srv.URL)
	}
	return env
}

var listeningTCP = regexp.MustCompile(`listening on (http://127\.0\.0\.1:[0-9]+) \(stand-ins of any grant\)`)

// startTerokProxy runs terok auth proxy --tcp 127.0.0.1:0 and returns its
// TCP URL; at the end of the test it is sent SIGTERM and must exit 0.
func startTerokProxy(t *testing.T, env []string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "terok"), "auth", "proxy", "--tcp", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), env...)
	return startProxyCmd(t, cmd, false)
}

// startProxyCmd starts a terok auth proxy command and waits for its TCP
// listener; the test's end stops it with SIGTERM, after which it must exit
// 0 and say so. Under runuser (viaRunuser), which passes the signal on and
// then ends by it itself, only terok's own word is checked.
func startProxyCmd(t *testing.T, cmd *exec.Cmd, viaRunuser bool) string {
	t.Helper()
	out := &screen{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var url string
	if !waitFor(20*time.Second, func() bool {
		sc := bufio.NewScanner(strings.NewReader(out.String()))
		for sc.Scan() {
			if m := listeningTCP.FindStringSubmatch(sc.Text()); m != nil {
				url = m[1]
			}
		}
		return url != ""
	}) {
		_ = cmd.Process.Kill()
		t.Fatalf("terok auth proxy never said where it listens:\n%s", out)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil && !viaRunuser {
				t.Errorf("terok auth proxy after SIGTERM: %v\n%s", err, out)
			}
			if !strings.Contains(out.String(), "terok proxy: stopped") {
				t.Errorf("the proxy did not stop cleanly:\n%s", out)
			}
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("terok auth proxy did not stop within 10 s of SIGTERM:\n%s", out)
		}
	})
	return url
}

type e2eGrant struct {
	ID       string            `json:"id"`
	Socket   string            `json:"socket"`
	TCP      string            `json:"tcp"`
	StandIns map[string]string `json:"stand_ins"`
	Env      map[string]string `json:"env"`
}

func grantFor(t *testing.T, o runOpts, terokPath string, args ...string) e2eGrant {
	t.Helper()
	r := run(t, o, append([]string{terokPath, "auth", "grant", "--json"}, args...)...)
	if r.code != 0 {
		t.Fatalf("grant: exit %d: %s", r.code, r.stderr)
	}
	var g e2eGrant
	if err := json.Unmarshal([]byte(r.stdout), &g); err != nil {
		t.Fatalf("grant --json: %v\n%s", err, r.stdout)
	}
	if !waitFor(5*time.Second, func() bool { _, err := os.Stat(g.Socket); return err == nil }) {
		t.Fatalf("the proxy never opened the grant's socket %s", g.Socket)
	}
	return g
}

// agentScript runs the agent's command, keeps what it printed, its exit
// code and its environment in /tmp, then writes the container's whole
// file tree (all but /proc, /sys and /dev, with /dev/shm) to stdout as a
// tar stream, for the scan.
func agentScript(command string) string {
	return `(` + command + `) > /tmp/agent.out 2>&1; echo $? > /tmp/agent.rc; env > /tmp/agent.env; ` +
		`cd / && busybox tar -cf - $(ls -A / | busybox grep -v -x -e proc -e sys -e dev) dev/shm 2>/dev/null; true`
}

// scanTree reads the container's tar stream: the files agentScript kept,
// and every file that holds secret.
func scanTree(t *testing.T, stream []byte, secret string) (kept map[string]string, holders []string) {
	t.Helper()
	kept = map[string]string{}
	tr := tar.NewReader(bytes.NewReader(stream))
	files := 0
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("the container's file tree (%d files read): %v", files, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		files++
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte(secret)) {
			holders = append(holders, h.Name)
		}
		switch h.Name {
		case "tmp/agent.out", "tmp/agent.rc", "tmp/agent.env":
			kept[h.Name] = string(data)
		}
	}
	if files < 10 || kept["tmp/agent.env"] == "" {
		t.Fatalf("the container's file tree holds %d files and no agent.env: the scan saw nothing", files)
	}
	return kept, holders
}

// assertContained: the agent succeeded and printed want, its environment
// has the stand-in, and nothing in the container holds the real secret.
func assertContained(t *testing.T, stream []byte, secret, standInVar, want string) {
	t.Helper()
	kept, holders := scanTree(t, stream, secret)
	if strings.TrimSpace(kept["tmp/agent.rc"]) != "0" || !strings.Contains(kept["tmp/agent.out"], want) {
		t.Errorf("the agent exited %q and printed:\n%s", kept["tmp/agent.rc"], kept["tmp/agent.out"])
	}
	if len(holders) > 0 {
		t.Errorf("files in the container hold the real credential: %v", holders)
	}
	if strings.Contains(kept["tmp/agent.env"], secret) {
		t.Errorf("the container's environment holds the real credential")
	}
	if !regexp.MustCompile(`(?m)^` + standInVar + `=terok-sa-[A-Za-z0-9_-]{43}$`).MatchString(kept["tmp/agent.env"]) {
		t.Errorf("the container's %s is not a stand-in:\n%s", standInVar, kept["tmp/agent.env"])
	}
}

const (
	proxyClaudeKey   = "sk-ant-api03-proxyREALproxyREALproxyREAL-0001"
	proxyClaudeOAuth = "sk-ant-oat01-proxyREALproxyREALproxyREAL-0004"
)

// claude -p in a container with only a stand-in, through exec --proxy:
// the ephemeral proxy's loopback listener, reached with --network=host.
// An API key login goes as x-api-key; a subscription (OAuth) login as a
// bearer token with Claude's OAuth beta added to the betas Claude Code
// sends. When the command ends, the grant is revoked.
func TestProxyClaudeInContainer(t *testing.T) {
	img := requireVendorImages(t)["claude_image"]
	for _, c := range []struct {
		name, stored, standInVar, header, want string
	}{
		{"api key", `{"type":"api_key","key":"` + proxyClaudeKey + `"}`, "ANTHROPIC_API_KEY", "X-Api-Key", proxyClaudeKey},
		{"oauth", `{"type":"oauth","access_token":"` + proxyClaudeOAuth + `","refresh_token":"sk-ant-ort01-proxyREFRESHproxyREFRESH","expires_at":` +
			strconv.FormatInt(time.Now().Add(24*time.Hour).Unix(), 10) + `}`, "CLAUDE_CODE_OAUTH_TOKEN", "Authorization", "Bearer " + proxyClaudeOAuth},
	} {
		t.Run(c.name, func(t *testing.T) {
			set := "e2e-proxy-claude-" + strings.ReplaceAll(c.name, " ", "-")
			seed(t, set, "claude", c.stored)
			secret := strings.TrimPrefix(c.want, "Bearer ")
			f := startFakeAPI(t, t.TempDir())
			state := t.TempDir()
			o := runOpts{env: proxyEnv(f, state, "claude")}
			r := run(t, o, filepath.Join(binDir, "terok"), "auth", "exec", "--proxy", "--set", set, "--label", "claude-e2e", "claude", "--",
				"podman", "run", "--rm", "--pull=never", "--network=host",
				"-e", c.standInVar, "-e", "ANTHROPIC_BASE_URL", "-e", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1",
				img, "sh", "-c", agentScript("claude -p hi"))
			if r.code != 0 {
				t.Fatalf("exec --proxy: exit %d\n%s", r.code, r.stderr)
			}
			assertContained(t, []byte(r.stdout), secret, c.standInVar, "hello from the fake vendor, through the proxy")
			f.assertGotOnly(t, "/v1/messages", c.header, c.want)
			if c.name == "oauth" {
				for _, req := range f.requests() {
					if beta := req.Header.Get("Anthropic-Beta"); !strings.Contains(beta, "oauth-2025-04-20") || !strings.Contains(beta, "claude-code-20250219") {
						t.Errorf("anthropic-beta %q lacks Claude Code's own betas or the OAuth one", beta)
					}
				}
			}
			if strings.Contains(r.stderr, secret) {
				t.Error("terok printed the real credential")
			}
			gl := run(t, o, filepath.Join(binDir, "terok"), "auth", "grants", "--json")
			if !strings.Contains(gl.stdout, "claude-e2e") || !strings.Contains(gl.stdout, `"state": "revoked"`) || strings.Contains(gl.stdout, `"state": "active"`) {
				t.Errorf("the grant did not end with the command:\n%s", gl.stdout)
			}
			audit, err := os.ReadFile(filepath.Join(state, "terok", "proxy-audit.jsonl"))
			if err != nil || !strings.Contains(string(audit), `"path":"/v1/messages"`) || strings.Contains(string(audit), secret) || strings.Contains(string(audit), "terok-sa-") {
				t.Errorf("audit log (%v):\n%s", err, audit)
			}
		})
	}
}

const proxyCodexKey = "sk-proj-proxyREALproxyREALproxyREAL0002"

// codex exec in a container with only a stand-in, with a custom model
// provider (config.toml model_providers) whose base_url is the running
// terok auth proxy's loopback listener, reached with --network=host.
func TestProxyCodexInContainer(t *testing.T) {
	img := requireVendorImages(t)["codex_image"]
	set := "e2e-proxy-codex"
	seed(t, set, "codex", `{"type":"api_key","key":"`+proxyCodexKey+`"}`)
	f := startFakeAPI(t, t.TempDir())
	o := runOpts{env: proxyEnv(f, t.TempDir(), "codex")}
	tcp := startTerokProxy(t, o.env)
	g := grantFor(t, o, filepath.Join(binDir, "terok"), "codex", "--set", set, "--label", "codex-e2e")
	if g.TCP != tcp || g.Env["OPENAI_API_KEY"] != g.StandIns["codex"] || g.Env["OPENAI_BASE_URL"] != tcp+"/v1" {
		t.Fatalf("grant: %+v (proxy at %s)", g, tcp)
	}
	home := t.TempDir()
	config := `model = "gpt-fake"
model_provider = "terok"

[model_providers.terok]
name = "terok proxy"
base_url = "` + g.Env["OPENAI_BASE_URL"] + `"
env_key = "OPENAI_API_KEY"
wire_api = "responses"
`
	if err := os.WriteFile(filepath.Join(home, "config.toml"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("podman", "run", "--rm", "--pull=never", "--network=host",
		"-e", "OPENAI_API_KEY="+g.StandIns["codex"], "-e", "CODEX_HOME=/codex", "-v", home+":/codex",
		img, "sh", "-c", agentScript("codex exec --skip-git-repo-check hi < /dev/null"))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("podman run: %v", err)
	}
	assertContained(t, out, proxyCodexKey, "OPENAI_API_KEY", "hello from the fake vendor, through the proxy")
	f.assertGotOnly(t, "/v1/responses", "Authorization", "Bearer "+proxyCodexKey)
	// A revoke refuses the next request at once.
	if r := run(t, o, filepath.Join(binDir, "terok"), "auth", "revoke", g.ID); r.code != 0 {
		t.Fatalf("revoke: %s", r.stderr)
	}
	n := len(f.requests())
	out, _ = exec.Command("podman", "run", "--rm", "--pull=never", "--network=host",
		"-e", "OPENAI_API_KEY="+g.StandIns["codex"], "-e", "CODEX_HOME=/codex", "-v", home+":/codex",
		img, "sh", "-c", "codex exec --skip-git-repo-check hi < /dev/null 2>&1").CombinedOutput()
	if len(f.requests()) != n || !strings.Contains(string(out), "401") {
		t.Errorf("after the revoke the vendor got %d more requests; codex said:\n%s", len(f.requests())-n, out)
	}
}

const proxyGHToken = "gho_proxyREALproxyREALproxyREAL0003"

// gh api user in a rootful container, through the grant's Unix socket,
// bind-mounted: gh's http_unix_socket sends every request over it as
// plain HTTP. The same grant over loopback TCP from a container under
// slirp4netns with allow_host_loopback, at 10.0.2.2.
func TestProxyGhThroughTheSocket(t *testing.T) {
	img := requireVendorImages(t)["gh_image"]
	set := "e2e-proxy-gh"
	seed(t, set, "gh", `{"type":"oauth_token","token":"`+proxyGHToken+`","host":"github.com"}`)
	f := startFakeAPI(t, t.TempDir())
	o := runOpts{env: proxyEnv(f, t.TempDir(), "gh")}
	tcp := startTerokProxy(t, o.env)
	g := grantFor(t, o, filepath.Join(binDir, "terok"), "gh", "--set", set)
	if st, err := os.Stat(g.Socket); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("socket %s: %v %v", g.Socket, st.Mode(), err)
	}
	out, err := exec.Command("podman", "run", "--rm", "--pull=never", "--network=none",
		"-v", g.Socket+":/run/terok.sock", "-e", "GH_TOKEN="+g.StandIns["gh"], "-e", "GH_CONFIG_DIR=/tmp/gh",
		img, "sh", "-c", agentScript("gh config set http_unix_socket /run/terok.sock && gh api user")).Output()
	if err != nil {
		t.Fatalf("podman run: %v", err)
	}
	assertContained(t, out, proxyGHToken, "GH_TOKEN", `"login":"octo-fake"`)
	f.assertGotOnly(t, "/user", "Authorization", "token "+proxyGHToken)

	t.Run("slirp4netns loopback", func(t *testing.T) {
		openTun(t)
		port := tcp[strings.LastIndex(tcp, ":")+1:]
		out, err := exec.Command("podman", "run", "--rm", "--pull=never", "--network=slirp4netns:allow_host_loopback=true",
			"-e", "GH_TOKEN="+g.StandIns["gh"], img, "sh", "-c",
			`wget -q -O - --header "Authorization: token $GH_TOKEN" http://10.0.2.2:`+port+`/user`).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "octo-fake") {
			t.Errorf("wget through slirp4netns: %v\n%s", err, out)
		}
		f.assertGotOnly(t, "/user", "Authorization", "token "+proxyGHToken)
	})
}

// Rootless podman reaches both listeners of a proxy its user runs: the
// bind-mounted socket (the user owns it; the container's root is the
// user), loopback TCP with --network=host, and with slirp4netns'
// allow_host_loopback at 10.0.2.2.
func TestProxyRootlessReachesSocketAndLoopback(t *testing.T) {
	u := newRootlessUser(t)
	lockPodman(t)
	img := requireVendorImages(t)["gh_image"]
	load := exec.Command("sh", "-c", `img=$1; shift; podman save "$img" | "$@"`, "sh", img)
	load.Args = append(load.Args, u.argv("podman", "load", "-q")...)
	if out, err := load.CombinedOutput(); err != nil {
		t.Fatalf("give the user the gh image: %v\n%s", err, out)
	}
	openTun(t)
	f := startFakeAPI(t, u.dir)
	state := filepath.Join(u.home, "state")
	env := append(proxyEnv(f, state, "gh"), "TEROK_CREDENTIAL_STORE=file")
	userCmd := func(argv ...string) *exec.Cmd {
		a := u.argv(append(append([]string(nil), env...), argv...)...)
		return exec.Command(a[0], a[1:]...)
	}
	userRun := func(argv ...string) ([]byte, error) { return userCmd(argv...).CombinedOutput() }
	login := userCmd(u.terok, "auth", "login", "gh", "--with-key")
	login.Stdin = strings.NewReader(proxyGHToken)
	if out, err := login.CombinedOutput(); err != nil {
		t.Fatalf("login gh as the user: %v\n%s", err, out)
	}
	tcp := startProxyCmd(t, userCmd(u.terok, "auth", "proxy", "--tcp", "127.0.0.1:0"), true)
	gc := userCmd(u.terok, "auth", "grant", "gh", "--json")
	out, err := gc.Output()
	if err != nil {
		t.Fatalf("grant: %v\n%s", err, out)
	}
	var g e2eGrant
	if err := json.Unmarshal(out, &g); err != nil {
		t.Fatalf("grant --json: %v\n%s", err, out)
	}
	if !waitFor(5*time.Second, func() bool { _, err := os.Stat(g.Socket); return err == nil }) {
		t.Fatalf("no socket %s", g.Socket)
	}
	port := tcp[strings.LastIndex(tcp, ":")+1:]
	for name, args := range map[string][]string{
		"socket": {"--network=none", "-v", g.Socket + ":/run/terok.sock", "-e", "GH_CONFIG_DIR=/tmp/gh", img, "sh", "-c",
			"gh config set http_unix_socket /run/terok.sock && gh api user"},
		"host network": {"--network=host", img, "sh", "-c",
			`wget -q -O - --header "Authorization: token $GH_TOKEN" http://127.0.0.1:` + port + `/user`},
		"slirp4netns loopback": {"--network=slirp4netns:allow_host_loopback=true", img, "sh", "-c",
			`wget -q -O - --header "Authorization: token $GH_TOKEN" http://10.0.2.2:` + port + `/user`},
	} {
		t.Run(name, func(t *testing.T) {
			n := len(f.requests())
			argv := append([]string{"podman", "run", "--rm", "--pull=never", "-e", "GH_TOKEN=" + g.StandIns["gh"]}, args...)
			out, err := userRun(argv...)
			if err != nil || !strings.Contains(string(out), "octo-fake") || len(f.requests()) != n+1 {
				t.Errorf("%v (vendor requests %d → %d):\n%s", err, n, len(f.requests()), out)
			}
		})
	}
	f.assertGotOnly(t, "/user", "Authorization", "token "+proxyGHToken)
}

// exec --proxy ends its grant on every way its command ends: SIGINT,
// SIGTERM and SIGHUP to terok reach the command, which ends, and then the
// grant is revoked and the socket removed. SIGKILL leaves terok no time:
// the grant stays until the next exec --proxy revokes it (its terok is
// gone), and a running terok auth proxy never serves it meanwhile.
func TestProxyExecEndsItsGrantOnSignals(t *testing.T) {
	requireKeyring(t)
	set := "e2e-proxy-signals"
	seed(t, set, "gh", `{"type":"oauth_token","token":"`+proxyGHToken+`","host":"github.com"}`)
	f := startFakeAPI(t, t.TempDir())
	o := runOpts{env: proxyEnv(f, t.TempDir(), "gh")}
	// start runs exec --proxy with a command that says where the proxy is
	// and its own pid (sleep's, after exec), then waits.
	start := func(t *testing.T, label string) (*exec.Cmd, string, *screen) {
		t.Helper()
		info := filepath.Join(t.TempDir(), "info")
		cmd := exec.Command(filepath.Join(binDir, "terok"), "auth", "exec", "--proxy", "--set", set, "--label", label, "gh", "--",
			"sh", "-c", `printf '%s\n%s\n%s\n' "$TEROK_PROXY_SOCKET" "$TEROK_PROXY_URL" $$ > "$0.part" && mv "$0.part" "$0"; exec sleep 60`, info)
		cmd.Env = append(os.Environ(), o.env...)
		out := &screen{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill() })
		var lines []string
		if !waitFor(15*time.Second, func() bool {
			b, err := os.ReadFile(info)
			lines = strings.Fields(string(b))
			return err == nil && len(lines) == 3
		}) {
			t.Fatalf("the command never started:\n%s", out)
		}
		if pid, err := strconv.Atoi(lines[2]); err == nil {
			// A killed terok leaves its command running, as it would for a user.
			t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
		}
		// The proxy answers while the command runs.
		resp, err := http.Get(lines[1] + "/-/health")
		if err != nil {
			t.Fatalf("the exec's proxy does not answer: %v", err)
		}
		_ = resp.Body.Close()
		return cmd, lines[0], out
	}
	state := func(t *testing.T, label string) string {
		t.Helper()
		r := run(t, o, filepath.Join(binDir, "terok"), "auth", "grants", "--json")
		var gs []struct{ Label, State string }
		if err := json.Unmarshal([]byte(r.stdout), &gs); err != nil {
			t.Fatalf("grants --json: %v\n%s", err, r.stdout)
		}
		for _, g := range gs {
			if strings.HasSuffix(g.Label, " "+label) {
				return g.State
			}
		}
		return "missing"
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			label := "sig-" + strings.ReplaceAll(sig.String(), " ", "-")
			cmd, socket, out := start(t, label)
			if s := state(t, label); s != "active" {
				t.Fatalf("the grant is %s while the command runs", s)
			}
			_ = cmd.Process.Signal(sig)
			if code := waitExit(t, cmd); code != 128+int(sig) {
				t.Errorf("exit %d, want %d:\n%s", code, 128+int(sig), out)
			}
			if s := state(t, label); s != "revoked" {
				t.Errorf("after %v the grant is %s", sig, s)
			}
			if _, err := os.Stat(socket); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the socket %s outlived terok: %v", socket, err)
			}
		})
	}
	t.Run("SIGKILL", func(t *testing.T) {
		cmd, _, _ := start(t, "sig-kill")
		_ = cmd.Process.Kill()
		// Not cmd.Wait: the orphaned command still holds terok's output.
		_, _ = cmd.Process.Wait()
		if s := state(t, "sig-kill"); s != "active" {
			t.Fatalf("after SIGKILL the grant is %s; want it left active, for the sweep to find", s)
		}
		if r := run(t, o, filepath.Join(binDir, "terok"), "auth", "exec", "--proxy", "--set", set, "gh", "--", "true"); r.code != 0 {
			t.Fatalf("the next exec --proxy: exit %d: %s", r.code, r.stderr)
		}
		if s := state(t, "sig-kill"); s != "revoked" {
			t.Errorf("the next exec --proxy left the killed one's grant %s", s)
		}
	})
}
