package sdk

import "context"

// ProtocolVersion is the version of the host–plugin protocol that this SDK
// speaks. The host and a plugin negotiate it during the handshake.
const ProtocolVersion = 1

// Provider is what a terok auth provider implements. Every method receives a
// context that the host cancels when it gives up on the call (a timeout or
// Ctrl-C); long work should watch it.
//
// Request and response types are structs so that fields can be added later
// without breaking anyone; a zero field always means "not set".
type Provider interface {
	// Describe says who the provider is. It must be cheap and return the
	// same answer every time.
	Describe(ctx context.Context, req *DescribeRequest) (*DescribeResponse, error)

	// Negotiate picks the login modes that are possible right now. See
	// NegotiateModes for a helper that covers the usual rules.
	Negotiate(ctx context.Context, req *NegotiateRequest) (*NegotiateResponse, error)

	// KeyPrompt tells the host how to ask for an API key.
	KeyPrompt(ctx context.Context, req *KeyPromptRequest) (*KeyPromptResponse, error)

	// AcceptKey checks what the user typed and turns it into the credential
	// to store. Return an error wrapping ErrInvalidKey for bad input.
	AcceptKey(ctx context.Context, req *AcceptKeyRequest) (*AcceptKeyResponse, error)

	// ContainerSpec describes the login container for the oauth and device
	// modes. Return an error wrapping ErrUnsupportedMode for other modes.
	ContainerSpec(ctx context.Context, req *ContainerSpecRequest) (*ContainerSpecResponse, error)

	// Capture reads the credential out of the files the login container
	// left behind. Return an error wrapping ErrNothingCaptured when there is
	// none.
	Capture(ctx context.Context, req *CaptureRequest) (*CaptureResponse, error)
}

// Mode is a way of logging in.
type Mode string

// The login modes a provider may support.
const (
	// ModeAPIKey: the user pastes a key; no container runs.
	ModeAPIKey Mode = "api_key"
	// ModeOAuth: the vendor's own login runs in a container, usually with a
	// browser callback.
	ModeOAuth Mode = "oauth"
	// ModeDevice: the vendor's login runs in a container and shows a device
	// code to enter in a browser elsewhere.
	ModeDevice Mode = "device"
	// ModeSetupToken: the user pastes a long-lived OAuth token that the
	// vendor's own CLI printed (claude setup-token); no container runs. It
	// is asked for and accepted like a key (KeyPrompt, AcceptKey, with
	// the mode in the request), but it is not an API key: a provider
	// stores it as its own type and injects it where the tool reads a
	// token.
	ModeSetupToken Mode = "setup_token"
)

// Valid reports whether m is one of the modes this SDK knows.
func (m Mode) Valid() bool {
	switch m {
	case ModeAPIKey, ModeOAuth, ModeDevice, ModeSetupToken:
		return true
	}
	return false
}

// NeedsContainer reports whether logging in with m runs a container.
func (m Mode) NeedsContainer() bool { return m == ModeOAuth || m == ModeDevice }

// TakesKey reports whether logging in with m means pasting a secret
// (KeyPrompt, then AcceptKey): api_key and setup_token.
func (m Mode) TakesKey() bool { return m == ModeAPIKey || m == ModeSetupToken }

// DescribeRequest is empty today.
type DescribeRequest struct{}

// DescribeResponse says who a provider is.
type DescribeResponse struct {
	// Name is the provider's identifier: lower case letters, digits, '-' and
	// '_', starting with a letter. It must match the binary's name
	// (terok-provider-NAME).
	Name string
	// Label is the name people know the tool by, e.g. "Claude".
	Label string
	// Version is the provider's own version, free-form.
	Version string
	// Modes lists every mode the provider supports, in its order of
	// preference.
	Modes []Mode
	// Description is one line about the provider, shown in listings.
	Description string
	// KeyURL is where a user gets an API key, if the provider has keys.
	KeyURL string
	// DocsURL points at the tool's own documentation of authentication.
	DocsURL string
	// HostDir is the name of the provider's shared config directory on the
	// host (e.g. "_claude-config"); the host writes state files there.
	HostDir string
	// ProtocolVersion is filled in by the SDK; providers leave it zero.
	ProtocolVersion int
}

// NegotiateRequest says what the host can offer right now.
type NegotiateRequest struct {
	// Interactive is true when the user is at a terminal.
	Interactive bool
	// ContainerRuntime is true when a container runtime (podman) is
	// available, so oauth and device logins can run.
	ContainerRuntime bool
	// OAuthAllowed is false when policy forbids container logins.
	OAuthAllowed bool
	// Requested is the mode the user asked for, or "" when they did not.
	Requested Mode
}

// NegotiateResponse lists the modes that are possible now.
type NegotiateResponse struct {
	// Modes are the possible modes, in the order to offer them.
	Modes []Mode
	// Default is the mode to use when the user does not choose; it is one
	// of Modes.
	Default Mode
	// Unavailable says why supported modes are not possible now, so the
	// host can tell the user.
	Unavailable []UnavailableMode
}

