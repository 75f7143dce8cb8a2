package host

import "github.com/terok-ai/terok-auth/sdk/internal/rules"

// The host's rules for what a provider may answer. terok applies them to
// every answer (and to YAML providers and user overrides), package
// sdk/providertest applies the same ones in a provider's own tests, and
// sdk's contract methods (Injection.Validate, Renewal.Validate) call them
// too. They live here rather than in package sdk so that tightening one is
// a change to terok, not to what a provider author imports.

// Errors of the container spec checks, returned on the host's side (no
// provider sends them, so they are not sdk sentinels).
var (
	// ErrUnsafeRunArg marks extra run arguments that would widen a login
	// container's access to the host.
	ErrUnsafeRunArg = rules.ErrUnsafeRunArg
	// ErrBadImage marks an image that is not a plain image reference.
	ErrBadImage = rules.ErrBadImage
)

// CheckRunArgs validates ContainerSpecResponse.RunArgs as the host does
// before it runs a login container. Only these pass:
//
//   - -p/--publish on the loopback interface (127.0.0.1 or [::1]), so an
//     OAuth callback is never reachable from the network;
//   - -e/--env NAME=VALUE: a value is required, since podman copies the
//     host's variable into the container for a bare NAME;
//   - -w/--workdir with a clean absolute path.
//
// Other arguments are ErrUnsafeRunArg.
func CheckRunArgs(args []string) error { return rules.CheckRunArgs(args) }

// CheckConfigPath validates ContainerSpecResponse.ConfigPath: a clean,
// absolute path that is not the container's root.
func CheckConfigPath(p string) error { return rules.CheckConfigPath(p) }

// CheckImage validates an image reference (ContainerSpecResponse.Image, or
// one a user chose): a registry reference such as
// "ghcr.io/acme/login:1.2", "localhost/vendor" or "alpine@sha256:…". It
// refuses, as ErrBadImage, anything podman could read as an option (a
// leading '-') or as a path on the host (a transport prefix such as
// oci-archive: or dir:).
func CheckImage(ref string) error { return rules.CheckImage(ref) }

// ParseUser reads a spec's User, "UID:GID" in decimal, each 0 to
// 4294967294; "" is sdk.DefaultUser. Names are refused: the host maps ids
// before the image's /etc/passwd could be read.
func ParseUser(s string) (uid, gid uint32, err error) { return rules.ParseUser(s) }

// CheckText reports whether s may be text the host prints for a provider
// (a label, a description, a hint, a banner): valid UTF-8 with no control
// character a terminal would act on rather than show (ESC and the other
// C0 and C1 controls, DEL, and the bidi and zero-width characters that
// make a line read other than it is). With multiline, newlines and tabs
// are fine.
func CheckText(s string, multiline bool) error { return rules.CheckText(s, multiline) }

// CheckEnvName reports whether name may be an injected variable: a
// portable name, ending in a credential suffix (_TOKEN, _KEY, _SECRET,
// _USER, _ORG, _PROJECT, _ACCOUNT, _REGION, …) or a routing suffix (_HOST,
// _BASE_URL, _API_BASE, _ENDPOINT, …), and not in a family that changes
// how programs run (GIT_, XDG_, SSL_, LD_, PYTHON*, NODE_, TEROK_, any
// *PROXY*, …).
func CheckEnvName(name string) error { return rules.CheckEnvName(name) }

// CheckEnvOf reports whether provider may set the variable name at all,
// beyond the rules of CheckEnvName: not a variable of another provider's
// tool (ANTHROPIC_* and CLAUDE_* are claude's), and, for one that routes
// a tool (a host, a base URL, an endpoint, a home or config directory),
// only in the provider's own family.
func CheckEnvOf(provider, name string) error { return rules.CheckEnvOf(provider, name) }

// CheckDirEnvName reports whether name may be the variable that points a
// tool at an injection's private directory: a name ending in _HOME or
// _CONFIG_DIR, not in a family that changes how programs run.
func CheckDirEnvName(name string) error { return rules.CheckDirEnvName(name) }

// CheckDirEnvOf reports whether provider may point name at its private
// directory: name is the provider's own NAME_HOME or NAME_CONFIG_DIR.
func CheckDirEnvOf(provider, name string) error { return rules.CheckDirEnvOf(provider, name) }

// EnvFamily is the family of a variable: its name up to the first '_',
// upper-cased (GH for GH_TOKEN and GH_HOST). In one run, a family belongs
// to one provider.
func EnvFamily(name string) string { return rules.EnvFamily(name) }

// FamilyOwner returns the provider whose tool reads the variables of
// family (as EnvFamily gives it): claude for ANTHROPIC and CLAUDE. A
// family no tool is known to read is owned by no one (""), and in one run
// belongs to the first provider that sets it.
func FamilyOwner(family string) string { return rules.FamilyOwner(family) }

// ProviderFamily is the family a provider's own names start with: its name
// upper-cased, '-' as '_' (MY_TOOL for my-tool).
func ProviderFamily(provider string) string { return rules.ProviderFamily(provider) }

// CheckTemplate reports whether t is a valid injection template (see
// sdk.Injection), for checkers that report problems one by one.
func CheckTemplate(t string) error { return rules.CheckTemplate(t) }

// CheckRefreshHeader reports whether a renewal may declare the header
// name: one that says who the client is or what it accepts.
func CheckRefreshHeader(name string) error { return rules.CheckRefreshHeader(name) }

// CheckRefreshEndpoint reports whether u may be a token endpoint: an
// absolute https URL with a host and no user info or fragment. Loopback
// http (127.0.0.1, ::1, localhost) is taken only when allowLoopback is
// set, for tests and the host's test overrides.
func CheckRefreshEndpoint(u string, allowLoopback bool) error {
	return rules.CheckRefreshEndpoint(u, allowLoopback)
}

// IsLoopbackHost reports whether host is 127.0.0.1 (or another 127/8
// address), ::1 or localhost.
func IsLoopbackHost(host string) bool { return rules.IsLoopbackHost(host) }

// HostDirOf is the conventional shared config directory of the provider
// name, under the host's mounts dir: _NAME-config, upstream terok's.
func HostDirOf(name string) string { return rules.HostDirOf(name) }

// CheckHostDirOwner refuses a host dir that is another provider's by
// convention (_OTHER-config): the host writes a provider's state files
// into its host dir and removes files holding its secret from there, so a
// provider naming another's could overwrite or delete that provider's
// files.
func CheckHostDirOwner(name, hostDir string) error { return rules.CheckHostDirOwner(name, hostDir) }
