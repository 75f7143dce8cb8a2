package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/sdk"
)

// ErrReadOnly is returned by backends that cannot be written, such as Env.
var ErrReadOnly = fmt.Errorf("read-only credential source")

// Env reads API keys from TEROK_<PROVIDER>_API_KEY, for CI. It is the same
// for every credential set, and read-only: a variable wins over what is
// stored until it is unset.
type Env struct {
	Getenv func(string) string
}

var _ Store = (*Env)(nil)

// EnvVar is the variable that overrides provider's credential:
// TEROK_<PROVIDER>_API_KEY with the name upper-cased and '-' and '.' as '_'.
func EnvVar(provider names.Provider) string {
	return "TEROK_" + strings.NewReplacer("-", "_", ".", "_").Replace(strings.ToUpper(string(provider))) + "_API_KEY"
}

// Get implements Store.
func (e *Env) Get(_ context.Context, set names.Set, provider names.Provider) (sdk.Credential, error) {
	account := Account(set, provider)
	if provider.Host() != "" {
		// TEROK_GH_API_KEY stands for the default host's credential; a
		// credential of another host (gh:HOST) has no override.
		return sdk.Credential{}, &Error{Op: "read", Account: account, Kind: ErrNotFound}
	}
	v := strings.TrimSpace(e.Getenv(EnvVar(provider)))
	if v == "" {
		return sdk.Credential{}, &Error{Op: "read", Account: account, Kind: ErrNotFound}
	}
	return sdk.APIKey(v), nil
}

// Set implements Store; Env cannot be written.
func (e *Env) Set(_ context.Context, _ names.Set, provider names.Provider, _ sdk.Credential) error {
	return fmt.Errorf("%w: %s comes from the environment; unset it to use a stored credential", ErrReadOnly, EnvVar(provider))
}

// Delete implements Store; Env cannot be written.
func (e *Env) Delete(_ context.Context, _ names.Set, provider names.Provider) error {
	return fmt.Errorf("%w: %s comes from the environment; unset it to remove it", ErrReadOnly, EnvVar(provider))
}
