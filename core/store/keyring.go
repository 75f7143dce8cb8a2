package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/zalando/go-keyring"

	"github.com/terok-ai/terok-auth/core/names"
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
//
// A value longer than ChunkSize is split: the chunks go first, under
// accounts named after the value's hash, and the account itself is written
// last with a header that names them. A process killed half way thus leaves
// the previous header, and so the previous value, in place.
type Keyring struct {
	Backend   Backend       // nil: the OS keyring
	Timeout   time.Duration // 0: DefaultKeyringTimeout
	ChunkSize int           // 0: the platform's limit (see PlatformChunkSize)
	// SettleWait is how long a write that timed out is given to finish
	// before the account is read back (see Set); 0: DefaultSettleWait.
	SettleWait time.Duration
}

// DefaultSettleWait: a write that did not answer within the timeout is
// often only slow (a busy keyring daemon), and answers soon after.
const DefaultSettleWait = 2 * time.Second

var _ Store = (*Keyring)(nil)

// PlatformChunkSize is the largest value the OS keyring takes in one item,
// with a margin: Windows refuses more than 2560 bytes, macOS about 3000.
// The Secret Service has no small limit, so Linux values are not split.
func PlatformChunkSize() int {
	switch runtime.GOOS {
	case "windows":
		return 2048
	case "darwin":
		return 2048
	}
	return 0
}

const (
	chunkMagic = "terok-chunked:v1:"
	maxChunks  = 1 << 16
)

// splitChunks cuts s into parts of at most size bytes, never inside a UTF-8
// sequence: some keyrings store text, not bytes.
func splitChunks(s string, size int) []string {
	var parts []string
	for len(s) > size {
		cut := size
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		if cut == 0 {
			cut = size
		}
		parts = append(parts, s[:cut])
		s = s[cut:]
	}
	return append(parts, s)
}

// header is what the account holds for a chunked value.
type header struct {
	n   int
	sum string // hex sha256 of the whole value
}

func (h header) String() string { return fmt.Sprintf("%s%d:%s", chunkMagic, h.n, h.sum) }

func (h header) chunkAccount(account string, i int) string {
	return fmt.Sprintf("%s#%s.%d", account, h.sum[:16], i)
}

func parseHeader(v string) (header, bool) {
	rest, ok := strings.CutPrefix(v, chunkMagic)
	if !ok {
		return header{}, false
	}
	nStr, sum, ok := strings.Cut(rest, ":")
	n, err := strconv.Atoi(nStr)
	if !ok || err != nil || n < 1 || n > maxChunks || len(sum) != 64 {
		return header{}, false
	}
	return header{n: n, sum: sum}, true
}

func (k *Keyring) chunkSize() int {
	if k.ChunkSize > 0 {
		return k.ChunkSize
	}
	return PlatformChunkSize()
}

// Get implements Store.
func (k *Keyring) Get(ctx context.Context, set names.Set, provider names.Provider) (sdk.Credential, error) {
	account := Account(set, provider)
	var value string
	corrupt := false
	if err := k.do(ctx, "read", account, func(b Backend) (err error) {
		value, err = b.Get(Service, account)
		if err != nil {
			return err
		}
		h, chunked := parseHeader(value)
		if !chunked {
			return nil
		}
		var sb strings.Builder
		for i := 1; i <= h.n; i++ {
			part, err := b.Get(Service, h.chunkAccount(account, i))
			if errors.Is(err, keyring.ErrNotFound) {
				corrupt = true
				return nil
			}
			if err != nil {
				return err
			}
			sb.WriteString(part)
		}
		value = sb.String()
		corrupt = hexSum(value) != h.sum
		return nil
	}); err != nil {
		return sdk.Credential{}, err
	}
	var c sdk.Credential
	if corrupt || json.Unmarshal([]byte(value), &c) != nil {
		return sdk.Credential{}, &Error{Op: "read", Account: account, Kind: ErrCorrupt,
			Fix: fmt.Sprintf("Log in again to replace it: terok auth login %s", provider)}
	}
	return c, nil
}

