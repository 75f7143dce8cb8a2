package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

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

func TestKeyringConformanceInMemory(t *testing.T) {
	storetest.Run(t, &store.Keyring{Backend: &memBackend{}}, "mem")
}

// TestKeyringConformanceReal runs the suite against the real Secret Service
// that `make test` starts (scripts/with-keyring).
func TestKeyringConformanceReal(t *testing.T) {
	requireIsolatedKeyring(t)
	storetest.Run(t, &store.Keyring{}, fmt.Sprintf("test-%d", os.Getpid()))
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
	if !errors.Is(err, store.ErrCorrupt) || !strings.Contains(err.Error(), "terok auth login claude") {
		t.Errorf("err = %v", err)
	}
	if strings.Contains(err.Error(), "not json") {
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
	k := &store.Keyring{Backend: b, Timeout: 50 * time.Millisecond}
	start := time.Now()
	err := k.Set(context.Background(), "default", "claude", sdk.APIKey("x"))
	if !errors.Is(err, store.ErrTimeout) || !strings.Contains(err.Error(), "TEROK_KEYRING_TIMEOUT") {
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
			if !strings.Contains(err.Error(), tt.remedy) || !strings.Contains(err.Error(), "default/claude") {
				t.Errorf("message %q lacks %q or the account", err, tt.remedy)
			}
		})
	}
}
