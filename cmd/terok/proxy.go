package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gofrs/flock"
	"github.com/spf13/cobra"

	"github.com/terok-ai/terok-auth/core/account"
	"github.com/terok-ai/terok-auth/core/container"
	"github.com/terok-ai/terok-auth/core/grant"
	"github.com/terok-ai/terok-auth/core/inject"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/proxy"
	"github.com/terok-ai/terok-auth/core/refresh"
	"github.com/terok-ai/terok-auth/core/route"
	"github.com/terok-ai/terok-auth/core/safefile"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/core/usage"
	"github.com/terok-ai/terok-auth/sdk"
	sdkhost "github.com/terok-ai/terok-auth/sdk/host"
)

// Where the proxy keeps its state, under the terok state dir: the grants
// (hashes only), the sockets (one per grant, in a 0700 dir), the audit log
// and, while a proxy runs, where it listens.
func grantsPath(f *factory) string     { return filepath.Join(f.Dirs.State, "grants.json") }
func proxySocketDir(f *factory) string { return filepath.Join(f.Dirs.State, "proxy") }
func proxyAuditPath(f *factory) string { return filepath.Join(f.Dirs.State, "proxy-audit.jsonl") }
func listenersPath(f *factory) string  { return filepath.Join(f.Dirs.State, "proxy-listeners.json") }

func grantsRegistry(f *factory) *grant.Registry { return grant.New(grantsPath(f)) }

// proxyTransport, when set (tests), is how the proxy reaches upstreams.
var proxyTransport http.RoundTripper

// upstreamOverrideEnv is the test hook that points a provider's proxy
// route at a fake vendor on this machine: TEROK_<PROVIDER>_PROXY_UPSTREAM.
func upstreamOverrideEnv(provider names.Provider) string {
	return "TEROK_" + sdkhost.ProviderFamily(string(provider.Base())) + "_PROXY_UPSTREAM"
}

// withUpstreamOverride applies the test hook to rs: every upstream of the
// route, path upstreams included, becomes the override. Only an https
// loopback origin is taken, so the hook can never send a credential to
// another machine.
func withUpstreamOverride(getenv func(string) string, provider names.Provider, rs []route.Route) ([]route.Route, error) {
	name := upstreamOverrideEnv(provider)
	v := strings.TrimSuffix(strings.TrimSpace(getenv(name)), "/")
	if v == "" {
		return rs, nil
	}
	u, err := url.Parse(v)
	if err != nil || !sdkhost.IsLoopbackHost(u.Hostname()) {
		return nil, fmt.Errorf("%s=%q: only an https loopback origin (https://127.0.0.1:PORT) may replace a proxy upstream; unset it", name, v)
	}
	if err := route.CheckUpstream(v); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	out := make([]route.Route, len(rs))
	for i, r := range rs {
		r.Upstream = v
		pu := map[string]string{}
		for k := range r.PathUpstreams {
			pu[k] = v
		}
		r.PathUpstreams = pu
		out[i] = r
	}
	return out, nil
}

// routesOf are the proxy routes one provider declares (sdk.Proxied: a
// plugin's answer or a YAML provider's proxy: block), checked by proxy.Routes.
func routesOf(ctx context.Context, f *factory, src providerSource, name names.Provider) ([]route.Route, error) {
	base := name.Base()
	p, err := src.Open(ctx, base)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	rs, err := proxy.Routes(ctx, string(base), p.Provider)
	if err != nil {
		return nil, err
	}
	return withUpstreamOverride(f.Getenv, base, rs)
}

// allRoutes are the routes of every provider found, for a proxy that
// serves whatever grants are issued while it runs.
func allRoutes(ctx context.Context, f *factory) (map[string][]route.Route, error) {
	src, err := f.Providers()
	if err != nil {
		return nil, err
	}
	out := map[string][]route.Route{}
	for _, n := range src.Names() {
		rs, err := routesOf(ctx, f, src, n)
		if err != nil {
			// One broken or refused plugin does not keep the proxy from
			// serving the others; a grant for it says why.
			fmt.Fprintf(f.IO.ErrOut, "warning: %s: no proxy routes: %v\n", n, err)
			continue
		}
		if len(rs) > 0 {
			out[string(n)] = rs
		}
	}
	return out, nil
}

