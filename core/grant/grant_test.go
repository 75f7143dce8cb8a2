package grant

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func newReg(t *testing.T) (*Registry, *time.Time) {
	t.Helper()
	now := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	r := New(filepath.Join(t.TempDir(), "proxy", "grants.json"))
	r.Now = func() time.Time { return now }
	return r, &now
}

func TestIssueStoresOnlyHashes(t *testing.T) {
	r, _ := newReg(t)
	g, err := r.Issue(context.Background(), "default", []string{"claude", "gh", "gh"}, time.Hour, "task 1")
	if err != nil {
		t.Fatal(err)
	}
	if len(g.StandIns) != 2 || len(g.Providers) != 2 {
		t.Fatalf("stand-ins %v providers %v", g.StandIns, g.Providers)
	}
	data, err := os.ReadFile(r.Path)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(r.Path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode())
	}
	for p, s := range g.StandIns {
		if !LooksLikeStandIn(s) || len(s) < len(StandInPrefix)+22 { // 22 base64 chars = 128 bits
			t.Errorf("%s: stand-in %q is too short or malformed", p, s)
		}
		if strings.Contains(string(data), strings.TrimPrefix(s, StandInPrefix)) {
			t.Errorf("the registry holds %s's stand-in", p)
		}
		if !strings.Contains(string(data), Hash(s)) {
			t.Errorf("the registry lacks %s's hash", p)
		}
		got, prov, err := r.Lookup(s)
		if err != nil || prov != p || got.ID != g.ID || got.Label != "task 1" {
			t.Errorf("Lookup(%s) = %v %q %v", p, got, prov, err)
		}
	}
	if g.StandIns["claude"] == g.StandIns["gh"] {
		t.Error("two providers share a stand-in")
	}
}

func TestLookupRefusals(t *testing.T) {
	r, now := newReg(t)
	ctx := context.Background()
	a, _ := r.Issue(ctx, "default", []string{"gh"}, time.Hour, "")
	b, _ := r.Issue(ctx, "default", []string{"gh"}, 8*time.Hour, "")
	c, _ := r.Issue(ctx, "default", []string{"gh"}, 8*time.Hour, "")
	fresh, _ := NewStandIn()
	for _, s := range []string{fresh, "", "terok-sa-", a.StandIns["gh"] + "x"} {
		if _, _, err := r.Lookup(s); !errors.Is(err, ErrUnknown) {
			t.Errorf("Lookup(%q): %v, want unknown", s, err)
		}
	}
	if ids, err := r.Revoke(ctx, b.ID); err != nil || len(ids) != 1 {
		t.Fatalf("revoke: %v %v", ids, err)
	}
	*now = now.Add(2 * time.Hour)
	if _, _, err := r.Lookup(a.StandIns["gh"]); !errors.Is(err, ErrExpired) {
		t.Errorf("expired: %v", err)
	}
	if _, _, err := r.Lookup(b.StandIns["gh"]); !errors.Is(err, ErrRevoked) {
		t.Errorf("revoked: %v", err)
	}
	if _, _, err := r.Lookup(c.StandIns["gh"]); err != nil {
		t.Errorf("live: %v", err)
	}
	if _, err := r.Revoke(ctx, "gnope"); err == nil {
		t.Error("revoking an unknown grant succeeded")
	}
	ids, err := r.Revoke(ctx, "")
	if err != nil || len(ids) != 1 || ids[0] != c.ID {
		t.Errorf("revoke --all: %v %v", ids, err)
	}
	if _, _, err := r.Lookup(c.StandIns["gh"]); !errors.Is(err, ErrRevoked) {
		t.Errorf("after --all: %v", err)
	}
}

func TestIssueRefusesBadInput(t *testing.T) {
	r, _ := newReg(t)
	ctx := context.Background()
	for _, c := range []struct {
		providers []string
		ttl       time.Duration
		label     string
	}{
		{nil, time.Hour, ""},
		{[]string{"gh"}, 0, ""},
		{[]string{"gh"}, time.Hour, "a\nb"},
		{[]string{"gh"}, time.Hour, strings.Repeat("x", 201)},
	} {
		if _, err := r.Issue(ctx, "default", c.providers, c.ttl, c.label); err == nil {
			t.Errorf("Issue(%v, %v, %q) succeeded", c.providers, c.ttl, c.label)
		}
	}
}

func TestCorruptRegistrySaysWhatToDo(t *testing.T) {
	r, _ := newReg(t)
	_ = os.MkdirAll(filepath.Dir(r.Path), 0o700)
	_ = os.WriteFile(r.Path, []byte("{not json"), 0o600)
	if _, _, err := r.Lookup("x"); err == nil || !strings.Contains(err.Error(), "move it away") {
		t.Errorf("corrupt: %v", err)
	}
}
