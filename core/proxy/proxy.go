// Package proxy is the credential proxy: an agent holds only stand-ins,
// and the proxy, on the host, checks the stand-in on every request, takes
// it off, and puts the real credential in the header the provider's route
// declares before the request leaves for the provider's API. The real
// credential never reaches the client, and the stand-in never reaches an
// upstream.
//
// Start with Server.Handler (one request) and Server.Run (the listeners:
// one Unix socket per grant, optionally loopback TCP).
package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/terok-ai/terok-auth/core/grant"
	"github.com/terok-ai/terok-auth/core/route"
	"github.com/terok-ai/terok-auth/sdk"
)

// Credentials gives the proxy the real credential of a provider in a set.
// It is read for every request, through the store, so a rotated token is
// used at once; the refresh engine plugs in here (refresh near expiry
// under its lock before answering).
type Credentials interface {
	Credential(ctx context.Context, set, provider string) (sdk.Credential, error)
}

// Grants is what the proxy asks of the grant registry; *grant.Registry
// is one. Lookup must read the registry afresh each time.
type Grants interface {
	Lookup(standIn string) (*grant.Grant, string, error)
	List() ([]grant.Grant, error)
}

// Defaults of Options.
const (
	DefaultMaxBody       = 32 << 20
	DefaultMaxConcurrent = 64
	DefaultPoll          = 500 * time.Millisecond
	DefaultHeaderTimeout = 10 * time.Second
	DefaultIdleTimeout   = 2 * time.Minute
	// DefaultUpstreamHeaderTimeout bounds the wait for an upstream's
	// response headers (a model may think before it answers).
	DefaultUpstreamHeaderTimeout = 5 * time.Minute
)

// Options configure a Server; zero values take the defaults.
type Options struct {
	Grants      Grants
	Credentials Credentials
	// Routes, per provider, one per credential type.
	Routes map[string][]route.Route
	// Transport reaches upstreams (tests: one that trusts a fake vendor).
	Transport http.RoundTripper
	// Audit receives one line per request; nil writes none.
	Audit *Audit
	// MaxBody caps a request body (413 past it); MaxConcurrent the
	// requests in flight per grant (429 past it).
	MaxBody       int64
	MaxConcurrent int
	// Poll is how often requests in flight are checked against the
	// registry, so a revoke cuts a stream within Poll.
	Poll                  time.Duration
	HeaderTimeout         time.Duration
	IdleTimeout           time.Duration
	UpstreamHeaderTimeout time.Duration
	Now                   func() time.Time
}

// Server is the proxy.
type Server struct {
	o         Options
	transport http.RoundTripper

	mu     sync.Mutex
	active map[string]map[*inflight]bool // grant id → requests in flight
	stop   chan struct{}
	once   sync.Once
}

type inflight struct{ cancel context.CancelCauseFunc }

// errRevoked is the cause of a request cut by a revoke or an expiry.
var errRevoked = errors.New("the grant ended while the request was in flight")