// storeCredentials is the proxy's Credentials: the store is read on every
// request (a rotated token is used at once), and a credential due within
// refresh_margin is renewed first, through the renewal engine, under the
// same per-(set, provider) lock as exec, env and token.
type storeCredentials struct {
	f        *factory
	accounts *account.Accounts
	src      providerSource

	mu    sync.Mutex
	decls map[string]*renewalDecl // provider/type → what its provider declares (data, no secret)
}

// renewalTimeout bounds a renewal the proxy makes for a request, the
// wait for another process's renewal lock included.
const renewalTimeout = time.Minute

type renewalDecl struct {
	decl sdk.Renewal
	ok   bool
}

func newStoreCredentials(f *factory) (*storeCredentials, error) {
	accounts, err := f.Accounts()
	if err != nil {
		return nil, err
	}
	src, err := f.Providers()
	if err != nil {
		return nil, err
	}
	return &storeCredentials{f: f, accounts: accounts, src: src, decls: map[string]*renewalDecl{}}, nil
}

func (c *storeCredentials) Credential(ctx context.Context, set, provider string) (sdk.Credential, error) {
	s, err := names.ParseSet(set)
	if err != nil {
		return sdk.Credential{}, err
	}
	p, err := names.ParseProvider(provider)
	if err != nil {
		return sdk.Credential{}, err
	}
	cred, source, err := c.accounts.Token(ctx, s, p)
	if err != nil {
		return cred, err
	}
	if source == "env" {
		return cred, nil // an override is used as it is
	}
	margin := c.f.Config.Duration("refresh_margin")
	now := time.Now()
	if refresh.Due(cred, now, margin) && cred.Get("refresh_token") != "" {
		decl, ok, err := c.renewal(ctx, p, cred.Type)
		if err != nil {
			c.f.named("proxy").Warn("cannot read the renewal declaration", "provider", p, "error", err)
		}
		if ok {
			due := func(cr sdk.Credential) bool { return refresh.Due(cr, time.Now(), margin) }
			// A client that hangs up must not cut a renewal between the
			// endpoint's answer (which may rotate the refresh token) and
			// the store's write: it runs on, bounded, without the request.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), renewalTimeout)
			nc, _, err := renewWith(rctx, c.f, c.accounts, s, p, decl, due)
			cancel()
			if err == nil {
				return nc, nil
			}
			c.f.named("proxy").Warn("renewal failed", "provider", p, "set", s, "error", explainRenewal(p, s, err))
		}
	}
	if exp, ok := cred.ExpiresAt(); ok && !exp.After(now) {
		return cred, fmt.Errorf("the %s credential of %s (set: %s) has expired", cred.Type, p, s)
	}
	return cred, nil
}

// renewal is the provider's renewal of credType, asked of the provider
// once for the proxy's life: opening a plugin per request would cost a
// process each time.
func (c *storeCredentials) renewal(ctx context.Context, p names.Provider, credType string) (sdk.Renewal, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := string(p) + "/" + credType
	if d, ok := c.decls[key]; ok {
		return d.decl, d.ok, nil
	}
	prov, err := c.src.Open(ctx, p.Base())
	if err != nil {
		return sdk.Renewal{}, false, err
	}
	defer prov.Close()
	decl, ok, err := renewalOf(ctx, c.f, prov.Provider, p, credType)
	if err != nil {
		return decl, false, err
	}
	c.decls[key] = &renewalDecl{decl: decl, ok: ok}
	return decl, ok, nil
}

// listenerInfo is what a running `terok auth proxy` writes for grant and
// env to say where it listens; nothing in it is secret.
type listenerInfo struct {
	PID       int    `json:"pid"`
	SocketDir string `json:"socket_dir"`
	TCP       string `json:"tcp,omitempty"`
}

// runningProxy is the running proxy's listeners, or nil when none runs.
func runningProxy(f *factory) *listenerInfo {
	data, err := safefile.ReadFile(listenersPath(f), 64<<10)
	if err != nil {
		return nil
	}
	var li listenerInfo
	if json.Unmarshal(data, &li) != nil || li.PID <= 0 || !container.ProcessAlive(li.PID) {
		return nil
	}
	return &li
}

