package auth_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/core/account"
	"github.com/terok-ai/terok-auth/core/auth"
	"github.com/terok-ai/terok-auth/core/iostreams"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/providertest"
)

// keyFiler is a provider whose AcceptKey asks for key files.
type keyFiler struct {
	*providertest.Fake
	files func(key string) map[string][]byte
}

func (p keyFiler) AcceptKey(ctx context.Context, r *sdk.AcceptKeyRequest) (*sdk.AcceptKeyResponse, error) {
	resp, err := p.Fake.AcceptKey(ctx, r)
	if err == nil {
		resp.KeyFiles = p.files(r.Key)
	}
	return resp, err
}

func keyFileLogin(t *testing.T, files func(string) map[string][]byte) (*auth.Login, auth.LoginRequest, *memStore, string) {
	t.Helper()
	io, _, _, _ := iostreams.Test()
	mounts := t.TempDir()
	st := &memStore{m: map[string]sdk.Credential{}}
	p := keyFiler{providertest.NewFake("tool"), files}
	desc, _ := p.Describe(context.Background(), &sdk.DescribeRequest{})
	l := &auth.Login{IO: io, Prompter: &fakePrompter{}, Store: st, MountsDir: mounts,
		Written: &account.Written{Path: filepath.Join(t.TempDir(), "written.json")}}
	return l, auth.LoginRequest{Name: names.Provider(desc.Name), Provider: p, Desc: desc, Set: "default", Key: ptr("fake-key-0123456789")}, st, filepath.Join(mounts, desc.HostDir)
}

func TestKeyFileHoldingTheKeyIsRefused(t *testing.T) {
	l, req, st, dir := keyFileLogin(t, func(key string) map[string][]byte {
		return map[string][]byte{"config.json": []byte(`{"api_key": "` + key + `"}`)}
	})
	err := l.Run(context.Background(), req)
	if err == nil || !strings.Contains(err.Error(), "holding the secret itself") || !strings.Contains(err.Error(), "nothing was stored") {
		t.Fatalf("err = %v", err)
	}
	if len(st.m) != 0 {
		t.Error("stored although the provider asked to leak the key")
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the shared dir was written: %v", err)
	}
}

func TestLoginRemovesLeftoversAndRecordsWhatItCreates(t *testing.T) {
	l, req, _, dir := keyFileLogin(t, func(string) map[string][]byte {
		return map[string][]byte{"config.json": []byte(`{"api_key_env": "TOOL_API_KEY"}`), "merged.json": []byte(`{"b": 2}`)}
	})
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	legacy := filepath.Join(dir, ".env")
	must(t, os.WriteFile(legacy, []byte("TOOL_API_KEY=fake-key-0123456789\n"), 0o600))
	must(t, os.WriteFile(filepath.Join(dir, "merged.json"), []byte(`{"a": 1}`), 0o600))
	if err := l.Run(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(legacy); !os.IsNotExist(err) {
		t.Error("the file an earlier terok wrote with the key is still there")
	}
	rec, err := l.Written.Take(context.Background(), "default", "tool")
	if err != nil || !reflect.DeepEqual(rec.Created, []string{filepath.Join(dir, "config.json")}) {
		t.Errorf("recorded %v, %v (a file that was there before is not the login's)", rec.Created, err)
	}
	if !rec.Known || rec.HostDir != req.Desc.HostDir {
		t.Errorf("recorded shared dir %q (known: %v), want %q: logout needs it without the provider", rec.HostDir, rec.Known, req.Desc.HostDir)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// currentIs is a CurrentReader that has one credential stored.
type currentIs sdk.Credential

func (c currentIs) Token(context.Context, names.Set, names.Provider) (sdk.Credential, string, error) {
	return sdk.Credential(c), "fake", nil
}

// A login that replaces a key also removes a file an earlier terok wrote
// with the key it replaces, found through the CurrentReader it is given.
func TestLoginRemovesFilesHoldingTheReplacedSecret(t *testing.T) {
	l, req, _, dir := keyFileLogin(t, func(string) map[string][]byte { return nil })
	must(t, os.MkdirAll(dir, 0o700))
	old := filepath.Join(dir, ".env")
	must(t, os.WriteFile(old, []byte("TOOL_API_KEY=the-replaced-key-0123\n"), 0o600))
	l.Current = currentIs{Type: sdk.TypeAPIKey, Fields: map[string]any{"key": "the-replaced-key-0123"}}
	if err := l.Run(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Error("the file holding the replaced key is still there")
	}
}
