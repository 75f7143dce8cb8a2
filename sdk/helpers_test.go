package sdk_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/sdk"
)

func TestNegotiateModes(t *testing.T) {
	all := []sdk.Mode{sdk.ModeOAuth, sdk.ModeDevice, sdk.ModeAPIKey}
	tests := []struct {
		name        string
		req         sdk.NegotiateRequest
		modes       []sdk.Mode
		def         sdk.Mode
		unavailable int
	}{
		{"everything possible", sdk.NegotiateRequest{Interactive: true, ContainerRuntime: true, OAuthAllowed: true}, all, sdk.ModeOAuth, 0},
		{"no runtime", sdk.NegotiateRequest{Interactive: true, OAuthAllowed: true}, []sdk.Mode{sdk.ModeAPIKey}, sdk.ModeAPIKey, 2},
		{"policy", sdk.NegotiateRequest{Interactive: true, ContainerRuntime: true}, []sdk.Mode{sdk.ModeAPIKey}, sdk.ModeAPIKey, 2},
		{"no terminal", sdk.NegotiateRequest{ContainerRuntime: true, OAuthAllowed: true}, all, sdk.ModeAPIKey, 0},
		{"requested", sdk.NegotiateRequest{ContainerRuntime: true, OAuthAllowed: true, Requested: sdk.ModeDevice}, all, sdk.ModeDevice, 0},
		{"requested but impossible", sdk.NegotiateRequest{Requested: sdk.ModeDevice}, []sdk.Mode{sdk.ModeAPIKey}, sdk.ModeAPIKey, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := sdk.NegotiateModes(all, &tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(r.Modes, tt.modes) || r.Default != tt.def || len(r.Unavailable) != tt.unavailable {
				t.Errorf("got %+v", r)
			}
		})
	}
	_, err := sdk.NegotiateModes([]sdk.Mode{sdk.ModeAPIKey}, &sdk.NegotiateRequest{Requested: sdk.ModeOAuth})
	if !errors.Is(err, sdk.ErrUnsupportedMode) || !strings.Contains(err.Error(), "api_key") {
		t.Errorf("unsupported request: %v", err)
	}
}

func TestCleanRelPath(t *testing.T) {
	for in, want := range map[string]string{"a.json": "a.json", "d/./b": "d/b", "d/../c": "c"} {
		if got, err := sdk.CleanRelPath(in); err != nil || got != want {
			t.Errorf("CleanRelPath(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "/etc/passwd", "..", "../x", "a/../../x", `a\b`, "."} {
		if _, err := sdk.CleanRelPath(bad); err == nil {
			t.Errorf("CleanRelPath(%q) accepted", bad)
		}
	}
}
