package sdk_test

import (
	"testing"

	"github.com/terok-ai/terok-auth/sdk"
)

// Which modes paste a secret and which run a container: the host asks
// KeyPrompt and AcceptKey for the first, ContainerSpec for the second.
func TestModeKinds(t *testing.T) {
	for _, tc := range []struct {
		m                       sdk.Mode
		valid, container, takes bool
	}{
		{sdk.ModeAPIKey, true, false, true},
		{sdk.ModeSetupToken, true, false, true},
		{sdk.ModeOAuth, true, true, false},
		{sdk.ModeDevice, true, true, false},
		{"telepathy", false, false, false},
		{"", false, false, false},
	} {
		if tc.m.Valid() != tc.valid || tc.m.NeedsContainer() != tc.container || tc.m.TakesKey() != tc.takes {
			t.Errorf("%q: Valid %v NeedsContainer %v TakesKey %v, want %v %v %v", tc.m,
				tc.m.Valid(), tc.m.NeedsContainer(), tc.m.TakesKey(), tc.valid, tc.container, tc.takes)
		}
	}
}
