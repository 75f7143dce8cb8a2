//go:build unix

package store_test

import (
	"context"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/remedy"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/internal/baotest"
	"github.com/terok-ai/terok-auth/sdk"
)

// A real server that speaks only HTTPS, with a certificate of its own CA.
func TestOpenBaoTLS(t *testing.T) {
	if testing.Short() {
		t.Skip("needs a real OpenBao server (run make test)")
	}
	s := baotest.StartTLS(t)
	ctx := context.Background()
	tlsStore := func(t *testing.T, env ...string) *store.OpenBao {
		t.Helper()
		o, err := store.NewOpenBao(store.OpenBaoOptions{Getenv: envOf(append([]string{"BAO_ADDR=" + s.Addr, "BAO_TOKEN=" + s.Token}, env...)...),
			Home: t.TempDir(), Timeout: 5 * time.Second, Writer: "terok test"})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	wantTLS := func(t *testing.T, err error) {
		t.Helper()
		if !errors.Is(err, store.ErrTLS) || !strings.Contains(remedy.Text(err), "VAULT_CACERT") || !strings.Contains(remedy.Text(err), "BAO_CACERT") {
			t.Errorf("err = %v, want the TLS kind with a remedy naming VAULT_CACERT and BAO_CACERT", err)
		}
	}

	for _, env := range [][]string{{"BAO_CACERT=" + s.CACert}, {"VAULT_CACERT=" + s.CACert}} {
		t.Run("the server's CA given by "+strings.SplitN(env[0], "=", 2)[0], func(t *testing.T) {
			o := tlsStore(t, env...)
			mustSet(t, o, "default", "claude", sdk.APIKey("over-tls"))
			if got, err := o.Get(ctx, "default", "claude"); err != nil || got.Get("key") != "over-tls" {
				t.Errorf("Get = %v, %v", got, err)
			}
		})
	}

	t.Run("no CA: the certificate is not trusted", func(t *testing.T) {
		o := tlsStore(t)
		_, err := o.Get(ctx, "default", "claude")
		wantTLS(t, err)
		err = o.Set(ctx, "default", "claude", sdk.APIKey("new"))
		wantTLS(t, err)
		if !strings.Contains(remedy.Text(err), "Nothing was changed") {
			t.Errorf("Set = %v", err)
		}
		_, err = o.List(ctx)
		wantTLS(t, err)
		if ds := o.Diagnose(ctx); len(ds) != 1 || ds[0].OK || !strings.Contains(ds[0].Fix, "VAULT_CACERT") {
			t.Errorf("Diagnose = %+v", ds)
		}
	})

	t.Run("another CA", func(t *testing.T) {
		// An untrusted self-signed certificate: the CA file names a CA,
		// just not the one that signed the server's certificate.
		other := httptest.NewUnstartedServer(http.NotFoundHandler())
		other.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshakes refused here are the point
		other.StartTLS()
		defer other.Close()
		ca := filepath.Join(t.TempDir(), "other-ca.pem")
		if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: other.Certificate().Raw}), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := tlsStore(t, "VAULT_CACERT="+ca).Get(ctx, "default", "claude")
		wantTLS(t, err)
		// And the other way round: a self-signed listener that is not
		// the server at all, with the server's CA.
		o, err := store.NewOpenBao(store.OpenBaoOptions{Getenv: envOf("BAO_ADDR="+other.URL, "BAO_TOKEN=t", "BAO_CACERT="+s.CACert),
			Home: t.TempDir(), Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		_, err = o.Get(ctx, "default", "claude")
		wantTLS(t, err)
	})

	t.Run("https to a plain HTTP server", func(t *testing.T) {
		plain := httptest.NewServer(http.NotFoundHandler())
		defer plain.Close()
		o, err := store.NewOpenBao(store.OpenBaoOptions{Getenv: envOf("BAO_ADDR="+strings.Replace(plain.URL, "http:", "https:", 1), "BAO_TOKEN=t"),
			Home: t.TempDir(), Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		_, err = o.Get(ctx, "default", "claude")
		if !errors.Is(err, store.ErrTLS) || !strings.Contains(remedy.Text(err), "https://") {
			t.Errorf("Get = %v", err)
		}
	})

	t.Run("a CA file that is not one", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "bad.pem")
		if err := os.WriteFile(bad, []byte("not a certificate\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := store.NewOpenBao(store.OpenBaoOptions{Getenv: envOf("BAO_ADDR="+s.Addr, "BAO_TOKEN=t", "VAULT_CACERT="+bad), Home: t.TempDir()})
		if !errors.Is(err, store.ErrOpenBaoConfig) || !strings.Contains(remedy.Text(err), "TLS") {
			t.Errorf("NewOpenBao = %v", err)
		}
	})
}

// blackhole accepts connections and never answers: a server that hangs.
func blackhole(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return "http://" + l.Addr().String()
}

// Every call is bounded by the timeout, and a hang is the timeout kind
// with a remedy.
func TestOpenBaoEveryCallBounded(t *testing.T) {
	const timeout = 300 * time.Millisecond
	addr := blackhole(t)
	ctx := context.Background()
	fresh := func(t *testing.T) *store.OpenBao {
		t.Helper()
		o, err := store.NewOpenBao(store.OpenBaoOptions{Getenv: envOf("BAO_ADDR="+addr, "BAO_TOKEN=t"), Home: t.TempDir(), Timeout: timeout})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	loginBounded := func(auth string, env ...string) func(*store.OpenBao) error {
		return func(*store.OpenBao) error {
			o, err := store.NewOpenBao(store.OpenBaoOptions{Getenv: envOf(append([]string{"BAO_ADDR=" + addr}, env...)...),
				Home: t.TempDir(), Timeout: timeout, Auth: auth, JWTRole: "ci"})
			if err != nil {
				return err
			}
			_, err = o.Get(ctx, "default", "claude")
			return err
		}
	}
	calls := map[string]func(o *store.OpenBao) error{
		"AppRole login":  loginBounded("approle", "TEROK_OPENBAO_ROLE_ID=r", "TEROK_OPENBAO_SECRET_ID=s"),
		"AppRole unwrap": nil, // set below: needs SecretIDWrapped
		"JWT login":      loginBounded("jwt", "TEROK_OPENBAO_JWT=a.b.c"),
		"Get":            func(o *store.OpenBao) error { _, err := o.Get(ctx, "default", "claude"); return err },
		"GetVersioned": func(o *store.OpenBao) error {
			_, _, err := o.GetVersioned(ctx, "default", "claude")
			return err
		},
		"Set": func(o *store.OpenBao) error { return o.Set(ctx, "default", "claude", sdk.APIKey("k")) },
		"Set over a seen version": func(o *store.OpenBao) error {
			o.Observe("default", "claude", 3)
			return o.Set(ctx, "default", "claude", sdk.APIKey("k"))
		},
		"PutCAS": func(o *store.OpenBao) error {
			_, err := o.PutCAS(ctx, "default", "claude", sdk.APIKey("k"), 1)
			return err
		},
		"Delete": func(o *store.OpenBao) error { return o.Delete(ctx, "default", "claude") },
		"List":   func(o *store.OpenBao) error { _, err := o.List(ctx); return err },
		"ListSet": func(o *store.OpenBao) error {
			_, err := o.ListSet(ctx, "default")
			return err
		},
		"GetMany": func(o *store.OpenBao) error {
			return store.GetMany(ctx, o, "default", []names.Provider{"claude", "codex"})[0].Err
		},
		"CheckMount": func(o *store.OpenBao) error { return o.CheckMount(ctx) },
		"Diagnose": func(o *store.OpenBao) error {
			ds := o.Diagnose(ctx)
			if len(ds) != 1 || ds[0].OK {
				return errors.New("diagnose passed")
			}
			if !strings.Contains(ds[0].Fix, "TEROK_OPENBAO_TIMEOUT") {
				return errors.New(ds[0].Detail + " | " + ds[0].Fix)
			}
			return store.ErrOpenBaoTimeout
		},
	}
	calls["AppRole unwrap"] = func(*store.OpenBao) error {
		o, err := store.NewOpenBao(store.OpenBaoOptions{Getenv: envOf("BAO_ADDR="+addr, "TEROK_OPENBAO_ROLE_ID=r", "TEROK_OPENBAO_SECRET_ID=wrapped"),
			Home: t.TempDir(), Timeout: timeout, Auth: "approle", SecretIDWrapped: true})
		if err != nil {
			return err
		}
		_, err = o.Get(ctx, "default", "claude")
		return err
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			err := call(fresh(t))
			took := time.Since(start)
			// A write that got no answer is read back once to settle what
			// happened: two calls, each bounded.
			if took > 3*timeout+time.Second {
				t.Errorf("took %s with a timeout of %s", took, timeout)
			}
			if !errors.Is(err, store.ErrTimeout) || !errors.Is(err, store.ErrOpenBaoTimeout) {
				t.Fatalf("err = %v, want the timeout kind", err)
			}
			if name != "Diagnose" && (!strings.Contains(remedy.Text(err), "did not answer") || !strings.Contains(remedy.Text(err), "TEROK_OPENBAO_TIMEOUT")) {
				t.Errorf("message: %v", err)
			}
			if strings.HasPrefix(name, "Set") && !strings.Contains(remedy.Text(err), "Nothing was changed") && !errors.Is(err, store.ErrUnsettled) {
				t.Errorf("a failed write says nothing of what was stored: %v", err)
			}
		})
	}
}

// VAULT_NAMESPACE (or BAO_NAMESPACE) is honoured: a namespace that exists
// holds its own credentials; one that does not is the namespace kind.
func TestOpenBaoNamespaces(t *testing.T) {
	s := startBao(t)
	ctx := context.Background()
	s.Bao(t, "", "namespace", "create", "team-a")
	s.EnableKV2(t, "secret", "BAO_NAMESPACE=team-a")
	for _, v := range []string{"VAULT_NAMESPACE", "BAO_NAMESPACE"} {
		t.Run(v, func(t *testing.T) {
			set := names.Set("ns-" + strings.ToLower(strings.TrimSuffix(v, "_NAMESPACE")))
			ns := openBao(t, s, s.Token, func(o *store.OpenBaoOptions) {
				o.Getenv = envOf("BAO_ADDR="+s.Addr, "BAO_TOKEN="+s.Token, v+"=team-a")
			})
			mustSet(t, ns, set, "claude", sdk.APIKey("in-team-a"))
			if got, err := ns.Get(ctx, set, "claude"); err != nil || got.Get("key") != "in-team-a" {
				t.Errorf("Get in the namespace = %v, %v", got, err)
			}
			// The root namespace's secret/ is another mount.
			if _, err := openBao(t, s, s.Token).Get(ctx, set, "claude"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Get in the root namespace = %v", err)
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		st := openBao(t, s, s.Token, func(o *store.OpenBaoOptions) {
			o.Getenv = envOf("BAO_ADDR="+s.Addr, "BAO_TOKEN="+s.Token, "BAO_NAMESPACE=team-b")
		})
		_, err := st.Get(ctx, "default", "claude")
		if !errors.Is(err, store.ErrNamespace) || !strings.Contains(remedy.Text(err), "VAULT_NAMESPACE") {
			t.Errorf("Get = %v", err)
		}
		if _, err := st.List(ctx); !errors.Is(err, store.ErrNamespace) {
			t.Errorf("List = %v", err)
		}
	})
}

// A token that expired (not revoked: its TTL ran out, and it cannot be
// renewed) is the token kind, with a remedy.
func TestOpenBaoExpiredToken(t *testing.T) {
	s := startBao(t)
	ctx := context.Background()
	tok := strings.TrimSpace(s.Bao(t, "", "token", "create", "-policy=root", "-ttl=1s", "-renewable=false", "-field=token"))
	o := openBao(t, s, tok)
	time.Sleep(2 * time.Second)
	_, err := o.Get(ctx, "default", "claude")
	if !errors.Is(err, store.ErrTokenInvalid) || !strings.Contains(remedy.Text(err), "bao login") {
		t.Errorf("Get = %v", err)
	}
	if err := o.Set(ctx, "default", "claude", sdk.APIKey("k")); !errors.Is(err, store.ErrTokenInvalid) || !strings.Contains(remedy.Text(err), "Nothing was changed") {
		t.Errorf("Set = %v", err)
	}
}
