// Package auth is the login flow: it negotiates a mode with a provider, asks
// the user (through a Prompter) or takes a piped key, lets the provider turn
// the input into a credential, and stores it. It touches no terminal,
// keyring or plugin directly: each comes in through a narrow interface.
package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/go-hclog"

	"github.com/terok-ai/terok-auth/core/account"
	"github.com/terok-ai/terok-auth/core/capture"
	"github.com/terok-ai/terok-auth/core/container"
	"github.com/terok-ai/terok-auth/core/iostreams"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/prompt"
	"github.com/terok-ai/terok-auth/core/usage"
	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/secret"
)

// ParseMode reads a --mode value; "api-key" and "api_key" are the same.
func ParseMode(s string) (sdk.Mode, error) {
	m := sdk.Mode(strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "_"))
	if s == "" {
		return "", nil
	}
	if !m.Valid() {
		return "", usage.Errorf("unknown mode %q: choose api-key, oauth, device or setup-token", s)
	}
	return m, nil
}

// ModeLabel is how the menu names a mode.
func ModeLabel(m sdk.Mode) string {
	switch m {
	case sdk.ModeOAuth:
		return "OAuth / interactive login (launches container)"
	case sdk.ModeDevice:
		return "OAuth login — device code (launches container)"
	case sdk.ModeAPIKey:
		return "API key (paste key, no container needed)"
	case sdk.ModeSetupToken:
		return "Setup token (paste a long-lived token the tool printed, no container needed)"
	}
	return string(m)
}

// Saver stores a credential; account.Accounts is the real one.
type Saver interface {
	Save(ctx context.Context, set names.Set, provider names.Provider, c sdk.Credential) error
}

// Login holds what the flow needs from the outside world.
type Login struct {
	IO       *iostreams.IOStreams
	Prompter prompt.Prompter
	Store    Saver
	// Runner runs login containers; nil when there is no runtime.
	Runner container.Runner
	// Relayer relays a browser's callback into the login container; a
	// login whose spec has callback ports needs one.
	Relayer CallbackRelayer
	// Current, if set, reads the credential a login replaces, so files
	// holding its secret are found as well as the new one's.
	Current CurrentReader
	// Log, if set, learns each step of the login at debug level (trace.go).
	Log hclog.Logger
	// MountsDir holds the providers' shared config dirs, where state files
	// go; "" writes none.
	MountsDir string
	// TempDir is where private login dirs are made; "" is the system's.
	TempDir string
	// Limits bound what is read from a login container; zero is
	// capture.DefaultLimits.
	Limits capture.Limits
	// Secrets, if set, learns every secret the login handles, so the log
	// can mask it.
	Secrets SecretSink
	// Written, if set, records the provider's shared config dir and the
	// files a login creates there, so that logout removes them.
	Written *account.Written
	// Chosen is the mode the last Run chose (asked for, or picked from
	// the menu), so a caller that lets a mistyped key be typed again asks
	// for the same kind of key.
	Chosen sdk.Mode
}

// SecretSink learns secrets so the log can mask them; Hold and Release
// bracket a call that returns one (see redact.Writer).
type SecretSink interface {
	Add(...string)
	Hold()
	Release()
}

// secret tells the log's masker every string of c (leftover.Strings), and
// more.
func (l *Login) secret(c sdk.Credential, more ...string) {
	if l.Secrets == nil {
		return
	}
	l.Secrets.Add(append(more, secret.Strings(c.Fields)...)...)
}

// LoginRequest is one login.
type LoginRequest struct {
	// Name is the provider's name, as the registry opened it; Desc.Name
	// must be the same.
	Name     names.Provider
	Provider sdk.Provider
	Desc     *sdk.DescribeResponse
	Set      names.Set
	// Mode is the mode the user asked for, or "".
	Mode sdk.Mode
	// Key is the key read from stdin for --with-key, or nil to prompt.
	Key *string
	// ContainerRuntime is true when podman is available.
	ContainerRuntime bool
	// Project names the project the login is for; "" is host-wide.
	Project container.Project
	// Image overrides the provider's default login image.
	Image string
	// Host is the server the credential is for (--host), "" for the
	// provider's default; the credential is then stored beside the
	// default host's, under PROVIDER:HOST.
	Host names.Host

	// old are the secrets of the credential the login replaces, when a
	// session has read it already (oldKnown): it is not read again.
	old      []string
	oldKnown bool
}

