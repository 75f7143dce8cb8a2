//go:build unix

package store_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/remedy"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/core/store/storetest"
	"github.com/terok-ai/terok-auth/internal/baotest"
	"github.com/terok-ai/terok-auth/sdk"
)

// startBao starts a dev server; -short skips it (make test-unit), as the
// keyring's real tests are; otherwise a missing server binary fails.
func startBao(t *testing.T) *baotest.Server {
	t.Helper()
	if testing.Short() {
		t.Skip("needs a real OpenBao server (run make test)")
	}
	return baotest.Start(t)
}

func envOf(pairs ...string) func(string) string {
	m := map[string]string{}
	for _, kv := range pairs {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return func(k string) string { return m[k] }
}

func openBao(t *testing.T, s *baotest.Server, token string, mod ...func(*store.OpenBaoOptions)) *store.OpenBao {
	t.Helper()
	opts := store.OpenBaoOptions{Getenv: envOf("BAO_ADDR="+s.Addr, "BAO_TOKEN="+token), Home: t.TempDir(), Timeout: 5 * time.Second, Writer: "terok test"}
	for _, m := range mod {
		m(&opts)
	}
	o, err := store.NewOpenBao(opts)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestOpenBaoConformance(t *testing.T) {
	s := startBao(t)
	storetest.Run(t, openBao(t, s, s.Token), "bao")
	storetest.RunVersioned(t, openBao(t, s, s.Token), "bao")
	t.Run("a soft-deleted version is the one to create over", func(t *testing.T) {
		o := openBao(t, s, s.Token)
		ctx := context.Background()
		mustSet(t, o, "soft", "claude", sdk.APIKey("k"))
		s.Bao(t, "", "kv", "delete", "-mount=secret", "terok/soft/claude")
		_, v, err := openBao(t, s, s.Token).GetVersioned(ctx, "soft", "claude")
		if !errors.Is(err, store.ErrNotFound) || v != 1 {
			t.Fatalf("GetVersioned = %d, %v", v, err)
		}
		if nv, err := o.PutCAS(ctx, "soft", "claude", sdk.APIKey("again"), v); err != nil || nv != 2 {
			t.Errorf("PutCAS over the deleted version = %d, %v", nv, err)
		}
	})
	t.Run("another mount and prefix", func(t *testing.T) {
		s.EnableKV2(t, "team")
		o := openBao(t, s, s.Token, func(o *store.OpenBaoOptions) { o.Mount, o.Prefix = "team", "ci/agents" })
		storetest.Run(t, o, "prefixed")
		mustSet(t, o, "default", "claude", sdk.APIKey("k"))
		if out := s.Bao(t, "", "kv", "get", "-mount=team", "-field=key", "ci/agents/default/claude"); strings.TrimSpace(out) != "k" {
			t.Errorf("bao kv get = %q", out)
		}
	})
}

func mustSet(t *testing.T, s store.Store, set names.Set, p names.Provider, c sdk.Credential) {
	t.Helper()
	if err := s.Set(context.Background(), set, p, c); err != nil {
		t.Fatal(err)
	}
}

func TestOpenBaoLayoutAndMetadata(t *testing.T) {
	s := startBao(t)
	o := openBao(t, s, s.Token)
	ctx := context.Background()
	c := sdk.Credential{Type: sdk.TypeOAuth, Fields: map[string]any{"access_token": "at", "expires_at": int64(1767225600)}}
	mustSet(t, o, "work", "claude", c)
	// The keyring's JSON shape, at <mount>/data/<prefix>/<set>/<provider>.
	out := s.Bao(t, "", "kv", "get", "-mount=secret", "-format=json", "terok/work/claude")
	for _, want := range []string{`"access_token": "at"`, `"expires_at": 1767225600`, `"type": "oauth"`, `"terok_writer": "terok test"`, `"terok_version_written": "1"`} {
		if !strings.Contains(out, want) {
			t.Errorf("bao kv get lacks %s:\n%s", want, out)
		}
	}
	_, v, err := o.GetVersioned(ctx, "work", "claude")
	if err != nil || v != 1 {
		t.Fatalf("GetVersioned = %d, %v", v, err)
	}
	mustSet(t, o, "work", "claude", sdk.APIKey("second"))
	r := store.GetMany(ctx, o, "work", []names.Provider{"claude", "codex"})
	host, _ := os.Hostname()
	if r[0].Version != 2 || r[0].WrittenBy != host+" (terok test)" || r[0].Credential.Get("key") != "second" {
		t.Errorf("GetMany = %+v", r[0])
	}
	if !errors.Is(r[1].Err, store.ErrNotFound) {
		t.Errorf("codex: %v", r[1].Err)
	}
	// A metadata delete: no version is left to undelete.
	if err := o.Delete(ctx, "work", "claude"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TryBao("", nil, "kv", "metadata", "get", "-mount=secret", "terok/work/claude"); err == nil {
		t.Error("metadata still there after Delete")
	}
	list, err := o.List(ctx)
	if err != nil || len(list) != 0 {
		t.Errorf("List after Delete = %v, %v", list, err)
	}
}

func TestOpenBaoList(t *testing.T) {
	s := startBao(t)
	o := openBao(t, s, s.Token)
	for _, sp := range []string{"default/claude", "default/codex", "work/gh"} {
		set, p, _ := strings.Cut(sp, "/")
		mustSet(t, o, names.Set(set), names.Provider(p), sdk.APIKey("k"))
	}
	// Something not terok's under the prefix is not listed.
	s.Bao(t, "", "kv", "put", "-mount=secret", "terok/Bad Set/x", "a=b")
	got, err := o.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[{default claude} {default codex} {work gh}]" {
		t.Errorf("List = %v", got)
	}
}

// Two machines (two stores, two clients) against one server.
func TestOpenBaoCASConflict(t *testing.T) {
	s := startBao(t)
	a, b := openBao(t, s, s.Token), openBao(t, s, s.Token)
	ctx := context.Background()
	mustSet(t, a, "default", "claude", sdk.APIKey("v1"))
	_, va, _ := a.GetVersioned(ctx, "default", "claude")
	_, vb, _ := b.GetVersioned(ctx, "default", "claude")
	if va != 1 || vb != 1 {
		t.Fatalf("versions %d %d", va, vb)
	}
	if _, err := a.PutCAS(ctx, "default", "claude", sdk.APIKey("from-a"), va); err != nil {
		t.Fatal(err)
	}
	_, err := b.PutCAS(ctx, "default", "claude", sdk.APIKey("from-b"), vb)
	var conflict *store.CASConflict
	if !errors.Is(err, store.ErrConflict) || !errors.As(err, &conflict) || conflict.Expected != 1 || conflict.Current != 2 ||
		!strings.Contains(conflict.WrittenBy, "terok test") {
		t.Fatalf("second PutCAS = %v (%+v)", err, conflict)
	}
	if got, _ := a.Get(ctx, "default", "claude"); got.Get("key") != "from-a" {
		t.Errorf("winner's credential overwritten: %v", got)
	}
	// Set is a CAS at the version this store last saw: b's lost write
	// read version 2; a writes 3 since, so b's Set loses and says so.
	if err := a.Set(ctx, "default", "claude", sdk.APIKey("from-a-again")); err != nil {
		t.Fatal(err)
	}
	err = b.Set(ctx, "default", "claude", sdk.APIKey("from-b"))
	if !errors.Is(err, store.ErrConflict) || !strings.Contains(remedy.Text(err), "yours was not stored") {
		t.Fatalf("stale Set = %v", err)
	}
	// Having lost, b has read the winner: its next Set is over that.
	if err := b.Set(ctx, "default", "claude", sdk.APIKey("from-b")); err != nil {
		t.Fatal(err)
	}
	// Creating over something created meanwhile loses too (cas=0).
	if _, err := a.PutCAS(ctx, "default", "new", sdk.APIKey("x"), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := b.PutCAS(ctx, "default", "new", sdk.APIKey("y"), 0); !errors.Is(err, store.ErrConflict) {
		t.Errorf("second create = %v", err)
	}
}

func TestOpenBaoConcurrentCASOneWinner(t *testing.T) {
	s := startBao(t)
	ctx := context.Background()
	seed := openBao(t, s, s.Token)
	mustSet(t, seed, "default", "claude", sdk.APIKey("v1"))
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	stores := make([]*store.OpenBao, n)
	versions := make([]int, n)
	for i := range stores {
		stores[i] = openBao(t, s, s.Token)
		var err error
		if _, versions[i], err = stores[i].GetVersioned(ctx, "default", "claude"); err != nil {
			t.Fatal(err)
		}
	}
	start := make(chan struct{})
	for i := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = stores[i].PutCAS(ctx, "default", "claude", sdk.APIKey(fmt.Sprintf("w%d", i)), versions[i])
		}()
	}
	close(start)
	wg.Wait()
	winners := 0
	winner := ""
	for i, err := range errs {
		switch {
		case err == nil:
			winners++
			winner = fmt.Sprintf("w%d", i)
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("writer %d: %v", i, err)
		}
	}
	got, v, _ := seed.GetVersioned(ctx, "default", "claude")
	if winners != 1 || got.Get("key") != winner || v != 2 {
		t.Errorf("%d winners; stored %q at version %d, winner %q", winners, got.Get("key"), v, winner)
	}
}

func TestOpenBaoFaults(t *testing.T) {
	s := startBao(t)
	ctx := context.Background()
	o := openBao(t, s, s.Token, func(o *store.OpenBaoOptions) { o.Timeout = time.Second })
	mustSet(t, o, "default", "claude", sdk.APIKey("keep"))
	intact := func(t *testing.T) {
		t.Helper()
		if got, err := openBao(t, s, s.Token).Get(ctx, "default", "claude"); err != nil || got.Get("key") != "keep" {
			t.Errorf("previous credential: %v, %v", got, err)
		}
	}

	t.Run("server stopped", func(t *testing.T) {
		// A command that has not read the credential yet (a fresh store):
		// its first call, the read before the write, gets no answer, so
		// it knows that nothing was written.
		fresh := openBao(t, s, s.Token, func(o *store.OpenBaoOptions) { o.Timeout = time.Second })
		s.Pause(t)
		err := fresh.Set(ctx, "default", "claude", sdk.APIKey("new"))
		getErr := func() error { _, err := o.Get(ctx, "default", "claude"); return err }()
		s.Resume(t)
		if !errors.Is(err, store.ErrTimeout) || errors.Is(err, store.ErrUnsettled) || !errors.Is(getErr, store.ErrTimeout) {
			t.Errorf("Set = %v; Get = %v", err, getErr)
		}
		if !strings.Contains(remedy.Text(err), "did not answer") || !strings.Contains(remedy.Text(err), "Nothing was changed") {
			t.Errorf("message: %v", err)
		}
		intact(t)
	})

	t.Run("server stopped with the write sent", func(t *testing.T) {
		// The write reached the server and got no answer: whether it
		// happened is unknown (the server may still do it once it runs,
		// or drop it), and the error says so.
		s.Pause(t)
		err := o.Set(ctx, "default", "claude", sdk.APIKey("in-flight"))
		s.Resume(t)
		if !errors.Is(err, store.ErrUnsettled) || !strings.Contains(remedy.Text(err), "terok auth status claude --set default") {
			t.Errorf("Set = %v", err)
		}
		time.Sleep(500 * time.Millisecond)
		if got, err := openBao(t, s, s.Token).Get(ctx, "default", "claude"); err != nil || (got.Get("key") != "keep" && got.Get("key") != "in-flight") {
			t.Fatalf("after the unsettled write: %v, %v", got, err)
		}
		mustSet(t, openBao(t, s, s.Token), "default", "claude", sdk.APIKey("keep"))
		if _, err := o.Get(ctx, "default", "claude"); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("unreachable", func(t *testing.T) {
		dead := openBao(t, &baotest.Server{Addr: "http://127.0.0.1:1"}, "x")
		_, err := dead.Get(ctx, "default", "claude")
		if !errors.Is(err, store.ErrUnreachable) || !strings.Contains(remedy.Text(err), "BAO_ADDR") {
			t.Errorf("Get = %v", err)
		}
	})

	t.Run("sealed", func(t *testing.T) {
		s.Seal(t)
		err := o.Set(ctx, "default", "claude", sdk.APIKey("new"))
		s.Unseal(t)
		if !errors.Is(err, store.ErrSealed) || !strings.Contains(remedy.Text(err), "unseal") || !strings.Contains(remedy.Text(err), "Nothing was changed") {
			t.Errorf("Set = %v", err)
		}
		intact(t)
	})

	t.Run("token revoked mid-command", func(t *testing.T) {
		tok := strings.TrimSpace(s.Bao(t, "", "token", "create", "-policy=root", "-field=token"))
		st := openBao(t, s, tok)
		if _, err := st.Get(ctx, "default", "claude"); err != nil {
			t.Fatal(err)
		}
		s.Bao(t, "", "token", "revoke", tok)
		err := st.Set(ctx, "default", "claude", sdk.APIKey("new"))
		if !errors.Is(err, store.ErrTokenInvalid) || !strings.Contains(remedy.Text(err), "bao login") {
			t.Errorf("Set = %v", err)
		}
		intact(t)
	})

	t.Run("policy without write", func(t *testing.T) {
		s.Bao(t, `path "secret/data/terok/*" { capabilities = ["read"] }
path "secret/metadata/terok/*" { capabilities = ["read", "list"] }`, "policy", "write", "reader", "-")
		tok := strings.TrimSpace(s.Bao(t, "", "token", "create", "-policy=reader", "-field=token"))
		st := openBao(t, s, tok)
		if got, err := st.Get(ctx, "default", "claude"); err != nil || got.Get("key") != "keep" {
			t.Fatalf("reader Get = %v, %v", got, err)
		}
		err := st.Set(ctx, "default", "claude", sdk.APIKey("new"))
		if !errors.Is(err, store.ErrDenied) || !strings.Contains(remedy.Text(err), `"update" on secret/data/terok/default/claude`) ||
			!strings.Contains(remedy.Text(err), "it grants: read") {
			t.Errorf("Set = %v", err)
		}
		err = st.Delete(ctx, "default", "claude")
		if !errors.Is(err, store.ErrDenied) || !strings.Contains(remedy.Text(err), `"delete" on secret/metadata/terok/default/claude`) {
			t.Errorf("Delete = %v", err)
		}
		intact(t)
	})

	t.Run("namespace missing", func(t *testing.T) {
		st := openBao(t, s, s.Token, func(o *store.OpenBaoOptions) {
			o.Getenv = envOf("BAO_ADDR="+s.Addr, "BAO_TOKEN="+s.Token, "VAULT_NAMESPACE=no-such-team")
		})
		_, err := st.Get(ctx, "default", "claude")
		if !errors.Is(err, store.ErrNamespace) || !strings.Contains(remedy.Text(err), "VAULT_NAMESPACE") {
			t.Errorf("Get = %v", err)
		}
		if err := st.Set(ctx, "default", "claude", sdk.APIKey("x")); !errors.Is(err, store.ErrNamespace) {
			t.Errorf("Set = %v", err)
		}
		if r := store.GetMany(ctx, st, "default", []names.Provider{"claude"}); !errors.Is(r[0].Err, store.ErrNamespace) {
			t.Errorf("GetMany = %v", r[0].Err)
		}
		intact(t)
	})

	t.Run("mount is not KV v2", func(t *testing.T) {
		s.Bao(t, "", "secrets", "enable", "-path=kv1", "-version=1", "kv")
		st := openBao(t, s, s.Token, func(o *store.OpenBaoOptions) { o.Mount = "kv1" })
		err := st.Set(ctx, "default", "claude", sdk.APIKey("x"))
		if !errors.Is(err, store.ErrNotKV2) || !strings.Contains(remedy.Text(err), "-version=2") {
			t.Errorf("KV v1: %v", err)
		}
		if out, _ := s.TryBao("", nil, "kv", "list", "kv1"); strings.Contains(out, "data") {
			t.Errorf("wrote into the KV v1 mount: %s", out)
		}
		st = openBao(t, s, s.Token, func(o *store.OpenBaoOptions) { o.Mount = "nothing-here" })
		if err := st.Set(ctx, "default", "claude", sdk.APIKey("x")); !errors.Is(err, store.ErrNotKV2) {
			t.Errorf("missing mount: %v", err)
		}
	})
}

func TestOpenBaoAppRole(t *testing.T) {
	s := startBao(t)
	ctx := context.Background()
	s.Bao(t, "", "auth", "enable", "approle")
	s.Bao(t, `path "secret/data/terok/*" { capabilities = ["create", "read", "update"] }
path "secret/metadata/terok/*" { capabilities = ["read", "list", "update", "delete"] }`, "policy", "write", "terok-team", "-")
	s.Bao(t, "", "write", "auth/approle/role/ci", "token_policies=terok-team", "token_ttl=1h")
	roleID := strings.TrimSpace(s.Bao(t, "", "read", "-field=role_id", "auth/approle/role/ci/role-id"))
	secretID := strings.TrimSpace(s.Bao(t, "", "write", "-f", "-field=secret_id", "auth/approle/role/ci/secret-id"))
	dir := t.TempDir()
	write := func(name, v string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(v+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	approle := func(secretFile string, wrapped bool) func(*store.OpenBaoOptions) {
		return func(o *store.OpenBaoOptions) {
			o.Getenv = envOf("BAO_ADDR=" + s.Addr)
			o.Auth, o.RoleIDFile, o.SecretIDFile, o.SecretIDWrapped = "approle", write("role-id", roleID), secretFile, wrapped
		}
	}
	o := openBao(t, s, "", approle(write("secret-id", secretID), false))
	mustSet(t, o, "default", "claude", sdk.APIKey("from-ci"))
	if got, err := openBao(t, s, s.Token).Get(ctx, "default", "claude"); err != nil || got.Get("key") != "from-ci" {
		t.Errorf("Get = %v, %v", got, err)
	}

	t.Run("wrapped secret id", func(t *testing.T) {
		wrap := strings.TrimSpace(s.Bao(t, "", "write", "-f", "-wrap-ttl=5m", "-field=wrapping_token", "auth/approle/role/ci/secret-id"))
		o := openBao(t, s, "", approle(write("wrapped", wrap), true))
		if got, err := o.Get(ctx, "default", "claude"); err != nil || got.Get("key") != "from-ci" {
			t.Errorf("Get = %v, %v", got, err)
		}
		// A wrapping token unwraps once: a second use is a login error.
		again := openBao(t, s, "", approle(write("wrapped", wrap), true))
		if _, err := again.Get(ctx, "default", "claude"); !errors.Is(err, store.ErrTokenInvalid) {
			t.Errorf("second unwrap = %v", err)
		}
	})

	t.Run("bad secret id", func(t *testing.T) {
		o := openBao(t, s, "", approle(write("bad", "not-a-secret-id"), false))
		_, err := o.Get(ctx, "default", "claude")
		if !errors.Is(err, store.ErrTokenInvalid) || strings.Contains(remedy.Text(err), "not-a-secret-id") {
			t.Errorf("Get = %v", err)
		}
	})
}

func TestOpenBaoTokenRenewal(t *testing.T) {
	s := startBao(t)
	ctx := context.Background()
	tok := strings.TrimSpace(s.Bao(t, "", "token", "create", "-policy=root", "-ttl=3s", "-explicit-max-ttl=1h", "-field=token"))
	o := openBao(t, s, tok)
	mustSet(t, o, "default", "claude", sdk.APIKey("k"))
	// A command that runs longer than the token's TTL keeps working.
	time.Sleep(5 * time.Second)
	if _, err := o.Get(ctx, "default", "claude"); err != nil {
		t.Fatalf("after the first TTL: %v", err)
	}
}

// An AppRole login's token is renewed while a long command runs, as a
// given token is.
func TestOpenBaoAppRoleTokenRenewal(t *testing.T) {
	s := startBao(t)
	s.Bao(t, "", "auth", "enable", "approle")
	s.Bao(t, `path "secret/*" { capabilities = ["create", "read", "update", "list", "delete"] }
path "sys/internal/ui/mounts/secret" { capabilities = ["read"] }`, "policy", "write", "short", "-")
	s.Bao(t, "", "write", "auth/approle/role/short", "token_policies=short", "token_ttl=3s", "token_max_ttl=1h")
	roleID := strings.TrimSpace(s.Bao(t, "", "read", "-field=role_id", "auth/approle/role/short/role-id"))
	secretID := strings.TrimSpace(s.Bao(t, "", "write", "-f", "-field=secret_id", "auth/approle/role/short/secret-id"))
	o := openBao(t, s, "", func(o *store.OpenBaoOptions) {
		o.Getenv = envOf("BAO_ADDR="+s.Addr, "TEROK_OPENBAO_ROLE_ID="+roleID, "TEROK_OPENBAO_SECRET_ID="+secretID)
		o.Auth = "approle"
	})
	mustSet(t, o, "default", "claude", sdk.APIKey("k"))
	time.Sleep(5 * time.Second)
	if _, err := o.Get(context.Background(), "default", "claude"); err != nil {
		t.Fatalf("after the first TTL: %v", err)
	}
}

func TestOpenBaoConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts store.OpenBaoOptions
		want string
	}{
		{"no address", store.OpenBaoOptions{Getenv: envOf()}, "BAO_ADDR"},
		{"no token", store.OpenBaoOptions{Getenv: envOf("BAO_ADDR=http://127.0.0.1:1"), Home: t.TempDir()}, "bao login"},
		{"unknown auth", store.OpenBaoOptions{Getenv: envOf("BAO_ADDR=http://x", "BAO_TOKEN=t"), Auth: "ldap"}, "token, approle or jwt"},
		{"approle without role id", store.OpenBaoOptions{Getenv: envOf("BAO_ADDR=http://x"), Auth: "approle"}, "TEROK_OPENBAO_ROLE_ID"},
		{"approle missing file", store.OpenBaoOptions{Getenv: envOf("BAO_ADDR=http://x"), Auth: "approle", RoleIDFile: "/nonexistent/role"}, "/nonexistent/role"},
		{"jwt without role", store.OpenBaoOptions{Getenv: envOf("BAO_ADDR=http://x", "TEROK_OPENBAO_JWT=a.b.c"), Auth: "jwt"}, "openbao_jwt_role"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := store.NewOpenBao(tc.opts)
			if !errors.Is(err, store.ErrOpenBaoConfig) || !strings.Contains(remedy.Text(err), tc.want) {
				t.Errorf("NewOpenBao = %v, want %q", err, tc.want)
			}
		})
	}
	t.Run("token file", func(t *testing.T) {
		home := t.TempDir()
		if err := os.WriteFile(filepath.Join(home, ".vault-token"), []byte("from-file\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		o, err := store.NewOpenBao(store.OpenBaoOptions{Getenv: envOf("VAULT_ADDR=http://127.0.0.1:1"), Home: home})
		if err != nil || o.Client.Token() != "from-file" {
			t.Errorf("token = %q, %v", o.Client.Token(), err)
		}
		o, _ = store.NewOpenBao(store.OpenBaoOptions{Getenv: envOf("VAULT_ADDR=http://x", "VAULT_TOKEN=env", "VAULT_NAMESPACE=team/a"), Home: home})
		if o.Client.Token() != "env" || o.Client.Namespace() != "team/a" {
			t.Errorf("token %q namespace %q", o.Client.Token(), o.Client.Namespace())
		}
	})
}

func TestOpenBaoDiagnose(t *testing.T) {
	s := startBao(t)
	ctx := context.Background()
	report := func(ds []store.Diagnosis) string {
		var b strings.Builder
		for _, d := range ds {
			fmt.Fprintf(&b, "%s ok=%v %s | %s\n", d.Name, d.OK, d.Detail, d.Fix)
		}
		return b.String()
	}
	allOK := func(ds []store.Diagnosis) bool {
		for _, d := range ds {
			if !d.OK {
				return false
			}
		}
		return len(ds) == 5
	}
	if ds := openBao(t, s, s.Token).Diagnose(ctx); !allOK(ds) {
		t.Errorf("root:\n%s", report(ds))
	}
	s.Bao(t, `path "secret/data/terok/*" { capabilities = ["read"] }
path "secret/metadata/terok/*" { capabilities = ["read", "list"] }`, "policy", "write", "ro", "-")
	ro := strings.TrimSpace(s.Bao(t, "", "token", "create", "-policy=ro", "-field=token"))
	ds := openBao(t, s, ro).Diagnose(ctx)
	if r := report(ds); len(ds) != 5 || ds[4].OK || !strings.Contains(r, `"update" on secret/data/terok/terok-doctor/probe`) ||
		!strings.Contains(r, `"delete" on secret/metadata/terok/terok-doctor/probe`) || strings.Contains(r, `"list"`) {
		t.Errorf("read-only:\n%s", r)
	}
	s.Bao(t, "", "token", "revoke", ro)
	if ds := openBao(t, s, ro).Diagnose(ctx); len(ds) != 3 || ds[2].OK || ds[2].Name != "openbao token" {
		t.Errorf("revoked:\n%s", report(ds))
	}
	if ds := openBao(t, s, s.Token, func(o *store.OpenBaoOptions) { o.Mount = "nope" }).Diagnose(ctx); len(ds) != 4 || ds[3].OK {
		t.Errorf("no mount:\n%s", report(ds))
	}
	s.Seal(t)
	ds = openBao(t, s, s.Token).Diagnose(ctx)
	s.Unseal(t)
	if len(ds) != 2 || ds[1].OK || !strings.Contains(ds[1].Fix, "unseal") {
		t.Errorf("sealed:\n%s", report(ds))
	}
	if ds := openBao(t, &baotest.Server{Addr: "http://127.0.0.1:1"}, "x").Diagnose(ctx); len(ds) != 1 || ds[0].OK {
		t.Errorf("unreachable:\n%s", report(ds))
	}
}

// The policies docs/team-store.md gives do what it says.
func TestOpenBaoDocumentedPolicies(t *testing.T) {
	s := startBao(t)
	ctx := context.Background()
	doc, err := os.ReadFile("../../docs/team-store.md")
	if err != nil {
		t.Fatal(err)
	}
	var hcl []string
	for _, part := range strings.Split(string(doc), "```hcl\n")[1:] {
		hcl = append(hcl, part[:strings.Index(part, "```")])
	}
	if len(hcl) != 2 {
		t.Fatalf("%d hcl blocks in the doc", len(hcl))
	}
	s.Bao(t, hcl[0], "policy", "write", "terok-team", "-")
	s.Bao(t, hcl[1], "policy", "write", "terok-ci-read", "-")
	team := openBao(t, s, strings.TrimSpace(s.Bao(t, "", "token", "create", "-policy=terok-team", "-field=token")))
	ci := openBao(t, s, strings.TrimSpace(s.Bao(t, "", "token", "create", "-policy=terok-ci-read", "-field=token")))
	for _, d := range team.Diagnose(ctx) {
		if !d.OK {
			t.Errorf("team policy: %s: %s", d.Name, d.Detail)
		}
	}
	mustSet(t, team, "ci", "claude", sdk.APIKey("for-ci"))
	mustSet(t, team, "default", "claude", sdk.APIKey("k"))
	if l, err := team.List(ctx); err != nil || len(l) != 2 {
		t.Errorf("team List = %v, %v", l, err)
	}
	r := store.GetMany(ctx, ci, "ci", []names.Provider{"claude", "codex"})
	if r[0].Err != nil || r[0].Credential.Get("key") != "for-ci" || !errors.Is(r[1].Err, store.ErrNotFound) {
		t.Errorf("ci GetMany = %+v", r)
	}
	if err := ci.Set(ctx, "ci", "claude", sdk.APIKey("x")); !errors.Is(err, store.ErrDenied) {
		t.Errorf("ci Set = %v", err)
	}
	if _, err := ci.Get(ctx, "default", "claude"); !errors.Is(err, store.ErrDenied) ||
		!strings.Contains(remedy.Text(err), `"read" on secret/data/terok/default/claude`) {
		t.Errorf("ci read outside its set = %v", err)
	}
	if _, err := ci.ListSet(ctx, "default"); !errors.Is(err, store.ErrDenied) ||
		!strings.Contains(remedy.Text(err), `"list" on secret/metadata/terok/default`) {
		t.Errorf("ci list outside its set = %v", err)
	}
	// Renewing takes a lease first: the team may, and the read-only CI
	// token is refused before it could spend a refresh token.
	if l, err := team.TakeLease(ctx, "ci", "claude", time.Minute); err != nil {
		t.Errorf("team TakeLease = %v", err)
	} else if err := l.Release(ctx); err != nil {
		t.Errorf("team Release = %v", err)
	}
	if _, err := ci.TakeLease(ctx, "ci", "claude", time.Minute); !errors.Is(err, store.ErrDenied) ||
		!strings.Contains(remedy.Text(err), `on secret/data/terok/ci/.renewing/claude`) || !strings.Contains(remedy.Text(err), "refresh token was not used") {
		t.Errorf("ci TakeLease = %v", err)
	}
	if err := team.Delete(ctx, "ci", "claude"); err != nil {
		t.Errorf("team Delete = %v", err)
	}
}

// A CI job's identity token, signed by a key the server trusts
// (jwt_validation_pubkeys), logs in with the JWT method.
func TestOpenBaoJWTLogin(t *testing.T) {
	s := startBao(t)
	ctx := context.Background()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	s.Bao(t, "", "auth", "enable", "jwt")
	s.Bao(t, "", "write", "auth/jwt/config", "jwt_validation_pubkeys="+pubPEM)
	s.Bao(t, `path "secret/data/terok/*" { capabilities = ["create", "read", "update"] }
path "secret/metadata/terok/*" { capabilities = ["read", "list", "update", "delete"] }
path "sys/internal/ui/mounts/secret" { capabilities = ["read"] }`, "policy", "write", "terok-team", "-")
	s.Bao(t, "", "write", "auth/jwt/role/ci", "role_type=jwt", "user_claim=sub", "bound_audiences=terok", "token_policies=terok-team", "token_ttl=10m")
	sign := func(claims map[string]any) string {
		enc := func(v any) string {
			b, _ := json.Marshal(v)
			return base64.RawURLEncoding.EncodeToString(b)
		}
		input := enc(map[string]string{"alg": "ES256", "typ": "JWT"}) + "." + enc(claims)
		sum := sha256.Sum256([]byte(input))
		r, sg, err := ecdsa.Sign(rand.Reader, key, sum[:])
		if err != nil {
			t.Fatal(err)
		}
		sig := make([]byte, 64)
		r.FillBytes(sig[:32])
		sg.FillBytes(sig[32:])
		return input + "." + base64.RawURLEncoding.EncodeToString(sig)
	}
	now := time.Now().Unix()
	file := filepath.Join(t.TempDir(), "id-token")
	if err := os.WriteFile(file, []byte(sign(map[string]any{"sub": "ci-job-1", "aud": "terok", "iat": now, "nbf": now - 5, "exp": now + 600})), 0o600); err != nil {
		t.Fatal(err)
	}
	o := openBao(t, s, "", func(o *store.OpenBaoOptions) {
		o.Getenv = envOf("BAO_ADDR=" + s.Addr)
		o.Auth, o.JWTRole, o.JWTFile = "jwt", "ci", file
	})
	mustSet(t, o, "default", "claude", sdk.APIKey("from-jwt"))
	if got, err := openBao(t, s, s.Token).Get(ctx, "default", "claude"); err != nil || got.Get("key") != "from-jwt" {
		t.Errorf("Get = %v, %v", got, err)
	}
	// A token for another audience is refused, and says so.
	bad := sign(map[string]any{"sub": "ci-job-1", "aud": "someone-else", "iat": now, "exp": now + 600})
	o = openBao(t, s, "", func(o *store.OpenBaoOptions) {
		o.Getenv = envOf("BAO_ADDR="+s.Addr, "TEROK_OPENBAO_JWT="+bad)
		o.Auth, o.JWTRole = "jwt", "ci"
	})
	if _, err := o.Get(ctx, "default", "claude"); !errors.Is(err, store.ErrTokenInvalid) || strings.Contains(remedy.Text(err), bad) {
		t.Errorf("wrong audience: %v", err)
	}
}