// New checks every route and returns the server; call Close when done.
func New(o Options) (*Server, error) {
	if o.Grants == nil || o.Credentials == nil {
		return nil, errors.New("proxy: Grants and Credentials are required")
	}
	for p, rs := range o.Routes {
		for i := range rs {
			if rs[i].Provider != p {
				return nil, fmt.Errorf("proxy: route of %s filed under %s", rs[i].Provider, p)
			}
			if err := rs[i].Validate(); err != nil {
				return nil, err
			}
		}
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.MaxConcurrent <= 0 {
		o.MaxConcurrent = DefaultMaxConcurrent
	}
	if o.Poll <= 0 {
		o.Poll = DefaultPoll
	}
	if o.HeaderTimeout <= 0 {
		o.HeaderTimeout = DefaultHeaderTimeout
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	if o.UpstreamHeaderTimeout <= 0 {
		o.UpstreamHeaderTimeout = DefaultUpstreamHeaderTimeout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Server{o: o, transport: o.Transport, active: map[string]map[*inflight]bool{}, stop: make(chan struct{})}
	if s.transport == nil {
		s.transport = &http.Transport{
			// No Proxy: a credential goes straight to its upstream, not
			// through whatever HTTPS_PROXY the proxy's own environment names.
			Proxy:                 nil,
			ForceAttemptHTTP2:     true,
			MaxIdleConnsPerHost:   256,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: o.UpstreamHeaderTimeout,
		}
	}
	go s.watch()
	return s, nil
}

// Close stops the revoke watcher.
func (s *Server) Close() { s.once.Do(func() { close(s.stop) }) }

// watch cuts requests in flight whose grant has ended (revoked, expired,
// or gone from the registry).
func (s *Server) watch() {
	t := time.NewTicker(s.o.Poll)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		s.cutEnded()
	}
}

func (s *Server) cutEnded() {
	s.mu.Lock()
	n := len(s.active)
	s.mu.Unlock()
	if n == 0 {
		return
	}
	gs, err := s.o.Grants.List()
	if err != nil {
		return // the next request is refused anyway; keep what flows
	}
	now := s.o.Now()
	live := map[string]bool{}
	for i := range gs {
		if gs[i].Live(now) {
			live[gs[i].ID] = true
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, reqs := range s.active {
		if live[id] {
			continue
		}
		for r := range reqs {
			r.cancel(errRevoked)
		}
	}
}

func (s *Server) enter(id string, cancel context.CancelCauseFunc) (*inflight, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.active[id]) >= s.o.MaxConcurrent {
		return nil, false
	}
	if s.active[id] == nil {
		s.active[id] = map[*inflight]bool{}
	}
	r := &inflight{cancel: cancel}
	s.active[id][r] = true
	return r, true
}

func (s *Server) leave(id string, r *inflight) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.active[id], r)
	if len(s.active[id]) == 0 {
		delete(s.active, id)
	}
}

// HealthPath answers without a stand-in.
const HealthPath = "/-/health"

// Handler serves requests; only stand-ins of grant onlyGrant are taken
// ("" for any: the TCP listener).
func (s *Server) Handler(onlyGrant string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.serve(w, r, onlyGrant) })
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, onlyGrant string) {
	start := s.o.Now()
	if r.URL.Path == HealthPath && r.URL.RawQuery == "" {
		writeJSON(w, http.StatusOK, map[string]any{"ok": true})
		return
	}
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	entry := AuditEntry{Method: r.Method, Path: auditPath(r)}
	defer func() {
		entry.Status, entry.BytesOut, entry.DurationMS = rec.status, rec.n, s.o.Now().Sub(start).Milliseconds()
		s.o.Audit.Log(entry)
	}()
	standIn, err := findStandIn(r.Header)
	if err != nil {
		entry.Refused = "no-stand-in"
		refuse(rec, http.StatusUnauthorized, entry.Refused, err.Error())
		return
	}
	g, provider, err := s.o.Grants.Lookup(standIn)
	switch {
	case errors.Is(err, grant.ErrUnknown):
		entry.Refused = "unknown"
		refuse(rec, http.StatusUnauthorized, "unknown", "this stand-in was never granted (or its grant was removed): ask for a new grant (terok auth grant)")
		return
	case errors.Is(err, grant.ErrExpired), errors.Is(err, grant.ErrRevoked):
		entry.Grant, entry.Label, entry.Provider = g.ID, g.Label, provider
		entry.Refused = g.State(s.o.Now())
		refuse(rec, http.StatusUnauthorized, entry.Refused, fmt.Sprintf("grant %s is %s: ask for a new grant (terok auth grant)", g.ID, entry.Refused))
		return
	case err != nil:
		entry.Refused = "registry"
		refuse(rec, http.StatusServiceUnavailable, "registry", "the proxy cannot read its grants; see its log")
		return
	}
	entry.Grant, entry.Label, entry.Provider = g.ID, g.Label, provider
	if onlyGrant != "" && g.ID != onlyGrant {
		entry.Refused = "other-grant"
		refuse(rec, http.StatusUnauthorized, "other-grant", "this stand-in belongs to another grant than this listener's")
		return
	}
	cred, err := s.o.Credentials.Credential(r.Context(), g.Set, provider)
	if err != nil {
		entry.Refused = "no-credential"
		refuse(rec, http.StatusBadGateway, "no-credential", fmt.Sprintf("no usable credential of %s in set %s: log in on the host (terok auth login %s)", provider, g.Set, provider))
		return
	}
	rt, ok := s.routeFor(provider, cred.Type)
	secret, _ := cred.Fields[rt.Field].(string)
	if !ok || secret == "" {
		entry.Refused = "no-route"
		refuse(rec, http.StatusBadGateway, "no-route", fmt.Sprintf("%s declares no proxy route for a %s credential", provider, cred.Type))
		return
	}
	if r.ContentLength > s.o.MaxBody {
		entry.Refused = "too-large"
		refuse(rec, http.StatusRequestEntityTooLarge, "too-large", fmt.Sprintf("the request body is over the proxy's cap of %d bytes", s.o.MaxBody))
		return
	}
	ctx, cancel := context.WithCancelCause(r.Context())
	defer cancel(nil)
	fl, ok := s.enter(g.ID, cancel)
	if !ok {
		entry.Refused = "busy"
		refuse(rec, http.StatusTooManyRequests, "busy", fmt.Sprintf("grant %s has %d requests in flight, the proxy's limit", g.ID, s.o.MaxConcurrent))
		return
	}
	defer s.leave(g.ID, fl)
	body := &capped{r: r.Body, left: s.o.MaxBody}
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = body
	}
	upstream, _ := url.Parse(rt.UpstreamFor(r.URL.Path))
	rp := &httputil.ReverseProxy{
		Transport:     s.transport,
		BufferPool:    copyBuffers,
		FlushInterval: -1,
		Rewrite: func(pr *httputil.ProxyRequest) {
			out := pr.Out
			out.URL.Scheme, out.URL.Host = upstream.Scheme, upstream.Host
			out.Host = ""
			// Path and RawPath stay as the client sent them: %2F is kept.
			stripStandIns(out.Header)
			out.Header.Del(rt.Header)
			out.Header.Set(rt.Header, rt.Prefix+secret)
			for k, v := range rt.ExtraHeaders {
				out.Header.Set(k, withListValue(out.Header.Values(k), v))
			}
		},
		ModifyResponse: func(resp *http.Response) error {
			scrubResponse(resp.Header, secret, upstream)
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			switch {
			case body.over:
				entry.Refused = "too-large"
				refuse(w, http.StatusRequestEntityTooLarge, "too-large", fmt.Sprintf("the request body is over the proxy's cap of %d bytes", s.o.MaxBody))
			case errors.Is(context.Cause(ctx), errRevoked):
				entry.Refused = "revoked"
				refuse(w, http.StatusUnauthorized, "revoked", fmt.Sprintf("grant %s ended during the request", g.ID))
			default:
				entry.Refused = "upstream"
				msg := strings.ReplaceAll(err.Error(), secret, "[credential]")
				refuse(w, http.StatusBadGateway, "upstream", "the upstream did not answer: "+msg)
			}
		},
	}
	rp.ServeHTTP(rec, r.WithContext(ctx))
	entry.BytesIn = body.n
	if errors.Is(context.Cause(ctx), errRevoked) && entry.Refused == "" {
		entry.Refused = "cut"
	}
}

