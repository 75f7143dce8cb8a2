// Package refresh renews stored OAuth credentials the way their provider
// declares (sdk.Renewer): the host makes the token request, because the
// network is a side effect like any other.
//
// One renewal at a time per (set, provider), across processes: Renew
// takes a file lock, reads the store again inside it (another process may
// have renewed meanwhile), makes one request, writes the new credential
// and reads it back before anyone is handed the new access token. A
// rotated refresh token is written before anything else happens. On a
// store that versions its credentials (store.Versioned, OpenBao) the write
// is a check-and-set at the version read: a machine that loses takes the
// winner's token and never asks the endpoint again.
//
// Across machines. The file lock is one machine's. On a store shared by
// machines (store.Leaser, OpenBao) a renewal also takes the credential's
// renewal lease in the store before it asks the endpoint, so only one
// machine asks: every other waits, watching the credential's version, and
// takes the holder's token once it is written. A lease whose holder is
// gone (older than its ttl by the server's clock, or held by a dead
// process of this machine) is taken over. And should a refresh token be
// refused that another process rotated meanwhile anyway (an older terok,
// a lease that went stale while its holder still worked), the store holds
// the renewal, and it is taken instead of a call for a new login.
//
// No token, refresh token or response body reaches an error or a log:
// errors name the endpoint, the HTTP status and the OAuth error code.
package refresh

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gofrs/flock"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/host"
)

// Errors a caller maps to exit codes.
var (
	// ErrNeedsLogin: the endpoint refused the refresh token (invalid_grant,
	// revoked, reused) or there is none; only a new login helps (exit 4).
	ErrNeedsLogin = errors.New("the credential needs a new login")
	// ErrFailed: no endpoint renewed the credential, for a reason that may
	// pass (offline, a timeout, 429, 5xx, a broken answer). The stored
	// credential is kept.
	ErrFailed = errors.New("the credential could not be renewed")
)

// Refusal is the endpoint's refusal of a refresh token: which endpoint and
// which OAuth error code (invalid_grant, refresh_token_reused, …).
type Refusal struct {
	Endpoint string
	Code     string
}

func (r *Refusal) Error() string {
	return fmt.Sprintf("%s refused the refresh (%s)", r.Endpoint, r.Code)
}

// Defaults of a Renewer.
const (
	DefaultTimeout = 15 * time.Second
	DefaultMaxBody = 64 << 10
	DefaultBackoff = time.Second
	DefaultMargin  = 5 * time.Minute
	DefaultPoll    = 100 * time.Millisecond
)

// Renewer renews credentials in one store.
type Renewer struct {
	Store store.Store
	// LockDir holds the lock files, one per (set, provider); created 0700.
	LockDir string
	// Client makes the requests; nil is a client of Timeout that follows
	// no redirect (a redirected POST would carry the refresh token to
	// wherever the redirect points).
	Client *http.Client
	// Timeout bounds each request; MaxBody the answer read; Backoff the
	// pause before the one retry of a 429 or 5xx.
	Timeout time.Duration
	MaxBody int64
	Backoff time.Duration
	// UserAgent is sent unless the declaration names its own.
	UserAgent string
	Now       func() time.Time
	// Saved is told of every credential Renew stores, so the index can
	// record it; Refused of every refusal, so status can say a login is
	// needed without asking the network.
	Saved   func(ctx context.Context, set names.Set, provider names.Provider, c sdk.Credential)
	Refused func(ctx context.Context, set names.Set, provider names.Provider, r *Refusal)
	// LeaseTTL is how long the store's renewal lease (store.Leaser) is
	// held for; 0 is as long as the longest renewal may take. Poll is how
	// often a process that waits for another's renewal looks again.
	LeaseTTL time.Duration
	Poll     time.Duration
	// Waiting, if set, is told once when a renewal has waited a second
	// for another machine's, so a person knows why nothing happens.
	Waiting func(ctx context.Context, set names.Set, provider names.Provider, holder *store.LeaseHolder)
	// Step, if set, is called at each step of a renewal (tests kill the
	// process there).
	Step func(step string)
}