// grantView is a grant as grant and env --proxy show it.
type grantView struct {
	ID        string            `json:"id"`
	Label     string            `json:"label,omitempty"`
	Set       string            `json:"set"`
	Providers []string          `json:"providers"`
	Expires   time.Time         `json:"expires"`
	Socket    string            `json:"socket"`
	TCP       string            `json:"tcp,omitempty"`
	StandIns  map[string]string `json:"stand_ins"`
	Env       map[string]string `json:"env"`
	Hints     []string          `json:"hints,omitempty"`

	// routes and creds are each provider's chosen route and its stored
	// credential when the grant was made, for exec --proxy's stand-in
	// files (proxyfiles.go); never shown.
	provs  []names.Provider
	set    names.Set
	routes map[names.Provider]route.Route
	creds  map[names.Provider]sdk.Credential
}

// proxyTargets checks that the named providers are logged in, have a
// proxy route for what is stored, and share one set (a grant has one).
// It returns the route and stored credential of each, in order.
func proxyTargets(ctx context.Context, f *factory, targets []names.Target, set names.Set) (names.Set, []names.Provider, map[names.Provider]route.Route, map[names.Provider]sdk.Credential, error) {
	src, err := f.Providers()
	if err != nil {
		return "", nil, nil, nil, err
	}
	accounts, err := f.Accounts()
	if err != nil {
		return "", nil, nil, nil, err
	}
	gset := set
	var provs []names.Provider
	chosen := map[names.Provider]route.Route{}
	creds := map[names.Provider]sdk.Credential{}
	for i, t := range targets {
		if t.Set != "" {
			if i > 0 && t.Set != gset {
				return "", nil, nil, nil, usage.Errorf("a grant holds the credentials of one set; %s is from %s, not %s (make one grant per set)", t.Provider, t.Set, gset)
			}
			gset = t.Set
		}
		if t.Provider.Host() != "" {
			return "", nil, nil, nil, usage.Errorf("%s: the proxy serves a provider's default host only (PROVIDER, not PROVIDER:HOST)", t.Provider)
		}
		rs, err := routesOf(ctx, f, src, t.Provider)
		if err != nil {
			return "", nil, nil, nil, err
		}
		if len(rs) == 0 {
			return "", nil, nil, nil, fmt.Errorf("%s declares no proxy route: its tool cannot be pointed at the proxy (see docs/proxy.md); use terok auth exec without --proxy", t.Provider)
		}
		c, _, err := accounts.Token(ctx, gset, t.Provider)
		if errors.Is(err, store.ErrNotFound) {
			return "", nil, nil, nil, notAuthenticated{fmt.Errorf("nothing stored for %s (set: %s); log in with: %s", t.Provider, gset, inject.LoginCommand(t.Provider, gset))}
		}
		if err != nil {
			return "", nil, nil, nil, err
		}
		var r *route.Route
		for i := range rs {
			if rs[i].CredentialType == c.Type {
				r = &rs[i]
			}
		}
		if r == nil {
			return "", nil, nil, nil, fmt.Errorf("%s declares no proxy route for its stored %s credential (it has one for: %s)", t.Provider, c.Type, routeTypes(rs))
		}
		provs = append(provs, t.Provider)
		chosen[t.Provider] = *r
		creds[t.Provider] = c
	}
	return gset, provs, chosen, creds, nil
}

func routeTypes(rs []route.Route) string {
	var ts []string
	for _, r := range rs {
		ts = append(ts, r.CredentialType)
	}
	return strings.Join(ts, ", ")
}

// standInEnv is what a tool gets for one provider: the stand-in in its
// key variable and, when the tool is reached over TCP, its base URL.
func standInEnv(r route.Route, standIn, baseURL string, env map[string]string) (hint string) {
	if r.StandInEnv != "" {
		env[r.StandInEnv] = standIn
	}
	if r.BaseURLEnv != "" && baseURL != "" {
		env[r.BaseURLEnv] = baseURL + r.BaseURLPath
	}
	if r.BaseURLEnv == "" || r.StandInEnv == "" {
		hint = fmt.Sprintf("%s: %s", r.Provider, r.SetupHint)
		if r.SetupHint == "" {
			hint = fmt.Sprintf("%s: its tool has no variable for the proxy; point it at the listener by hand", r.Provider)
		}
	}
	return hint
}

