package rules

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// ErrUnsafeRunArg marks extra run arguments that would widen a login
// container's access to the host.
var ErrUnsafeRunArg = errors.New("run argument not allowed")

// ErrBadImage marks an image that is not a plain image reference.
var ErrBadImage = errors.New("not an image reference")

// allowedRunArgs are the runtime options a provider may add, by long and
// short name. Everything else (volumes, devices, capabilities, namespaces,
// --privileged, a host network…) is refused: a plugin or a YAML file must
// not be able to reach the host through its spec.
var allowedRunArgs = map[string]string{
	"-p": "--publish", "--publish": "--publish",
	"-e": "--env", "--env": "--env",
	"-w": "--workdir", "--workdir": "--workdir",
}

var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// publishRE is a loopback port forward: IP:[HOSTPORT]:CONTAINERPORT[/PROTO],
// ports or ranges of ports. Ports are range-checked in checkPublish.
var publishRE = regexp.MustCompile(`^(127\.0\.0\.1|\[::1\]):((\d{1,5})(-(\d{1,5}))?)?:(\d{1,5})(-(\d{1,5}))?(/(tcp|udp|sctp))?$`)

// CheckRunArgs validates ContainerSpecResponse.RunArgs as the host does
// before it runs a login container. Only these pass:
//
//   - -p/--publish on the loopback interface (127.0.0.1 or [::1]), so an
//     OAuth callback is never reachable from the network;
//   - -e/--env NAME=VALUE: a value is required, since podman copies the
//     host's variable into the container for a bare NAME;
//   - -w/--workdir with a clean absolute path.
func CheckRunArgs(args []string) error {
	for i := 0; i < len(args); i++ {
		arg := args[i]
		name, value, hasValue := strings.Cut(arg, "=")
		long, ok := allowedRunArgs[name]
		if !ok {
			return fmt.Errorf("%w: %q (a login container may only get -p/--publish on 127.0.0.1, -e/--env NAME=VALUE and -w/--workdir)", ErrUnsafeRunArg, arg)
		}
		if !hasValue {
			if i+1 >= len(args) {
				return fmt.Errorf("%w: %s needs a value", ErrUnsafeRunArg, name)
			}
			i++
			value = args[i]
		}
		if err := checkValue(long, value); err != nil {
			return fmt.Errorf("%w: %s %q: %w", ErrUnsafeRunArg, name, value, err)
		}
	}
	return nil
}

func checkValue(flag, v string) error {
	if strings.ContainsRune(v, 0) {
		return errors.New("contains a NUL byte")
	}
	switch flag {
	case "--publish":
		return checkPublish(v)
	case "--env":
		name, _, hasValue := strings.Cut(v, "=")
		if !envNameRE.MatchString(name) {
			return errors.New("not a variable name")
		}
		if !hasValue {
			return errors.New("needs NAME=VALUE: a name alone would copy the host's variable into the container")
		}
	case "--workdir":
		if !path.IsAbs(v) || path.Clean(v) != v {
			return errors.New("must be a clean absolute path")
		}
	}
	return nil
}

func checkPublish(v string) error {
	m := publishRE.FindStringSubmatch(v)
	if m == nil {
		return errors.New("ports may only be published on 127.0.0.1 or [::1], as IP:HOSTPORT:CONTAINERPORT (e.g. 127.0.0.1:1455:1455)")
	}
	for _, i := range []int{3, 5, 6, 8} {
		if m[i] == "" {
			continue
		}
		if n, err := strconv.Atoi(m[i]); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("port %s is not between 1 and 65535", m[i])
		}
	}
	return nil
}

// CheckConfigPath validates ContainerSpecResponse.ConfigPath: a clean,
// absolute path that is not the container's root.
func CheckConfigPath(p string) error {
	if !path.IsAbs(p) || path.Clean(p) != p || p == "/" || strings.ContainsAny(p, ":,\x00") {
		return fmt.Errorf("config path %q must be a clean absolute path below / without ':' or ','", p)
	}
	return nil
}