// copyBuffers are the buffers responses are copied through. Without a
// pool, httputil.ReverseProxy makes a 32 KiB buffer for every request: the
// proxy's largest allocation per request, which made the garbage collector
// run every few dozen small requests and put its pauses in the latency's
// tail (make bench: p99 of a small request).
var copyBuffers = &bufferPool{}

type bufferPool struct{ p sync.Pool }

func (b *bufferPool) Get() []byte {
	if v, ok := b.p.Get().(*[]byte); ok {
		return *v
	}
	return make([]byte, 32<<10)
}

func (b *bufferPool) Put(buf []byte) {
	if cap(buf) >= 32<<10 {
		buf = buf[:32<<10]
		b.p.Put(&buf)
	}
}

func (s *Server) routeFor(provider, credType string) (route.Route, bool) {
	for _, r := range s.o.Routes[provider] {
		if r.CredentialType == credType {
			return r, true
		}
	}
	return route.Route{}, false
}

// withListValue is the comma-separated list header a client sent (cur)
// with v in it: a declared extra header is added to the client's list,
// not put in its place. Claude Code sends its own anthropic-beta features
// (claude-code-20250219, …); replacing them with the OAuth one would take
// them away.
func withListValue(cur []string, v string) string {
	var items []string
	for _, c := range cur {
		for _, it := range strings.Split(c, ",") {
			if it = strings.TrimSpace(it); it != "" {
				items = append(items, it)
			}
		}
	}
	for _, it := range items {
		if strings.EqualFold(it, v) {
			return strings.Join(items, ",")
		}
	}
	return strings.Join(append(items, v), ",")
}

