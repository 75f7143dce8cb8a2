// Package route is the data a provider declares for the credential proxy
// (core/proxy): per credential type, which API the credential is for, the
// header it goes in, and how the tool is pointed at the proxy. It holds the
// checks every declaration passes, wherever it comes from (a YAML
// provider's proxy: block, an upstream agent file's vault: block, a
// plugin's answer to ProxyRoutes: FromSDK), so the proxy never acts on a route
// that could send a credential in clear or smuggle a header.
package route

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/terok-ai/terok-auth/sdk/host"
)

// Route is how one provider's credential of one type reaches its API.
type Route struct {
	Provider       string
	CredentialType string
	// Upstream is the API's origin (https only); PathUpstreams sends
	// requests whose path starts with a key (e.g. /backend-api/) to
	// another origin.
	Upstream      string
	PathUpstreams map[string]string
	// Header and Prefix: the credential goes on a request as
	// "Header: Prefix<value of Field>".
	Header string
	Prefix string
	Field  string
	// ExtraHeaders are set on every request of this route (Claude's OAuth
	// needs anthropic-beta).
	ExtraHeaders map[string]string
	// BaseURLEnv is the variable that points the tool at the proxy, set to
	// the listener's URL followed by BaseURLPath; "" when the tool has no
	// such variable (SetupHint then says how to point it).
	BaseURLEnv  string
	BaseURLPath string
	// StandInEnv is the variable the tool reads its credential from: it
	// gets the stand-in.
	StandInEnv string
	SetupHint  string
}

// DefaultField is the credential field a route sends when it names none.
func DefaultField(credType string) string {
	switch credType {
	case "api_key":
		return "key"
	case "oauth":
		return "access_token"
	}
	return "token"
}

// hopByHop are the headers that belong to one connection (RFC 9110 7.6.1,
// and the older ones proxies still see). None of them may carry a
// credential: a proxy drops them.
var hopByHop = map[string]bool{
	"connection": true, "keep-alive": true, "proxy-authenticate": true, "proxy-authorization": true,
	"proxy-connection": true, "te": true, "trailer": true, "transfer-encoding": true, "upgrade": true,
}

// IsHopByHop reports whether name is a hop-by-hop header.
func IsHopByHop(name string) bool { return hopByHop[strings.ToLower(name)] }

// reserved are headers the proxy sets itself or that change how a request
// is framed or routed; a declaration may not set them.
var reserved = map[string]bool{"host": true, "content-length": true, "cookie": true, "forwarded": true}

// isTokenChar is RFC 9110's tchar.
func isTokenChar(r rune) bool {
	if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
		return true
	}
	return strings.ContainsRune("!#$%&'*+-.^_`|~", r)
}

// CheckHeaderName reports whether name may carry a credential or an extra
// header: an HTTP token, not hop-by-hop, not one the proxy owns.
func CheckHeaderName(name string) error {
	if name == "" {
		return errors.New("the header name is empty")
	}
	if len(name) > 64 {
		return fmt.Errorf("the header name is %d characters long; at most 64", len(name))
	}
	for _, r := range name {
		if !isTokenChar(r) {
			return fmt.Errorf("%q is not a header name: only letters, digits and !#$%%&'*+-.^_`|~", name)
		}
	}
	if IsHopByHop(name) {
		return fmt.Errorf("%s is a hop-by-hop header, which a proxy drops; name the header the API reads the credential from", name)
	}
	if reserved[strings.ToLower(name)] || strings.HasPrefix(strings.ToLower(name), "x-forwarded-") {
		return fmt.Errorf("%s is set by the proxy itself, not by a provider", name)
	}
	return nil
}

// CheckHeaderValue reports whether v may be (part of) a header value:
// printable, no line breaks, at most 1 KiB.
func CheckHeaderValue(v string) error {
	if len(v) > 1024 {
		return fmt.Errorf("the value is %d bytes long; at most 1024", len(v))
	}
	for _, r := range v {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return errors.New("the value holds a control character (a line break could start another header)")
		}
	}
	return nil
}

