package storetest

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/sdk"
)

// runGetMany checks that a batch read (store.GetMany, a BatchGetter's own
// or one Get each) answers for every provider exactly what Get answers:
// stored, missing, large, in the order asked.
func runGetMany(t *testing.T, s store.Store, set, other names.Set) {
	t.Run("GetMany answers as Get", func(t *testing.T) {
		ctx := context.Background()
		big := make([]byte, 5000)
		for i := range big {
			big[i] = 'a' + byte(i%26)
		}
		stored := map[names.Provider]sdk.Credential{
			"m1":  sdk.APIKey("first"),
			"m2":  {Type: sdk.TypeOAuth, Fields: map[string]any{"access_token": "a", "refresh_token": "r", "expires_at": int64(1767225600)}},
			"big": {Type: sdk.TypeOAuth, Fields: map[string]any{"access_token": string(big)}},
		}
		for i := 0; i < 20; i++ {
			stored[parseProvider(t, fmt.Sprintf("n%02d", i))] = sdk.APIKey(fmt.Sprintf("key-%d", i))
		}
		for p, c := range stored {
			mustSet(t, s, set, p, c)
		}
		mustSet(t, s, other, "m1", sdk.APIKey("other set"))
		defer func() {
			for p := range stored {
				_ = s.Delete(ctx, set, p)
			}
			_ = s.Delete(ctx, other, "m1")
		}()

		asked := []names.Provider{"m1", "absent", "big", "m2"}
		for i := 0; i < 20; i++ {
			asked = append(asked, parseProvider(t, fmt.Sprintf("n%02d", i)))
		}
		got := store.GetMany(ctx, s, set, asked)
		if len(got) != len(asked) {
			t.Fatalf("GetMany returned %d results for %d providers", len(got), len(asked))
		}
		for i, p := range asked {
			want, wantErr := s.Get(ctx, set, p)
			r := got[i]
			if r.Provider != p {
				t.Errorf("result %d is for %q, want %q", i, r.Provider, p)
			}
			if (r.Err == nil) != (wantErr == nil) || (r.Err != nil && r.Err.Error() != wantErr.Error()) {
				t.Errorf("%s: GetMany error %v, Get error %v", p, r.Err, wantErr)
				continue
			}
			if !reflect.DeepEqual(r.Credential, want) {
				t.Errorf("%s: GetMany %v, Get %v", p, r.Credential, want)
			}
		}
		if got[0].Credential.Get("key") != "first" {
			t.Errorf("m1 = %v: the other set's credential leaked in?", got[0].Credential)
		}
	})
}
