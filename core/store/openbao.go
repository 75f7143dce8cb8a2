package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	vault "github.com/hashicorp/vault/api"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/sdk"
)

// DefaultOpenBaoTimeout bounds each call to the OpenBao (or Vault) server.
const DefaultOpenBaoTimeout = 10 * time.Second

// OpenBao keeps credentials in a KV v2 secrets engine of an OpenBao or
// HashiCorp Vault server, shared by every machine that points at it: each
// credential at <Mount>/data/<Prefix>/<set>/<provider>, holding the same
// flat JSON the keyring holds.
//
// Every write is a check-and-set at the version this store last saw of
// the credential (or, if it saw none, the one there just before), so two
// machines that change one credential at once get one winner and one
// ErrConflict, never a silent overwrite. Delete removes every version
// (a metadata delete). Who wrote a version (host and terok version) goes
// in the secret's custom metadata.
type OpenBao struct {
	Client  *vault.Client
	Mount   string        // the KV v2 mount; "" is "secret"
	Prefix  string        // path under the mount; "" is "terok"
	Timeout time.Duration // each call; 0: DefaultOpenBaoTimeout
	// Writer and Host are recorded with each write (custom metadata).
	Writer string
	Host   string
	// Login authenticates the client before its first call (AppRole,
	// JWT, or a token's renewal); nil: the client's token as it is.
	Login func(ctx context.Context, c *vault.Client) error

	mu       sync.Mutex
	loggedIn bool
	kv2      bool           // the mount was checked to be KV v2
	seen     map[string]int // account -> the version last read or written
	// serverAt is the server's clock as sys/health said it at
	// serverAtLocal (for a lease's age).
	serverAt, serverAtLocal time.Time
}

var (
	_ Store       = (*OpenBao)(nil)
	_ Versioned   = (*OpenBao)(nil)
	_ Lister      = (*OpenBao)(nil)
	_ BatchGetter = (*OpenBao)(nil)
)

// The custom metadata keys a write records.
const (
	metaWriter  = "terok_writer"
	metaHost    = "terok_host"
	metaVersion = "terok_version_written"
)

func (o *OpenBao) mount() string {
	if m := strings.Trim(o.Mount, "/"); m != "" {
		return m
	}
	return "secret"
}

func (o *OpenBao) prefix() string {
	if p := strings.Trim(o.Prefix, "/"); p != "" {
		return p
	}
	return "terok"
}

func (o *OpenBao) timeout() time.Duration {
	if o.Timeout > 0 {
		return o.Timeout
	}
	return DefaultOpenBaoTimeout
}

// DataPath is the API path of a credential's data, e.g.
// secret/data/terok/default/claude.
func (o *OpenBao) DataPath(set names.Set, provider names.Provider) string {
	return o.mount() + "/data/" + o.prefix() + "/" + Account(set, provider)
}

// MetadataPath is the API path of a credential's metadata.
func (o *OpenBao) MetadataPath(set names.Set, provider names.Provider) string {
	return o.mount() + "/metadata/" + o.prefix() + "/" + Account(set, provider)
}

func (o *OpenBao) setsPath() string { return o.mount() + "/metadata/" + o.prefix() }

func (o *OpenBao) setPath(set names.Set) string { return o.setsPath() + "/" + string(set) }

// call runs f under the timeout, after logging in once.
func (o *OpenBao) call(ctx context.Context, f func(ctx context.Context) error) error {
	if err := o.ready(ctx); err != nil {
		return err
	}
	cctx, cancel := context.WithTimeout(ctx, o.timeout())
	defer cancel()
	return f(cctx)
}

// ready logs in before the first call; a failed login is tried again by
// the next call.
func (o *OpenBao) ready(ctx context.Context) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.loggedIn || o.Login == nil {
		return nil
	}
	cctx, cancel := context.WithTimeout(ctx, o.timeout())
	defer cancel()
	if err := o.Login(cctx, o.Client); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	o.loggedIn = true
	return nil
}

// remember notes the version a read saw, unless this command saw one
// before: its writes are over what it first saw (a login's status read,
// before the login ran), not over what a later read found.
func (o *OpenBao) remember(account string, version int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.seen == nil {
		o.seen = map[string]int{}
	}
	if _, ok := o.seen[account]; !ok {
		o.seen[account] = version
	}
}

