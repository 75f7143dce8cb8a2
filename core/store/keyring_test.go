package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/zalando/go-keyring"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/remedy"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/core/store/storetest"
	"github.com/terok-ai/terok-auth/sdk"
)

// memBackend is an in-memory keyring with go-keyring's error for a miss.
type memBackend struct {
	mu sync.Mutex
	m  map[string]string
}

func (b *memBackend) Get(s, u string) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	v, ok := b.m[s+"\x00"+u]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (b *memBackend) Set(s, u, p string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.m == nil {
		b.m = map[string]string{}
	}
	b.m[s+"\x00"+u] = p
	return nil
}

func (b *memBackend) Delete(s, u string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.m[s+"\x00"+u]; !ok {
		return keyring.ErrNotFound
	}
	delete(b.m, s+"\x00"+u)
	return nil
}

func TestConformance(t *testing.T) {
	t.Run("keyring in memory", func(t *testing.T) {
		storetest.Run(t, &store.Keyring{Backend: &memBackend{}}, "mem")
	})
	t.Run("keyring in memory, chunked", func(t *testing.T) {
		storetest.Run(t, &store.Keyring{Backend: &memBackend{}, ChunkSize: 16}, "mem")
	})
	t.Run("file", func(t *testing.T) {
		storetest.Run(t, &store.File{Dir: filepath.Join(t.TempDir(), "credentials")}, "file")
	})
	t.Run("env", func(t *testing.T) {
		env := map[string]string{}
		storetest.RunReadOnly(t, &store.Env{Getenv: func(k string) string { return env[k] }}, func(_ *testing.T, provider names.Provider, key string) {
			env[store.EnvVar(provider)] = key
		})
	})
}

// TestConformanceRealKeyring runs the suite against the real Secret Service
// that `make test` starts (scripts/with-keyring), whole and chunked.
func TestConformanceRealKeyring(t *testing.T) {
	requireIsolatedKeyring(t)
	storetest.Run(t, &store.Keyring{}, fmt.Sprintf("test-%d", os.Getpid()))
	storetest.Run(t, &store.Keyring{ChunkSize: 700}, fmt.Sprintf("chunked-%d", os.Getpid()))
}

func requireIsolatedKeyring(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs a real keyring; run without -short, through make test")
	}
	if os.Getenv("TEROK_TEST_KEYRING") != "isolated" {
		t.Fatal("this test needs a real, throwaway Secret Service. Run it through `make test`, which starts one " +
			"with scripts/with-keyring (needs: apt-get install dbus dbus-bin gnome-keyring), " +
			"or run `scripts/with-keyring go test ./...` yourself.")
	}
}

func TestValuesAreUpstreamJSON(t *testing.T) {
	b := &memBackend{}
	k := &store.Keyring{Backend: b}
	if err := k.Set(context.Background(), "default", "claude", sdk.APIKey("sk-ant-x")); err != nil {
		t.Fatal(err)
	}
	got, _ := b.Get(store.Service, "default/claude")
	if got != `{"key":"sk-ant-x","type":"api_key"}` {
		t.Errorf("stored %s", got)
	}
}

func TestCorruptValue(t *testing.T) {
	b := &memBackend{}
	_ = b.Set(store.Service, "default/claude", "{not json")
	_, err := (&store.Keyring{Backend: b}).Get(context.Background(), "default", "claude")
	if !errors.Is(err, store.ErrCorrupt) || !strings.Contains(remedy.Text(err), "terok auth login claude") {
		t.Errorf("err = %v", err)
	}
	if strings.Contains(remedy.Text(err), "not json") {
		t.Errorf("the stored value leaked into the message: %v", err)
	}
}

// blockingBackend never answers, like go-keyring waiting on an unlock
// prompt nobody can see.
type blockingBackend struct{ release chan struct{} }

func (b blockingBackend) Get(string, string) (string, error) { <-b.release; return "", nil }
func (b blockingBackend) Set(string, string, string) error   { <-b.release; return nil }
func (b blockingBackend) Delete(string, string) error        { <-b.release; return nil }

func TestTimeout(t *testing.T) {
	b := blockingBackend{release: make(chan struct{})}
	defer close(b.release)
	k := &store.Keyring{Backend: b, Timeout: 50 * time.Millisecond, SettleWait: 50 * time.Millisecond}
	start := time.Now()
	err := k.Set(context.Background(), "default", "claude", sdk.APIKey("x"))
	if !errors.Is(err, store.ErrTimeout) || !strings.Contains(remedy.Text(err), "TEROK_KEYRING_TIMEOUT") {
		t.Errorf("err = %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s", d)
	}
}

func TestCancel(t *testing.T) {
	b := blockingBackend{release: make(chan struct{})}
	defer close(b.release)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (&store.Keyring{Backend: b}).Get(ctx, "default", "claude"); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
}

type errBackend struct{ err error }

func (b errBackend) Get(string, string) (string, error) { return "", b.err }
func (b errBackend) Set(string, string, string) error   { return b.err }
func (b errBackend) Delete(string, string) error        { return b.err }

