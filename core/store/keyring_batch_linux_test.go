//go:build linux

package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/sdk"
)

func requireKeyring(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs a real keyring; run without -short, through make test")
	}
	if os.Getenv("TEROK_TEST_KEYRING") != "isolated" {
		t.Fatal("this test needs a real, throwaway Secret Service: run it through `make test` (scripts/with-keyring)")
	}
}

// TestBatchReadsEveryCredentialAtOnce checks that the batch itself answers
// (no read falls back to Get), for the set asked only.
func TestBatchReadsEveryCredentialAtOnce(t *testing.T) {
	requireKeyring(t)
	ctx := context.Background()
	k := &Keyring{}
	set := names.Set(fmt.Sprintf("batch-%d", os.Getpid()))
	other := set + "-other"
	wanted := map[string]bool{}
	for i := 0; i < 30; i++ {
		p := names.Provider(fmt.Sprintf("p%02d", i))
		if err := k.Set(ctx, set, p, sdk.APIKey("key-"+string(p))); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = k.Delete(ctx, set, p) })
		wanted[Account(set, p)] = true
	}
	if err := k.Set(ctx, other, "p00", sdk.APIKey("other")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = k.Delete(ctx, other, "p00") })

	b, err := readBatch(wanted)
	if err != nil || b.fallback {
		t.Fatalf("readBatch: %v (fallback %v)", err, b.fallback)
	}
	if len(b.values) != 30 {
		t.Fatalf("the batch read %d values, want 30", len(b.values))
	}
	for account := range wanted {
		if c, err := decodeValue(b.values[account]); err != nil || c.Get("key") != "key-"+strings.TrimPrefix(account, string(set)+"/") {
			t.Errorf("%s: %v %v", account, c, err)
		}
	}
	out, ok := k.getManyOS(ctx, set, []names.Provider{"p00", "nothing", "p29"})
	if !ok || out[0].Credential.Get("key") != "key-p00" || out[1].Err == nil || out[2].Credential.Get("key") != "key-p29" {
		t.Errorf("getManyOS = %+v, %v", out, ok)
	}
}

// TestBatchLeavesTwoItemsOfOneAccountToGet: with two items for an account
// (another tool stored one with more attributes), the batch cannot tell
// which one Get would read, so Get reads it.
func TestBatchLeavesTwoItemsOfOneAccountToGet(t *testing.T) {
	requireKeyring(t)
	if _, err := exec.LookPath("secret-tool"); err != nil {
		t.Fatal("this test needs secret-tool: apt-get install libsecret-tools (make test installs it)")
	}
	ctx := context.Background()
	k := &Keyring{}
	set := names.Set(fmt.Sprintf("dup-%d", os.Getpid()))
	if err := k.Set(ctx, set, "twice", sdk.APIKey("from terok")); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("secret-tool", "store", "--label=dup", "service", Service, "username", string(set)+"/twice", "extra", "1")
	cmd.Stdin = strings.NewReader(`{"type":"api_key","key":"from elsewhere"}`)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("secret-tool store: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		_ = exec.Command("secret-tool", "clear", "service", Service, "username", string(set)+"/twice").Run()
	})
	b, err := readBatch(map[string]bool{string(set) + "/twice": true})
	if err != nil || b.items[string(set)+"/twice"] != 2 {
		t.Fatalf("readBatch: %v, items %v", err, b.items)
	}
	want, wantErr := k.Get(ctx, set, "twice")
	out := k.GetMany(ctx, set, []names.Provider{"twice"})
	if !reflect.DeepEqual(out[0].Credential, want) || (out[0].Err == nil) != (wantErr == nil) {
		t.Errorf("GetMany = %+v, Get = %v, %v", out[0], want, wantErr)
	}
}

// TestBatchIsBoundedByTheKeyringTimeout: a session bus that accepts the
// connection and never answers must not hold a listing longer than the
// keyring timeout, and every credential says it timed out. The bus
// connection is process-wide, so the read runs in a child process.
func TestBatchIsBoundedByTheKeyringTimeout(t *testing.T) {
	if os.Getenv("TEROK_BATCH_HANG_CHILD") == "1" {
		k := &Keyring{Timeout: 400 * time.Millisecond}
		start := time.Now()
		out := k.GetMany(context.Background(), "default", []names.Provider{"a", "b", "c"})
		for _, r := range out {
			fmt.Printf("%s timeout=%v %v\n", r.Provider, errors.Is(r.Err, ErrTimeout), r.Err != nil && strings.Contains(r.Err.Error(), "default/"+string(r.Provider)))
		}
		// One timeout for the batch, not one per credential (1.2 s).
		fmt.Printf("took %v\n", time.Since(start) < time.Second)
		return
	}
	sock := filepath.Join(t.TempDir(), "bus")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer func() { _ = c.Close() }() // hold it open, say nothing
		}
	}()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBatchIsBoundedByTheKeyringTimeout$", "-test.count=1")
	cmd.Env = append(os.Environ(), "TEROK_BATCH_HANG_CHILD=1", "DBUS_SESSION_BUS_ADDRESS=unix:path="+sock)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	for _, want := range []string{"a timeout=true true", "b timeout=true true", "c timeout=true true", "took true"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("child output lacks %q:\n%s", want, out)
		}
	}
}