// Steps of a renewal, for Renewer.Step.
const (
	StepLocked   = "locked"
	StepLeased   = "leased" // the store's renewal lease taken (store.Leaser)
	StepRead     = "read"
	StepPost     = "post"
	StepReceived = "received"
	StepWritten  = "written"
	StepDone     = "confirmed"
)

func (r *Renewer) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Renewer) step(s string) {
	if r.Step != nil {
		r.Step(s)
	}
}

// Due reports whether c should be renewed now: it expires within margin.
// A credential without an expiry is never due.
func Due(c sdk.Credential, now time.Time, margin time.Duration) bool {
	exp, ok := c.ExpiresAt()
	return ok && exp.Before(now.Add(margin))
}

// Renew renews the stored credential of (set, provider) with decl, unless
// another process did it meanwhile: inside the lock, a credential for
// which due is false is returned as it is. force renews whatever due
// says. renewed says whether this call stored a new credential.
func (r *Renewer) Renew(ctx context.Context, set names.Set, provider names.Provider, decl sdk.Renewal, due func(sdk.Credential) bool) (c sdk.Credential, renewed bool, err error) {
	unlock, err := r.lock(ctx, set, provider)
	if err != nil {
		return c, false, err
	}
	defer unlock()
	r.step(StepLocked)

	c, version, err := r.get(ctx, set, provider)
	if err != nil {
		return c, false, err
	}
	r.step(StepRead)
	if due != nil && !due(c) {
		return c, false, nil
	}
	// settled says whether a credential found later is a renewal that
	// serves this call: one that is not due, or, when forced, one that
	// another process renewed since c was read.
	read := c
	settled := func(nc sdk.Credential) bool {
		if due != nil {
			return !due(nc)
		}
		return Newer(nc, read)
	}
	if ls, ok := r.Store.(store.Leaser); ok {
		// The local lock keeps this machine's processes in line; the
		// lease, in the store, every machine's.
		lease, nc, nv, done, err := r.lease(ctx, ls, set, provider, version, decl, settled)
		if err != nil || done {
			if err != nil {
				nc = c
			}
			return nc, false, err
		}
		defer func() {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.timeout())
			_ = lease.Release(rctx)
			cancel()
		}()
		r.step(StepLeased)
		c, version = nc, nv
	}
	if c.Type != decl.CredentialType {
		return c, false, fmt.Errorf("%s (set: %s) holds a %s credential; the renewal declared is for %s", provider, set, c.Type, decl.CredentialType)
	}
	rt := c.Get("refresh_token")
	if rt == "" {
		return c, false, fmt.Errorf("%w: the stored %s credential of %s (set: %s) holds no refresh token", ErrNeedsLogin, c.Type, provider, set)
	}

	r.step(StepPost)
	answer, err := r.post(ctx, decl, rt)
	if err != nil {
		var ref *Refusal
		if errors.As(err, &ref) {
			// A refusal of a token another process rotated meanwhile (one
			// that took no lock or lease, or whose lease went stale while
			// it still worked) is no reason for a new login: the store
			// holds its renewal.
			if cur, _, gerr := r.get(ctx, set, provider); gerr == nil && cur.Type == c.Type &&
				cur.Get("refresh_token") != "" && cur.Get("refresh_token") != rt && !Due(cur, r.now(), 0) && settled(cur) {
				return cur, false, nil
			}
			if r.Refused != nil {
				r.Refused(ctx, set, provider, ref)
			}
		}
		return c, false, fmt.Errorf("renew %s (set: %s): %w", provider, set, err)
	}
	nc, err := merge(c, decl.Response, answer, r.now())
	if err != nil {
		return c, false, fmt.Errorf("renew %s (set: %s): %w: %w; the stored credential is kept", provider, set, ErrFailed, err)
	}
	r.step(StepReceived)

	// The old refresh token may be dead from here on: the new credential
	// is written before anything else, and a write that fails for a
	// reason that may pass is tried once more.
	if vs, versioned := r.Store.(store.Versioned); versioned {
		_, err = vs.PutCAS(ctx, set, provider, nc, version)
		if errors.Is(err, store.ErrConflict) {
			// Another machine renewed first. Its token is the live one;
			// asking the endpoint again would spend a refresh token for
			// nothing, or be refused as a reuse.
			winner, _, gerr := vs.GetVersioned(ctx, set, provider)
			if gerr != nil {
				return c, false, gerr
			}
			return winner, false, nil
		}
	} else {
		err = r.Store.Set(ctx, set, provider, nc)
		if err != nil && !errors.Is(err, store.ErrUnsettled) {
			err = r.Store.Set(ctx, set, provider, nc)
		}
	}
	if err != nil {
		return c, false, fmt.Errorf("renew %s (set: %s): the endpoint issued a new credential, and storing it failed; "+
			"if the old refresh token was rotated, log in again: %w", provider, set, err)
	}
	r.step(StepWritten)

	back, err := r.Store.Get(ctx, set, provider)
	if err != nil {
		return c, false, fmt.Errorf("renew %s (set: %s): the new credential was written, and reading it back failed: %w (%w)", provider, set, err, store.ErrUnsettled)
	}
	if !sameCredential(back, nc) {
		return c, false, fmt.Errorf("renew %s (set: %s): the store holds another credential than the one just written: %w", provider, set, store.ErrUnsettled)
	}
	r.step(StepDone)
	if r.Saved != nil {
		r.Saved(ctx, set, provider, nc)
	}
	return nc, true, nil
}