// rememberWrite notes the version this command wrote, removed, or lost
// to (having said so): the next write is over that.
func (o *OpenBao) rememberWrite(account string, version int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.seen == nil {
		o.seen = map[string]int{}
	}
	o.seen[account] = version
}

func (o *OpenBao) lastSeen(account string) (int, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	v, ok := o.seen[account]
	return v, ok
}

// entry is one version of a credential as read.
type entry struct {
	cred      sdk.Credential
	version   int // 0: nothing there
	writtenBy string
	raw       string // the data as canonical JSON, to compare
}

// Get implements Store.
func (o *OpenBao) Get(ctx context.Context, set names.Set, provider names.Provider) (sdk.Credential, error) {
	c, _, err := o.GetVersioned(ctx, set, provider)
	return c, err
}

// GetVersioned implements Versioned.
func (o *OpenBao) GetVersioned(ctx context.Context, set names.Set, provider names.Provider) (sdk.Credential, int, error) {
	e, err := o.read(ctx, set, provider)
	if err != nil {
		return sdk.Credential{}, 0, err
	}
	if e.version == 0 || e.raw == "" {
		// Removed by a soft delete: a create goes over that version.
		return sdk.Credential{}, e.version, notFound(set, provider)
	}
	return e.cred, e.version, nil
}

func notFound(set names.Set, provider names.Provider) error {
	return &Error{Op: "read", Account: Account(set, provider), Kind: ErrNotFound}
}

// read reads the current version; a missing credential is version 0 and
// no error, and a deleted current version (bao kv delete) has its version
// and no data.
func (o *OpenBao) read(ctx context.Context, set names.Set, provider names.Provider) (entry, error) {
	account := Account(set, provider)
	path := o.DataPath(set, provider)
	var sec *vault.Secret
	err := o.call(ctx, func(ctx context.Context) (err error) {
		sec, err = o.readPath(ctx, path, nil)
		return err
	})
	if err != nil {
		return entry{}, o.classify(ctx, "read", account, path, "read", err)
	}
	e, err := decodeEntry(sec)
	if err != nil {
		return entry{}, &Error{Op: "read", Account: account, Kind: ErrCorrupt, Err: err,
			Fix: fmt.Sprintf("Log in again to replace it: terok auth login %s --set %s (or look at it: bao kv get -mount=%s %s/%s)",
				provider, set, o.mount(), o.prefix(), account)}
	}
	o.remember(account, e.version)
	return e, nil
}

// decodeEntry reads a KV v2 data response: {"data": {...}, "metadata":
// {"version": N, "custom_metadata": {...}, ...}}.
func decodeEntry(sec *vault.Secret) (entry, error) {
	if sec == nil || sec.Data == nil {
		return entry{}, nil
	}
	var e entry
	if md, ok := sec.Data["metadata"].(map[string]any); ok {
		e.version = intOf(md["version"])
		if custom, ok := md["custom_metadata"].(map[string]any); ok {
			e.writtenBy = writerOf(custom, e.version)
		}
	}
	data, ok := sec.Data["data"].(map[string]any)
	if !ok || data == nil {
		return e, nil
	}
	if e.version < 1 {
		// A check-and-set over it needs its version: without one (or
		// with a nonsense one) it is not a KV v2 answer.
		return entry{}, errors.New("the server's answer holds a credential but no version of it (is the mount KV version 2?)")
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return entry{}, err
	}
	if err := json.Unmarshal(raw, &e.cred); err != nil {
		return entry{}, err
	}
	if err := e.cred.Validate(); err != nil {
		return entry{}, err
	}
	e.raw = string(raw)
	return e, nil
}

// writerOf says who wrote version, from the custom metadata the write
// left: "" when it names another version (a write whose metadata update
// lost a race, or one that was not terok's).
func writerOf(custom map[string]any, version int) string {
	if intOf(custom[metaVersion]) != version || version == 0 {
		return ""
	}
	host, _ := custom[metaHost].(string)
	writer, _ := custom[metaWriter].(string)
	switch {
	case host != "" && writer != "":
		return host + " (" + writer + ")"
	case host != "":
		return host
	}
	return writer
}

