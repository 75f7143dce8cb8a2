package sdk

import (
	"context"
	"errors"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
)

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,62}$`)

// ValidName reports whether s can be a provider name: lower case letters,
// digits, '-' and '_', starting with a letter, at most 63 characters.
func ValidName(s string) bool { return nameRE.MatchString(s) }

// NegotiateModes implements the usual negotiation over the supported modes,
// given in order of preference:
//
//   - a requested mode that is not supported is ErrUnsupportedMode;
//   - container modes (oauth, device) are possible only when the host has a
//     container runtime and policy allows them;
//   - the default is the requested mode, else the first possible one; when
//     the user is not at a terminal and api_key is possible, api_key, since a
//     key can be piped in.
func NegotiateModes(supported []Mode, req *NegotiateRequest) (*NegotiateResponse, error) {
	if req.Requested != "" && !containsMode(supported, req.Requested) {
		return nil, fmt.Errorf("%w: %q (supported: %s)", ErrUnsupportedMode, req.Requested, JoinModes(supported))
	}
	resp := &NegotiateResponse{}
	for _, m := range supported {
		switch {
		case m.NeedsContainer() && !req.OAuthAllowed:
			resp.Unavailable = append(resp.Unavailable, UnavailableMode{m, "container logins are disabled by policy"})
		case m.NeedsContainer() && !req.ContainerRuntime:
			resp.Unavailable = append(resp.Unavailable, UnavailableMode{m, "no container runtime (podman) was found"})
		default:
			resp.Modes = append(resp.Modes, m)
		}
	}
	switch {
	case req.Requested != "" && containsMode(resp.Modes, req.Requested):
		resp.Default = req.Requested
	case !req.Interactive && containsMode(resp.Modes, ModeAPIKey):
		resp.Default = ModeAPIKey
	case len(resp.Modes) > 0:
		resp.Default = resp.Modes[0]
	}
	return resp, nil
}

// JoinModes formats modes for a message: "api_key, oauth".
func JoinModes(modes []Mode) string {
	s := make([]string, len(modes))
	for i, m := range modes {
		s[i] = string(m)
	}
	return strings.Join(s, ", ")
}

func containsMode(modes []Mode, m Mode) bool {
	return slices.Contains(modes, m)
}

// ValidateDescription checks a DescribeResponse for the mistakes the host
// would otherwise trip over: a bad name, no label, no or unknown modes, a
// HostDir that is not a plain directory name.
func ValidateDescription(d *DescribeResponse) error {
	var errs []error
	if !ValidName(d.Name) {
		errs = append(errs, fmt.Errorf("name %q is not valid (lower case letters, digits, '-' and '_', starting with a letter)", d.Name))
	}
	if strings.TrimSpace(d.Label) == "" {
		errs = append(errs, errors.New("label is empty"))
	}
	for _, f := range []struct {
		what, s   string
		multiline bool
	}{{"label", d.Label, false}, {"version", d.Version, false}, {"description", d.Description, true},
		{"key URL", d.KeyURL, false}, {"docs URL", d.DocsURL, false}} {
		if err := CheckText(f.s, f.multiline); err != nil {
			errs = append(errs, fmt.Errorf("%s %q has %w", f.what, f.s, err))
		}
	}
	if len(d.Modes) == 0 {
		errs = append(errs, errors.New("no modes"))
	}
	seen := map[Mode]bool{}
	for _, m := range d.Modes {
		if !m.Valid() {
			errs = append(errs, fmt.Errorf("unknown mode %q", m))
		}
		if seen[m] {
			errs = append(errs, fmt.Errorf("mode %q listed twice", m))
		}
		seen[m] = true
	}
	if d.HostDir != "" && (strings.ContainsAny(d.HostDir, `/\`) || d.HostDir == "." || d.HostDir == "..") {
		errs = append(errs, fmt.Errorf("host dir %q must be a plain directory name", d.HostDir))
	} else if err := CheckHostDirOwner(d.Name, d.HostDir); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// HostDirOf is the conventional shared config directory of the provider
// name, under the host's mounts dir: _NAME-config, upstream terok's.
func HostDirOf(name string) string { return "_" + name + "-config" }

// CheckHostDirOwner refuses a host dir that is another provider's by
// convention (_OTHER-config): the host writes a provider's state files
// into its host dir and removes files holding its secret from there, so a
// provider naming another's (a YAML file with host_dir: _claude-config)
// could overwrite or delete that provider's files.
func CheckHostDirOwner(name, hostDir string) error {
	other, prefixed := strings.CutPrefix(hostDir, "_")
	other, suffixed := strings.CutSuffix(other, "-config")
	if !prefixed || !suffixed || !ValidName(other) || other == name {
		return nil
	}
	return fmt.Errorf("host dir %q is provider %s's; %s's would be %q: "+
		"no provider may write into, or remove files from, another's shared config dir", hostDir, other, name, HostDirOf(name))
}

// CleanRelPath returns p cleaned if it is a safe relative slash path (no
// absolute path, no "..", not empty), for use with CaptureRequest.Files and
// CaptureResponse.StateFiles.
func CleanRelPath(p string) (string, error) {
	if p == "" || strings.HasPrefix(p, "/") || strings.Contains(p, `\`) {
		return "", fmt.Errorf("path %q must be relative", p)
	}
	c := path.Clean(p)
	if c == "." || c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("path %q leaves its directory", p)
	}
	return c, nil
}

// UnsupportedContainer can be embedded in a provider that supports only API
// keys: its ContainerSpec and Capture report ErrUnsupportedMode.
type UnsupportedContainer struct{}

// ContainerSpec reports ErrUnsupportedMode.
func (UnsupportedContainer) ContainerSpec(_ context.Context, req *ContainerSpecRequest) (*ContainerSpecResponse, error) {
	return nil, fmt.Errorf("%w: %q has no login container", ErrUnsupportedMode, req.Mode)
}

// Capture reports ErrUnsupportedMode.
func (UnsupportedContainer) Capture(_ context.Context, req *CaptureRequest) (*CaptureResponse, error) {
	return nil, fmt.Errorf("%w: %q has nothing to capture", ErrUnsupportedMode, req.Mode)
}