// get reads the credential, with its version where the store has one.
func (r *Renewer) get(ctx context.Context, set names.Set, provider names.Provider) (sdk.Credential, int, error) {
	if vs, ok := r.Store.(store.Versioned); ok {
		return vs.GetVersioned(ctx, set, provider)
	}
	c, err := r.Store.Get(ctx, set, provider)
	return c, 0, err
}

// leaseTTL is how long a lease is held for: longer than the longest a
// renewal may take (each endpoint asked twice, with the pause between,
// and the store's write and read-back), so that a lease is taken over
// only from a holder that is gone.
func (r *Renewer) leaseTTL(decl sdk.Renewal) time.Duration {
	if r.LeaseTTL > 0 {
		return r.LeaseTTL
	}
	backoff := r.Backoff
	if backoff <= 0 {
		backoff = DefaultBackoff
	}
	return time.Minute + time.Duration(max(1, len(decl.Endpoints)))*(2*r.timeout()+backoff)
}

// leaseSlack is how much longer than a holder's lease a renewal waits
// for it: the lease is taken over as soon as it is stale, so this only
// ends a wait where its staleness cannot be told (no server clock).
var leaseSlack = 10 * time.Second

func (r *Renewer) poll() time.Duration {
	if r.Poll > 0 {
		return r.Poll
	}
	return DefaultPoll
}