// UnavailableMode is a supported mode that cannot be used right now.
type UnavailableMode struct {
	Mode   Mode
	Reason string
}

// KeyPromptRequest asks how to prompt for a key.
type KeyPromptRequest struct {
	// Mode is the mode the key is asked for: ModeAPIKey or ModeSetupToken.
	// An older host sends none, which means ModeAPIKey.
	Mode Mode
}

// KeyPromptResponse tells the host how to ask for a key.
type KeyPromptResponse struct {
	// Label is the prompt, e.g. "Claude API key".
	Label string
	// Hint is shown before the prompt, e.g. where keys come from.
	Hint string
	// URL is where to get a key.
	URL string
	// EnvVar is the environment variable a user would know the key by,
	// e.g. "ANTHROPIC_API_KEY".
	EnvVar string
	// Secret is true when input must not be echoed.
	Secret bool
	// FormatHint describes the expected format, e.g. "starts with sk-ant-".
	FormatHint string
}

// AcceptKeyRequest carries what the user typed, with surrounding white space
// removed.
type AcceptKeyRequest struct {
	Key string
	// Mode is the mode the key was given for, as in KeyPromptRequest: a
	// provider with a setup_token mode tells a token pasted as an API key
	// from one pasted as what it is, and says which mode takes it.
	Mode Mode
}

// AcceptKeyResponse carries the credential to store.
type AcceptKeyResponse struct {
	Credential Credential
	// KeyFiles are non-secret files, by slash-separated relative path, that
	// the host writes (mode 0600) into the provider's shared config
	// directory (DescribeResponse.HostDir) after the key is stored, for a
	// tool that insists on finding a config file there. That directory is
	// shared into agent containers, so a key file never holds the key: it
	// holds a stand-in or a reference (the variable an Injector sets), and
	// the key reaches the tool at run time through the injection. The host
	// refuses a key file that holds the key, and then stores nothing.
	KeyFiles map[string][]byte
}

// ContainerSpecRequest asks for the login container of one mode.
type ContainerSpecRequest struct {
	Mode Mode
	// Host is the host the user asked for with login --host (a GitHub
	// Enterprise or self-managed GitLab host name, already checked), or
	// empty for the provider's default. A provider whose tool takes a
	// host (gh auth login --hostname) passes it on; the host checks that
	// the captured credential names this host either way.
	Host string
}

// ContainerSpecResponse describes a login container. The host adds the
// mount, the name, the user namespace and its own safety checks.
type ContainerSpecResponse struct {
	// Image is the default image; the user may override it.
	Image string
	// Command is the command to run in the container, e.g.
	// ["codex", "login"].
	Command []string
	// ConfigPath is the absolute path, inside the container, of the
	// directory where the tool writes its credentials. The host mounts a
	// fresh private directory there and hands its contents to Capture.
	ConfigPath string
	// RunArgs are extra arguments for the container runtime. The host
	// refuses anything that widens the container's access. An OAuth
	// callback port belongs in CallbackPorts, not in a "-p" here.
	RunArgs []string
	// CallbackPorts are the TCP ports the vendor CLI listens on, on the
	// container's loopback (127.0.0.1), for the browser's OAuth redirect,
	// e.g. 1455 for `codex login`. The host listens on the same ports on
	// its own 127.0.0.1 before the container starts (a port in use stops
	// the login with a message naming it) and relays each connection into
	// the container's loopback, so the vendor command needs no change and
	// the image needs nothing extra. Ports are 1 to 65535, each at most
	// once.
	CallbackPorts []int
	// SkipPaths are entries the vendor CLI leaves in ConfigPath that hold
	// no credential and are not worth a warning, such as codex's
	// "tmp/arg0-linux" directory of symbolic links: slash-separated paths
	// relative to ConfigPath, each skipped with everything below it. The
	// host reads and reports everything else as before.
	SkipPaths []string
	// User is the "UID:GID" the tool runs as inside the image, such as
	// "1000:1000"; "" is DefaultUser. When terok runs rootless, it maps
	// the user's own ids to this one, so the files the tool writes in
	// ConfigPath belong to the user on the host.
	User string
	// Env is extra environment for the container.
	Env map[string]string
	// Banner is shown to the user before the container starts.
	Banner string
}

// CaptureRequest carries the files a login container left in its config
// directory.
type CaptureRequest struct {
	Mode Mode
	// Files maps slash-separated paths relative to the config directory to
	// their contents. The host bounds their number and total size.
	Files map[string][]byte
}

// CaptureResponse carries the captured credential.
type CaptureResponse struct {
	Credential Credential
	// StateFiles are non-secret files (slash-separated relative paths) the
	// host writes into the provider's shared config directory after a
	// capture, e.g. an "onboarding done" marker.
	StateFiles map[string][]byte
}
