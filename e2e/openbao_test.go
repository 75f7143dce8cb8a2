package e2e

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/terok-ai/terok-auth/internal/baotest"
)

// The team store: two terok homes ("machines") against one real OpenBao
// dev server.

// baoHome is the environment of one terok home whose store is the server.
func baoHome(t *testing.T, s *baotest.Server, extra ...string) []string {
	t.Helper()
	home := t.TempDir()
	env := []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, "config"), "XDG_DATA_HOME=" + filepath.Join(home, "data"),
		"XDG_STATE_HOME=" + filepath.Join(home, "state"), "XDG_CACHE_HOME=" + filepath.Join(home, "cache"),
		"TEROK_CREDENTIAL_STORE=openbao", "BAO_ADDR=" + s.Addr, "BAO_TOKEN=" + s.Token, "VAULT_ADDR=", "VAULT_TOKEN="}
	return append(env, extra...)
}

func startBaoE2E(t *testing.T) *baotest.Server {
	t.Helper()
	if testing.Short() {
		t.Skip("end to end: needs the built binaries and an OpenBao server (run make test)")
	}
	return baotest.Start(t)
}

const ghKey = "ghp_e2eTeamStore0123456789abcdef"

func TestOpenBaoTwoHomes(t *testing.T) {
	s := startBaoE2E(t)
	a, b := baoHome(t, s), baoHome(t, s)

	if r := terok(t, runOpts{stdin: ghKey, env: a}, "auth", "login", "gh", "--with-key"); r.code != 0 {
		t.Fatalf("login on a: %d %s", r.code, r.stderr)
	}
	// b never logged in: it sees a's login.
	r := terok(t, runOpts{env: b}, "auth", "token", "gh")
	if r.code != 0 || strings.TrimSpace(r.stdout) != ghKey {
		t.Fatalf("token on b: %d %q %s", r.code, r.stdout, r.stderr)
	}
	r = terok(t, runOpts{env: b}, "auth", "status", "gh", "--json")
	var st []struct {
		Authenticated bool   `json:"authenticated"`
		Backend       string `json:"backend"`
		Version       int    `json:"version"`
		WrittenBy     string `json:"written_by"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil || r.code != 0 || len(st) != 1 {
		t.Fatalf("status on b: %d %s %s %v", r.code, r.stdout, r.stderr, err)
	}
	host, _ := os.Hostname()
	if !st[0].Authenticated || st[0].Backend != "openbao" || st[0].Version != 1 || !strings.HasPrefix(st[0].WrittenBy, host+" (terok ") {
		t.Errorf("status on b: %+v", st[0])
	}
	r = terok(t, runOpts{env: b}, "auth", "status", "gh")
	if !strings.Contains(r.stdout, "openbao v1 by "+host) {
		t.Errorf("status table on b:\n%s", r.stdout)
	}
	// The credential is where the issue says, in the keyring's shape.
	if out := s.Bao(t, "", "kv", "get", "-mount=secret", "-field=token", "terok/default/gh"); strings.TrimSpace(out) != ghKey {
		t.Errorf("bao kv get = %q", out)
	}
	if r := terok(t, runOpts{env: b}, "auth", "sets"); r.code != 0 || !strings.Contains(r.stdout, "default") {
		t.Errorf("sets on b: %d %s %s", r.code, r.stdout, r.stderr)
	}

	// A logout on b is gone on a, every version of it.
	if r := terok(t, runOpts{env: b}, "auth", "logout", "gh"); r.code != 0 {
		t.Fatalf("logout on b: %d %s", r.code, r.stderr)
	}
	if r := terok(t, runOpts{env: a}, "auth", "token", "gh"); r.code != 4 {
		t.Errorf("token on a after the logout on b: %d %q %s", r.code, r.stdout, r.stderr)
	}
	if _, err := s.TryBao("", nil, "kv", "metadata", "get", "-mount=secret", "terok/default/gh"); err == nil {
		t.Error("versions left after logout")
	}
}

func TestOpenBaoConcurrentLoginsLoseNothing(t *testing.T) {
	s := startBaoE2E(t)
	homes := [][]string{baoHome(t, s), baoHome(t, s)}
	const n = 20
	var wg sync.WaitGroup
	results := make([]result, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := fmt.Sprintf("ghp_concurrent%02d0123456789abcdef", i)
			results[i] = terok(t, runOpts{stdin: key, env: homes[i%2], concurrent: true}, "auth", "login", "gh", "--with-key", "--set", fmt.Sprintf("c%02d", i))
		}()
	}
	wg.Wait()
	assertNoPluginLeft(t)
	for i, r := range results {
		if r.code != 0 {
			t.Errorf("login %d: %d %s", i, r.code, r.stderr)
		}
	}
	// Every one is there, read from the other home.
	for i := 0; i < n; i++ {
		r := terok(t, runOpts{env: homes[(i+1)%2]}, "auth", "token", "gh", "--set", fmt.Sprintf("c%02d", i))
		if want := fmt.Sprintf("ghp_concurrent%02d0123456789abcdef", i); strings.TrimSpace(r.stdout) != want {
			t.Errorf("c%02d: %d %q %s", i, r.code, r.stdout, r.stderr)
		}
	}
	r := terok(t, runOpts{env: homes[1]}, "auth", "sets", "--json")
	if strings.Count(r.stdout, `"c`) != n {
		t.Errorf("sets on the other home:\n%s", r.stdout)
	}
}

