//go:build linux

package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/remedy"
	"github.com/terok-ai/terok-auth/sdk"
)

// TestDeleteRemovesEveryItemOfTheAccount (issue 19, hole 10): a second
// item of the account, written by another program with an attribute more,
// is removed too, in the real Secret Service; on main it survived, and a
// read found it.
func TestDeleteRemovesEveryItemOfTheAccount(t *testing.T) {
	requireKeyring(t)
	if _, err := exec.LookPath("secret-tool"); err != nil {
		t.Fatal("this test needs secret-tool: apt-get install libsecret-tools (make test installs it)")
	}
	ctx := context.Background()
	k := &Keyring{}
	set := names.Set(fmt.Sprintf("del-%d", os.Getpid()))
	account := string(set) + "/claude"
	t.Cleanup(func() { _ = exec.Command("secret-tool", "clear", "service", Service, "username", account).Run() })
	if err := k.Set(ctx, set, "claude", sdk.APIKey("sk-from-terok-0123456789")); err != nil {
		t.Fatal(err)
	}
	for i, attr := range []string{"xdg:schema", "extra"} {
		cmd := exec.Command("secret-tool", "store", "--label=second", "service", Service, "username", account, attr, fmt.Sprint(i))
		cmd.Stdin = strings.NewReader(fmt.Sprintf(`{"type":"api_key","key":"sk-elsewhere-%d"}`, i))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("secret-tool store: %v\n%s", err, out)
		}
	}
	if err := k.Delete(ctx, set, "claude"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if c, err := k.Get(ctx, set, "claude"); !errors.Is(err, ErrNotFound) {
		t.Errorf("after Delete, Get = %v, %v; want ErrNotFound", c, err)
	}
	out, _ := exec.Command("secret-tool", "search", "--all", "service", Service, "username", account).CombinedOutput()
	if strings.Contains(string(out), "username") {
		t.Errorf("items left after Delete:\n%s", out)
	}
	if err := k.Delete(ctx, set, "claude"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a second Delete: %v; want ErrNotFound", err)
	}
}

// stuckBackend removes nothing: an item another program holds that the
// keyring will not give up.
type stuckBackend struct{ deletes int }

func (b *stuckBackend) Get(string, string) (string, error) {
	return `{"type":"api_key","key":"k"}`, nil
}
func (b *stuckBackend) Set(string, string, string) error { return nil }
func (b *stuckBackend) Delete(string, string) error      { b.deletes++; return nil }

// TestDeleteSaysWhenAnItemIsLeft: when items keep coming back, Delete
// stops, and says what it removed, that the account is not logged out, and
// how to remove the rest.
func TestDeleteSaysWhenAnItemIsLeft(t *testing.T) {
	b := &stuckBackend{}
	err := (&Keyring{Backend: b}).Delete(context.Background(), "default", "claude")
	if err == nil || errors.Is(err, ErrNotFound) {
		t.Fatalf("Delete = %v; want an error", err)
	}
	for _, want := range []string{"removed 64 keyring item(s) of default/claude", "still holds an item", "may still be logged in", "secret-tool clear service terok username default/claude"} {
		if !strings.Contains(remedy.Text(err), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if b.deletes != maxItemsPerAccount {
		t.Errorf("%d deletes; want the bound, %d", b.deletes, maxItemsPerAccount)
	}
}
