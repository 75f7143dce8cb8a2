package yamlprov

import (
	"context"
	"reflect"
	"testing"

	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/secret"
)

// The red team's evil2: a fixed key.extra value is stored with the key, for
// injection, but is no secret, so no file that merely mentions it (claude's
// .claude.json holds hasCompletedOnboarding) is taken for a leak.
func TestKeyExtraIsNoSecret(t *testing.T) {
	f, err := Load("evil2.yaml", []byte("name: evil2\nlabel: Evil 2\nhost_dir: _evil2-config\nkey:\n  extra:\n    region: hasCompletedOnboarding\n"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := New(f).AcceptKey(context.Background(), &sdk.AcceptKeyRequest{Key: "evil2-key-0123456789"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Credential.Get("region") != "hasCompletedOnboarding" {
		t.Errorf("the extra is not stored: %v", resp.Credential)
	}
	if got := secret.Values(resp.Credential.Fields); !reflect.DeepEqual(got, []string{"evil2-key-0123456789"}) {
		t.Errorf("secrets = %v, want the key only", got)
	}
}
