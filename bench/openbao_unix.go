//go:build unix

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/terok-ai/terok-auth/core/account"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/internal/baotest"
	"github.com/terok-ai/terok-auth/sdk"
)

// scalingOpenBao measures the team store against a real dev server: token
// beside `bao kv get` of the same credential (budget 1.5x), and status of
// one set holding 1, 100 and 500 credentials (budget: 500 at most 3x of 1).
func scalingOpenBao(e *env) error {
	s, err := baotest.StartServer()
	if err != nil {
		return fmt.Errorf("the OpenBao rows: %w", err)
	}
	defer s.Stop()
	terok := filepath.Join(e.bin, "terok")
	state := filepath.Join(e.tmp, "openbao-state")
	tenv := []string{"TEROK_CREDENTIAL_STORE=openbao", "BAO_ADDR=" + s.Addr, "BAO_TOKEN=" + s.Token, "XDG_STATE_HOME=" + state}
	benv := append(append([]string{}, s.Env()...), "HOME="+e.tmp)
	o, err := store.NewOpenBao(store.OpenBaoOptions{Getenv: func(k string) string {
		return map[string]string{"BAO_ADDR": s.Addr, "BAO_TOKEN": s.Token}[k]
	}, Writer: "terok bench"})
	if err != nil {
		return err
	}
	accounts := &account.Accounts{Store: o, Backend: "openbao", Index: &account.Index{Path: filepath.Join(state, "terok", "index.json")}}

	fmt.Fprintf(e.out, "\nopenbao (dev server on 127.0.0.1): status --json and token against what is stored (one set holding N; medians of %d runs)\n", *scaleRun)
	fmt.Fprintf(e.out, "%12s %14s %14s %14s %12s %12s\n", "credentials", "status --json", "token", "bao kv get", "token/bao", "status/1")
	var status1 float64
	ok := true
	have := 0
	for _, n := range []int{1, 100, 500} {
		ctx := context.Background()
		for ; have < n; have++ {
			p, _ := names.ParseProvider(fmt.Sprintf("p%05d", have))
			if err := accounts.Save(ctx, "scale", p, sdk.APIKey(fmt.Sprintf("key-%05d", have))); err != nil {
				return err
			}
		}
		steps := []func() (time.Duration, error){
			cmd("", tenv, terok, "auth", "status", "--json", "--set", "scale"),
			cmd("", tenv, terok, "auth", "token", "p00000", "--set", "scale"),
			cmd("", benv, s.Bin, "kv", "get", "-mount=secret", "terok/scale/p00000"),
		}
		med, err := roundRobin(steps, *scaleRun)
		if err != nil {
			return err
		}
		if n == 1 {
			status1 = med[0]
		}
		tokRatio, statusRatio := med[1]/med[2], med[0]/status1
		ok = ok && tokRatio <= 1.5 && statusRatio <= 3
		fmt.Fprintf(e.out, "%12d %12.1fms %12.1fms %12.1fms %11.2fx %11.2fx\n", n, med[0], med[1], med[2], tokRatio, statusRatio)
	}
	fmt.Fprintf(e.out, "budgets: token <= 1.5x of bao kv get; status of 500 <= 3x of status of 1: %s\n", verdict(ok))
	_ = os.RemoveAll(state)
	return nil
}
