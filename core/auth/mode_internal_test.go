package auth

import (
	"reflect"
	"testing"

	"github.com/terok-ai/terok-auth/sdk"
)

func TestDemoteModes(t *testing.T) {
	resp := &sdk.NegotiateResponse{Modes: []sdk.Mode{sdk.ModeOAuth, sdk.ModeDevice, sdk.ModeAPIKey}, Default: sdk.ModeOAuth}
	noImage := map[sdk.Mode]string{sdk.ModeOAuth: "no image", sdk.ModeDevice: "no image"}
	got := demoteModes(resp, "", noImage)
	if want := []sdk.Mode{sdk.ModeAPIKey, sdk.ModeOAuth, sdk.ModeDevice}; !reflect.DeepEqual(got.Modes, want) || got.Default != sdk.ModeAPIKey {
		t.Errorf("demoteModes = %v default %s, want %v default api_key", got.Modes, got.Default, want)
	}
	// A mode the user asked for stays the default.
	if got := demoteModes(resp, sdk.ModeOAuth, noImage); got.Default != sdk.ModeOAuth {
		t.Errorf("requested oauth: default %s", got.Default)
	}
	// Nothing demoted, or nothing else to offer: unchanged.
	if got := demoteModes(resp, "", nil); got != resp {
		t.Error("no demotion must return resp itself")
	}
	only := &sdk.NegotiateResponse{Modes: []sdk.Mode{sdk.ModeOAuth}, Default: sdk.ModeOAuth}
	if got := demoteModes(only, "", noImage); got.Default != sdk.ModeOAuth || len(got.Modes) != 1 {
		t.Errorf("only oauth: %+v", got)
	}
	if resp.Modes[0] != sdk.ModeOAuth {
		t.Error("demoteModes changed its argument")
	}
}