// lease takes the renewal lease of (set, provider) in the store, and
// reads the credential again under it (another machine may have renewed
// it since version was read). While another machine holds the lease, it
// waits for that machine's write, watching the credential's version, and
// takes the credential written (done) if settled says it serves; it takes
// the lease over when its holder lets it go, or is gone. It waits no
// longer than the holder's lease lasts, and a little.
func (r *Renewer) lease(ctx context.Context, ls store.Leaser, set names.Set, provider names.Provider, version int,
	decl sdk.Renewal, settled func(sdk.Credential) bool) (lease *store.Lease, c sdk.Credential, v int, done bool, err error) {
	ttl := r.leaseTTL(decl)
	var waitUntil, started time.Time
	var last *store.LeaseHolder
	var holderKey string
	var holderAge time.Duration
	told := false
	for {
		lease, err = ls.TakeLease(ctx, set, provider, ttl)
		if err == nil {
			c, v, err = r.get(ctx, set, provider)
			if err != nil || (v != version && settled(c)) {
				// Renewed by the holder before (nothing to ask), or
				// unreadable: the lease is not needed.
				rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.timeout())
				_ = lease.Release(rctx)
				cancel()
				return nil, c, v, err == nil, err
			}
			return lease, c, v, false, nil
		}
		var holder *store.LeaseHolder
		if !errors.As(err, &holder) {
			if ctx.Err() != nil && last != nil {
				// Still waiting when the command's time ran out.
				return nil, c, v, false, fmt.Errorf("renew %s (set: %s): wait for another terok renewing it (%s): %w", provider, set, last.Error(), ctx.Err())
			}
			return nil, c, v, false, fmt.Errorf("renew %s (set: %s): %w", provider, set, err)
		}
		last = holder
		now := time.Now()
		if started.IsZero() {
			started = now
		}
		if !told && now.Sub(started) >= time.Second && r.Waiting != nil {
			told = true
			r.Waiting(ctx, set, provider, holder)
		}
		if key := fmt.Sprint(holder.Host, holder.PID, holder.TTL); key != holderKey || holder.Age+time.Second < holderAge {
			// A new holder (one that took a stale lease over) gets its
			// own lease's time.
			holderKey = key
			wait := holder.TTL
			if wait <= 0 {
				wait = ttl
			}
			waitUntil = now.Add(wait - holder.Age + leaseSlack)
		}
		holderAge = holder.Age
		if now.After(waitUntil) {
			return nil, c, v, false, fmt.Errorf("renew %s (set: %s): %w: %s, and its lease was not given up in time; try again later",
				provider, set, ErrFailed, holder.Error())
		}
		select {
		case <-time.After(r.poll()):
		case <-ctx.Done():
			return nil, c, v, false, fmt.Errorf("renew %s (set: %s): wait for another terok renewing it (%s): %w", provider, set, holder.Error(), ctx.Err())
		}
		nc, nv, gerr := r.get(ctx, set, provider)
		if gerr == nil && nv != version && settled(nc) {
			return nil, nc, nv, true, nil
		}
	}
}

func sameCredential(a, b sdk.Credential) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	if err1 != nil || err2 != nil {
		return false
	}
	var va, vb any
	_ = json.Unmarshal(ja, &va)
	_ = json.Unmarshal(jb, &vb)
	return reflect.DeepEqual(va, vb)
}

// lock takes the lock of (set, provider), waiting as long as ctx lets it.
func (r *Renewer) lock(ctx context.Context, set names.Set, provider names.Provider) (func(), error) {
	if r.LockDir == "" {
		return nil, errors.New("refresh: no lock directory")
	}
	dir := filepath.Join(r.LockDir, string(set))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("renew %s (set: %s): make the lock directory: %w", provider, set, err)
	}
	l := flock.New(filepath.Join(dir, url.PathEscape(string(provider))+".lock"))
	ok, err := l.TryLockContext(ctx, 20*time.Millisecond)
	if err != nil || !ok {
		if err == nil {
			err = ctx.Err()
		}
		return nil, fmt.Errorf("renew %s (set: %s): wait for another terok renewing it: %w", provider, set, err)
	}
	return func() { _ = l.Unlock() }, nil
}

// oauthCodeRE is what an OAuth error code may look like to be repeated in
// a message: vendor text, but short and plain.
var oauthCodeRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// needsLogin are the error codes that mean the refresh token is dead.
var needsLogin = map[string]bool{
	"invalid_grant": true, "refresh_token_expired": true, "refresh_token_reused": true,
	"refresh_token_invalidated": true, "token_revoked": true, "revoked": true, "invalid_refresh_token": true,
}

// post tries each endpoint in order; a refusal of the token stops it.
func (r *Renewer) post(ctx context.Context, decl sdk.Renewal, refreshToken string) (map[string]any, error) {
	body, ctype, err := requestBody(decl, refreshToken)
	if err != nil {
		return nil, err
	}
	var failed []string
	for _, ep := range decl.Endpoints {
		answer, err := r.postOne(ctx, decl, ep, body, ctype)
		if err == nil {
			return answer, nil
		}
		var ref *Refusal
		var bad *badAnswer
		switch {
		case errors.As(err, &ref):
			if len(failed) > 0 {
				return nil, fmt.Errorf("%w: %w (after: %s); log in again", ErrNeedsLogin, err, strings.Join(failed, "; "))
			}
			return nil, fmt.Errorf("%w: %w; log in again", ErrNeedsLogin, err)
		case errors.As(err, &bad):
			// A 200 that cannot be used: the endpoint may have spent the
			// refresh token, so another endpoint is not asked with it.
			return nil, fmt.Errorf("%w: %w", ErrFailed, err)
		case ctx.Err() != nil:
			return nil, fmt.Errorf("%w: %w", ErrFailed, ctx.Err())
		}
		failed = append(failed, err.Error())
	}
	return nil, fmt.Errorf("%w: every token endpoint failed: %s; the stored credential is kept, try again later", ErrFailed, strings.Join(failed, "; "))
}