// Two machines change one credential at once: a person on a answers
// "log in again" after reading what is stored; meanwhile b stores a new
// one. a's write is a check-and-set at what it read, so it loses, says who
// won, and b's credential stays.
func TestOpenBaoConcurrentChangeOneWinner(t *testing.T) {
	s := startBaoE2E(t)
	a, b := baoHome(t, s), baoHome(t, s)
	if r := terok(t, runOpts{stdin: ghKey, env: b}, "auth", "login", "gh", "--with-key"); r.code != 0 {
		t.Fatalf("first login: %d %s", r.code, r.stderr)
	}
	cmd, tty, out := startPTY(t, a, "auth", "login", "gh", "--mode", "api-key")
	out.expect(t, "gh is already logged in")
	out.expect(t, "Choose [1-2]")
	// While a asks, b stores another token.
	const bKey = "ghp_fromMachineB0123456789abcdef"
	if r := terok(t, runOpts{stdin: bKey, env: b}, "auth", "login", "gh", "--with-key"); r.code != 0 {
		t.Fatalf("b's login: %d %s", r.code, r.stderr)
	}
	if _, err := tty.Write([]byte("1\r")); err != nil {
		t.Fatal(err)
	}
	out.expect(t, "GitHub token")
	if _, err := tty.Write([]byte("ghp_fromMachineA0123456789abcdef\r")); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err == nil {
		t.Errorf("a's login succeeded:\n%s", out.String())
	}
	// The terminal's last bytes may still be on their way.
	for _, w := range []string{"changed by someone else", "now version 2", "yours was not stored"} {
		out.expect(t, w)
	}
	r := terok(t, runOpts{env: a}, "auth", "token", "gh")
	if strings.TrimSpace(r.stdout) != bKey {
		t.Errorf("stored now: %q (want b's)", r.stdout)
	}
	if out := s.Bao(t, "", "kv", "metadata", "get", "-mount=secret", "-format=json", "terok/default/gh"); !strings.Contains(out, `"current_version": 2`) {
		t.Errorf("versions: %s", out)
	}
	assertNoPluginLeft(t)
}