// Run performs one login. Nothing is stored unless every step before the
// store succeeded, so a failed login leaves the previous credential as it was.
func (l *Login) Run(ctx context.Context, req LoginRequest) error {
	if req.Name == "" || req.Desc == nil || req.Desc.Name != string(req.Name) {
		// A caller's mistake, not the user's: the name stores the
		// credential, so it must be the provider that was opened.
		return fmt.Errorf("login: provider %q is not the one opened", req.Name)
	}
	if req.Set == "" {
		// The zero value: no caller parsed a set (names.ParseSet).
		return errors.New("login: no credential set")
	}
	if req.Key != nil {
		if req.Mode != "" && !req.Mode.TakesKey() {
			return usage.Errorf("--with-key gives an API key or a setup token, but --mode is %s", req.Mode)
		}
		if req.Mode == "" {
			req.Mode = sdk.ModeAPIKey
		}
	}
	done := l.step("login", "provider", req.Name, "set", req.Set, "host", req.Host)
	mode, err := l.chooseMode(ctx, req)
	if err != nil {
		done(err)
		return err
	}
	l.Chosen = mode
	if mode.TakesKey() {
		err = l.apiKey(ctx, req, mode)
	} else {
		err = l.containerLogin(ctx, req, mode)
	}
	done(err, "mode", mode)
	return err
}

func (l *Login) chooseMode(ctx context.Context, req LoginRequest) (sdk.Mode, error) {
	name := req.Desc.Name
	done := l.step("negotiate", "provider", name, "requested", req.Mode)
	neg, err := req.Provider.Negotiate(ctx, &sdk.NegotiateRequest{
		Interactive:      l.IO.CanPrompt(),
		ContainerRuntime: req.ContainerRuntime,
		OAuthAllowed:     true,
		Requested:        req.Mode,
	})
	if neg != nil {
		done(err, "modes", sdk.JoinModes(neg.Modes), "default", neg.Default)
	} else {
		done(err)
	}
	if errors.Is(err, sdk.ErrUnsupportedMode) {
		return "", usage.Errorf("%s does not support mode %s (it supports: %s)", name, req.Mode, sdk.JoinModes(req.Desc.Modes))
	}
	if err != nil {
		return "", fmt.Errorf("%s: negotiate login mode: %w", name, err)
	}
	// With the mode fixed, only that mode's spec matters: no RPC for a
	// mode this login will not use.
	check := neg.Modes
	if req.Mode != "" {
		check = []sdk.Mode{req.Mode}
	}
	cannot := l.cannotRun(ctx, req, check)
	neg = demoteModes(neg, req.Mode, cannot)
	if req.Mode != "" {
		if contains(neg.Modes, req.Mode) {
			return req.Mode, nil
		}
		// The runtime knows best how to explain its own absence.
		if req.Mode.NeedsContainer() && !req.ContainerRuntime && l.Runner != nil {
			if err := l.Runner.Check(ctx); err != nil {
				return "", err
			}
		}
		return "", fmt.Errorf("%s: mode %s is not possible here: %s", name, req.Mode, reason(neg, req.Mode))
	}
	switch {
	case len(neg.Modes) == 0:
		var why []string
		for _, u := range neg.Unavailable {
			why = append(why, fmt.Sprintf("%s: %s", u.Mode, u.Reason))
		}
		return "", fmt.Errorf("%s: no login mode is possible here (%s)", name, strings.Join(why, "; "))
	case len(neg.Modes) == 1 || !l.IO.CanPrompt():
		if !contains(neg.Modes, neg.Default) {
			return neg.Modes[0], nil
		}
		return neg.Default, nil
	}
	options := make([]string, len(neg.Modes))
	def := 0
	for i, m := range neg.Modes {
		options[i] = ModeLabel(m)
		if why, ok := cannot[m]; ok {
			options[i] += " — cannot run yet: " + why
		}
		if m == neg.Default {
			def = i
		}
	}
	i, err := l.Prompter.Select(ctx, fmt.Sprintf("How do you want to authenticate %s?", req.Desc.Label), options, def)
	if err != nil {
		return "", err
	}
	return neg.Modes[i], nil
}

// noImageReason is what the menu says of a container mode with no image.
const noImageReason = "no login image is set (--image or TEROK_AUTH_IMAGE; docs/login-images.md shows how to build one)"

// cannotRun finds the offered container modes that would fail at once for
// want of an image: none given by the user and none by the provider. Such
// modes go behind the others, so the default (Enter, or no terminal) is one
// that can run. A provider whose spec cannot be had is left as it is: the
// login itself will say what is wrong.
func (l *Login) cannotRun(ctx context.Context, req LoginRequest, modes []sdk.Mode) map[sdk.Mode]string {
	if req.Image != "" {
		return nil
	}
	var why map[sdk.Mode]string
	for _, m := range modes {
		if !m.NeedsContainer() {
			continue
		}
		done := l.step("container spec", "provider", req.Name, "mode", m, "for", "image check")
		spec, err := req.Provider.ContainerSpec(ctx, &sdk.ContainerSpecRequest{Mode: m, Host: string(req.Host)})
		done(err)
		if err != nil || spec.Image != "" {
			continue
		}
		if why == nil {
			why = map[sdk.Mode]string{}
		}
		why[m] = noImageReason
	}
	return why
}

