//go:build unix

package account

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/internal/baotest"
	"github.com/terok-ai/terok-auth/sdk"
)

// What listing costs on the team store, counted by a proxy in front of a
// real server: status is one LIST of the set, plus one read of each
// credential the set holds that this home's index cannot answer for, and
// sets is one LIST of the sets plus one per set, whatever the count.
func TestOpenBaoListingCost(t *testing.T) {
	if testing.Short() {
		t.Skip("needs a real OpenBao server (run make test)")
	}
	s := baotest.Start(t)
	counter := baotest.Count(t, s.Addr)
	ctx := context.Background()
	home := func(t *testing.T) *Accounts {
		o, err := store.NewOpenBao(store.OpenBaoOptions{Getenv: func(k string) string {
			return map[string]string{"BAO_ADDR": counter.Addr, "BAO_TOKEN": s.Token}[k]
		}, Home: t.TempDir(), Timeout: 5 * time.Second, Writer: "terok test"})
		if err != nil {
			t.Fatal(err)
		}
		return &Accounts{Store: o, Backend: "openbao", Index: &Index{Path: filepath.Join(t.TempDir(), "index.json")}}
	}
	kv := func(prefix string) []string {
		var out []string
		for _, r := range counter.Requests(prefix) {
			out = append(out, strings.Replace(r, "/v1/secret/", " ", 1))
		}
		return out
	}
	count := func(reqs []string, method string) int {
		n := 0
		for _, r := range reqs {
			if strings.HasPrefix(r, method+" ") {
				n++
			}
		}
		return n
	}

	for _, n := range []int{3, 40} {
		t.Run(fmt.Sprint(n, " credentials"), func(t *testing.T) {
			set := names.Set(fmt.Sprintf("cost%d", n))
			writer, reader := home(t), home(t)
			var providers []names.Provider
			for i := 0; i < n; i++ {
				p := names.Provider(fmt.Sprintf("p%03d", i))
				providers = append(providers, p)
				if err := writer.Save(ctx, set, p, sdk.APIKey(fmt.Sprintf("k%d", i))); err != nil {
					t.Fatal(err)
				}
			}
			// Asked for, but not stored: the LIST answers for them.
			asked := append(append([]names.Provider{}, providers...), "notstored1", "notstored2")
			authenticated := func(sts []Status) int {
				a := 0
				for _, st := range sts {
					if st.Authenticated {
						a++
					}
				}
				return a
			}

			// The home that wrote them: its index answers for every one.
			counter.Reset()
			sts, err := writer.Status(ctx, set, asked)
			reqs := kv("secret/")
			if err != nil || authenticated(sts) != n {
				t.Fatalf("status: %d authenticated, %v", authenticated(sts), err)
			}
			if len(reqs) != 1 || count(reqs, "LIST") != 1 {
				t.Errorf("status on the writing home cost %v, want one LIST", reqs)
			}

			// Another home: one LIST, and a read of each one held, none of
			// the others.
			counter.Reset()
			sts, err = reader.Status(ctx, set, asked)
			reqs = kv("secret/")
			if err != nil || authenticated(sts) != n {
				t.Fatalf("status on the other home: %d authenticated, %v", authenticated(sts), err)
			}
			if count(reqs, "LIST") != 1 || count(reqs, "GET") != n || len(reqs) != n+1 || strings.Contains(strings.Join(reqs, "\n"), "notstored") {
				t.Errorf("status on the other home cost %d requests, want one LIST and %d reads:\n%s", len(reqs), n, strings.Join(reqs, "\n"))
			}
			// It recorded what it read: next time its index answers.
			counter.Reset()
			if _, err := reader.Status(ctx, set, asked); err != nil {
				t.Fatal(err)
			}
			if reqs := kv("secret/"); len(reqs) != 1 || count(reqs, "LIST") != 1 {
				t.Errorf("second status on the other home cost %v", reqs)
			}

			// sets: one LIST of the sets, one per set.
			counter.Reset()
			infos, err := reader.Sets(ctx)
			if err != nil {
				t.Fatal(err)
			}
			reqs = kv("secret/")
			if count(reqs, "LIST") != 1+len(infos) || len(reqs) != 1+len(infos) {
				t.Errorf("sets over %d sets cost %v", len(infos), reqs)
			}
		})
	}
}
