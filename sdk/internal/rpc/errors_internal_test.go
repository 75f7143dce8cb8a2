package rpc

import (
	"testing"

	"github.com/terok-ai/terok-auth/sdk"
)

// TestEverySentinelHasAWireForm fails when sdk.Sentinels and the wire's
// table drift apart: a sentinel without a reason would reach the host as
// a plain error, and a reason without a sentinel is dead.
func TestEverySentinelHasAWireForm(t *testing.T) {
	reasons := map[string]bool{}
	for _, s := range sdk.Sentinels() {
		w, ok := wire[s]
		if !ok || w.reason == "" {
			t.Errorf("sdk sentinel %q has no entry in the wire table (errors.go)", s)
			continue
		}
		if reasons[w.reason] {
			t.Errorf("reason %s names two sentinels", w.reason)
		}
		reasons[w.reason] = true
	}
	if len(wire) != len(sdk.Sentinels()) {
		t.Errorf("the wire table maps %d errors, sdk.Sentinels has %d", len(wire), len(sdk.Sentinels()))
	}
}