// issueGrant makes a grant for the named providers and says how a tool
// uses it: socket is the grant's socket, tcp the loopback URL ("" none).
// check, if set, sees each provider's route and credential before the
// grant is made, and may refuse it.
func issueGrant(ctx context.Context, f *factory, targets []names.Target, set names.Set, ttl time.Duration, label, socketDir, tcp string,
	check func(names.Provider, route.Route, sdk.Credential) error) (*grantView, error) {
	gset, provs, rs, creds, err := proxyTargets(ctx, f, targets, set)
	if err != nil {
		return nil, err
	}
	if check != nil {
		for _, p := range provs {
			if err := check(p, rs[p], creds[p]); err != nil {
				return nil, err
			}
		}
	}
	strs := names.Strings(provs)
	issued, err := grantsRegistry(f).Issue(ctx, string(gset), strs, ttl, label)
	if err != nil {
		return nil, err
	}
	v := &grantView{
		ID: issued.ID, Label: issued.Label, Set: issued.Set, Providers: issued.Providers, Expires: issued.Expires,
		Socket: proxy.SocketPath(socketDir, issued.ID), TCP: tcp, StandIns: issued.StandIns, Env: map[string]string{},
		provs: provs, set: gset, routes: rs, creds: creds,
	}
	for _, p := range provs {
		if h := standInEnv(rs[p], issued.StandIns[string(p)], tcp, v.Env); h != "" {
			v.Hints = append(v.Hints, h)
		}
	}
	v.Env["TEROK_PROXY_SOCKET"] = v.Socket
	if tcp != "" {
		v.Env["TEROK_PROXY_URL"] = tcp
	}
	return v, nil
}

// ---- terok auth grant

type grantOptions struct {
	f         *factory
	Providers []names.Target
	Set       names.Set
	TTL       time.Duration
	Label     string
	JSON      bool
}

func newGrantCmd(f *factory, runF func(context.Context, *grantOptions) error) *cobra.Command {
	opts := &grantOptions{f: f}
	var set string
	cmd := &cobra.Command{
		Use:   "grant PROVIDER... [--set S] [--ttl 8h] [--label L] [--json]",
		Short: "Give an agent stand-ins for providers' credentials, used through terok auth proxy",
		Long: "Make a grant: one stand-in per named provider, valid for --ttl, for use through\n" +
			"`terok auth proxy`. A stand-in is 256 bits from the system's random source and is\n" +
			"shown here once: only its SHA-256 is kept, in a 0600 file under the state dir. The\n" +
			"agent holds the stand-in, never the credential; the proxy checks the stand-in on\n" +
			"every request and sends the real credential on to the provider's API.\n\n" +
			"Printed: the grant id, its Unix socket (opened by the running proxy within a second;\n" +
			"bind-mount it into a container) and, when the proxy listens on loopback TCP, its URL,\n" +
			"and the variables a tool reads (its key variable gets the stand-in, its base-URL\n" +
			"variable the proxy). Exits 4 when a provider is not logged in.",
		Example: "  terok auth grant claude --label agent-1 --ttl 2h\n" +
			"  terok auth grant claude gh --json | jq -r .stand_ins.claude",
		ValidArgsFunction: completeTargets(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usage.Errorf("name the providers the grant is for")
			}
			var err error
			if opts.Providers, opts.Set, err = parseSetTargets(splitProviders(args), setArg(f, cmd, set)); err != nil {
				return err
			}
			if opts.TTL <= 0 {
				return usage.Errorf("--ttl %s: a grant must last a positive time", opts.TTL)
			}
			if err := checkLabel(opts.Label); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return grantRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&set, "set", string(names.DefaultSet), "credential set")
	cmd.Flags().DurationVar(&opts.TTL, "ttl", 8*time.Hour, "how long the grant lasts")
	cmd.Flags().StringVar(&opts.Label, "label", "", "a name for the grant, in grants and the audit log")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	completeSets(cmd, f)
	return cmd
}