// keyWord is what a key-pasting mode asks for, in messages.
func keyWord(m sdk.Mode) string {
	if m == sdk.ModeSetupToken {
		return "setup token"
	}
	return "API key"
}

// apiKey is the login of a mode that takes a pasted secret (api_key,
// setup_token): the provider learns the mode, so it can tell a setup token
// pasted as an API key from one pasted as what it is.
func (l *Login) apiKey(ctx context.Context, req LoginRequest, mode sdk.Mode) error {
	name := req.Desc.Name
	what := keyWord(mode)
	var key string
	if req.Key != nil {
		key = *req.Key
	} else {
		if !l.IO.CanPrompt() {
			flag := "--with-key"
			if mode != sdk.ModeAPIKey {
				flag = "--mode " + strings.ReplaceAll(string(mode), "_", "-") + " --with-key"
			}
			return usage.Errorf("no terminal to ask for the %s %s on: pipe it to standard input with %s", name, what, flag)
		}
		done := l.step("key prompt", "provider", name, "mode", mode)
		kp, err := req.Provider.KeyPrompt(ctx, &sdk.KeyPromptRequest{Mode: mode})
		done(err)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		l.showKeyHint(kp)
		label := kp.Label
		if label == "" {
			label = req.Desc.Label + " " + what
		}
		key, err = l.Prompter.Secret(ctx, label+": ")
		if err != nil {
			return err
		}
	}
	key = strings.TrimSpace(key)
	if key == "" {
		return fmt.Errorf("no %s entered; nothing was stored", what)
	}
	if err := checkKeyText(key); err != nil {
		return fmt.Errorf("%s: %w; nothing was stored", name, err)
	}
	l.secret(sdk.Credential{}, key)
	done := l.step("accept key", "provider", name, "mode", mode)
	resp, err := req.Provider.AcceptKey(ctx, &sdk.AcceptKeyRequest{Key: key, Mode: mode})
	if err == nil {
		done(nil, "type", resp.Credential.Type, "key_files", len(resp.KeyFiles))
	} else {
		done(err, "invalid_key", errors.Is(err, sdk.ErrInvalidKey))
	}
	if errors.Is(err, sdk.ErrInvalidKey) {
		return fmt.Errorf("%s: %w; nothing was stored", name, err)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	l.secret(resp.Credential)
	if err := checkCredential(resp.Credential); err != nil {
		return fmt.Errorf("%s returned an unusable credential: %w; nothing was stored", name, err)
	}
	// Key files are for tools that insist on a config file: they hold a
	// stand-in, never the key, which reaches the tool through terok auth
	// exec.
	if err := refuseSecretFiles(req.Desc, resp.Credential, resp.KeyFiles, "key", key); err != nil {
		return err
	}
	cred, err := forHost(name, req, resp.Credential, true)
	if err != nil {
		return err
	}
	old := l.previousSecrets(ctx, req)
	if err := l.save(ctx, req, cred); err != nil {
		return err
	}
	l.afterSave(ctx, req, cred, old, resp.KeyFiles, "key")
	fmt.Fprintf(l.IO.ErrOut, "%s stored for %s (set: %s)\n", upperFirst(what), req.where(), req.Set)
	return nil
}

// checkCredential is what the host asks of every credential a provider
// hands it, whatever the provider's own tests said: a valid one, with its
// secret in a field the host knows as secret (sdk.CheckSecretField), since
// masking and the checks on shared dirs find secrets by field name.
func checkCredential(c sdk.Credential) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if err := sdk.CheckSecretField(c); err != nil {
		return fmt.Errorf("%w; this is a fault in the provider: report it to its author", err)
	}
	return nil
}

func (l *Login) showKeyHint(kp *sdk.KeyPromptResponse) {
	w := l.IO.ErrOut
	if kp.Hint != "" {
		fmt.Fprintln(w, kp.Hint)
	}
	if kp.URL != "" {
		fmt.Fprintf(w, "Get a key at: %s\n", kp.URL)
	}
	if kp.FormatHint != "" {
		fmt.Fprintf(w, "The key %s.\n", kp.FormatHint)
	}
}

func reason(neg *sdk.NegotiateResponse, m sdk.Mode) string {
	for _, u := range neg.Unavailable {
		if u.Mode == m {
			return u.Reason
		}
	}
	return "the provider does not offer it now"
}

func contains(ms []sdk.Mode, m sdk.Mode) bool {
	return slices.Contains(ms, m)
}

// save stores the credential, as one logged step.
func (l *Login) save(ctx context.Context, req LoginRequest, c sdk.Credential) error {
	done := l.step("store", "set", req.Set, "slot", req.slot(), "type", c.Type)
	err := l.Store.Save(ctx, req.Set, req.slot(), c)
	done(err)
	return err
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
