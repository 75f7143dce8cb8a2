//go:build linux

package account

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	dbus "github.com/godbus/dbus/v5"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/sdk"
)

// bus watches the session bus, as dbus-monitor does, for the calls a
// status makes to the Secret Service.
type bus struct {
	conn *dbus.Conn // the monitor
	self *dbus.Conn // what the test (and the keyring code) calls on
	msgs chan *dbus.Message
	mark int
	// ours says an item is the test's own: the unit packages share one
	// keyring, and status asks whose another test's new items are too.
	ours func(item string) bool
}

// The calls counted, by member: a secret read is GetSecret (an item's)
// or GetSecrets (the service's).
var watched = []string{
	"type='method_call',interface='org.freedesktop.Secret.Service',member='GetSecrets'",
	"type='method_call',interface='org.freedesktop.Secret.Item',member='GetSecret'",
	"type='method_call',interface='org.freedesktop.Secret.Collection',member='SearchItems'",
	"type='method_call',interface='org.freedesktop.DBus.Properties',member='Get',arg0='org.freedesktop.Secret.Item'",
	"type='method_call',interface='org.freedesktop.DBus.Peer',member='Ping'",
}

func watchBus(t *testing.T) *bus {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatalf("the session bus: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	b := &bus{conn: conn, msgs: make(chan *dbus.Message, 4096)}
	if err := conn.BusObject().Call("org.freedesktop.DBus.Monitoring.BecomeMonitor", 0, watched, uint32(0)).Err; err != nil {
		t.Fatalf("become a monitor of the session bus: %v", err)
	}
	conn.Eavesdrop(b.msgs) // after the reply: it would go there too

	if b.self, err = dbus.SessionBus(); err != nil {
		t.Fatal(err)
	}
	return b
}

// calls runs do and counts the watched calls this process made, by member (an
// item's attributes read are "attributes", of the test's own items). A ping marks each end: the
// bus routes every call made, and answered, before it.
func (b *bus) calls(t *testing.T, do func()) map[string]int {
	t.Helper()
	b.until(t) // what came before do is not do's
	do()
	got, read := b.until(t)
	// Asked only now: what ours asks comes after the mark, and the next
	// call's first until drops it.
	for _, item := range read {
		if b.ours == nil || b.ours(item) {
			got["attributes"]++
		}
	}
	return got
}

// until counts the watched calls up to a mark sent now, and names the
// items whose attributes were read.
func (b *bus) until(t *testing.T) (map[string]int, []string) {
	t.Helper()
	b.mark++
	mark := fmt.Sprintf("/terok/test/mark%d", b.mark)
	_ = b.self.Object(b.self.Names()[0], dbus.ObjectPath(mark)).Call("org.freedesktop.DBus.Peer.Ping", 0).Err
	got := map[string]int{}
	var read []string
	timeout := time.After(10 * time.Second)
	for {
		select {
		case m := <-b.msgs:
			member, _ := m.Headers[dbus.FieldMember].Value().(string)
			path, _ := m.Headers[dbus.FieldPath].Value().(dbus.ObjectPath)
			if sender, _ := m.Headers[dbus.FieldSender].Value().(string); sender != b.self.Names()[0] {
				continue // another test's, on the same bus
			}
			switch member {
			case "Ping":
				if string(path) == mark {
					return got, read
				}
			case "Get":
				read = append(read, string(path))
			default:
				got[member]++
			}
		case <-timeout:
			t.Fatalf("the bus monitor saw no end mark; counted so far: %v", got)
		}
	}
}

// TestStatusReadsNoSecretFromTheRealKeyring watches what status asks the
// real Secret Service: one search and no secret for what terok stored,
// however many there are; a credential stored past the index is read
// once, and then the index answers; one removed past the index is not
// stored any more.
func TestStatusReadsNoSecretFromTheRealKeyring(t *testing.T) {
	if testing.Short() {
		t.Skip("needs a real keyring; run without -short, through make test")
	}
	if os.Getenv("TEROK_TEST_KEYRING") != "isolated" {
		t.Fatal("this test needs a real, throwaway Secret Service: run it through `make test` (scripts/with-keyring)")
	}
	ctx := context.Background()
	set := names.Set(fmt.Sprintf("nosecret-%d", os.Getpid()))
	a := &Accounts{Store: &store.Keyring{}, Backend: "keyring",
		Index: &Index{Path: filepath.Join(t.TempDir(), "index.json")}}
	var providers []names.Provider
	for i := range 40 {
		providers = append(providers, names.Provider(fmt.Sprintf("p%02d", i)))
	}
	t.Cleanup(func() {
		for _, p := range append(providers, "vibe") {
			_ = a.Store.Delete(ctx, set, p)
		}
	})
	gh := sdk.Credential{Type: sdk.TypeOAuthToken, Fields: map[string]any{"token": "gho_" + "0123456789abcdefghij", "host": "github.com", "user": "octocat"}}
	for i, p := range providers {
		c := sdk.APIKey(fmt.Sprintf("sk-ant-api03-key-%02d-abcdefgh", i))
		if i == 0 {
			c = gh
		}
		if err := a.Save(ctx, set, p, c); err != nil {
			t.Fatal(err)
		}
	}
	b := watchBus(t)
	b.ours = func(item string) bool {
		owners, _, err := a.Store.(*store.Keyring).Owners(ctx, []string{item})
		return err == nil && owners[item].Set == set
	}
	status := func() []Status {
		st, err := a.Status(ctx, set, append(providers, "vibe"))
		if err != nil {
			t.Fatal(err)
		}
		return st
	}

	// The first status learns which item is whose (one round trip of
	// attributes, no secret); the second asks only which exist.
	var st []Status
	first := b.calls(t, func() { st = status() })
	if first["GetSecret"]+first["GetSecrets"] != 0 || first["SearchItems"] != 1 || first["attributes"] != 40 {
		t.Errorf("the first status after the logins made %v; want 1 SearchItems, 40 attribute reads and no secret read", first)
	}
	if g := st[0]; !g.Authenticated || g.Type != sdk.TypeOAuthToken || g.Host != "github.com" || g.Account != "octocat" ||
		g.Masked != "gho_…" || g.Location == "" {
		t.Errorf("gh, from the index: %+v", g)
	}
	if k := st[1]; !k.Authenticated || k.TokenKind != "Anthropic API key" || k.Masked != "sk-ant-api03-…" {
		t.Errorf("an API key, from the index: %+v", k)
	}
	if st[40].Authenticated {
		t.Errorf("vibe is not stored: %+v", st[40])
	}
	again := b.calls(t, func() { st = status() })
	if again["GetSecret"]+again["GetSecrets"]+again["attributes"] != 0 || again["SearchItems"] != 1 {
		t.Errorf("a status of 40 the index knows made %v; want 1 SearchItems and nothing else", again)
	}
	for _, s := range st[:40] {
		if !s.Authenticated {
			t.Errorf("%s: %+v", s.Provider, s)
		}
	}

	// Stored past the index: read once, then known.
	if err := a.Store.Set(ctx, set, "vibe", sdk.APIKey("vibe-key-0123456789")); err != nil {
		t.Fatal(err)
	}
	past := b.calls(t, func() { st = status() })
	if past["GetSecrets"] != 1 || past["GetSecret"] != 0 || past["attributes"] != 1 {
		t.Errorf("a status with one credential the index lacks made %v; want its attributes and one GetSecrets", past)
	}
	if v := st[40]; !v.Authenticated || v.Type != sdk.TypeAPIKey || v.Masked != "****" {
		t.Errorf("vibe, stored past the index: %+v", v)
	}
	if known := b.calls(t, func() { st = status() }); known["GetSecret"]+known["GetSecrets"]+known["attributes"] != 0 {
		t.Errorf("after it was read once, a status made %v; want no read", known)
	}

	// Removed past the index: the keyring wins, and asks nothing more.
	if err := a.Store.Delete(ctx, set, "p05"); err != nil {
		t.Fatal(err)
	}
	gone := b.calls(t, func() { st = status() })
	if gone["GetSecret"]+gone["GetSecrets"]+gone["attributes"] != 0 {
		t.Errorf("a status after a removal made %v; want no read", gone)
	}
	if st[5].Authenticated {
		t.Errorf("p05 was removed from the keyring: %+v", st[5])
	}
	if e, ok := a.entry(set, "p05"); ok {
		t.Errorf("the index still has the removed credential: %+v", e)
	}

	// A login over a stored credential writes it where it was: the index
	// describes the new one, and status still reads nothing.
	if err := a.Save(ctx, set, "p00", sdk.APIKey("sk-proj-0123456789abcdef")); err != nil {
		t.Fatal(err)
	}
	relogin := b.calls(t, func() { st = status() })
	if relogin["GetSecret"]+relogin["GetSecrets"]+relogin["attributes"] != 0 {
		t.Errorf("a status after a login again made %v; want no secret read", relogin)
	}
	if g := st[0]; g.Type != sdk.TypeAPIKey || g.TokenKind != "OpenAI project API key" || g.Host != "" {
		t.Errorf("p00 after a login again: %+v", g)
	}
}