func intOf(v any) int {
	switch n := v.(type) {
	case json.Number:
		i, _ := strconv.Atoi(n.String())
		return i
	case float64:
		return int(n)
	case int:
		return n
	case string:
		i, _ := strconv.Atoi(n)
		return i
	}
	return 0
}

// dataOf is the KV data of c: its flat JSON as a map, numbers exact.
func dataOf(c sdk.Credential) (map[string]any, string, error) {
	raw, err := json.Marshal(c)
	if err != nil {
		return nil, "", err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, "", err
	}
	canon, err := json.Marshal(m)
	return m, string(canon), err
}

// Set implements Store: a check-and-set at the version this store last
// saw (a login reads the credential's status before it starts), else at
// the version there now.
func (o *OpenBao) Set(ctx context.Context, set names.Set, provider names.Provider, c sdk.Credential) error {
	account := Account(set, provider)
	if err := c.Validate(); err != nil {
		return fmt.Errorf("store credential %s: %w", account, err)
	}
	base, ok := o.lastSeen(account)
	if !ok {
		e, err := o.read(ctx, set, provider)
		if err != nil {
			return storeFailed(err)
		}
		base = e.version
	}
	_, err := o.PutCAS(ctx, set, provider, c, base)
	var conflict *CASConflict
	if errors.As(err, &conflict) {
		var se *Error
		if errors.As(err, &se) {
			who := ""
			if conflict.WrittenBy != "" {
				who = ", by " + conflict.WrittenBy
			}
			what := fmt.Sprintf("Someone else stored it first (now version %d%s)", conflict.Current, who)
			if conflict.Current == 0 {
				what = "Someone else removed it meanwhile"
			}
			se.Fix = what + "; yours was not stored, and what is there was kept.\n" +
				fmt.Sprintf("See it with: terok auth status %s --set %s; to replace it, log in again.", provider, set)
		}
	}
	return err
}

// storeFailed adds to a read's error, met before a write, that nothing
// was written.
func storeFailed(err error) error {
	var se *Error
	if errors.As(err, &se) {
		cp := *se
		cp.Op = "store"
		cp.Fix = "Nothing was changed: the previous credential, if any, is still stored.\n" + cp.Fix
		return &cp
	}
	return err
}

// PutCAS implements Versioned.
func (o *OpenBao) PutCAS(ctx context.Context, set names.Set, provider names.Provider, c sdk.Credential, version int) (int, error) {
	account := Account(set, provider)
	if err := c.Validate(); err != nil {
		return 0, fmt.Errorf("store credential %s: %w", account, err)
	}
	data, canon, err := dataOf(c)
	if err != nil {
		return 0, fmt.Errorf("store credential %s: %w", account, err)
	}
	if err := o.CheckMount(ctx); err != nil {
		return 0, storeFailed(err)
	}
	path := o.DataPath(set, provider)
	var sec *vault.Secret
	werr := o.call(ctx, func(ctx context.Context) (err error) {
		sec, err = o.Client.Logical().WriteWithContext(ctx, path,
			map[string]any{"options": map[string]any{"cas": version}, "data": data})
		return err
	})
	switch {
	case werr == nil:
		v := 0
		if sec != nil {
			v = intOf(sec.Data["version"])
		}
		o.rememberWrite(account, v)
		o.recordWriter(ctx, set, provider, v)
		return v, nil
	case isCASMismatch(werr):
		return 0, o.conflict(ctx, set, provider, version, werr)
	}
	capability := "update"
	if version == 0 {
		capability = "create"
	}
	classified := o.classify(ctx, "store", account, path, capability, werr)
	if !answered(werr) {
		return o.settle(ctx, set, provider, version, canon, classified)
	}
	var se *Error
	if errors.As(classified, &se) {
		se.Fix = "Nothing was changed: the previous credential, if any, is still stored.\n" + se.Fix
	}
	return 0, classified
}

