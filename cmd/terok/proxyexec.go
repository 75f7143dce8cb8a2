package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/terok-ai/terok-auth/core/container"
	"github.com/terok-ai/terok-auth/core/inject"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/proxy"
	"github.com/terok-ai/terok-auth/core/route"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/core/usage"
)

// execGrantPrefix starts the label of the grant of `exec --proxy`, with
// the pid of the terok that holds it, so a later run can revoke the
// grant of a terok that was killed before it could.
const execGrantPrefix = "exec:"

func execGrantLabel(label string) string {
	l := execGrantPrefix + strconv.Itoa(os.Getpid())
	if label != "" {
		l += " " + label
	}
	return l
}

// sweepExecGrants revokes the live grants of `exec --proxy` runs whose
// terok no longer runs (SIGKILL leaves no time to revoke).
func sweepExecGrants(ctx context.Context, f *factory) {
	reg := grantsRegistry(f)
	gs, err := reg.List()
	if err != nil {
		return
	}
	now := time.Now()
	for _, g := range gs {
		rest, ok := strings.CutPrefix(g.Label, execGrantPrefix)
		if !ok || !g.Live(now) {
			continue
		}
		pidText, _, _ := strings.Cut(rest, " ")
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid == os.Getpid() || container.ProcessAlive(pid) {
			continue
		}
		if _, err := reg.Revoke(ctx, g.ID); err == nil {
			f.named("proxy").Debug("revoked the grant of a terok exec --proxy that is gone", "grant", g.ID, "pid", pid)
		}
	}
}

// execProxyRun is `exec --proxy`: a proxy of its own, for one grant that
// lasts as long as the command. The command gets the stand-ins and the
// proxy's address, never a credential. When the command ends, however
// it ends (a signal to terok is passed on to it, and terok waits), the
// grant is revoked and the socket removed.
func execProxyRun(ctx context.Context, opts *execOptions) error {
	f := opts.f
	sweepExecGrants(ctx, f)
	src, err := f.Providers()
	if err != nil {
		return err
	}
	routes := map[string][]route.Route{}
	for _, t := range opts.Providers {
		rs, err := routesOf(ctx, f, src, t.Provider)
		if err != nil {
			return err
		}
		routes[string(t.Provider.Base())] = rs
	}
	base := f.Getenv("XDG_RUNTIME_DIR")
	if st, err := os.Stat(base); base == "" || err != nil || !st.IsDir() {
		base = ""
	}
	dir, err := os.MkdirTemp(base, "terok-proxy-")
	if err != nil {
		return fmt.Errorf("make the proxy's socket directory: %w", err)
	}
	defer func() { _ = os.RemoveAll(dir) }()
	if err := os.Chmod(dir, 0o700); err != nil {
		return err
	}
	tcpLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("open the proxy's loopback listener: %w", err)
	}
	defer func() { _ = tcpLn.Close() }()
	tcpURL := "http://" + tcpLn.Addr().String()
	v, err := issueGrant(ctx, f, opts.Providers, opts.Set, opts.TTL, execGrantLabel(opts.Label), dir, tcpURL, nil)
	if err != nil {
		return err
	}
	// From here on, the grant ends with this function, whatever happens.
	defer func() {
		if _, err := grantsRegistry(f).Revoke(context.WithoutCancel(ctx), v.ID); err != nil {
			fmt.Fprintf(f.IO.ErrOut, "warning: revoke grant %s: %v; revoke it with: terok auth revoke %s\n", v.ID, err, v.ID)
		}
	}()
	srv, audit, err := newProxyServer(f, grantsRegistry(f), routes, proxyAuditPath(f), proxy.DefaultMaxBody, proxy.DefaultMaxConcurrent)
	if err != nil {
		return err
	}
	defer func() { _ = audit.Close() }()
	defer srv.Close()
	sockLn, err := net.Listen("unix", v.Socket)
	if err != nil {
		return fmt.Errorf("open the grant's socket: %w", err)
	}
	if err := os.Chmod(v.Socket, 0o600); err != nil {
		_ = sockLn.Close()
		return err
	}
	servers := []*http.Server{srv.HTTPServer(v.ID), srv.HTTPServer(v.ID)}
	go func() { _ = servers[0].Serve(tcpLn) }()
	go func() { _ = servers[1].Serve(sockLn) }()
	defer func() {
		for _, s := range servers {
			_ = s.Close()
		}
	}()
	// A tool that reads its credential from a file gets the provider's
	// files rendered over a stand-in credential (proxyfiles.go).
	dirs, fileEnv, served, err := standInDirs(ctx, src, v, tcpURL, time.Now())
	if err != nil {
		return err
	}
	for _, h := range v.Hints {
		if p, _, _ := strings.Cut(h, ": "); served[p] {
			continue // the files point the tool at the proxy already
		}
		fmt.Fprintf(f.IO.ErrOut, "note: %s\n", h)
	}
	f.named("proxy").Debug("exec --proxy", "grant", v.ID, "socket", v.Socket, "tcp", tcpURL)
	env := map[string]string{}
	for k, val := range fileEnv {
		env[k] = val
	}
	for k, val := range v.Env {
		env[k] = val
	}
	// No WriteBack: what a tool leaves in its stand-in files is never
	// taken for a credential.
	plan := &inject.Plan{Env: env, Dirs: dirs, Secrets: standInValues(v)}
	f.Redact.Add(plan.Secrets...)
	code, err := plan.Exec(opts.Command, inject.ExecConfig{
		Stdin: f.IO.In, Stdout: f.IO.Out, Stderr: f.IO.ErrOut, InTTY: f.IO.InTTY, Getenv: f.Getenv,
		Env: withoutOverrides(os.Environ(), opts.Providers),
		Debug: func(msg string, args ...any) {
			if f.Logger != nil {
				f.Logger.Debug(msg, args...)
			}
		},
	})
	return &commandExit{code: code, err: err}
}