// findStandIn finds the one stand-in a request carries, in any header
// (each tool puts its key where it puts it: Authorization with some
// prefix, x-api-key, PRIVATE-TOKEN, …).
func findStandIn(h http.Header) (string, error) {
	found := ""
	for _, vs := range h {
		for _, v := range vs {
			for _, s := range standInsIn(v) {
				if found != "" && s != found {
					return "", errors.New("the request carries two different stand-ins; send one")
				}
				found = s
			}
		}
	}
	if found == "" {
		return "", errors.New("no stand-in: send the stand-in the grant printed where the tool sends its key (its key variable)")
	}
	return found, nil
}

func standInsIn(v string) []string {
	var out []string
	for {
		i := strings.Index(v, grant.StandInPrefix)
		if i < 0 {
			return out
		}
		v = v[i:]
		end := len(grant.StandInPrefix)
		for end < len(v) && isB64URL(v[end]) {
			end++
		}
		out = append(out, v[:end])
		v = v[end:]
	}
}

func isB64URL(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// stripStandIns drops every header that holds a stand-in: none leaves.
func stripStandIns(h http.Header) {
	for k, vs := range h {
		for _, v := range vs {
			if strings.Contains(v, grant.StandInPrefix) {
				h.Del(k)
				break
			}
		}
	}
}

// scrubResponse keeps the credential and the upstream's own origin from
// the client: a header echoing the credential is dropped, and a redirect
// to the upstream itself becomes a path, so the client comes back through
// the proxy. A redirect elsewhere is passed on as it is: the proxy never
// follows one, so the credential never goes there.
func scrubResponse(h http.Header, secret string, upstream *url.URL) {
	for k, vs := range h {
		for _, v := range vs {
			if strings.Contains(v, secret) {
				h.Del(k)
				break
			}
		}
	}
	if loc := h.Get("Location"); loc != "" {
		if u, err := url.Parse(loc); err == nil && u.IsAbs() && strings.EqualFold(u.Scheme, upstream.Scheme) && strings.EqualFold(u.Host, upstream.Host) {
			rel := u.EscapedPath()
			if rel == "" {
				rel = "/"
			}
			if u.RawQuery != "" {
				rel += "?" + u.RawQuery
			}
			h.Set("Location", rel)
		}
	}
}

// refuse answers with a JSON error saying why; it names no secret.
func refuse(w http.ResponseWriter, status int, reason, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"type": "terok_proxy", "reason": reason, "message": msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// capped is a request body that fails past its cap and says so.
type capped struct {
	r    io.ReadCloser
	left int64
	n    int64
	over bool
}

var errTooLarge = errors.New("request body over the proxy's cap")

func (c *capped) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// One byte more tells a body of exactly the cap from a longer one.
		var b [1]byte
		if n, _ := c.r.Read(b[:]); n > 0 {
			c.over = true
			return 0, errTooLarge
		}
		return c.r.Read(p)
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	c.n += int64(n)
	return n, err
}

func (c *capped) Close() error { return c.r.Close() }

// recorder counts what is written, and passes Flush and Hijack through
// (http.ResponseController finds them by Unwrap).
type recorder struct {
	http.ResponseWriter
	status int
	n      int64
	wrote  bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	r.wrote = true
	n, err := r.ResponseWriter.Write(p)
	r.n += int64(n)
	return n, err
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// auditPath is the request's path without its query, stand-ins masked.
func auditPath(r *http.Request) string {
	p := r.URL.EscapedPath()
	for _, s := range standInsIn(p) {
		p = strings.ReplaceAll(p, s, grant.StandInPrefix+"…")
	}
	if len(p) > 512 {
		p = p[:512] + "…"
	}
	return p
}