// conflict re-reads a credential whose check-and-set lost, to say what
// won.
func (o *OpenBao) conflict(ctx context.Context, set names.Set, provider names.Provider, expected int, werr error) error {
	cur := &CASConflict{Expected: expected}
	if e, err := o.read(ctx, set, provider); err == nil {
		cur.Current, cur.WrittenBy = e.version, e.writtenBy
		o.rememberWrite(Account(set, provider), e.version)
		if e.raw == "" {
			cur.Current = 0
		}
	}
	return &Error{Op: "store", Account: Account(set, provider), Kind: ErrConflict, Err: cur,
		Fix: "Nothing was stored: read it again (terok auth status) and decide."}
}

// settle finds out what a write that got no answer did: the server may
// have stored it. The new data at the next version: it did. The version
// it was written over still there: it did not. Else, or when the server
// cannot be read either: ErrUnsettled.
func (o *OpenBao) settle(ctx context.Context, set names.Set, provider names.Provider, base int, canon string, werr error) (int, error) {
	e, rerr := o.read(context.WithoutCancel(ctx), set, provider)
	switch {
	case rerr == nil && e.version == base+1 && e.raw == canon:
		o.rememberWrite(Account(set, provider), e.version)
		o.recordWriter(context.WithoutCancel(ctx), set, provider, e.version)
		return e.version, nil
	case rerr == nil && e.version == base:
		var se *Error
		if errors.As(werr, &se) {
			se.Fix = "Nothing was changed: the previous credential, if any, is still stored.\n" + se.Fix
		}
		return 0, werr
	}
	return 0, &Error{Op: "store", Account: Account(set, provider), Kind: ErrUnsettled, Err: werr,
		Fix: fmt.Sprintf("The OpenBao server did not answer the write, and what it holds now could not be confirmed;\n"+
			"so terok cannot tell whether the new credential was stored. Check with: terok auth status %s --set %s", provider, set)}
}

// recordWriter notes who wrote version in the secret's custom metadata.
// It is best effort: the credential is stored either way, and status
// shows no writer for a version the metadata does not name.
func (o *OpenBao) recordWriter(ctx context.Context, set names.Set, provider names.Provider, version int) {
	if version == 0 {
		return
	}
	path := o.MetadataPath(set, provider)
	_ = o.call(ctx, func(ctx context.Context) error {
		_, err := o.Client.Logical().WriteWithContext(ctx, path, map[string]any{"custom_metadata": map[string]any{
			metaWriter: o.Writer, metaHost: o.Host, metaVersion: strconv.Itoa(version),
		}})
		return err
	})
}

// Delete implements Store: every version goes, with the metadata.
func (o *OpenBao) Delete(ctx context.Context, set names.Set, provider names.Provider) error {
	account := Account(set, provider)
	path := o.MetadataPath(set, provider)
	var sec *vault.Secret
	err := o.call(ctx, func(ctx context.Context) (err error) {
		sec, err = o.readPath(ctx, path, nil)
		return err
	})
	if err != nil {
		return o.classify(ctx, "delete", account, path, "read", err)
	}
	if sec == nil {
		o.rememberWrite(account, 0)
		return &Error{Op: "delete", Account: account, Kind: ErrNotFound}
	}
	err = o.call(ctx, func(ctx context.Context) (err error) {
		_, err = o.Client.Logical().DeleteWithContext(ctx, path)
		return err
	})
	if err != nil {
		return o.classify(ctx, "delete", account, path, "delete", err)
	}
	o.rememberWrite(account, 0)
	return nil
}

// List implements Lister: one LIST for the sets, one per set.
func (o *OpenBao) List(ctx context.Context) ([]Stored, error) {
	sets, err := o.list(ctx, "list", o.setsPath())
	if err != nil {
		return nil, err
	}
	var out []Stored
	for _, s := range sets {
		set, err := names.ParseSet(strings.TrimSuffix(s, "/"))
		if err != nil || !strings.HasSuffix(s, "/") {
			continue
		}
		ps, err := o.list(ctx, "list", o.setPath(set))
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			if provider, err := names.ParseProvider(p); err == nil {
				out = append(out, Stored{Set: set, Provider: provider})
			}
		}
	}
	return storedSorted(out), nil
}

func storedSorted(out []Stored) []Stored {
	accounts := make([]string, len(out))
	for i, s := range out {
		accounts[i] = Account(s.Set, s.Provider)
	}
	return storedOf(accounts)
}