// Set implements Store.
func (k *Keyring) Set(ctx context.Context, set names.Set, provider names.Provider, c sdk.Credential) error {
	account := Account(set, provider)
	if err := c.Validate(); err != nil {
		return fmt.Errorf("store credential %s: %w", account, err)
	}
	data, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("store credential %s: %w", account, err)
	}
	value := string(data)
	// What the account holds once the value is stored: the value, or the
	// header naming its chunks.
	want := value
	if size := k.chunkSize(); size > 0 && len(value) > size {
		want = header{n: len(splitChunks(value, size)), sum: hexSum(value)}.String()
	}
	pending, err := k.run(ctx, "store", account, func(b Backend) error {
		old, _ := b.Get(Service, account)
		oldHeader, wasChunked := parseHeader(old)
		size := k.chunkSize()
		if size <= 0 || len(value) <= size {
			if err := b.Set(Service, account, value); err != nil {
				return err
			}
		} else {
			parts := splitChunks(value, size)
			if len(parts) > maxChunks {
				return keyring.ErrSetDataTooBig
			}
			h := header{n: len(parts), sum: hexSum(value)}
			for i, part := range parts {
				if err := b.Set(Service, h.chunkAccount(account, i+1), part); err != nil {
					return err
				}
			}
			if err := b.Set(Service, account, h.String()); err != nil {
				return err
			}
			if wasChunked && oldHeader.sum == h.sum {
				return nil // the same value again: its chunks are the new ones
			}
		}
		if wasChunked {
			deleteChunks(b, account, oldHeader)
		}
		return nil
	})
	if pending == nil {
		return err
	}
	return k.settle(ctx, account, provider, want, pending)
}

// settle finds out what a write that did not answer in time did, before
// anything is reported: the keyring may have stored the new value late.
// It waits SettleWait for the write to finish, then reads the account
// back. The new value there: the write succeeded (nil). The write failed:
// its error, saying whether the account still holds what it held. Neither
// known: an ErrUnsettled error saying so and how to find out.
func (k *Keyring) settle(ctx context.Context, account string, provider names.Provider, want string, pending <-chan error) error {
	wait := k.SettleWait
	if wait <= 0 {
		wait = DefaultSettleWait
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case err := <-pending:
		if err == nil {
			return nil
		}
		if got, rerr := k.readRaw(context.WithoutCancel(ctx), account); rerr == nil && got == want {
			return nil // failed on something after the value was in place
		}
		e := classify("store", account, err)
		var se *Error
		if errors.As(e, &se) {
			se.Fix = "Nothing was changed: the previous credential, if any, is still stored.\n" + se.Fix
		}
		return e
	case <-timer.C:
	case <-ctx.Done():
	}
	got, rerr := k.readRaw(context.WithoutCancel(ctx), account)
	if rerr == nil && got == want {
		return nil
	}
	seen := "and reading it back failed too"
	if rerr == nil || errors.Is(rerr, ErrNotFound) {
		seen = "and it does not hold the new credential yet, but the write may still complete"
	}
	return &Error{Op: "store", Account: account, Kind: ErrUnsettled, Err: ErrTimeout,
		Fix: fmt.Sprintf("The keyring did not answer within %s and has not confirmed the write %s;\n"+
			"so terok cannot tell whether the new credential was stored. Check with: terok auth status %s --set %s\n"+
			"(if it is not the new one, log in again, after unlocking your keyring or with a longer TEROK_KEYRING_TIMEOUT).",
			k.timeout(), seen, provider, setOf(account))}
}

// readRaw reads what an account holds, as stored (a chunk header as is).
func (k *Keyring) readRaw(ctx context.Context, account string) (string, error) {
	var v string
	err := k.do(ctx, "read", account, func(b Backend) (err error) {
		v, err = b.Get(Service, account)
		return err
	})
	return v, err
}

func setOf(account string) string {
	set, _, _ := strings.Cut(account, "/")
	return set
}

func (k *Keyring) timeout() time.Duration {
	if k.Timeout > 0 {
		return k.Timeout
	}
	return DefaultKeyringTimeout
}

// maxItemsPerAccount bounds how many items of one account Delete removes
// before it gives up: another program may have written more than terok's.
const maxItemsPerAccount = 64

