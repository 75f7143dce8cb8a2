package provider

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/providertest"
)

func TestConformance(t *testing.T) { providertest.Run(t, New()) }

func TestCaptureGolden(t *testing.T) {
	for _, m := range []sdk.Mode{sdk.ModeOAuth, sdk.ModeDevice} {
		t.Run(string(m), func(t *testing.T) {
			providertest.CaptureGolden(t, New(), m, "testdata/capture")
		})
	}
}

func TestAcceptKey(t *testing.T) {
	good := "sk-proj-" + strings.Repeat("Ab3_-", 20)
	tests := []struct {
		name, key, errPart string
	}{
		{"project key", good, ""},
		{"legacy key", "sk-" + strings.Repeat("a", 48), ""},
		{"empty", "", "no API key entered"},
		{"anthropic key", "xx-" + strings.Repeat("a", 40), "starts with sk-"},
		{"too short", "sk-abc", "never has"},
		{"inner space", "sk-proj-abc def" + strings.Repeat("a", 20), "never has"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := New().AcceptKey(context.Background(), &sdk.AcceptKeyRequest{Key: tt.key})
			if tt.errPart != "" {
				if !errors.Is(err, sdk.ErrInvalidKey) || !strings.Contains(err.Error(), tt.errPart) {
					t.Fatalf("AcceptKey(%q) = %v, want ErrInvalidKey containing %q", tt.key, err, tt.errPart)
				}
				return
			}
			if err != nil || resp.Credential.Get("key") != tt.key {
				t.Fatalf("AcceptKey(%q) = %v, %v", tt.key, resp, err)
			}
		})
	}
}

func TestContainerSpec(t *testing.T) {
	oauth, err := New().ContainerSpec(context.Background(), &sdk.ContainerSpecRequest{Mode: sdk.ModeOAuth})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(oauth.Command, []string{"codex", "-c", `cli_auth_credentials_store="file"`, "login"}) || len(oauth.RunArgs) != 0 || !reflect.DeepEqual(oauth.CallbackPorts, []int{1455}) ||
		!reflect.DeepEqual(oauth.SkipPaths, []string{"tmp/arg0-linux"}) || oauth.ConfigPath != "/home/dev/.codex" {
		t.Errorf("oauth spec = %+v", oauth)
	}
	device, err := New().ContainerSpec(context.Background(), &sdk.ContainerSpecRequest{Mode: sdk.ModeDevice})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(device.Command, []string{"codex", "-c", `cli_auth_credentials_store="file"`, "login", "--device-auth"}) || len(device.RunArgs) != 0 || len(device.CallbackPorts) != 0 || device.ConfigPath != "/home/dev/.codex" {
		t.Errorf("device spec = %+v (the device flow must not forward the callback port)", device)
	}
}

func FuzzCapture(f *testing.F) {
	f.Add([]byte(`{"tokens":{"access_token":"a.eyJleHAiOjE3NjcyMjU2MDB9.c","refresh_token":"r","id_token":"i","account_id":"x"}}`))
	f.Add([]byte(`{"OPENAI_API_KEY":"sk-x"}`))
	f.Add([]byte(`{"tokens":{"access_token":"a.eyJleHAiOjFlMzAwfQ.c"}}`))
	f.Add([]byte(`null`))
	// Every auth mode of the current release (testdata/capture/README.md).
	f.Add([]byte(`{"auth_mode":"chatgpt","OPENAI_API_KEY":null,"tokens":{"access_token":"a","refresh_token":"r"},"last_refresh":"2026-11-28T10:15:42Z"}`))
	f.Add([]byte(`{"auth_mode":"apikey","OPENAI_API_KEY":"sk-x"}`))
	f.Add([]byte(`{"auth_mode":"personalAccessToken","personal_access_token":"p"}`))
	f.Add([]byte(`{"auth_mode":"agentIdentity","agent_identity":"a.b.c"}`))
	f.Add([]byte(`{"auth_mode":7,"last_refresh":[],"agent_identity":" "}`))
	f.Fuzz(func(t *testing.T, auth []byte) {
		resp, err := New().Capture(context.Background(), &sdk.CaptureRequest{Mode: sdk.ModeOAuth, Files: map[string][]byte{"auth.json": auth}})
		if err != nil {
			if !errors.Is(err, sdk.ErrNothingCaptured) {
				t.Fatalf("error %v does not wrap ErrNothingCaptured", err)
			}
			return
		}
		if err := resp.Credential.Validate(); err != nil {
			t.Fatalf("invalid credential %v: %v", resp.Credential, err)
		}
		if _, ok := resp.Credential.Fields["expires_at"]; ok {
			if _, valid := resp.Credential.ExpiresAt(); !valid {
				t.Fatalf("expires_at is not a valid time: %v", resp.Credential.Fields["expires_at"])
			}
		}
	})
}
