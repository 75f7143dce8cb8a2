package sdk

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/terok-ai/terok-auth/sdk/internal/rules"
)

// ValidName reports whether s can be a provider name: lower case letters,
// digits, '-' and '_', starting with a letter, at most 63 characters.
func ValidName(s string) bool { return rules.ValidName(s) }

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