func requestBody(decl sdk.Renewal, refreshToken string) ([]byte, string, error) {
	fields := [][2]string{{"grant_type", "refresh_token"}, {"refresh_token", refreshToken}}
	if decl.ClientID != "" {
		fields = append(fields, [2]string{"client_id", decl.ClientID})
	}
	if decl.Scope != "" {
		fields = append(fields, [2]string{"scope", decl.Scope})
	}
	if decl.Encoding == sdk.EncodingJSON {
		m := map[string]string{}
		for _, f := range fields {
			m[f[0]] = f[1]
		}
		b, err := json.Marshal(m)
		return b, "application/json", err
	}
	v := url.Values{}
	for _, f := range fields {
		v.Set(f[0], f[1])
	}
	return []byte(v.Encode()), "application/x-www-form-urlencoded", nil
}

// badAnswer is a 2xx answer that cannot be used.
type badAnswer struct{ msg string }

func (b *badAnswer) Error() string { return b.msg }

func (r *Renewer) client() *http.Client {
	if r.Client != nil {
		return r.Client
	}
	return &http.Client{
		Timeout:       r.timeout(),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func (r *Renewer) timeout() time.Duration {
	if r.Timeout > 0 {
		return r.Timeout
	}
	return DefaultTimeout
}

// postOne asks one endpoint, retrying a 429 or 5xx once after a pause.
func (r *Renewer) postOne(ctx context.Context, decl sdk.Renewal, ep string, body []byte, ctype string) (map[string]any, error) {
	for attempt := 0; ; attempt++ {
		status, data, err := r.send(ctx, decl, ep, body, ctype)
		if err != nil {
			return nil, err
		}
		if (status == http.StatusTooManyRequests || status >= 500) && attempt == 0 {
			backoff := r.Backoff
			if backoff <= 0 {
				backoff = DefaultBackoff
			}
			select {
			case <-time.After(backoff):
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		return r.read(ep, status, data)
	}
}

func (r *Renewer) send(ctx context.Context, decl sdk.Renewal, ep string, body []byte, ctype string) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep, bytes.NewReader(body))
	if err != nil {
		return 0, nil, fmt.Errorf("%s: %w", ep, err)
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Accept", "application/json")
	if r.UserAgent != "" {
		req.Header.Set("User-Agent", r.UserAgent)
	}
	for k, v := range decl.Headers {
		req.Header.Set(k, v)
	}
	resp, err := r.client().Do(req)
	if err != nil {
		// A *url.Error names the method and URL, neither secret; the
		// body never appears in it.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return 0, nil, fmt.Errorf("%s: no answer within %s", ep, r.timeout())
		}
		return 0, nil, fmt.Errorf("%s: %w", ep, err)
	}
	defer func() { _ = resp.Body.Close() }()
	max := r.MaxBody
	if max <= 0 {
		max = DefaultMaxBody
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return 0, nil, fmt.Errorf("%s: reading the answer: %w", ep, err)
	}
	if int64(len(data)) > max {
		if resp.StatusCode/100 == 2 {
			return 0, nil, &badAnswer{fmt.Sprintf("%s answered more than %d bytes; refused", ep, max)}
		}
		data = nil
	}
	return resp.StatusCode, data, nil
}

// read makes sense of one answer.
func (r *Renewer) read(ep string, status int, data []byte) (map[string]any, error) {
	if status/100 != 2 {
		code := oauthError(data)
		if (status == http.StatusBadRequest || status == http.StatusUnauthorized || status == http.StatusForbidden) && needsLogin[code] {
			return nil, &Refusal{Endpoint: ep, Code: code}
		}
		if code != "" {
			return nil, fmt.Errorf("%s: HTTP %d (%s)", ep, status, code)
		}
		return nil, fmt.Errorf("%s: HTTP %d", ep, status)
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, &badAnswer{fmt.Sprintf("%s answered HTTP %d with something that is not a JSON object; refused", ep, status)}
	}
	return m, nil
}

// oauthError is the error code of an OAuth error answer: {"error":"x"}
// (RFC 6749) or {"error":{"code":"x"}} (as OpenAI answers); "" if none or
// not plain.
func oauthError(data []byte) string {
	var m map[string]any
	if json.Unmarshal(data, &m) != nil {
		return ""
	}
	var code string
	switch e := m["error"].(type) {
	case string:
		code = e
	case map[string]any:
		code, _ = e["code"].(string)
		if code == "" {
			code, _ = e["type"].(string)
		}
	}
	if c, ok := m["code"].(string); ok && code == "" {
		code = c
	}
	if !oauthCodeRE.MatchString(code) {
		return ""
	}
	return code
}

// merge makes the new credential: the old one's fields, with the new
// tokens and expiry of the answer.
func merge(old sdk.Credential, f sdk.RenewalFields, answer map[string]any, now time.Time) (sdk.Credential, error) {
	f = f.Names()
	at, ok := lookup(answer, f.AccessToken).(string)
	if !ok || strings.TrimSpace(at) == "" {
		return old, &badAnswer{fmt.Sprintf("the answer holds no access token (field %s); refused", f.AccessToken)}
	}
	nc := sdk.Credential{Type: old.Type, Fields: map[string]any{}}
	for k, v := range old.Fields {
		nc.Fields[k] = v
	}
	nc.Fields["access_token"] = at
	if rt, ok := lookup(answer, f.RefreshToken).(string); ok && rt != "" {
		nc.Fields["refresh_token"] = rt
	}
	if f.IDToken != "" {
		if id, ok := lookup(answer, f.IDToken).(string); ok && id != "" {
			nc.Fields["id_token"] = id
		}
	}
	exp, ok := expiry(answer, f, at, now)
	if ok {
		nc.Fields["expires_at"] = exp.Unix()
	} else {
		// The old expiry is the old token's: kept, the new token would
		// look expired.
		delete(nc.Fields, "expires_at")
	}
	if f.ExpiryText != "" {
		if ok {
			layout := time.RFC3339
			if f.ExpiryTextFormat == sdk.ExpiryRFC822 {
				layout = time.RFC822
			}
			nc.Fields[f.ExpiryText] = exp.UTC().Format(layout)
		} else {
			delete(nc.Fields, f.ExpiryText)
		}
	}
	if err := nc.Validate(); err != nil {
		return old, &badAnswer{fmt.Sprintf("the answer makes an unusable credential: %v", err)}
	}
	return nc, nil
}

func expiry(answer map[string]any, f sdk.RenewalFields, at string, now time.Time) (time.Time, bool) {
	if n, ok := number(lookup(answer, f.ExpiresIn)); ok && n > 0 && n < 1<<31 {
		return now.Add(time.Duration(n) * time.Second).Truncate(time.Second), true
	}
	if f.ExpiresAt != "" {
		if n, ok := number(lookup(answer, f.ExpiresAt)); ok && n > 0 && n < 1<<40 {
			if n > 1e12 { // milliseconds
				n /= 1000
			}
			return time.Unix(int64(n), 0), true
		}
	}
	if f.ExpiryFromJWT {
		if exp, ok := sdk.JWTExpiry(at); ok {
			return time.Unix(exp, 0), true
		}
	}
	return time.Time{}, false
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil && !math.IsInf(f, 0) && !math.IsNaN(f)
	case float64:
		return n, true
	case string:
		f, err := strconv.ParseFloat(n, 64)
		return f, err == nil && !math.IsInf(f, 0) && !math.IsNaN(f)
	}
	return 0, false
}

// lookup finds a field by name, or by a dotted path into objects.
func lookup(m map[string]any, path string) any {
	if v, ok := m[path]; ok {
		return v
	}
	var cur any = m
	for _, p := range strings.Split(path, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = obj[p]
	}
	return cur
}

// OverrideEnv is the variable that replaces provider's token endpoints, for
// tests: TEROK_<PROVIDER>_TOKEN_URL, a comma-separated list.
func OverrideEnv(provider names.Provider) string {
	return "TEROK_" + host.ProviderFamily(string(provider.Base())) + "_TOKEN_URL"
}

// WithOverride applies the test override of provider's endpoints, if set.
// Only loopback URLs are taken: the override exists so tests can point at
// a fake endpoint on this machine, never to send a refresh token
// elsewhere.
func WithOverride(getenv func(string) string, provider names.Provider, decl sdk.Renewal) (sdk.Renewal, error) {
	name := OverrideEnv(provider)
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return decl, nil
	}
	var eps []string
	for _, u := range strings.Split(v, ",") {
		u = strings.TrimSpace(u)
		p, err := url.Parse(u)
		if err != nil || !host.IsLoopbackHost(p.Hostname()) {
			return decl, fmt.Errorf("%s=%q: only a loopback URL (http://127.0.0.1, ::1 or localhost) may replace the token endpoint; unset it", name, u)
		}
		if err := host.CheckRefreshEndpoint(u, true); err != nil {
			return decl, fmt.Errorf("%s: %w", name, err)
		}
		eps = append(eps, u)
	}
	decl.Endpoints = eps
	return decl, nil
}