// Delete implements Store. It removes every item of the account, not only
// the first the keyring finds: another program (or an older terok) may have
// written a second one, with other attributes beside service and account,
// that a read would then still find. It reads the account again at the end
// and says so if an item is left.
func (k *Keyring) Delete(ctx context.Context, set names.Set, provider names.Provider) error {
	account := Account(set, provider)
	// Written by the call, which do may abandon when it is late.
	var removed atomic.Int32
	err := k.do(ctx, "delete", account, func(b Backend) error {
		for removed.Load() < maxItemsPerAccount {
			old, err := b.Get(Service, account)
			if errors.Is(err, keyring.ErrNotFound) && removed.Load() > 0 {
				return nil
			}
			if err != nil {
				return err
			}
			if err := b.Delete(Service, account); err != nil {
				return err
			}
			removed.Add(1)
			if h, ok := parseHeader(old); ok {
				deleteChunks(b, account, h)
			}
		}
		_, err := b.Get(Service, account)
		if errors.Is(err, keyring.ErrNotFound) {
			return nil
		}
		return errItemsLeft
	})
	n := removed.Load()
	var se *Error
	if err == nil || n == 0 || !errors.As(err, &se) {
		return err
	}
	// Some items are gone, not all: say so, whatever stopped the rest.
	left := "could not make sure that no other item of it is left"
	if errors.Is(err, errItemsLeft) {
		left = "the keyring still holds an item of it"
	}
	how := "with your keyring's own tool (Keychain Access, Credential Manager)"
	if runtime.GOOS != "darwin" && runtime.GOOS != "windows" {
		how = fmt.Sprintf("with: secret-tool clear service %s username %s (secret-tool search --all service %s username %s shows them)",
			Service, account, Service, account)
	}
	se.Fix = fmt.Sprintf("terok removed %d keyring item(s) of %s but %s (another program may have written it), so %s may still be logged in. "+
		"Run terok auth logout again, or remove the items %s.", n, account, left, provider, how)
	return se
}

// errItemsLeft: the account still has an item after Delete removed
// maxItemsPerAccount of them.
var errItemsLeft = errors.New("items of the account are left")

// deleteChunks removes a chunked value's parts; a part that is already gone
// is fine.
func deleteChunks(b Backend, account string, h header) {
	for i := 1; i <= h.n; i++ {
		_ = b.Delete(Service, h.chunkAccount(account, i))
	}
}

func hexSum(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// do runs f against the backend under the timeout. go-keyring can block
// forever waiting for an unlock prompt nobody can answer, so the call runs
// in its own goroutine and is abandoned when the time is up.
func (k *Keyring) do(ctx context.Context, op, account string, f func(Backend) error) error {
	_, err := k.run(ctx, op, account, f)
	return err
}

// run is do, and when f has not returned in time (timeout or ctx), also
// the channel its result will come on: a write may yet complete.
func (k *Keyring) run(ctx context.Context, op, account string, f func(Backend) error) (pending <-chan error, err error) {
	b := k.Backend
	if b == nil {
		b = osKeyring{}
	}
	timeout := k.timeout()
	done := make(chan error, 1)
	go func() { done <- f(b) }()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case err := <-done:
		return nil, classify(op, account, err)
	case <-timer.C:
		return done, &Error{Op: op, Account: account, Kind: ErrTimeout,
			Fix: fmt.Sprintf("It did not answer within %s; it may be waiting for an unlock prompt that cannot be shown here.\n"+
				"Unlock your keyring (or start one, see the README), or set TEROK_KEYRING_TIMEOUT to wait longer.", timeout) + remedyFile}
	case <-ctx.Done():
		return done, ctx.Err()
	}
}

const (
	remedyFile = "\nOr keep credentials in a file instead (not encrypted): --store file, or TEROK_CREDENTIAL_STORE=file."

	remedyNoService = "No Secret Service answered on the session bus. On a desktop, log in to a session that runs\n" +
		"GNOME Keyring or KWallet. On a headless machine: apt-get install dbus gnome-keyring, then run terok\n" +
		"inside a keyring session (see \"A keyring on a headless machine\" in the README)." + remedyFile
	remedyLocked = "Unlock it first: log in to your desktop session, or on a headless machine run\n" +
		"  printf '%s' \"$PASSWORD\" | gnome-keyring-daemon --unlock --replace --components=secrets" + remedyFile
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
		e.Kind, e.Fix = ErrTooBig, remedyTooBig
	case errors.Is(err, keyring.ErrUnsupportedPlatform):
		e.Kind, e.Fix = ErrNoService, "terok has no keyring support on this platform."
	case strings.Contains(msg, "unlock") || strings.Contains(msg, "locked") || strings.Contains(msg, "prompt"):
		e.Kind, e.Fix = ErrLocked, remedyLocked
	case strings.Contains(msg, "dbus-launch"),
		strings.Contains(msg, "org.freedesktop.secrets"),
		strings.Contains(msg, "ServiceUnknown"),
		strings.Contains(msg, "connect:"),
		strings.Contains(msg, "DBUS_SESSION_BUS_ADDRESS"),
		strings.Contains(msg, "session bus"):
		e.Kind, e.Fix = ErrNoService, remedyNoService
	default:
		e.Kind, e.Fix = ErrBackend, "Check that your keyring works (e.g. with secret-tool), or run terok with TEROK_LOG_LEVEL=debug."
	}
	return e
}
