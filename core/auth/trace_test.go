package auth_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/terok-ai/terok-auth/sdk"
)

// countingProvider counts the RPCs a login makes, by method.
type countingProvider struct {
	sdk.Provider
	calls map[string]int
}

func (p *countingProvider) ContainerSpec(ctx context.Context, r *sdk.ContainerSpecRequest) (*sdk.ContainerSpecResponse, error) {
	p.calls["ContainerSpec"]++
	return p.Provider.ContainerSpec(ctx, r)
}

func (p *countingProvider) AcceptKey(ctx context.Context, r *sdk.AcceptKeyRequest) (*sdk.AcceptKeyResponse, error) {
	p.calls["AcceptKey"]++
	return p.Provider.AcceptKey(ctx, r)
}

// At debug level, an API-key login names each step it takes, and its log
// holds neither the key nor anything else secret. It asks the provider for
// no login container: the mode is fixed to api-key.
func TestDebugLogNamesTheStepsAndNoSecret(t *testing.T) {
	e := newEnv(t, true)
	var log bytes.Buffer
	e.login.Log = hclog.New(&hclog.LoggerOptions{Level: hclog.Debug, Output: &log})
	counting := &countingProvider{Provider: e.req.Provider, calls: map[string]int{}}
	e.req.Provider = counting
	e.req.Key = ptr(goodKey)
	if err := e.login.Run(context.Background(), e.req); err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{"step=negotiate", "step=\"accept key\"", "step=store", "step=login"} {
		if !strings.Contains(log.String(), step) {
			t.Errorf("the debug log does not name %s:\n%s", step, log.String())
		}
	}
	if !strings.Contains(log.String(), "took=") || !strings.Contains(log.String(), "provider=claude") {
		t.Errorf("the debug log says neither how long nor which provider:\n%s", log.String())
	}
	if strings.Contains(log.String(), goodKey) || strings.Contains(log.String(), goodKey[len(goodKey)-12:]) {
		t.Errorf("the debug log holds the key:\n%s", log.String())
	}
	if counting.calls["ContainerSpec"] != 0 || counting.calls["AcceptKey"] != 1 {
		t.Errorf("RPCs %v: a login fixed to api-key asks for no container spec", counting.calls)
	}
	if c := e.store.m["default/claude"]; c.Get("key") != goodKey {
		t.Errorf("stored %v", e.store.m)
	}
}

// A failed step is logged as failed, still without the key.
func TestDebugLogMarksAFailedStep(t *testing.T) {
	e := newEnv(t, false)
	var log bytes.Buffer
	e.login.Log = hclog.New(&hclog.LoggerOptions{Level: hclog.Debug, Output: &log})
	e.req.Key = ptr("sk-ant-api03-tooshort")
	if err := e.login.Run(context.Background(), e.req); err == nil {
		t.Fatal("a malformed key was accepted")
	}
	if !strings.Contains(log.String(), "failed=true") || strings.Contains(log.String(), "tooshort") {
		t.Errorf("log:\n%s", log.String())
	}
}