func standInValues(v *grantView) []string {
	out := make([]string, 0, len(v.StandIns))
	for _, s := range v.StandIns {
		out = append(out, s)
	}
	return out
}

// withoutOverrides is env without the TEROK_<PROVIDER>_API_KEY of the
// proxied providers: a command behind the proxy gets no real key, not
// even the one the user handed terok in its environment.
func withoutOverrides(env []string, targets []names.Target) []string {
	drop := map[string]bool{}
	for _, t := range targets {
		drop[store.EnvVar(t.Provider)] = true
	}
	out := env[:0:0]
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if !drop[k] {
			out = append(out, kv)
		}
	}
	return out
}

// envProxyRun is `env --proxy`: a grant for the running `terok auth
// proxy`, printed as the variables a tool reads.
func envProxyRun(ctx context.Context, opts *envOptions) error {
	f := opts.f
	running := runningProxy(f)
	tcp := ""
	if running != nil {
		tcp = running.TCP
	}
	label := opts.Label
	if label == "" {
		label = "env"
	}
	src, err := f.Providers()
	if err != nil {
		return err
	}
	v, err := issueGrant(ctx, f, opts.Providers, opts.Set, opts.TTL, label, proxySocketDir(f), tcp, refuseFileOnly(ctx, src))
	if err != nil {
		return err
	}
	out, err := (&inject.Plan{Env: v.Env}).Format(opts.Format)
	var cc *inject.ErrCannotCarry
	if errors.As(err, &cc) {
		return usage.Errorf("%v", err)
	}
	if err != nil {
		return err
	}
	if _, err := fmt.Fprint(f.IO.Out, out); err != nil {
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "Grant %s, until %s; end it with: terok auth revoke %s\n", v.ID, v.Expires.Local().Format(time.RFC3339), v.ID)
	switch {
	case running == nil:
		fmt.Fprintln(f.IO.ErrOut, "note: no terok auth proxy runs now: start one (terok auth proxy --tcp 127.0.0.1:PORT) for the stand-ins to work; without TCP there is no base URL to print, only the socket")
	case tcp == "":
		fmt.Fprintln(f.IO.ErrOut, "note: the running proxy has no TCP listener, so no base URL is printed: tools reach it through the socket (TEROK_PROXY_SOCKET), or restart it with --tcp 127.0.0.1:PORT")
	}
	for _, h := range v.Hints {
		fmt.Fprintf(f.IO.ErrOut, "note: %s\n", h)
	}
	return nil
}

// proxyFlags adds --proxy, --ttl and --label to exec and env.
func proxyFlags(cmd *cobra.Command, on *bool, ttl *time.Duration, label *string, what string) {
	cmd.Flags().BoolVar(on, "proxy", false, "stand-ins instead of credentials, "+what)
	cmd.Flags().DurationVar(ttl, "ttl", 12*time.Hour, "with --proxy: how long the grant lasts at most")
	cmd.Flags().StringVar(label, "label", "", "with --proxy: a name for the grant, in grants and the audit log")
}

// checkProxyFlags refuses --ttl and --label without --proxy, and
// --allow-expired with it (the proxy renews; it never sends an expired
// credential).
func checkProxyFlags(cmd *cobra.Command, on bool, ttl time.Duration) error {
	if !on {
		for _, n := range []string{"ttl", "label"} {
			if cmd.Flags().Changed(n) {
				return usage.Errorf("--%s is for --proxy", n)
			}
		}
		return nil
	}
	label := cmd.Flags().Lookup("label").Value.String()
	if cmd.Name() == "env" {
		if err := checkLabel(label); err != nil {
			return err
		}
	} else if full := execGrantLabel(label); len(full) > 200 {
		return usage.Errorf("--label: at most %d characters with --proxy", 200-(len(full)-len(label)))
	} else if err := checkLabel(full[len(execGrantPrefix):]); err != nil {
		return err
	}
	if cmd.Flags().Changed("allow-expired") {
		return usage.Errorf("--allow-expired does not go with --proxy: the proxy renews a credential, and never sends an expired one")
	}
	if ttl <= 0 {
		return usage.Errorf("--ttl %s: a grant must last a positive time", ttl)
	}
	return nil
}