// WriteBack stores what a tool left in its private directory when it is
// newer than what it was given: injected is the credential the run
// started with, captured what the tool's files hold at the end. Newer is
// a rotated refresh token or a later expiry. Under the lock, and only if
// the store still holds injected, or captured expires later than what it
// holds: a renewal by another process meanwhile is not overwritten with
// an older token.
func (r *Renewer) WriteBack(ctx context.Context, set names.Set, provider names.Provider, injected, captured sdk.Credential) (stored bool, err error) {
	if !Newer(captured, injected) {
		return false, nil
	}
	unlock, err := r.lock(ctx, set, provider)
	if err != nil {
		return false, err
	}
	defer unlock()
	current, version, err := r.get(ctx, set, provider)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	if err == nil && !sameCredential(current, injected) && !laterExpiry(captured, current) {
		return false, nil
	}
	// On a versioned store, over the version just compared: the one the
	// command started with may be older (another machine renewed it, and
	// the command used that renewal), and a write over it would be
	// refused as a conflict, losing what the tool rotated.
	if vs, ok := r.Store.(store.Versioned); ok {
		_, err = vs.PutCAS(ctx, set, provider, captured, version)
	} else {
		err = r.Store.Set(ctx, set, provider, captured)
	}
	if err != nil {
		return false, fmt.Errorf("store the credential %s renewed during the command (set: %s): %w", provider, set, err)
	}
	back, err := r.Store.Get(ctx, set, provider)
	if err != nil || !sameCredential(back, captured) {
		return false, fmt.Errorf("store the credential %s renewed during the command (set: %s): the store did not confirm it: %w", provider, set, store.ErrUnsettled)
	}
	if r.Saved != nil {
		r.Saved(ctx, set, provider, captured)
	}
	return true, nil
}

// Newer reports whether captured is a renewal of injected: the same type,
// an access token, and a refresh token other than injected's, or a later
// expiry.
func Newer(captured, injected sdk.Credential) bool {
	if captured.Type != injected.Type || captured.Get("access_token") == "" {
		return false
	}
	if rt := captured.Get("refresh_token"); rt != "" && rt != injected.Get("refresh_token") {
		return true
	}
	return laterExpiry(captured, injected)
}

func laterExpiry(a, b sdk.Credential) bool {
	ea, oka := a.ExpiresAt()
	eb, okb := b.ExpiresAt()
	return oka && (!okb || ea.After(eb))
}
