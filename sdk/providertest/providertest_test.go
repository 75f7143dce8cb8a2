package providertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/terok-ai/terok-auth/sdk"
)

func TestFakeKeepsTheContract(t *testing.T) {
	f := NewFake("fake", sdk.ModeOAuth, sdk.ModeAPIKey)
	Run(t, f)
	if calls := f.Calls(); len(calls) == 0 || calls[0] != "Describe" {
		t.Errorf("calls = %v", calls)
	}
}

func TestFakeAnswers(t *testing.T) {
	ctx := context.Background()
	f := NewFake("x", sdk.ModeOAuth)
	f.Captured = sdk.CaptureResponse{Credential: sdk.Credential{Type: "oauth", Fields: map[string]any{"access_token": "a"}}}
	resp, err := f.Capture(ctx, &sdk.CaptureRequest{Mode: sdk.ModeOAuth, Files: map[string][]byte{"f": nil}})
	if err != nil || resp.Credential.Get("access_token") != "a" {
		t.Errorf("Capture = %v, %v", resp, err)
	}
	f.Err = errors.New("boom")
	if _, err := f.Describe(ctx, &sdk.DescribeRequest{}); err == nil {
		t.Error("Err is not returned")
	}
}

// noisy writes to stdout from AcceptKey; the in-process checks must see it.
type noisy struct{ *Fake }

func (n noisy) AcceptKey(ctx context.Context, req *sdk.AcceptKeyRequest) (*sdk.AcceptKeyResponse, error) {
	fmt.Println("debugging output")
	return n.Fake.AcceptKey(ctx, req)
}

func TestStdoutIsCaught(t *testing.T) {
	var failures []string
	q := quiet{fail: func(f string, a ...any) { failures = append(failures, fmt.Sprintf(f, a...)) }, p: noisy{NewFake("n")}}
	_, _ = q.AcceptKey(context.Background(), &sdk.AcceptKeyRequest{Key: "fake-1"})
	if len(failures) != 1 || failures[0] != `AcceptKey wrote to standard output: "debugging output\n"` {
		t.Errorf("failures = %q", failures)
	}
}

// TestRunBinary runs the suite against the real claude plugin: the one
// `make test` built, or one built here.
func TestRunBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a plugin binary")
	}
	bin := filepath.Join(t.TempDir(), "terok-provider-claude")
	if built := os.Getenv("TEROK_TEST_BIN"); built != "" {
		// A private copy: the end-to-end tests, running at the same time,
		// count processes of the binaries in TEROK_TEST_BIN as theirs.
		data, err := os.ReadFile(filepath.Join(built, "terok-provider-claude"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(bin, data, 0o755); err != nil {
			t.Fatal(err)
		}
	} else {
		// The claude plugin is built by the host's module, which this one
		// cannot build from.
		t.Fatal("TEROK_TEST_BIN is not set: run this through `make test`, or point TEROK_TEST_BIN at a directory holding a built terok-provider-claude (make build writes one to bin/)")
	}
	RunBinary(t, bin)
}
