package names

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/terok-ai/terok-auth/core/usage"
	"github.com/terok-ai/terok-auth/sdk"
)

// Host is the server a credential is for, as git and gh spell it: a DNS
// name or an IP address, lower-case, with an optional :port
// (ghe.example.com, gitlab.example.com:8443, 127.0.0.1:3000). IPv6
// literals are not taken: no forge is reached that way in practice, and
// their brackets and colons would make the slot names below ambiguous.
type Host string

// maxHost bounds a host: a DNS name is at most 253 characters, plus a port.
const maxHost = 253 + 6

// ParseHost checks a host named on the command line; a bad one is a usage
// error.
func ParseHost(s string) (Host, error) {
	if err := checkHost(s); err != nil {
		return "", usage.Errorf("invalid --host %q: %v; give a host name such as ghe.example.com (an optional :port after it), not a URL", s, err)
	}
	return Host(s), nil
}

// ValidHost reports whether s can name a host.
func ValidHost(s string) bool { return checkHost(s) == nil }

func checkHost(s string) error {
	if s == "" {
		return fmt.Errorf("empty")
	}
	if len(s) > maxHost {
		return fmt.Errorf("longer than %d characters", maxHost)
	}
	name, port, hasPort := strings.Cut(s, ":")
	if hasPort {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || strconv.Itoa(n) != port {
			return fmt.Errorf("the port must be a number from 1 to 65535")
		}
	}
	if ip := net.ParseIP(name); ip != nil {
		if ip.To4() == nil {
			return fmt.Errorf("IPv6 addresses are not supported")
		}
		return nil
	}
	if len(name) > 253 {
		return fmt.Errorf("longer than 253 characters")
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" || len(label) > 63 {
			return fmt.Errorf("each dot-separated part must have 1 to 63 characters")
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("a part may not start or end with '-'")
		}
		for _, r := range label {
			if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
				return fmt.Errorf("only lower-case letters, digits, '-' and '.' are allowed")
			}
		}
	}
	return nil
}

// hostSep separates a provider from its host in a slot: gh:ghe.example.com.
// Neither a provider name nor a set name holds it, and a host holds it only
// before a port, after the first one.
const hostSep = ":"

// OnHost is the provider slot of p's credential for host h: the provider's
// own name for its default host (h ""), else PROVIDER:HOST. The slot is
// what the store keys a credential by, so credentials for several hosts of
// one provider live side by side, and the ones stored before hosts existed
// keep their key.
func OnHost(p Provider, h Host) Provider {
	if h == "" {
		return p
	}
	return Provider(string(p) + hostSep + string(h))
}

// Base is the provider of a slot: gh for gh:ghe.example.com.
func (p Provider) Base() Provider {
	base, _, _ := strings.Cut(string(p), hostSep)
	return Provider(base)
}

// Host is the host of a slot, "" for the provider's default host.
func (p Provider) Host() Host {
	_, h, _ := strings.Cut(string(p), hostSep)
	return Host(h)
}

// ParseSlot checks a provider slot read back from a store or the index: a
// provider name, or PROVIDER:HOST.
func ParseSlot(s string) (Provider, error) {
	if !validSlot(s) {
		return "", fmt.Errorf("invalid provider %q", s)
	}
	return Provider(s), nil
}

func validSlot(s string) bool {
	base, h, ok := strings.Cut(s, hostSep)
	if !sdk.ValidName(base) {
		return false
	}
	return !ok || ValidHost(h)
}

// Target is what a command names: a provider, on an optional host, in an
// optional credential set of its own.
type Target struct {
	Provider Provider // the slot: gh, or gh:ghe.example.com
	Set      Set      // "" when the command's --set applies
}

// ParseTarget reads PROVIDER[:HOST][@SET] as given on the command line
// (claude@work, gh:ghe.example.com@personal); a bad one is a usage error.
func ParseTarget(s string) (Target, error) {
	rest, set, hasSet := strings.Cut(s, "@")
	var t Target
	if hasSet {
		if !ValidSet(set) {
			return Target{}, usage.Errorf("invalid credential set %q in %q: use letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64 characters", set, s)
		}
		t.Set = Set(set)
	}
	base, host, hasHost := strings.Cut(rest, hostSep)
	p, err := ParseProvider(base)
	if err != nil {
		return Target{}, err
	}
	if hasHost {
		h, err := ParseHost(host)
		if err != nil {
			return Target{}, err
		}
		p = OnHost(p, h)
	}
	t.Provider = p
	return t, nil
}