// The image reference grammar of the OCI distribution spec (as podman and
// docker read it): [HOST[:PORT]/]PATH[:TAG][@DIGEST].
var imageRE = func() *regexp.Regexp {
	domainComponent := `(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])`
	domain := `(?:` + domainComponent + `(?:\.` + domainComponent + `)*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?`
	pathComponent := `[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`
	name := `(?:` + domain + `/)?` + pathComponent + `(?:/` + pathComponent + `)*`
	tag := `[\w][\w.-]{0,127}`
	digest := `[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}`
	return regexp.MustCompile(`^(` + name + `)(?::` + tag + `)?(?:@` + digest + `)?$`)
}()

// transports are the prefixes podman reads as "not a registry image": with
// them a reference names a path on the host (oci-archive:/x, dir:/x) or
// another image store.
var transports = []string{"containers-storage", "docker", "docker-archive", "docker-daemon", "oci", "oci-archive", "dir", "sif", "tarball", "ostree"}

// maxImageName bounds the name part of a reference, as the distribution
// spec does.
const maxImageName = 255

// CheckImage validates an image reference (ContainerSpecResponse.Image, or
// one a user chose): a registry reference such as
// "ghcr.io/acme/login:1.2", "localhost/vendor" or "alpine@sha256:…". It
// refuses anything podman could read as an option (a leading '-') or as a
// path on the host (a transport prefix such as oci-archive: or dir:).
func CheckImage(ref string) error {
	switch {
	case ref == "":
		return fmt.Errorf("%w: the image is empty", ErrBadImage)
	case strings.HasPrefix(ref, "-"):
		return fmt.Errorf("%w: %q starts with '-' and would be read as an option", ErrBadImage, ref)
	}
	if prefix, _, ok := strings.Cut(ref, ":"); ok {
		for _, t := range transports {
			if prefix == t {
				return fmt.Errorf("%w: %q uses the %s: transport, which reads from the host; give a registry reference such as localhost/image:tag", ErrBadImage, ref, t)
			}
		}
	}
	m := imageRE.FindStringSubmatch(ref)
	if m == nil {
		return fmt.Errorf("%w: %q (expected [HOST[:PORT]/]PATH[:TAG][@DIGEST], e.g. ghcr.io/acme/login:1.2; lower case path)", ErrBadImage, ref)
	}
	if len(m[1]) > maxImageName {
		return fmt.Errorf("%w: the name of %.40q… is longer than %d characters", ErrBadImage, ref, maxImageName)
	}
	return nil
}

// DefaultUser is the user a login image runs its tool as when a spec names
// none: the first user of a Debian or Alpine image, and upstream terok's
// convention.
const DefaultUser = "1000:1000"

// maxID is the largest uid or gid: 2^32-1 is the kernel's "no id".
const maxID = 1<<32 - 2

// ParseUser reads a spec's User, "UID:GID" in decimal, each 0 to
// 4294967294; "" is DefaultUser. Names are refused: the host maps ids
// before the image's /etc/passwd could be read.
func ParseUser(s string) (uid, gid uint32, err error) {
	if s == "" {
		s = DefaultUser
	}
	u, g, ok := strings.Cut(s, ":")
	if !ok {
		return 0, 0, fmt.Errorf("user %q: expected UID:GID in numbers, e.g. %s", s, DefaultUser)
	}
	if uid, err = parseID(u); err != nil {
		return 0, 0, fmt.Errorf("user %q: uid: %w", s, err)
	}
	if gid, err = parseID(g); err != nil {
		return 0, 0, fmt.Errorf("user %q: gid: %w", s, err)
	}
	return uid, gid, nil
}

func parseID(s string) (uint32, error) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, fmt.Errorf("%q is not a number (names are not accepted)", s)
	}
	if len(s) > 1 && s[0] == '0' {
		return 0, fmt.Errorf("%q has a leading zero", s)
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n > maxID {
		return 0, fmt.Errorf("%s is out of range (0 to %d)", s, uint32(maxID))
	}
	return uint32(n), nil
}
