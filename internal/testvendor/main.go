// Command testvendor stands in for the vendor CLIs (claude, codex, and acme,
// an internal tool described only in YAML) inside the
// end-to-end tests' login container images. It is built static and copied
// into a FROM-scratch image under each vendor's command name; it writes the
// files the real tool writes after a login, with well-known fake tokens.
//
// TEROK_FAKE, set in the image, picks a behaviour:
//
//	ok        log in and write the credentials
//	slow      like ok, but linger 1.5s first (tests look at process lists)
//	exit1     fail
//	exit130   stop as if the user pressed Ctrl-C
//	garbage   write credentials files that are not JSON
//	nothing   write nothing
//	huge      write a 100 MB file and nothing else
//	sleep     wait a minute (tests interrupt it)
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The tokens the tests look for.
const (
	ClaudeAccess  = "sk-ant-oat01-E2E-ACCESS-TOKEN-0000000000"
	ClaudeRefresh = "sk-ant-ort01-E2E-REFRESH-TOKEN-000000000"
	ClaudeExpires = 1767225600000 // ms
	CodexAccess   = "e2e-codex-access.eyJleHAiOjE3NjcyMjU2MDB9.sig"
	CodexRefresh  = "e2e-codex-refresh-token"
)

func main() {
	home := os.Getenv("HOME")
	cmd := filepath.Base(os.Args[0])
	args := strings.Join(os.Args[1:], " ")
	fmt.Printf("testvendor: %s %s (behaviour %s)\n", cmd, args, os.Getenv("TEROK_FAKE"))

	switch os.Getenv("TEROK_FAKE") {
	case "exit1":
		fmt.Fprintln(os.Stderr, "login failed: the server said no")
		os.Exit(1)
	case "exit130":
		os.Exit(130)
	case "nothing":
		return
	case "sleep":
		time.Sleep(time.Minute)
		return
	case "huge":
		dir := filepath.Join(home, "."+cmd)
		must(os.MkdirAll(dir, 0o700))
		f, err := os.Create(filepath.Join(dir, "cache.bin"))
		must(err)
		must(f.Truncate(100 << 20))
		_, err = f.WriteAt([]byte("end"), 100<<20-3) // really there, not only a hole
		must(err)
		must(f.Close())
		return
	case "slow":
		defer time.Sleep(1500 * time.Millisecond)
	}
	hostile(os.Getenv("TEROK_FAKE"), home, cmd)
	garbage := os.Getenv("TEROK_FAKE") == "garbage"

	switch {
	case cmd == "claude":
		dir := filepath.Join(home, ".claude")
		creds := fmt.Sprintf(`{"claudeAiOauth":{"accessToken":%q,"refreshToken":%q,"expiresAt":%d,"scopes":["user:inference","user:profile"],"subscriptionType":"max"}}`,
			ClaudeAccess, ClaudeRefresh, ClaudeExpires)
		if garbage {
			creds = "\x00\x01 not json"
		}
		write(filepath.Join(dir, ".credentials.json"), creds)
		write(filepath.Join(dir, "settings.json"), `{"model":"sonnet"}`)
		write(filepath.Join(dir, "statsig", "statsig.stable_id.123"), `"e2e"`)
	case cmd == "acme" && args == "login":
		ini := "[default]\naccess_token = acme-e2e-access\nrefresh_token = acme-e2e-refresh\nexpires = 2026-12-01T00:00:00Z\n"
		if garbage {
			ini = "[default\n"
		}
		write(filepath.Join(home, ".acme", "credentials.ini"), ini)
	case cmd == "codex" && args == `-c cli_auth_credentials_store="file" login`:
		fmt.Println("Starting local login server on http://localhost:1455.")
		codexAuth(home, garbage)
	case cmd == "glab" && args == "auth login":
		glabWebLogin(home, garbage)
	case cmd == "codex" && args == `-c cli_auth_credentials_store="file" login --device-auth`:
		fmt.Println("Open https://auth.openai.com/codex/device and enter the code: E2E1-CODE")
		codexAuth(home, garbage)
	default:
		fmt.Fprintf(os.Stderr, "testvendor: unknown command %s %s\n", cmd, args)
		os.Exit(2)
	}
}

func codexAuth(home string, garbage bool) {
	auth := fmt.Sprintf(`{"OPENAI_API_KEY":null,"tokens":{"id_token":"e2e.id.token","access_token":%q,"refresh_token":%q,"account_id":"e2e-account"},"last_refresh":"2026-11-28T10:00:00Z"}`,
		CodexAccess, CodexRefresh)
	if garbage {
		auth = "{{{"
	}
	write(filepath.Join(home, ".codex", "auth.json"), auth)
	write(filepath.Join(home, ".codex", "config.toml"), "model = \"gpt-5-codex\"\n")
}

// The glab stand-in's tokens.
const (
	GlabAccess  = "e2e-glab-oauth2-access-token"
	GlabRefresh = "e2e-glab-oauth2-refresh-token"
	GlabExpiry  = "01 Dec 26 00:00 UTC" // time.RFC822, as glab writes it: 2026-12-01T00:00:00Z
)

// glabWebLogin stands in for `glab auth login --web`: glab cannot be
// fetched on the test machines (the Go module proxy refuses
// gitlab.com/gitlab-org/cli), so this binds the callback port 7171 as the
// callback server of gitlab-org/cli internal/oauth2 does, on the loopback
// only (the address a -p publish cannot reach), waits for the browser's
// redirect to /auth/redirect, and writes config.yml as glab's marshal()
// does (is_oauth2, oauth2_refresh_token, oauth2_expiry_date as time.RFC822 text,
// token).
func glabWebLogin(home string, garbage bool) {
	ln, err := net.Listen("tcp4", "127.0.0.1:7171")
	must(err)
	fmt.Println("Open https://gitlab.com/oauth/authorize?redirect_uri=http%3A%2F%2Flocalhost%3A7171%2Fauth%2Fredirect in your browser")
	done := make(chan struct{})
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/auth/redirect" || r.URL.Query().Get("code") == "" {
			http.Error(w, "glab stand-in: no code", http.StatusBadRequest)
			return
		}
		_, _ = fmt.Fprintln(w, "glab stand-in: you have logged in; you can close this window")
		select {
		case <-done:
		default:
			close(done)
		}
	})}
	go func() { _ = srv.Serve(ln) }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		fmt.Fprintln(os.Stderr, "glab stand-in: no redirect within a minute")
		os.Exit(1)
	}
	cfg := fmt.Sprintf("hosts:\n    gitlab.com:\n        api_protocol: https\n        is_oauth2: \"true\"\n        oauth2_refresh_token: %s\n        oauth2_expiry_date: %q\n        token: %s\n        user: e2e\n",
		GlabRefresh, GlabExpiry, GlabAccess)
	if garbage {
		cfg = "hosts: [\n"
	}
	write(filepath.Join(home, ".config", "glab-cli", "config.yml"), cfg)
	time.Sleep(100 * time.Millisecond) // let the answer reach the browser
}

func write(path, data string) {
	must(os.MkdirAll(filepath.Dir(path), 0o700))
	must(os.WriteFile(path, []byte(data), 0o600))
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "testvendor:", err)
		os.Exit(3)
	}
}
