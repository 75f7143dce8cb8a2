package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/terok-ai/terok-auth/sdk"
)

// Service is the keyring service name of every terok credential.
const Service = "terok"

// DefaultKeyringTimeout bounds each keyring call.
const DefaultKeyringTimeout = 5 * time.Second

// Backend is the keyring API Keyring uses; go-keyring's package functions
// by default, fakes in tests.
type Backend interface {
	Get(service, user string) (string, error)
	Set(service, user, password string) error
	Delete(service, user string) error
}

type osKeyring struct{}

func (osKeyring) Get(s, u string) (string, error) { return keyring.Get(s, u) }
func (osKeyring) Set(s, u, p string) error        { return keyring.Set(s, u, p) }
func (osKeyring) Delete(s, u string) error        { return keyring.Delete(s, u) }

// Keyring stores credentials in the OS keyring as upstream's flat JSON,
// under service "terok" and account "<set>/<provider>".
type Keyring struct {
	Backend Backend       // nil: the OS keyring
	Timeout time.Duration // 0: DefaultKeyringTimeout
}

var _ Store = (*Keyring)(nil)

// Get implements Store.
func (k *Keyring) Get(ctx context.Context, set, provider string) (sdk.Credential, error) {
	account, err := Account(set, provider)
	if err != nil {
		return sdk.Credential{}, err
	}
	var value string
	if err := k.do(ctx, "read", account, func(b Backend) (err error) {
		value, err = b.Get(Service, account)
		return err
	}); err != nil {
		return sdk.Credential{}, err
	}
	var c sdk.Credential
	if err := json.Unmarshal([]byte(value), &c); err != nil {
		return sdk.Credential{}, &Error{Op: "read", Account: account, Kind: ErrCorrupt,
			Remedy: fmt.Sprintf("Log in again to replace it: terok auth login %s", provider)}
	}
	return c, nil
}

// Set implements Store.
func (k *Keyring) Set(ctx context.Context, set, provider string, c sdk.Credential) error {
	account, err := Account(set, provider)
	if err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return fmt.Errorf("store credential %s: %w", account, err)
	}
	value, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("store credential %s: %w", account, err)
	}
	return k.do(ctx, "store", account, func(b Backend) error { return b.Set(Service, account, string(value)) })
}

// Delete implements Store.
func (k *Keyring) Delete(ctx context.Context, set, provider string) error {
	account, err := Account(set, provider)
	if err != nil {
		return err
	}
	return k.do(ctx, "delete", account, func(b Backend) error { return b.Delete(Service, account) })
}

// do runs f against the backend under the timeout. go-keyring can block
// forever waiting for an unlock prompt nobody can answer, so the call runs
// in its own goroutine and is abandoned when the time is up.
func (k *Keyring) do(ctx context.Context, op, account string, f func(Backend) error) error {
	b := k.Backend
	if b == nil {
		b = osKeyring{}
	}
	timeout := k.Timeout
	if timeout <= 0 {
		timeout = DefaultKeyringTimeout
	}
	done := make(chan error, 1)
	go func() { done <- f(b) }()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case err := <-done:
		return classify(op, account, err)
	case <-timer.C:
		return &Error{Op: op, Account: account, Kind: ErrTimeout,
			Remedy: fmt.Sprintf("It did not answer within %s; it may be waiting for an unlock prompt that cannot be shown here.\n"+
				"Unlock your keyring (or start one, see the README), or set TEROK_KEYRING_TIMEOUT to wait longer.", timeout)}
	case <-ctx.Done():
		return ctx.Err()
	}
}

const (
	remedyNoService = "No Secret Service answered on the session bus. On a desktop, log in to a session that runs\n" +
		"GNOME Keyring or KWallet. On a headless machine: apt-get install dbus gnome-keyring, then run terok\n" +
		"inside a keyring session (see \"A keyring on a headless machine\" in the README)."
	remedyLocked = "Unlock it first: log in to your desktop session, or on a headless machine run\n" +
		"  printf '%s' \"$PASSWORD\" | gnome-keyring-daemon --unlock --replace --components=secrets"
	remedyTooBig = "This platform's keyring refuses values this large."
)

// classify maps go-keyring's errors, which are mostly D-Bus strings, to the
// kinds users can act on. The strings are those go-keyring v0.2 returns on
// Linux (see the README's keyring section for where each comes from).
func classify(op, account string, err error) error {
	if err == nil {
		return nil
	}
	e := &Error{Op: op, Account: account, Err: err}
	msg := err.Error()
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		e.Kind, e.Err = ErrNotFound, nil
	case errors.Is(err, keyring.ErrSetDataTooBig):
		e.Kind, e.Remedy = ErrTooBig, remedyTooBig
	case errors.Is(err, keyring.ErrUnsupportedPlatform):
		e.Kind, e.Remedy = ErrNoService, "terok has no keyring support on this platform."
	case strings.Contains(msg, "unlock") || strings.Contains(msg, "locked") || strings.Contains(msg, "prompt"):
		e.Kind, e.Remedy = ErrLocked, remedyLocked
	case strings.Contains(msg, "dbus-launch"),
		strings.Contains(msg, "org.freedesktop.secrets"),
		strings.Contains(msg, "ServiceUnknown"),
		strings.Contains(msg, "connect:"),
		strings.Contains(msg, "DBUS_SESSION_BUS_ADDRESS"),
		strings.Contains(msg, "session bus"):
		e.Kind, e.Remedy = ErrNoService, remedyNoService
	default:
		e.Kind, e.Remedy = ErrBackend, "Check that your keyring works (e.g. with secret-tool), or run terok with TEROK_LOG_LEVEL=debug."
	}
	return e
}