// The messages are what go-keyring v0.2.8 returns on Linux in each
// situation (see the README's keyring section).
func TestClassify(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		kind   error
		remedy string
	}{
		{"no bus, no dbus-launch", errors.New(`exec: "dbus-launch": executable file not found in $PATH`), store.ErrNoService, "gnome-keyring"},
		{"dead bus socket", errors.New("dial unix /run/user/0/bus: connect: no such file or directory"), store.ErrNoService, "gnome-keyring"},
		{"bus without secret service", errors.New("The name org.freedesktop.secrets was not provided by any .service files"), store.ErrNoService, "headless"},
		{"locked", errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"), store.ErrLocked, "--unlock"},
		{"too big", keyring.ErrSetDataTooBig, store.ErrTooBig, "large"},
		{"unknown", errors.New("something new"), store.ErrBackend, "secret-tool"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := (&store.Keyring{Backend: errBackend{tt.err}}).Set(context.Background(), "default", "claude", sdk.APIKey("x"))
			if !errors.Is(err, tt.kind) {
				t.Errorf("err = %v, want kind %v", err, tt.kind)
			}
			if !strings.Contains(remedy.Text(err), tt.remedy) || !strings.Contains(remedy.Text(err), "default/claude") {
				t.Errorf("message %q lacks %q or the account", err, tt.remedy)
			}
		})
	}
}

func TestChunking(t *testing.T) {
	ctx := context.Background()
	b := &memBackend{}
	k := &store.Keyring{Backend: b, ChunkSize: 41}
	long := sdk.Credential{Type: sdk.TypeOAuth, Fields: map[string]any{"access_token": strings.Repeat("ü", 60)}}
	if err := k.Set(ctx, "default", "claude", long); err != nil {
		t.Fatal(err)
	}
	head, _ := b.Get(store.Service, "default/claude")
	if !strings.HasPrefix(head, "terok-chunked:v1:") {
		t.Fatalf("account holds %q, want a chunk header", head)
	}
	var chunks []string
	for key, v := range b.m {
		if strings.Contains(key, "default/claude#") {
			chunks = append(chunks, v)
			if len(v) > 41 || !utf8.ValidString(v) {
				t.Errorf("chunk %q is longer than 41 bytes or cut inside a character", v)
			}
		}
	}
	if len(chunks) < 4 {
		t.Errorf("%d chunks, want at least 4 for 150 bytes", len(chunks))
	}

	// Replacing it with a short value removes the old chunks.
	if err := k.Set(ctx, "default", "claude", sdk.APIKey("short")); err != nil {
		t.Fatal(err)
	}
	if n := len(b.m); n != 1 {
		t.Errorf("%d keyring items after shrinking, want 1: %v", n, b.m)
	}

	// Deleting a chunked value removes every part.
	if err := k.Set(ctx, "default", "claude", long); err != nil {
		t.Fatal(err)
	}
	if err := k.Delete(ctx, "default", "claude"); err != nil {
		t.Fatal(err)
	}
	if len(b.m) != 0 {
		t.Errorf("left behind: %v", b.m)
	}
}

func TestChunkedValueWithAMissingOrChangedPartIsCorrupt(t *testing.T) {
	ctx := context.Background()
	for _, damage := range []string{"delete", "change"} {
		b := &memBackend{}
		k := &store.Keyring{Backend: b, ChunkSize: 8}
		if err := k.Set(ctx, "default", "codex", sdk.APIKey(strings.Repeat("k", 40))); err != nil {
			t.Fatal(err)
		}
		for key := range b.m {
			if strings.HasSuffix(key, ".2") {
				if damage == "delete" {
					delete(b.m, key)
				} else {
					b.m[key] = "XXXXXXXX"
				}
			}
		}
		if _, err := k.Get(ctx, "default", "codex"); !errors.Is(err, store.ErrCorrupt) {
			t.Errorf("%s: Get = %v, want ErrCorrupt", damage, err)
		}
	}
}

// A write killed after the chunks but before the header leaves the old
// value readable: the header is written last.
func TestChunkedWriteInterruptedBeforeHeaderKeepsOldValue(t *testing.T) {
	ctx := context.Background()
	b := &memBackend{}
	if err := (&store.Keyring{Backend: b}).Set(ctx, "default", "claude", sdk.APIKey("old")); err != nil {
		t.Fatal(err)
	}
	failing := &failOnAccount{memBackend: b, account: "default/claude"}
	k := &store.Keyring{Backend: failing, ChunkSize: 8}
	if err := k.Set(ctx, "default", "claude", sdk.APIKey(strings.Repeat("n", 50))); err == nil {
		t.Fatal("the header write was meant to fail")
	}
	got, err := (&store.Keyring{Backend: b}).Get(ctx, "default", "claude")
	if err != nil || got.Get("key") != "old" {
		t.Errorf("after an interrupted write: %v, %v", got, err)
	}
}

type failOnAccount struct {
	*memBackend
	account string
}

func (f *failOnAccount) Set(s, u, p string) error {
	if u == f.account {
		return errors.New("killed")
	}
	return f.memBackend.Set(s, u, p)
}