// list runs one LIST; a missing folder is empty.
func (o *OpenBao) list(ctx context.Context, op, path string) ([]string, error) {
	var sec *vault.Secret
	err := o.call(ctx, func(ctx context.Context) (err error) {
		sec, err = o.readPath(ctx, path, map[string][]string{"list": {"true"}})
		return err
	})
	if err != nil {
		return nil, o.classify(ctx, op, path, path, "list", err)
	}
	return keysOf(sec), nil
}

// keysOf reads a LIST answer, {"data": {"keys": ["a/", "b"]}}: what is not
// a string is left out (the callers parse each name in turn).
func keysOf(sec *vault.Secret) []string {
	if sec == nil || sec.Data == nil {
		return nil
	}
	keys, _ := sec.Data["keys"].([]any)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		if s, ok := k.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// getManyWorkers bounds the reads a batch runs at once.
const getManyWorkers = 8

// GetMany implements BatchGetter: one LIST of the set, then a read of each
// asked credential the set holds (GetHeld). One the LIST does not name is
// not stored: no read.
func (o *OpenBao) GetMany(ctx context.Context, set names.Set, providers []names.Provider) []Result {
	if len(providers) == 0 {
		return nil
	}
	held, err := o.list(ctx, "read", o.setPath(set))
	if err != nil {
		out := make([]Result, len(providers))
		for i, p := range providers {
			out[i] = Result{Provider: p, Err: err}
		}
		return out
	}
	in := map[string]bool{}
	for _, h := range held {
		in[h] = true
	}
	var toRead []names.Provider
	var at []int
	out := make([]Result, len(providers))
	for i, p := range providers {
		out[i].Provider = p
		if !in[string(p)] {
			out[i].Err = notFound(set, p)
			o.remember(Account(set, p), 0)
			continue
		}
		toRead = append(toRead, p)
		at = append(at, i)
	}
	for j, r := range o.GetHeld(ctx, set, toRead) {
		out[at[j]] = r
	}
	return out
}

// HeldGetter is a SetLister that reads credentials its LIST just named
// without listing again: a caller that listed the set (status) reads only
// what it must.
type HeldGetter interface {
	GetHeld(ctx context.Context, set names.Set, providers []names.Provider) []Result
}

var _ HeldGetter = (*OpenBao)(nil)

// GetHeld implements HeldGetter: one read of each, a few at a time, and
// no LIST.
func (o *OpenBao) GetHeld(ctx context.Context, set names.Set, providers []names.Provider) []Result {
	out := make([]Result, len(providers))
	sem := make(chan struct{}, getManyWorkers)
	var wg sync.WaitGroup
	for i, p := range providers {
		out[i].Provider = p
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			e, err := o.read(ctx, set, p)
			switch {
			case err != nil:
				out[i].Err = err
			case e.version == 0 || e.raw == "":
				out[i].Err = notFound(set, p)
			default:
				out[i].Credential, out[i].Version, out[i].WrittenBy = e.cred, e.version, e.writtenBy
			}
		}()
	}
	wg.Wait()
	return out
}

// CheckMount checks, once, that the mount is a KV version 2 engine: a
// write to a KV v1 mount would store the credential at a path of its own
// and ignore the check-and-set. It asks what the CLIs' own preflight asks
// (sys/internal/ui/mounts), which any token with access to the mount may.
func (o *OpenBao) CheckMount(ctx context.Context) error {
	o.mu.Lock()
	done := o.kv2
	o.mu.Unlock()
	if done {
		return nil
	}
	path := "sys/internal/ui/mounts/" + o.mount()
	var sec *vault.Secret
	err := o.call(ctx, func(ctx context.Context) (err error) {
		sec, err = o.readPath(ctx, path, nil)
		return err
	})
	if err != nil {
		e := o.classify(ctx, "check", o.mount(), path, "read", err)
		var se *Error
		if errors.As(e, &se) && errors.Is(se.Kind, ErrDenied) {
			// The token is good (classify looked): the preflight is
			// refused when nothing is mounted there, or nothing under
			// the mount is granted.
			se.Kind = ErrNotKV2
			se.Fix = fmt.Sprintf("Nothing is mounted at %s/, or the token's policy grants nothing under it.\n"+
				"Check openbao_mount (TEROK_OPENBAO_MOUNT) and the policy (docs/team-store.md).", o.mount())
		}
		return e
	}
	typ, version := "", ""
	if sec != nil && sec.Data != nil {
		typ, _ = sec.Data["type"].(string)
		if opts, ok := sec.Data["options"].(map[string]any); ok {
			version, _ = opts["version"].(string)
		}
	}
	if typ != "kv" || version != "2" {
		found := "nothing is mounted there"
		if typ != "" {
			found = fmt.Sprintf("it is %q, version %q", typ, version)
		}
		return &Error{Op: "check", Account: o.mount(), Kind: ErrNotKV2, Err: errors.New(found),
			Fix: fmt.Sprintf("Use a KV v2 mount: bao secrets enable -path=%s -version=2 kv (or bao kv enable-versioning %s),\n"+
				"or set openbao_mount (TEROK_OPENBAO_MOUNT) to one.", o.mount(), o.mount())}
	}
	o.mu.Lock()
	o.kv2 = true
	o.mu.Unlock()
	return nil
}

