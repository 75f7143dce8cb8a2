package auth_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/terok-ai/terok-auth/core/account"
	"github.com/terok-ai/terok-auth/core/auth"
	"github.com/terok-ai/terok-auth/core/iostreams"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/plugins/claude/provider"
	"github.com/terok-ai/terok-auth/sdk"
)

// countingStore is a store that logs every call, to count the reads a
// login makes before it writes.
type countingStore struct {
	mu  sync.Mutex
	m   map[string]sdk.Credential
	ops []string
}

func (s *countingStore) note(op string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ops = append(s.ops, op)
}

func (s *countingStore) Get(_ context.Context, set names.Set, p names.Provider) (sdk.Credential, error) {
	s.note("get")
	c, ok := s.m[store.Account(set, p)]
	if !ok {
		return sdk.Credential{}, &store.Error{Op: "read", Account: store.Account(set, p), Kind: store.ErrNotFound}
	}
	return c, nil
}

func (s *countingStore) Set(_ context.Context, set names.Set, p names.Provider, c sdk.Credential) error {
	s.note("set")
	s.m[store.Account(set, p)] = c
	return nil
}

func (s *countingStore) Delete(_ context.Context, set names.Set, p names.Provider) error {
	s.note("delete")
	delete(s.m, store.Account(set, p))
	return nil
}

// readsBeforeWrite is how many gets came before the first set.
func (s *countingStore) readsBeforeWrite() (int, bool) {
	n := 0
	for _, op := range s.ops {
		switch op {
		case "get":
			n++
		case "set":
			return n, true
		}
	}
	return n, false
}

// One login reads the store at most once before its write, whether it
// replaces a credential or not (it used to read the same account three
// times), and the old secret it read is still what the sweep of the shared
// dir looks for.
func TestSessionReadsTheStoreOnceBeforeItWrites(t *testing.T) {
	const oldKey = "sk-ant-api03-oldoldoldoldoldoldoldoldoldold0123"
	for _, replacing := range []bool{false, true} {
		cs := &countingStore{m: map[string]sdk.Credential{}}
		if replacing {
			cs.m[store.Account("default", "claude")] = sdk.Credential{Type: "api_key", Fields: map[string]any{"key": oldKey}}
		}
		accounts := &account.Accounts{Store: cs, Backend: "keyring", Index: &account.Index{Path: filepath.Join(t.TempDir(), "index.json")}}
		io, _, _, errOut := iostreams.Test()
		p := provider.New()
		desc, err := p.Describe(context.Background(), &sdk.DescribeRequest{})
		if err != nil {
			t.Fatal(err)
		}
		sink := &recordingSink{}
		login := &auth.Login{IO: io, Prompter: &fakePrompter{}, Store: accounts, Current: accounts, Secrets: sink}
		req := auth.LoginRequest{Name: "claude", Provider: p, Desc: desc, Set: "default", Key: ptr(goodKey)}
		out, err := login.Session(context.Background(), req, accounts, accounts)
		if err != nil || !out.Stored || out.Replaced != replacing {
			t.Fatalf("replacing %v: %+v, %v: %s", replacing, out, err, errOut)
		}
		if n, wrote := cs.readsBeforeWrite(); !wrote || n > 1 {
			t.Errorf("replacing %v: %d reads before the write (wrote: %v); ops %v", replacing, n, wrote, cs.ops)
		}
		if replacing && !sink.has(oldKey) {
			t.Error("the replaced key was not given to the log's masker")
		}
		if replacing && !strings.Contains(errOut.String(), "This replaced the credential") {
			t.Errorf("stderr: %s", errOut)
		}
	}
}

type recordingSink struct{ got []string }

func (r *recordingSink) Add(s ...string) { r.got = append(r.got, s...) }
func (r *recordingSink) Hold()           {}
func (r *recordingSink) Release()        {}
func (r *recordingSink) has(s string) bool {
	for _, g := range r.got {
		if g == s {
			return true
		}
	}
	return false
}

// At a terminal, a stored credential is kept when the user says so, and
// nothing is written.
func TestSessionKeepsWhatTheUserKeeps(t *testing.T) {
	cs := &countingStore{m: map[string]sdk.Credential{store.Account("default", "claude"): {Type: "api_key", Fields: map[string]any{"key": goodKey}}}}
	accounts := &account.Accounts{Store: cs, Backend: "keyring", Index: &account.Index{Path: filepath.Join(t.TempDir(), "index.json")}}
	io, _, _, errOut := iostreams.Test()
	io.InTTY, io.OutTTY = true, true
	p := provider.New()
	desc, _ := p.Describe(context.Background(), &sdk.DescribeRequest{})
	pr := &fakePrompter{choice: 1}
	login := &auth.Login{IO: io, Prompter: pr, Store: accounts}
	out, err := login.Session(context.Background(), auth.LoginRequest{Name: "claude", Provider: p, Desc: desc, Set: "default"}, accounts, accounts)
	if err != nil || !out.Kept || out.Stored {
		t.Fatalf("%+v, %v", out, err)
	}
	if _, wrote := cs.readsBeforeWrite(); wrote {
		t.Errorf("wrote although the user kept it: %v", cs.ops)
	}
	if !strings.Contains(errOut.String(), "Kept the stored credential of claude") || len(pr.titles) != 1 || !strings.Contains(pr.titles[0], "already logged in") {
		t.Errorf("stderr %s; asked %v", errOut, pr.titles)
	}
}