func grantRun(ctx context.Context, opts *grantOptions) error {
	f := opts.f
	tcp := ""
	running := runningProxy(f)
	if running != nil {
		tcp = running.TCP
	}
	v, err := issueGrant(ctx, f, opts.Providers, opts.Set, opts.TTL, opts.Label, proxySocketDir(f), tcp, nil)
	if err != nil {
		return err
	}
	if running == nil {
		fmt.Fprintln(f.IO.ErrOut, "note: no terok auth proxy runs now; the stand-ins work once one does (terok auth proxy)")
	}
	if opts.JSON {
		enc := json.NewEncoder(f.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	w := f.IO.Out
	fmt.Fprintf(w, "Grant %s", v.ID)
	if v.Label != "" {
		fmt.Fprintf(w, " (%s)", v.Label)
	}
	fmt.Fprintf(w, ": %s from set %s, until %s\n", strings.Join(v.Providers, ", "), v.Set, v.Expires.Local().Format(time.RFC3339))
	fmt.Fprintf(w, "Socket: %s\n", v.Socket)
	if v.TCP != "" {
		fmt.Fprintf(w, "TCP:    %s\n", v.TCP)
	}
	fmt.Fprintln(w, "Stand-ins (shown once; only their hashes are kept):")
	for _, p := range v.Providers {
		fmt.Fprintf(w, "  %s: %s\n", p, v.StandIns[p])
	}
	fmt.Fprintln(w, "Variables:")
	for _, k := range slices.Sorted(maps.Keys(v.Env)) {
		fmt.Fprintf(w, "  %s=%s\n", k, v.Env[k])
	}
	for _, h := range v.Hints {
		fmt.Fprintf(f.IO.ErrOut, "note: %s\n", h)
	}
	return nil
}

// ---- terok auth grants

type grantsOptions struct {
	f    *factory
	JSON bool
}

// grantListing is a grant as listed: never a stand-in, nor its hash.
type grantListing struct {
	ID        string     `json:"id"`
	Label     string     `json:"label,omitempty"`
	Set       string     `json:"set"`
	Providers []string   `json:"providers"`
	State     string     `json:"state"`
	Created   time.Time  `json:"created"`
	Expires   time.Time  `json:"expires"`
	Revoked   *time.Time `json:"revoked,omitempty"`
	Socket    string     `json:"socket"`
}

func newGrantsCmd(f *factory, runF func(context.Context, *grantsOptions) error) *cobra.Command {
	opts := &grantsOptions{f: f}
	cmd := &cobra.Command{
		Use:   "grants [--json]",
		Short: "List the proxy's grants",
		Long: "List the grants terok auth proxy honours, and those that ended within a day: id,\n" +
			"label, providers, set, state (active, expired, revoked), expiry and socket. No\n" +
			"stand-in is shown: none is kept.",
		Example: "  terok auth grants\n" +
			"  terok auth grants --json | jq -r '.[] | select(.state==\"active\") | .id'",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return grantsRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

func grantsRun(_ context.Context, opts *grantsOptions) error {
	f := opts.f
	gs, err := grantsRegistry(f).List()
	if err != nil {
		return err
	}
	now := time.Now()
	list := make([]grantListing, 0, len(gs))
	for _, g := range gs {
		list = append(list, grantListing{
			ID: g.ID, Label: g.Label, Set: g.Set, Providers: g.Providers, State: g.State(now),
			Created: g.Created, Expires: g.Expires, Revoked: g.Revoked, Socket: proxy.SocketPath(proxySocketDir(f), g.ID),
		})
	}
	if opts.JSON {
		enc := json.NewEncoder(f.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	if len(list) == 0 {
		fmt.Fprintln(f.IO.ErrOut, "No grants. Make one with: terok auth grant PROVIDER")
		return nil
	}
	w := f.IO.Out
	fmt.Fprintf(w, "%-14s  %-8s  %-16s  %-10s  %-20s  %s\n", "GRANT", "STATE", "PROVIDERS", "SET", "EXPIRES", "LABEL")
	for _, g := range list {
		fmt.Fprintf(w, "%-14s  %-8s  %-16s  %-10s  %-20s  %s\n", g.ID, g.State, strings.Join(g.Providers, ","), g.Set,
			g.Expires.Local().Format("2006-01-02 15:04:05"), g.Label)
	}
	return nil
}

// ---- terok auth revoke

type revokeOptions struct {
	f     *factory
	Grant string
	All   bool
}

func newRevokeCmd(f *factory, runF func(context.Context, *revokeOptions) error) *cobra.Command {
	opts := &revokeOptions{f: f}
	cmd := &cobra.Command{
		Use:   "revoke GRANT|--all",
		Short: "End a grant now: its stand-ins stop working",
		Long: "Revoke a grant (or every active one with --all). The proxy reads the grants on every\n" +
			"request, so the next request with a revoked stand-in is refused (401), and it cuts\n" +
			"the grant's requests in flight, streams included, within half a second. The grant's\n" +
			"socket is closed and removed within a second.",
		Example: "  terok auth revoke g1a2b3c4d5e6f\n" +
			"  terok auth revoke --all",
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case opts.All && len(args) > 0:
				return usage.Errorf("name a grant or give --all, not both")
			case !opts.All && len(args) != 1:
				return usage.Errorf("name one grant to revoke (terok auth grants lists them), or give --all")
			}
			if len(args) == 1 {
				opts.Grant = args[0]
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return revokeRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.All, "all", false, "revoke every active grant")
	// Completes the active grants, with their providers and labels.
	cmd.ValidArgsFunction = func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 || !f.ready(cmd) {
			return nil, noFiles
		}
		gs, _ := grantsRegistry(f).List()
		var out []string
		for _, g := range gs {
			if g.Live(time.Now()) {
				out = append(out, g.ID+"\t"+strings.Join(g.Providers, ",")+" "+g.Label)
			}
		}
		return out, noFiles
	}
	return cmd
}

func revokeRun(ctx context.Context, opts *revokeOptions) error {
	f := opts.f
	done, err := grantsRegistry(f).Revoke(ctx, opts.Grant)
	if err != nil {
		return err
	}
	for _, id := range done {
		fmt.Fprintf(f.IO.Out, "revoked %s\n", id)
	}
	switch {
	case len(done) == 0 && opts.All:
		fmt.Fprintln(f.IO.ErrOut, "No active grants to revoke.")
	case len(done) == 0:
		fmt.Fprintf(f.IO.ErrOut, "%s was already revoked.\n", opts.Grant)
	}
	return nil
}

// ---- terok auth proxy

type proxyOptions struct {
	f             *factory
	TCP           string
	Audit         string
	MaxBody       int64
	MaxConcurrent int
}

func newProxyCmd(f *factory, runF func(context.Context, *proxyOptions) error) *cobra.Command {
	opts := &proxyOptions{f: f}
	cmd := &cobra.Command{
		Use:   "proxy [--tcp 127.0.0.1:PORT]",
		Short: "Run the credential proxy in the foreground",
		Long: "Run the credential proxy until SIGINT or SIGTERM (a service manager keeps it up).\n" +
			"It opens one Unix socket (0600) per active grant in a 0700 directory under the terok\n" +
			"state dir, made for bind-mounting into a container, and with --tcp one loopback\n" +
			"listener that takes the stand-in of any grant. Each request's stand-in is checked\n" +
			"against the grants, taken off, and the provider's real credential put in the header\n" +
			"its route declares; a credential about to expire is renewed first. Requests are\n" +
			"audited, one JSON line each (no bodies, queries or secrets), to --audit.\n" +
			"It prints where it listens, one line per listener, to standard output.",
		Example: "  terok auth proxy\n" +
			"  terok auth proxy --tcp 127.0.0.1:8787",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return proxyRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.TCP, "tcp", "", "also listen on this loopback address (127.0.0.1:PORT)")
	cmd.Flags().StringVar(&opts.Audit, "audit", "", "the audit log (JSONL, 0600); \"off\" for none (default STATE/proxy-audit.jsonl)")
	cmd.Flags().Int64Var(&opts.MaxBody, "max-body", proxy.DefaultMaxBody, "the largest request body, in bytes (413 past it)")
	cmd.Flags().IntVar(&opts.MaxConcurrent, "max-concurrent", proxy.DefaultMaxConcurrent, "requests in flight per grant (429 past it)")
	return cmd
}

// daemonGrants are the grants `terok auth proxy` serves: all but those of
// `exec --proxy`, which only the exec's own proxy serves, so a grant left
// by an exec that was killed is not honoured by the daemon meanwhile.
type daemonGrants struct{ r *grant.Registry }

func (d daemonGrants) Lookup(standIn string) (*grant.Grant, string, error) {
	g, p, err := d.r.Lookup(standIn)
	if g != nil && strings.HasPrefix(g.Label, execGrantPrefix) {
		return nil, "", grant.ErrUnknown
	}
	return g, p, err
}

func (d daemonGrants) List() ([]grant.Grant, error) {
	gs, err := d.r.List()
	out := gs[:0]
	for _, g := range gs {
		if !strings.HasPrefix(g.Label, execGrantPrefix) {
			out = append(out, g)
		}
	}
	return out, err
}

// newProxyServer is the proxy of every provider's routes over the store.
func newProxyServer(f *factory, grants proxy.Grants, routes map[string][]route.Route, auditPath string, maxBody int64, maxConc int) (*proxy.Server, *proxy.Audit, error) {
	creds, err := newStoreCredentials(f)
	if err != nil {
		return nil, nil, err
	}
	var audit *proxy.Audit
	if auditPath != "off" {
		if audit, err = proxy.OpenAudit(auditPath); err != nil {
			return nil, nil, err
		}
	}
	srv, err := proxy.New(proxy.Options{
		Grants: grants, Credentials: creds, Routes: routes, Transport: proxyTransport,
		Audit: audit, MaxBody: maxBody, MaxConcurrent: maxConc,
	})
	if err != nil {
		_ = audit.Close()
		return nil, nil, err
	}
	return srv, audit, nil
}

func proxyRun(ctx context.Context, opts *proxyOptions) error {
	f := opts.f
	if opts.TCP != "" {
		if err := checkLoopback(opts.TCP); err != nil {
			return usage.Errorf("%v", err)
		}
	}
	// One proxy per state dir: a second would take over the first's
	// sockets, leaving it serving none.
	if err := os.MkdirAll(f.Dirs.State, 0o700); err != nil {
		return err
	}
	lock := flock.New(filepath.Join(f.Dirs.State, "proxy.lock"))
	locked, err := lock.TryLock()
	if err != nil {
		return fmt.Errorf("lock the proxy's state: %w", err)
	}
	if !locked {
		running := ""
		if li := runningProxy(f); li != nil {
			running = fmt.Sprintf(" (pid %d)", li.PID)
		}
		return fmt.Errorf("another terok auth proxy runs for this user%s; stop it first, or use the one that runs", running)
	}
	defer func() { _ = lock.Unlock() }()
	routes, err := allRoutes(ctx, f)
	if err != nil {
		return err
	}
	auditPath := opts.Audit
	if auditPath == "" {
		auditPath = proxyAuditPath(f)
	}
	srv, audit, err := newProxyServer(f, daemonGrants{grantsRegistry(f)}, routes, auditPath, opts.MaxBody, opts.MaxConcurrent)
	if err != nil {
		return err
	}
	defer func() { _ = audit.Close() }()
	defer srv.Close()
	dir := proxySocketDir(f)
	info := listenerInfo{PID: os.Getpid(), SocketDir: dir}
	var mu sync.Mutex
	ready := func(id, addr string) {
		mu.Lock()
		defer mu.Unlock()
		if id == "" {
			info.TCP = addr
			fmt.Fprintf(f.IO.Out, "listening on %s (stand-ins of any grant)\n", addr)
			if err := writeListeners(f, info); err != nil {
				fmt.Fprintf(f.IO.ErrOut, "warning: %v; grant and env --proxy will not know the TCP address\n", err)
			}
			return
		}
		fmt.Fprintf(f.IO.Out, "listening on %s (grant %s)\n", addr, id)
	}
	if err := writeListeners(f, info); err != nil {
		return err
	}
	defer func() { _ = os.Remove(listenersPath(f)) }()
	fmt.Fprintf(f.IO.ErrOut, "terok proxy: sockets in %s; audit: %s; Ctrl-C stops it\n", dir, auditPath)
	err = srv.Run(ctx, proxy.Listeners{SocketDir: dir, TCP: opts.TCP, Ready: ready})
	if err == nil {
		fmt.Fprintln(f.IO.ErrOut, "terok proxy: stopped")
	}
	return err
}

func writeListeners(f *factory, info listenerInfo) error {
	data, err := json.Marshal(info)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(f.Dirs.State, 0o700); err != nil {
		return err
	}
	if err := safefile.WriteFile(listenersPath(f), append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("record where the proxy listens: %w", err)
	}
	return nil
}

func checkLoopback(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" || !sdkhost.IsLoopbackHost(host) || strings.EqualFold(host, "localhost") {
		return fmt.Errorf("--tcp %s: the proxy listens on a loopback address only (127.0.0.1:PORT)", addr)
	}
	return nil
}

// checkLabel is the registry's rule for a label (checked before anything
// is opened, so a bad one is a usage error), and keeps exec's mark for
// exec's grants.
func checkLabel(l string) error {
	if strings.IndexFunc(l, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 || len(l) > 200 {
		return usage.Errorf("--label: at most 200 characters, no control characters")
	}
	if strings.HasPrefix(l, execGrantPrefix) {
		return usage.Errorf("--label %q: labels starting with %s mark the grants of exec --proxy", l, execGrantPrefix)
	}
	return nil
}
