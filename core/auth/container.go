package auth

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/terok-ai/terok-auth/core/capture"
	"github.com/terok-ai/terok-auth/core/container"
	"github.com/terok-ai/terok-auth/core/usage"
	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/host"
)

// ErrStopped means the user stopped the login container (exit 130).
var ErrStopped = errors.New("login container stopped")

// maxListed bounds the files a failed capture lists.
const maxListed = 20

// tempPrefix names the private dirs mounted into login containers; the pid
// that follows lets a later login remove the dirs of a terok that was killed.
const tempPrefix = "terok-auth-"

// cleanupTimeout bounds removing a container after the login was stopped,
// when the login's own context is already done.
const cleanupTimeout = 15 * time.Second

func (l *Login) containerLogin(ctx context.Context, req LoginRequest, mode sdk.Mode) error {
	name, label := req.Desc.Name, req.Desc.Label
	if l.Runner == nil {
		return fmt.Errorf("%s: no container runtime is configured", name)
	}
	if err := l.Runner.Check(ctx); err != nil {
		return err
	}
	done := l.step("container spec", "provider", name, "mode", mode)
	spec, err := req.Provider.ContainerSpec(ctx, &sdk.ContainerSpecRequest{Mode: mode, Host: string(req.Host)})
	done(err)
	if errors.Is(err, sdk.ErrUnimplemented) {
		return fmt.Errorf("%s: the plugin does not implement container logins (was it built for an older terok?); use --mode api-key: %w", name, err)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := checkSpec(spec); err != nil {
		return fmt.Errorf("%s asked for a login container terok will not run: %w", name, err)
	}
	image := req.Image
	if image != "" {
		if err := host.CheckImage(image); err != nil {
			return usage.Errorf("the image chosen with --image, TEROK_AUTH_IMAGE or auth_image cannot be used: %v", err)
		}
	} else {
		image = spec.Image
	}
	if image == "" {
		return usage.Errorf("no image to run %s's %s login in: pass --image, set TEROK_AUTH_IMAGE, or set auth_image in the config. "+
			"docs/login-images.md has a short Containerfile per provider and the commands to build and use it; "+
			"or log in with an API key: --mode api-key", name, mode)
	}

	l.sweep(ctx)
	cname := container.Name(req.Project, req.Name)
	if err := l.clearName(ctx, cname, req); err != nil {
		return err
	}
	callbacks, err := l.listenCallbacks(name, spec, cname)
	if err != nil {
		return err
	}
	defer func() { _ = callbacks.Close() }()

	tmp, err := os.MkdirTemp(l.TempDir, fmt.Sprintf("%s%d-%s-", tempPrefix, os.Getpid(), name))
	if err != nil {
		return fmt.Errorf("create a private directory for the login: %w", err)
	}
	// Whatever happens from here on (success, failure, Ctrl-C, SIGTERM), the
	// directory, which holds the tool's secrets while the container runs,
	// goes.
	defer l.wipe(tmp)

	run := container.Spec{
		Name: cname, Image: image, Command: spec.Command,
		HostDir: tmp, ConfigPath: spec.ConfigPath,
		RunArgs: spec.RunArgs, Env: spec.Env,
		Labels: container.OwnerLabels(),
		TTY:    l.IO.CanPrompt(),
	}
	run.Labels[container.Label+".provider"] = name
	run.UserNS = userNS(spec, container.IsRoot())

	w := l.IO.ErrOut
	if req.Project != "" {
		fmt.Fprintf(w, "Authenticating %s for project: %s\n", label, req.Project)
	} else {
		fmt.Fprintf(w, "Authenticating %s (host-wide)\n", label)
	}
	if spec.Banner != "" {
		fmt.Fprintln(w, spec.Banner)
	}
	fmt.Fprintf(w, "$ %s\n", shellJoin(l.Runner.CommandLine(run)))

	out := l.IO.ErrOut // keep stdout for data; on a terminal both are the screen
	if run.TTY {
		out = l.IO.Out
	}
	done = l.step("container run", "name", cname, "image", image, "callback_ports", len(spec.CallbackPorts))
	code, err := l.Runner.Run(ctx, run, container.Stdio{In: l.IO.In, Out: out, Err: l.IO.ErrOut})
	done(err, "exit", code, "interrupted", ctx.Err() != nil)
	_ = callbacks.Close() // the CLI is gone: let go of its ports and network namespace before cleaning up
	if ctx.Err() != nil || err != nil || code != 0 {
		// --rm removes the container when podman sees it end, but podman
		// may have been stopped first: a closed terminal sends it SIGHUP
		// too. Only this login's own container is removed.
		l.removeAfterStop(cname)
	}
	if ctx.Err() != nil {
		fmt.Fprintln(w, "Authentication interrupted.")
		return ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("%s: run the login container: %w", name, err)
	}
	switch code {
	case 0:
	case 130:
		return fmt.Errorf("%w: the %s login was stopped before it finished; nothing was captured", ErrStopped, label)
	case 125:
		// Two logins that started together both found the name free; the
		// one podman refused says so, rather than blaming the image.
		if ex, err := l.Runner.Existing(ctx, cname); err == nil && ex != nil && !container.Mine(ex.Labels) {
			if err := busy(ex, cname, req); err != nil {
				return err
			}
		}
		return fmt.Errorf("podman could not run the login container (exit 125; its message is above). "+
			"If the image %s is missing, pull or build it, or choose another with --image", image)
	case 126, 127:
		return fmt.Errorf("the login command %q could not be run in %s (exit %d): is it installed in that image?", strings.Join(spec.Command, " "), image, code)
	default:
		return fmt.Errorf("the %s login exited with code %d; nothing was captured. Run it again, or choose another way with --mode", label, code)
	}

	res, err := capture.ReadSkipping(ctx, tmp, l.limits(), spec.SkipPaths)
	if ctx.Err() != nil {
		fmt.Fprintln(w, "Authentication interrupted.")
		return ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("read what the login left: %w", err)
	}
	for _, s := range res.Skipped {
		fmt.Fprintf(w, "warning: not read: %s\n", s)
	}
	// The plugin sees the tokens before the host does, and may log them:
	// its log waits until the host knows what to mask. Lines forwarded
	// after Release are masked too, the secrets being known by then.
	if l.Secrets != nil {
		l.Secrets.Hold()
	}
	done = l.step("capture", "provider", name, "files", len(res.Files), "skipped", len(res.Skipped))
	resp, err := req.Provider.Capture(ctx, &sdk.CaptureRequest{Mode: mode, Files: res.Files})
	if err == nil {
		l.secret(resp.Credential)
		done(nil, "type", resp.Credential.Type, "state_files", len(resp.StateFiles))
	} else {
		done(err, "nothing_captured", errors.Is(err, sdk.ErrNothingCaptured))
	}
	if l.Secrets != nil {
		l.Secrets.Release()
	}
	if errors.Is(err, sdk.ErrNothingCaptured) {
		fmt.Fprintf(w, "warning: no credential found in what the %s login left behind. %s\n", label, listFiles(res.Found))
		return fmt.Errorf("%s: %w; nothing was stored", name, err)
	}
	if err != nil {
		return fmt.Errorf("%s: %w; nothing was stored", name, err)
	}
	if err := checkCredential(resp.Credential); err != nil {
		return fmt.Errorf("%s captured an unusable credential: %w; nothing was stored", name, err)
	}
	if err := refuseSecretFiles(req.Desc, resp.Credential, resp.StateFiles, "state"); err != nil {
		return err
	}
	cred, err := forHost(name, req, resp.Credential, false)
	if err != nil {
		return err
	}
	old := l.previousSecrets(ctx, req)
	if err := l.save(ctx, req, cred); err != nil {
		return err
	}
	l.afterSave(ctx, req, cred, old, resp.StateFiles, "state")
	fmt.Fprintf(w, "Credentials captured for %s (set: %s)\n", req.where(), req.Set)
	return nil
}

// writeFiles writes a provider's state or key files into its shared config
// dir and returns the files it created (not those it added keys to).
func (l *Login) writeFiles(desc *sdk.DescribeResponse, files map[string][]byte, kind string) []string {
	if len(files) == 0 {
		return nil
	}
	if desc.HostDir == "" || l.MountsDir == "" {
		fmt.Fprintf(l.IO.ErrOut, "warning: %s has %s files but no shared config dir; they were not written\n", desc.Name, kind)
		return nil
	}
	dir := filepath.Join(l.MountsDir, desc.HostDir)
	fresh := newFiles(dir, files)
	written, err := capture.WriteState(l.MountsDir, desc.HostDir, files)
	if err != nil {
		fmt.Fprintf(l.IO.ErrOut, "warning: the credential is stored, but %s's %s files were not written: %v\n", desc.Name, kind, err)
	}
	var created []string
	for _, p := range fresh {
		for _, w := range written {
			if w == p {
				created = append(created, p)
			}
		}
	}
	return created
}

func (l *Login) limits() capture.Limits {
	if l.Limits != (capture.Limits{}) {
		return l.Limits
	}
	return capture.DefaultLimits
}

// userNS is the user mapping of a login container. Rootless, the user's own
// ids become the ones the spec's tool runs as, so what it writes in the
// mounted dir is the user's on the host; as root there is nothing to map.
// checkSpec has checked spec.User.
func userNS(spec *sdk.ContainerSpecResponse, root bool) string {
	if root {
		return ""
	}
	uid, gid, _ := host.ParseUser(spec.User)
	return fmt.Sprintf("keep-id:uid=%d,gid=%d", uid, gid)
}

// checkSpec refuses container specs that would reach beyond the login:
// mounts or privileges through run args, or a bad mount point.
func checkSpec(spec *sdk.ContainerSpecResponse) error {
	if err := host.CheckContainerSpec(spec); err != nil {
		return err
	}
	return checkCallbacks(spec)
}

// clearName makes way for the login's container. A container of that name
// whose terok is gone is removed; one whose terok still runs (another login
// for the same project and provider) is never touched: that login would
// lose its container and its user the credential.
func (l *Login) clearName(ctx context.Context, cname string, req LoginRequest) error {
	ex, err := l.Runner.Existing(ctx, cname)
	if err != nil || ex == nil {
		return err
	}
	if err := busy(ex, cname, req); err != nil {
		return err
	}
	if removed, err := l.Runner.Remove(ctx, cname); err != nil {
		return err
	} else if removed {
		fmt.Fprintf(l.IO.ErrOut, "Removing existing auth container: %s\n", cname)
	}
	return nil
}

// busy says why the existing container ex must be left alone, or returns
// nil when it may go.
func busy(ex *container.Existing, cname string, req LoginRequest) error {
	if ex.Labels[container.Label] == "" {
		if ex.Running {
			return fmt.Errorf("a container named %s, which terok did not start, is running; "+
				"stop it, or remove it with: podman rm -f %s", cname, cname)
		}
		return nil
	}
	o := container.OwnerOf(ex.Labels)
	if !o.Alive {
		return nil
	}
	what := "host-wide"
	if req.Project != "" {
		what = "project " + string(req.Project)
	}
	return fmt.Errorf("a login for %s (%s) is already running (%s) in container %s; finish or stop it first. "+
		"If that terok is gone, remove the container with: podman rm -f %s", req.Desc.Name, what, o, cname, cname)
}

// wipe removes a private login dir, which may hold the tool's secrets,
// however the container left it.
func (l *Login) wipe(dir string) {
	if err := capture.Wipe(dir); err != nil {
		fmt.Fprintf(l.IO.ErrOut, "warning: could not remove the private login directory, which may hold secrets: %v; remove it with: rm -rf %s\n", err, dir)
	}
}

// sweep removes what a killed terok left: its login containers and its
// private directories. Failures only delay the cleanup to the next login.
func (l *Login) sweep(ctx context.Context) {
	if names, err := l.Runner.Stale(ctx); err == nil {
		for _, n := range names {
			if _, err := l.Runner.Remove(ctx, n); err == nil {
				fmt.Fprintf(l.IO.ErrOut, "Removed auth container %s, left by a terok that did not finish\n", n)
			}
		}
	}
	dir := l.TempDir
	if dir == "" {
		dir = os.TempDir()
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, tempPrefix+"*"))
	for _, d := range leftovers {
		pidStr, _, _ := strings.Cut(strings.TrimPrefix(filepath.Base(d), tempPrefix), "-")
		pid, err := strconv.Atoi(pidStr)
		if err != nil || pid == os.Getpid() || container.ProcessAlive(pid) || !ownedByMe(d) {
			continue
		}
		_ = capture.Wipe(d)
	}
}

func (l *Login) removeAfterStop(name string) {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	ex, err := l.Runner.Existing(ctx, name)
	if err == nil && (ex == nil || !container.Mine(ex.Labels)) {
		return // gone, or another login's
	}
	if _, err := l.Runner.Remove(ctx, name); err != nil {
		fmt.Fprintf(l.IO.ErrOut, "warning: could not remove the login container: %v; remove it with: podman rm -f %s\n", err, name)
	}
}

func listFiles(found []string) string {
	if len(found) == 0 {
		return "It left no files at all: did the login finish?"
	}
	shown := found
	more := ""
	if len(found) > maxListed {
		shown, more = found[:maxListed], fmt.Sprintf(" (and %d more)", len(found)-maxListed)
	}
	quoted := make([]string, len(shown))
	for i, f := range shown {
		quoted[i] = capture.Display(f)
	}
	return fmt.Sprintf("Files found: %s%s", strings.Join(quoted, ", "), more)
}

func needsQuote(r rune) bool {
	plain := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=,@+%", r)
	return !plain
}

// shellJoin quotes args for display so the line can be pasted into a shell.
func shellJoin(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a != "" && strings.IndexFunc(a, needsQuote) < 0 {
			out[i] = a
		} else {
			out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(out, " ")
}