func TestOpenBaoFaultsExitNonZero(t *testing.T) {
	s := startBaoE2E(t)
	a := baoHome(t, s, "TEROK_OPENBAO_TIMEOUT=1s")
	if r := terok(t, runOpts{stdin: ghKey, env: a}, "auth", "login", "gh", "--with-key"); r.code != 0 {
		t.Fatalf("login: %d %s", r.code, r.stderr)
	}
	intact := func(t *testing.T) {
		t.Helper()
		if r := terok(t, runOpts{env: a}, "auth", "token", "gh"); strings.TrimSpace(r.stdout) != ghKey {
			t.Errorf("previous credential: %d %q %s", r.code, r.stdout, r.stderr)
		}
	}
	const newKey = "ghp_replacement0123456789abcdefg"

	t.Run("server stopped", func(t *testing.T) {
		s.Pause(t)
		r := terok(t, runOpts{stdin: newKey, env: a}, "auth", "login", "gh", "--with-key")
		tok := terok(t, runOpts{env: a}, "auth", "token", "gh")
		s.Resume(t)
		if r.code == 0 || !strings.Contains(r.stderr, "did not answer") || tok.code == 0 || !strings.Contains(tok.stderr, "did not answer") {
			t.Errorf("login: %d %s\ntoken: %d %s", r.code, r.stderr, tok.code, tok.stderr)
		}
		intact(t)
	})

	t.Run("sealed", func(t *testing.T) {
		s.Seal(t)
		r := terok(t, runOpts{stdin: newKey, env: a}, "auth", "login", "gh", "--with-key")
		s.Unseal(t)
		if r.code != 1 || !strings.Contains(r.stderr, "sealed") || !strings.Contains(r.stderr, "bao operator unseal") {
			t.Errorf("login: %d %s", r.code, r.stderr)
		}
		intact(t)
	})

	t.Run("token revoked", func(t *testing.T) {
		tok := strings.TrimSpace(s.Bao(t, "", "token", "create", "-policy=root", "-field=token"))
		s.Bao(t, "", "token", "revoke", tok)
		r := terok(t, runOpts{stdin: newKey, env: append(a, "BAO_TOKEN="+tok)}, "auth", "login", "gh", "--with-key")
		if r.code != 1 || !strings.Contains(r.stderr, "expired, revoked or invalid") {
			t.Errorf("login: %d %s", r.code, r.stderr)
		}
		intact(t)
	})

	t.Run("policy without write", func(t *testing.T) {
		s.Bao(t, `path "secret/data/terok/*" { capabilities = ["read"] }
path "secret/metadata/terok/*" { capabilities = ["read", "list"] }`, "policy", "write", "e2e-reader", "-")
		tok := strings.TrimSpace(s.Bao(t, "", "token", "create", "-policy=e2e-reader", "-field=token"))
		r := terok(t, runOpts{stdin: newKey, env: append(a, "BAO_TOKEN="+tok)}, "auth", "login", "gh", "--with-key")
		if r.code != 1 || !strings.Contains(r.stderr, "permission denied") || !strings.Contains(r.stderr, `"update" on secret/data/terok/default/gh`) {
			t.Errorf("login: %d %s", r.code, r.stderr)
		}
		if r := terok(t, runOpts{env: append(a, "BAO_TOKEN="+tok)}, "auth", "logout", "gh"); r.code != 1 || !strings.Contains(r.stderr, `"delete"`) {
			t.Errorf("logout: %d %s", r.code, r.stderr)
		}
		intact(t)
	})

	t.Run("no server configured", func(t *testing.T) {
		r := terok(t, runOpts{env: append(a, "BAO_ADDR=", "VAULT_ADDR=")}, "auth", "token", "gh")
		if r.code != 1 || !strings.Contains(r.stderr, "BAO_ADDR") {
			t.Errorf("token: %d %s", r.code, r.stderr)
		}
	})
}