// CheckUpstream reports whether s is an origin the proxy may send a
// credential to: https, a host, no user, no query or fragment, and no path
// beyond "/" (the request's own path is kept as it is).
func CheckUpstream(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("not a URL (https://host[:port])")
	}
	if u.User != nil {
		// Say so before anything else, without quoting the password.
		return fmt.Errorf("%q holds a user name or password; put none in a URL", u.Redacted())
	}
	s = u.String()
	if u.Scheme != "https" {
		return fmt.Errorf("%q: the proxy sends credentials over https only", s)
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("%q names no host", s)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery || strings.ContainsAny(s, "?#") {
		return fmt.Errorf("%q has a query or fragment; an upstream is an origin only", s)
	}
	if u.Path != "" && u.Path != "/" {
		return fmt.Errorf("%q has a path; an upstream is an origin only (https://host[:port]), the request keeps its own path", s)
	}
	return nil
}

// CheckPathPrefix reports whether p may select a path upstream.
func CheckPathPrefix(p string) error {
	if !strings.HasPrefix(p, "/") {
		return fmt.Errorf("path prefix %q does not start with /", p)
	}
	if strings.ContainsAny(p, "?#%\\") || strings.Contains(p, "..") {
		return fmt.Errorf("path prefix %q holds one of ?, #, %%, \\ or a .. segment", p)
	}
	for _, r := range p {
		if r <= 0x20 || r == 0x7f {
			return fmt.Errorf("path prefix %q holds a space or control character", p)
		}
	}
	return nil
}

// CheckBaseURLPath reports whether p may follow the listener's URL in the
// tool's base URL: "" or a path starting with /.
func CheckBaseURLPath(p string) error {
	if p == "" {
		return nil
	}
	return CheckPathPrefix(p)
}

// Validate checks the whole route; the YAML loader checks the same field
// by field, to report each problem at its line.
func (r *Route) Validate() error {
	var errs []error
	add := func(what string, err error) {
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", what, err))
		}
	}
	add("upstream", CheckUpstream(r.Upstream))
	for _, p := range slices.Sorted(maps.Keys(r.PathUpstreams)) {
		add("path_upstreams", CheckPathPrefix(p))
		add("path_upstreams."+p, CheckUpstream(r.PathUpstreams[p]))
	}
	add("header", CheckHeaderName(r.Header))
	add("prefix", CheckHeaderValue(r.Prefix))
	for _, h := range slices.Sorted(maps.Keys(r.ExtraHeaders)) {
		add("extra_headers", CheckHeaderName(h))
		if strings.EqualFold(h, r.Header) {
			add("extra_headers", fmt.Errorf("%s is the credential's header", h))
		}
		add("extra_headers."+h, CheckHeaderValue(r.ExtraHeaders[h]))
	}
	add("base_url_path", CheckBaseURLPath(r.BaseURLPath))
	if r.Field == "" {
		add("field", errors.New("no field"))
	} else if !fieldRE.MatchString(r.Field) {
		add("field", fmt.Errorf("%q is not a field name (letters, digits, _ and -)", r.Field))
	}
	for _, kv := range [][2]string{{"base_url_env", r.BaseURLEnv}, {"stand_in_env", r.StandInEnv}} {
		if kv[1] == "" {
			continue
		}
		err := host.CheckEnvName(kv[1])
		if err == nil {
			err = host.CheckEnvOf(r.Provider, kv[1])
		}
		add(kv[0], err)
	}
	if r.BaseURLEnv != "" && r.BaseURLEnv == r.StandInEnv {
		add("stand_in_env", fmt.Errorf("base_url_env and stand_in_env are both %s", r.BaseURLEnv))
	}
	add("setup_hint", checkHint(r.SetupHint))
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("proxy route of %s (%s): %w", r.Provider, r.CredentialType, errors.Join(errs...))
}

// fieldRE is a stored credential field's name.
var fieldRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]{0,63}$`)

// maxHint bounds a setup hint: a few sentences, not a document.
const maxHint = 2048

// checkHint reports whether a setup hint may be printed: short, and no
// control character but a line break or tab (an escape sequence could
// forge what terok prints).
func checkHint(h string) error {
	if len(h) > maxHint {
		return fmt.Errorf("%d bytes long; at most %d", len(h), maxHint)
	}
	for _, c := range h {
		if c < 0x20 && c != '\n' && c != '\t' || c == 0x7f || c >= 0x80 && c < 0xa0 {
			return errors.New("holds a control character (a terminal escape?)")
		}
	}
	return nil
}

// UpstreamFor is the origin a request path goes to: the longest matching
// path upstream, else Upstream.
func (r *Route) UpstreamFor(path string) string {
	best, origin := -1, r.Upstream
	for p, u := range r.PathUpstreams {
		if strings.HasPrefix(path, p) && len(p) > best {
			best, origin = len(p), u
		}
	}
	return origin
}