// Diagnosis is one check of the doctor's on the engine.
type Diagnosis struct {
	Name   string
	OK     bool
	Detail string
	Fix    string
}

// Diagnose checks the engine as the doctor reports it: the server answers
// and is unsealed, the token is valid (and for how long), the mount is KV
// v2, and the token's policy grants what terok needs on the prefix. It
// stops at the first check that fails, since the later ones depend on it.
func (o *OpenBao) Diagnose(ctx context.Context) []Diagnosis {
	var out []Diagnosis
	fail := func(name string, err error) []Diagnosis {
		d := Diagnosis{Name: name, Detail: err.Error()}
		var se *Error
		if errors.As(err, &se) {
			d.Detail, d.Fix = fmt.Sprintf("%v", se.Kind), se.Fix
			if se.Err != nil {
				d.Detail += " (" + se.Err.Error() + ")"
			}
		}
		return append(out, d)
	}
	addr := o.Client.Address()
	var health *vault.HealthResponse
	cctx, cancel := context.WithTimeout(ctx, o.timeout())
	health, err := o.Client.Sys().HealthWithContext(cctx)
	cancel()
	if err != nil && !answered(err) {
		return fail("openbao server", classifyBao("reach", addr, err, o.timeout()))
	}
	if health == nil {
		return fail("openbao server", fmt.Errorf("%s gave no health answer: %w", addr, err))
	}
	out = append(out, Diagnosis{Name: "openbao server", OK: true, Detail: fmt.Sprintf("%s answers (version %s)", addr, health.Version)})
	if !health.Initialized || health.Sealed {
		return fail("openbao unsealed", &Error{Op: "check", Account: addr, Kind: ErrSealed,
			Fix: "Ask whoever runs the server to unseal it (bao operator unseal); nothing is lost meanwhile."})
	}
	out = append(out, Diagnosis{Name: "openbao unsealed", OK: true, Detail: "unsealed"})
	if err := o.ready(ctx); err != nil {
		return fail("openbao token", err)
	}
	cctx, cancel = context.WithTimeout(ctx, o.timeout())
	self, err := o.Client.Auth().Token().LookupSelfWithContext(cctx)
	cancel()
	if err != nil {
		e := classifyBao("check", "token", err, o.timeout())
		if errors.Is(e.Kind, ErrDenied) {
			e.Kind, e.Fix = ErrTokenInvalid, remedyToken
		}
		return fail("openbao token", e)
	}
	detail := "valid"
	if ttl, _ := self.TokenTTL(); ttl > 0 {
		detail += fmt.Sprintf(", expires in %s", ttl.Round(time.Second))
		if ok, _ := self.TokenIsRenewable(); ok {
			detail += " (renewable: terok renews it while a command runs)"
		}
	} else {
		detail += ", does not expire"
	}
	if pols, _ := self.TokenPolicies(); len(pols) > 0 {
		detail += "; policies: " + strings.Join(pols, ", ")
	}
	out = append(out, Diagnosis{Name: "openbao token", OK: true, Detail: detail})
	if err := o.CheckMount(ctx); err != nil {
		return fail("openbao mount", err)
	}
	out = append(out, Diagnosis{Name: "openbao mount", OK: true, Detail: o.mount() + "/ is KV version 2"})
	need := []struct{ path, caps string }{
		{o.mount() + "/data/" + o.prefix() + "/terok-doctor/probe", "create read update"},
		{o.mount() + "/metadata/" + o.prefix() + "/terok-doctor/probe", "read update delete"},
		{o.setsPath() + "/", "list"},
	}
	var missing []string
	for _, n := range need {
		cctx, cancel := context.WithTimeout(ctx, o.timeout())
		caps, err := o.Client.Sys().CapabilitiesSelfWithContext(cctx, n.path)
		cancel()
		if err != nil {
			return fail("openbao policy", o.classify(ctx, "check", n.path, "sys/capabilities-self", "update", err))
		}
		has := map[string]bool{}
		for _, c := range caps {
			has[c] = true
		}
		for _, c := range strings.Fields(n.caps) {
			if !has[c] && !has["root"] {
				missing = append(missing, fmt.Sprintf("%q on %s", c, n.path))
			}
		}
	}
	if len(missing) > 0 {
		return append(out, Diagnosis{Name: "openbao policy", Detail: "the token's policy lacks " + strings.Join(missing, ", "),
			Fix: "Grant the team policy of docs/team-store.md (a read-only CI token is fine for token and exec, not for login or logout)."})
	}
	return append(out, Diagnosis{Name: "openbao policy", OK: true, Detail: "read, write, list and delete under " + o.mount() + "/" + o.prefix() + "/"})
}