func TestOpenBaoAppRoleFromFiles(t *testing.T) {
	s := startBaoE2E(t)
	s.Bao(t, "", "auth", "enable", "approle")
	s.Bao(t, `path "secret/data/terok/*" { capabilities = ["create", "read", "update"] }
path "secret/metadata/terok/*" { capabilities = ["read", "list", "update", "delete"] }
path "sys/internal/ui/mounts/secret" { capabilities = ["read"] }`, "policy", "write", "terok-ci", "-")
	s.Bao(t, "", "write", "auth/approle/role/fleet", "token_policies=terok-ci", "token_ttl=10m")
	dir := t.TempDir()
	roleFile, secretFile := filepath.Join(dir, "role-id"), filepath.Join(dir, "secret-id")
	if err := os.WriteFile(roleFile, []byte(s.Bao(t, "", "read", "-field=role_id", "auth/approle/role/fleet/role-id")), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(secretFile, []byte(s.Bao(t, "", "write", "-f", "-field=secret_id", "auth/approle/role/fleet/secret-id")), 0o600); err != nil {
		t.Fatal(err)
	}
	ci := baoHome(t, s, "BAO_TOKEN=", "TEROK_OPENBAO_AUTH=approle", "TEROK_OPENBAO_ROLE_ID_FILE="+roleFile, "TEROK_OPENBAO_SECRET_ID_FILE="+secretFile)
	if r := terok(t, runOpts{stdin: ghKey, env: ci}, "auth", "login", "gh", "--with-key"); r.code != 0 {
		t.Fatalf("login with AppRole: %d %s", r.code, r.stderr)
	}
	if r := terok(t, runOpts{env: ci}, "auth", "token", "gh"); strings.TrimSpace(r.stdout) != ghKey {
		t.Errorf("token with AppRole: %d %q %s", r.code, r.stdout, r.stderr)
	}
	if r := terok(t, runOpts{env: baoHome(t, s)}, "auth", "token", "gh"); strings.TrimSpace(r.stdout) != ghKey {
		t.Errorf("token as root: %d %q %s", r.code, r.stdout, r.stderr)
	}
	// Nothing secret in the config or in argv: the files are named, not read into either.
	if r := terok(t, runOpts{env: ci}, "config"); strings.Contains(r.stdout, strings.TrimSpace(s.Bao(t, "", "read", "-field=role_id", "auth/approle/role/fleet/role-id"))) {
		t.Errorf("config shows the role id:\n%s", r.stdout)
	}
}

func TestOpenBaoStoreCopyBothWays(t *testing.T) {
	s := startBaoE2E(t)
	requireKeyring(t)
	home := baoHome(t, s)
	const set = "e2e-copy"
	kr := append(home, "TEROK_CREDENTIAL_STORE=keyring")
	t.Cleanup(func() { _ = deleteStored(set, "gh") })
	if r := terok(t, runOpts{stdin: ghKey, env: kr}, "auth", "login", "gh", "--with-key", "--set", set); r.code != 0 {
		t.Fatalf("keyring login: %d %s", r.code, r.stderr)
	}
	r := terok(t, runOpts{env: home}, "auth", "store", "copy", "--from", "keyring", "--to", "openbao", "--set", set)
	if r.code != 0 || !strings.Contains(r.stderr, "Copied 1 credentials") {
		t.Fatalf("copy: %d %s", r.code, r.stderr)
	}
	if out := s.Bao(t, "", "kv", "get", "-mount=secret", "-field=token", "terok/"+set+"/gh"); strings.TrimSpace(out) != ghKey {
		t.Errorf("in the engine: %q", out)
	}
	// Again: it is there now, so without --force nothing is copied.
	s.Bao(t, "", "kv", "put", "-mount=secret", "terok/"+set+"/gh", "type=oauth_token", "token=ghp_changedInTheEngine0123456789")
	r = terok(t, runOpts{env: home}, "auth", "store", "copy", "--from", "keyring", "--to", "vault", "--set", set)
	if r.code == 0 || !strings.Contains(r.stderr, "--force") || !strings.Contains(r.stderr, "nothing was copied") {
		t.Errorf("copy over: %d %s", r.code, r.stderr)
	}
	if out := s.Bao(t, "", "kv", "get", "-mount=secret", "-field=token", "terok/"+set+"/gh"); strings.TrimSpace(out) != "ghp_changedInTheEngine0123456789" {
		t.Errorf("overwritten without --force: %q", out)
	}
	// And back, with --force.
	r = terok(t, runOpts{env: home}, "auth", "store", "copy", "--from", "openbao", "--to", "keyring", "--set", set, "--force")
	if r.code != 0 {
		t.Fatalf("copy back: %d %s", r.code, r.stderr)
	}
	if r := terok(t, runOpts{env: kr}, "auth", "token", "gh", "--set", set); strings.TrimSpace(r.stdout) != "ghp_changedInTheEngine0123456789" {
		t.Errorf("keyring after copy back: %q %s", r.stdout, r.stderr)
	}
}

// A home that stored a credential answers status from its index; when
// another home changed it since, its next login loses the check-and-set
// (never a silent overwrite), and the one after reads what is there.
func TestOpenBaoStaleIndexLoses(t *testing.T) {
	s := startBaoE2E(t)
	a, b := baoHome(t, s), baoHome(t, s)
	for i, h := range [][]string{a, b} {
		if r := terok(t, runOpts{stdin: fmt.Sprintf("ghp_home%d0123456789abcdefgh", i), env: h}, "auth", "login", "gh", "--with-key"); r.code != 0 {
			t.Fatalf("login %d: %d %s", i, r.code, r.stderr)
		}
	}
	r := terok(t, runOpts{stdin: "ghp_homeAagain0123456789abcdef", env: a}, "auth", "login", "gh", "--with-key")
	if r.code != 1 || !strings.Contains(r.stderr, "now version 2") {
		t.Errorf("stale login: %d %s", r.code, r.stderr)
	}
	if r := terok(t, runOpts{env: a}, "auth", "token", "gh"); strings.TrimSpace(r.stdout) != "ghp_home10123456789abcdefgh" {
		t.Errorf("after the lost write: %q", r.stdout)
	}
	r = terok(t, runOpts{env: a}, "auth", "status", "gh", "--json")
	if !strings.Contains(r.stdout, `"version": 2`) {
		t.Errorf("status after the lost write:\n%s", r.stdout)
	}
	if r := terok(t, runOpts{stdin: "ghp_homeAagain0123456789abcdef", env: a}, "auth", "login", "gh", "--with-key"); r.code != 0 {
		t.Errorf("login after reading: %d %s", r.code, r.stderr)
	}
}

func TestOpenBaoDoctor(t *testing.T) {
	s := startBaoE2E(t)
	r := terok(t, runOpts{env: baoHome(t, s)}, "auth", "doctor", "--json")
	for _, want := range []string{`"name": "openbao server"`, `"name": "openbao unsealed"`, `"name": "openbao token"`, `"name": "openbao mount"`, `"name": "openbao policy"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("doctor lacks %s:\n%s", want, r.stdout)
		}
	}
	r = terok(t, runOpts{env: baoHome(t, s)}, "auth", "doctor")
	for _, name := range []string{"openbao server", "openbao unsealed", "openbao token", "openbao mount", "openbao policy"} {
		if !strings.Contains(r.stdout, "OK    "+name) {
			t.Errorf("doctor as root: %s not OK:\n%s", name, r.stdout)
		}
	}
	s.Bao(t, `path "secret/data/terok/*" { capabilities = ["read"] }`, "policy", "write", "doctor-ro", "-")
	tok := strings.TrimSpace(s.Bao(t, "", "token", "create", "-policy=doctor-ro", "-field=token"))
	r = terok(t, runOpts{env: baoHome(t, s, "BAO_TOKEN="+tok)}, "auth", "doctor")
	if r.code != 1 || !strings.Contains(r.stdout, "openbao policy") || !strings.Contains(r.stdout, `lacks "create"`) {
		t.Errorf("doctor with a read-only token: %d\n%s", r.code, r.stdout)
	}
}

// A fault while a command runs (after it read the credential, before it
// writes): the server stops, is sealed, or the command's token is revoked.
// Each is its classified error, a non-zero exit, and the previous
// credential is intact.
func TestOpenBaoFaultsMidCommand(t *testing.T) {
	s := startBaoE2E(t)
	a := baoHome(t, s, "TEROK_OPENBAO_TIMEOUT=1s")
	if r := terok(t, runOpts{stdin: ghKey, env: a}, "auth", "login", "gh", "--with-key"); r.code != 0 {
		t.Fatalf("login: %d %s", r.code, r.stderr)
	}
	intact := func(t *testing.T) {
		t.Helper()
		if r := terok(t, runOpts{env: a}, "auth", "token", "gh"); r.code != 0 || strings.TrimSpace(r.stdout) != ghKey {
			t.Errorf("previous credential: %d %q %s", r.code, r.stdout, r.stderr)
		}
	}
	// loginWith runs a login that reads what is stored, then waits at the
	// prompt: fault happens there, and undo once the command has ended.
	loginWith := func(t *testing.T, env []string, fault, undo func(), want ...string) {
		t.Helper()
		cmd, tty, out := startPTY(t, env, "auth", "login", "gh", "--mode", "api-key")
		out.expect(t, "gh is already logged in")
		out.expect(t, "Choose [1-2]")
		fault()
		if _, err := tty.Write([]byte("1\r")); err != nil {
			t.Fatal(err)
		}
		out.expect(t, "GitHub token")
		if _, err := tty.Write([]byte("ghp_midCommand0123456789abcdefgh\r")); err != nil {
			t.Fatal(err)
		}
		err := cmd.Wait()
		undo()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Errorf("exit: %v\n%s", err, out.String())
		}
		for _, w := range want {
			out.expect(t, w) // the terminal's last bytes may still be on their way
		}
		if screen := out.String(); strings.Contains(screen, "ghp_midCommand") {
			t.Errorf("the terminal echoed the secret:\n%s", screen)
		}
		intact(t)
	}

	t.Run("server stopped", func(t *testing.T) {
		loginWith(t, a, func() { s.Pause(t) }, func() { s.Resume(t) },
			"did not answer", "TEROK_OPENBAO_TIMEOUT", "Nothing was changed")
	})
	t.Run("sealed", func(t *testing.T) {
		loginWith(t, a, func() { s.Seal(t) }, func() { s.Unseal(t) },
			"sealed", "bao operator unseal", "Nothing was changed")
	})
	t.Run("token revoked", func(t *testing.T) {
		tok := strings.TrimSpace(s.Bao(t, "", "token", "create", "-policy=root", "-field=token"))
		loginWith(t, append(a, "BAO_TOKEN="+tok), func() { s.Bao(t, "", "token", "revoke", tok) }, func() {},
			"expired, revoked or invalid", "bao login")
	})
}

// What listing costs through the commands, counted by a proxy in front of
// the real server: status is one LIST of the set plus one read per
// credential the index cannot answer for; sets one LIST of the sets plus
// one per set; logout --all one LIST, then only what the LIST names.
func TestOpenBaoListingCostCLI(t *testing.T) {
	s := startBaoE2E(t)
	counter := baotest.Count(t, s.Addr)
	const set = "cost"
	stored := map[string]string{"gh": `{"type":"oauth_token","token":"ghp_cost0123456789abcdefghijklmn","host":"github.com"}`,
		"openrouter": `{"type":"api_key","key":"sk-or-cost"}`, "sonar": `{"type":"api_key","key":"squ_cost"}`}
	for p, js := range stored {
		s.Bao(t, js, "kv", "put", "-mount=secret", "terok/"+set+"/"+p, "-")
	}
	s.Bao(t, `{"type":"api_key","key":"k"}`, "kv", "put", "-mount=secret", "terok/other/gh", "-")
	home := baoHome(t, s, "BAO_ADDR="+counter.Addr)
	kvReqs := func() []string { return counter.Requests("secret/") }
	count := func(reqs []string, method string) int {
		n := 0
		for _, r := range reqs {
			if strings.HasPrefix(r, method+" ") {
				n++
			}
		}
		return n
	}

	// A home that never saw them: one LIST, and a read of each stored one.
	counter.Reset()
	r := terok(t, runOpts{env: home}, "auth", "status", "--set", set, "--json")
	reqs := kvReqs()
	if r.code != 0 || strings.Count(r.stdout, `"authenticated": true`) != len(stored) {
		t.Fatalf("status: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if count(reqs, "LIST") != 1 || count(reqs, "GET") != len(stored) || len(reqs) != 1+len(stored) {
		t.Errorf("status cost %d requests, want one LIST and %d reads:\n%s", len(reqs), len(stored), strings.Join(reqs, "\n"))
	}
	// Now its index answers: one LIST.
	counter.Reset()
	if r := terok(t, runOpts{env: home}, "auth", "status", "--set", set, "--json"); r.code != 0 {
		t.Fatalf("status again: %d %s", r.code, r.stderr)
	}
	if reqs := kvReqs(); len(reqs) != 1 || count(reqs, "LIST") != 1 {
		t.Errorf("status again cost %v, want one LIST", reqs)
	}

	counter.Reset()
	if r := terok(t, runOpts{env: home}, "auth", "sets", "--json"); r.code != 0 || !strings.Contains(r.stdout, `"other"`) {
		t.Fatalf("sets: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if reqs := kvReqs(); len(reqs) != 3 || count(reqs, "LIST") != 3 {
		t.Errorf("sets over two sets cost %v, want three LISTs", reqs)
	}

	// token: one read, nothing listed.
	counter.Reset()
	if r := terok(t, runOpts{env: home}, "auth", "token", "gh", "--set", set); r.code != 0 {
		t.Fatalf("token: %d %s", r.code, r.stderr)
	}
	if reqs := kvReqs(); len(reqs) != 1 || reqs[0] != "GET /v1/secret/data/terok/"+set+"/gh" {
		t.Errorf("token cost %v, want one read", reqs)
	}

	// logout --all from a third home that knows nothing: it removes what
	// the LIST names, and asks nothing of the providers the set lacks.
	other := baoHome(t, s, "BAO_ADDR="+counter.Addr)
	counter.Reset()
	if r := terok(t, runOpts{env: other}, "auth", "logout", "--all", "--set", set); r.code != 0 || strings.Count(r.stderr, "Logged out of") != len(stored) {
		t.Fatalf("logout --all: %d %s", r.code, r.stderr)
	}
	reqs = kvReqs()
	if count(reqs, "LIST") != 1 {
		t.Errorf("logout --all listed %d times:\n%s", count(reqs, "LIST"), strings.Join(reqs, "\n"))
	}
	for _, req := range reqs {
		if _, path, _ := strings.Cut(req, " "); path != "/v1/secret/metadata/terok/"+set && !func() bool {
			for p := range stored {
				if strings.HasSuffix(path, "/"+set+"/"+p) {
					return true
				}
			}
			return false
		}() {
			t.Errorf("logout --all asked about something the set does not hold: %s", req)
		}
	}
	if out, _ := s.TryBao("", nil, "kv", "list", "-mount=secret", "terok/"+set); strings.TrimSpace(out) != "" {
		t.Errorf("left in the set:\n%s", out)
	}
	if out := s.Bao(t, "", "kv", "get", "-mount=secret", "-field=key", "terok/other/gh"); strings.TrimSpace(out) != "k" {
		t.Errorf("the other set: %q", out)
	}
}

// The team store is chosen as the file store is: --store openbao (or
// vault), TEROK_CREDENTIAL_STORE, or store: in the config; and its mount
// and prefix from the config or their variables.
func TestOpenBaoChosenEveryWay(t *testing.T) {
	s := startBaoE2E(t)
	s.EnableKV2(t, "team")
	homeOf := func(env []string) string {
		for _, kv := range env {
			if v, ok := strings.CutPrefix(kv, "HOME="); ok {
				return v
			}
		}
		t.Fatal("no HOME")
		return ""
	}
	for _, tc := range []struct {
		name   string
		extra  []string
		config string
		args   []string
		mount  string
		path   string
	}{
		{name: "flag", extra: []string{"TEROK_CREDENTIAL_STORE="}, args: []string{"--store", "openbao"}, mount: "secret", path: "terok/flag/gh"},
		{name: "flag-alias", extra: []string{"TEROK_CREDENTIAL_STORE="}, args: []string{"--store", "vault"}, mount: "secret", path: "terok/flag-alias/gh"},
		{name: "variable", extra: []string{"TEROK_CREDENTIAL_STORE=vault", "TEROK_OPENBAO_MOUNT=team", "TEROK_OPENBAO_PREFIX=from/env"}, mount: "team", path: "from/env/variable/gh"},
		{name: "config", extra: []string{"TEROK_CREDENTIAL_STORE="}, config: "store: openbao\nopenbao_mount: team\nopenbao_prefix: ci/agents\n", mount: "team", path: "ci/agents/config/gh"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := baoHome(t, s, tc.extra...)
			if tc.config != "" {
				dir := filepath.Join(homeOf(env), "config", "terok")
				if err := os.MkdirAll(dir, 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, "config.yml"), []byte(tc.config), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			args := append([]string{"auth", "login", "gh", "--with-key", "--set", tc.name}, tc.args...)
			if r := terok(t, runOpts{stdin: ghKey, env: env}, args...); r.code != 0 {
				t.Fatalf("login: %d %s", r.code, r.stderr)
			}
			if out := s.Bao(t, "", "kv", "get", "-mount="+tc.mount, "-field=token", tc.path); strings.TrimSpace(out) != ghKey {
				t.Errorf("bao kv get -mount=%s %s = %q", tc.mount, tc.path, out)
			}
			r := terok(t, runOpts{env: env}, "auth", "status", "gh", "--set", tc.name, "--json")
			if r.code != 0 || !strings.Contains(r.stdout, `"backend": "openbao"`) {
				t.Errorf("status: %d %s %s", r.code, r.stdout, r.stderr)
			}
		})
	}
}

// Two homes that both saw version 1 store a new credential at the same
// moment: exactly one wins, the other gets the check-and-set conflict, and
// what is stored is the winner's.
func TestOpenBaoConcurrentLoginsOneWinner(t *testing.T) {
	s := startBaoE2E(t)
	a, b := baoHome(t, s), baoHome(t, s)
	if r := terok(t, runOpts{stdin: ghKey, env: a}, "auth", "login", "gh", "--with-key"); r.code != 0 {
		t.Fatalf("first login: %d %s", r.code, r.stderr)
	}
	if r := terok(t, runOpts{env: b}, "auth", "status", "gh"); r.code != 0 {
		t.Fatalf("status on b: %d %s", r.code, r.stderr)
	}
	keys := []string{"ghp_concurrentA0123456789abcdefgh", "ghp_concurrentB0123456789abcdefgh"}
	results := make([]result, 2)
	var wg sync.WaitGroup
	for i, env := range [][]string{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = terok(t, runOpts{stdin: keys[i], env: env, concurrent: true}, "auth", "login", "gh", "--with-key")
		}()
	}
	wg.Wait()
	winner := -1
	for i, r := range results {
		switch {
		case r.code == 0 && winner < 0:
			winner = i
		case r.code == 0:
			t.Errorf("both logins succeeded: %s / %s", results[0].stderr, results[1].stderr)
		case r.code != 1 || !strings.Contains(r.stderr, "changed by someone else") || !strings.Contains(r.stderr, "yours was not stored"):
			t.Errorf("the losing login %d: %d %s", i, r.code, r.stderr)
		}
	}
	if winner < 0 {
		t.Fatalf("no login won: %s / %s", results[0].stderr, results[1].stderr)
	}
	if out := s.Bao(t, "", "kv", "get", "-mount=secret", "-field=token", "terok/default/gh"); strings.TrimSpace(out) != keys[winner] {
		t.Errorf("stored %q, the winner was %q", strings.TrimSpace(out), keys[winner])
	}
	if out := s.Bao(t, "", "kv", "metadata", "get", "-mount=secret", "-format=json", "terok/default/gh"); !strings.Contains(out, `"current_version": 2`) {
		t.Errorf("versions: %s", out)
	}
	assertNoPluginLeft(t)
}
