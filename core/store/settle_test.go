package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/terok-ai/terok-auth/core/remedy"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/sdk"
)

// lateBackend is a keyring that answers writes late: it stores (or not),
// then takes its time to say so, or never says.
type lateBackend struct {
	memBackend
	store    bool          // whether Set stores at all
	delay    time.Duration // before Set answers; < 0: never
	err      error         // what Set answers
	getHangs bool
}

func (b *lateBackend) Set(s, u, p string) error {
	if b.store {
		_ = b.memBackend.Set(s, u, p)
	}
	if b.delay < 0 {
		select {}
	}
	time.Sleep(b.delay)
	return b.err
}

func (b *lateBackend) Get(s, u string) (string, error) {
	if b.getHangs {
		select {}
	}
	return b.memBackend.Get(s, u)
}

const oldValue = `{"key":"good-old","type":"api_key"}`

// TestSlowWriteIsSettledByReadingBack: a write that outlives the timeout
// is not reported until terok knows what it did.
func TestSlowWriteIsSettledByReadingBack(t *testing.T) {
	for _, tc := range []struct {
		name    string
		b       *lateBackend
		want    error // nil: success
		says    string
		storage string // what the account holds afterwards
	}{
		{"stored, answers late", &lateBackend{store: true, delay: 200 * time.Millisecond}, nil, "", `{"key":"good-new","type":"api_key"}`},
		{"stored, never answers", &lateBackend{store: true, delay: -1}, nil, "", `{"key":"good-new","type":"api_key"}`},
		{"fails late", &lateBackend{delay: 100 * time.Millisecond, err: errors.New("collection is locked")},
			store.ErrLocked, "Nothing was changed", oldValue},
		{"never answers, not stored", &lateBackend{delay: -1}, store.ErrUnsettled,
			"does not hold the new credential yet, but the write may still complete;\nso terok cannot tell whether the new credential was stored. Check with: terok auth status good --set default", oldValue},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_ = tc.b.memBackend.Set(store.Service, "default/good", oldValue)
			k := &store.Keyring{Backend: tc.b, Timeout: 20 * time.Millisecond, SettleWait: 500 * time.Millisecond}
			err := k.Set(context.Background(), "default", "good", sdk.APIKey("good-new"))
			switch {
			case tc.want == nil && err != nil:
				t.Errorf("the value was stored, but Set said: %v", err)
			case tc.want != nil && (!errors.Is(err, tc.want) || !strings.Contains(remedy.Text(err), tc.says)):
				t.Errorf("err = %v, want %v saying %q", err, tc.want, tc.says)
			}
			if got, _ := tc.b.memBackend.Get(store.Service, "default/good"); got != tc.storage {
				t.Errorf("account holds %s", got)
			}
		})
	}
}

// TestUnsettledWhenTheReadBackHangsToo: a keyring that answers nothing at
// all: the outcome is unknown, and said to be.
func TestUnsettledWhenTheReadBackHangsToo(t *testing.T) {
	b := &lateBackend{delay: -1, getHangs: true}
	k := &store.Keyring{Backend: b, Timeout: 20 * time.Millisecond, SettleWait: 50 * time.Millisecond}
	err := k.Set(context.Background(), "default", "good", sdk.APIKey("good-new"))
	if !errors.Is(err, store.ErrUnsettled) || !errors.Is(err, store.ErrTimeout) ||
		!strings.Contains(remedy.Text(err), "reading it back failed too") || !strings.Contains(remedy.Text(err), "terok auth status good --set default") {
		t.Errorf("err = %v", err)
	}
}
