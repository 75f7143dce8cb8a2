package acme

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/providertest"
)

// A valid key and login files, so the suite checks the success paths too:
// what AcceptKey and Capture return, and that neither is logged.
var samples = []providertest.Option{
	providertest.WithKey("acme_0123456789abcdef0123456789abcdef"),
	providertest.WithCapture(sdk.ModeOAuth, map[string][]byte{
		"session.json": []byte(`{"token":"acme-access-token","refresh":"acme-refresh-token","expires":1796083200}`),
	}),
}

// The whole contract, in-process and over gRPC, in one line.
func TestConformance(t *testing.T) { providertest.Run(t, New(), samples...) }

// The built binary, started the way terok starts it. (terok's own CI
// passes the binary it built in TEROK_TEST_EXAMPLE.)
func TestBinary(t *testing.T) {
	bin := os.Getenv("TEROK_TEST_EXAMPLE")
	if bin == "" {
		bin = filepath.Join(t.TempDir(), "terok-provider-acme")
		if out, err := exec.Command("go", "build", "-o", bin, "..").CombinedOutput(); err != nil {
			t.Fatalf("build: %v\n%s", err, out)
		}
	}
	providertest.RunBinary(t, bin, samples...)
}

func TestCapture(t *testing.T) {
	resp, err := New().Capture(context.Background(), &sdk.CaptureRequest{Mode: sdk.ModeOAuth, Files: map[string][]byte{
		"session.json": []byte(`{"token":"t","refresh":"r","expires":1796083200}`),
	}})
	if err != nil || resp.Credential.Get("access_token") != "t" {
		t.Fatalf("%v %v", resp, err)
	}
	_, err = New().Capture(context.Background(), &sdk.CaptureRequest{Mode: sdk.ModeOAuth, Files: map[string][]byte{"session.json": []byte("{}")}})
	if !errors.Is(err, sdk.ErrNothingCaptured) {
		t.Errorf("empty session: %v", err)
	}
}

func TestAcceptKey(t *testing.T) {
	for key, ok := range map[string]bool{"acme_0123456789abcdef0123456789abcdef": true, "acme_xyz": false, "": false} {
		_, err := New().AcceptKey(context.Background(), &sdk.AcceptKeyRequest{Key: key})
		if (err == nil) != ok || (err != nil && !errors.Is(err, sdk.ErrInvalidKey)) {
			t.Errorf("AcceptKey(%q) = %v", key, err)
		}
	}
}