// readPath reads (or, with list=true, lists) path. A 404 is "nothing
// there" (nil, nil) only when the server names no error: the client's own
// Read and List also turn "namespace not found" into nothing there.
func (o *OpenBao) readPath(ctx context.Context, path string, query map[string][]string) (*vault.Secret, error) {
	resp, err := o.Client.Logical().ReadRawWithDataWithContext(ctx, path, query)
	if resp != nil {
		defer func() { _ = resp.Body.Close() }()
	}
	if resp != nil && resp.StatusCode == 404 {
		body, rerr := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if rerr != nil {
			return nil, rerr
		}
		var shape struct {
			Errors []string `json:"errors"`
		}
		if json.Unmarshal(body, &shape) == nil && len(shape.Errors) > 0 {
			method := "GET"
			if query != nil {
				method = "LIST"
			}
			return nil, &vault.ResponseError{HTTPMethod: method, URL: "/v1/" + path, StatusCode: 404, Errors: shape.Errors}
		}
		sec, perr := vault.ParseSecret(bytes.NewReader(body))
		if perr != nil || sec == nil || (len(sec.Data) == 0 && len(sec.Warnings) == 0) {
			return nil, nil //nolint:nilnil // nothing there
		}
		return sec, nil
	}
	if err != nil {
		return nil, err
	}
	return vault.ParseSecret(resp.Body)
}

// SetLister is a store that lists one set's credentials in one call.
type SetLister interface {
	ListSet(ctx context.Context, set names.Set) ([]names.Provider, error)
}

var _ SetLister = (*OpenBao)(nil)

// ListSet implements SetLister: one LIST.
func (o *OpenBao) ListSet(ctx context.Context, set names.Set) ([]names.Provider, error) {
	keys, err := o.list(ctx, "read", o.setPath(set))
	if err != nil {
		return nil, err
	}
	var out []names.Provider
	for _, k := range keys {
		if p, err := names.ParseProvider(k); err == nil {
			out = append(out, p)
		}
	}
	return out, nil
}

// Written returns the version this store last wrote of a credential, and
// who wrote it (this machine): 0 when it wrote none.
func (o *OpenBao) Written(set names.Set, provider names.Provider) (int, string) {
	v, ok := o.lastSeen(Account(set, provider))
	if !ok || v == 0 {
		return 0, ""
	}
	by := o.Host
	if o.Writer != "" {
		by += " (" + o.Writer + ")"
	}
	return v, by
}

// Observe notes that the caller knows the credential at version (from the
// index), as if it had read it: a later Set is a check-and-set over it.
func (o *OpenBao) Observe(set names.Set, provider names.Provider, version int) {
	o.remember(Account(set, provider), version)
}
