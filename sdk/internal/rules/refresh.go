package rules

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

var refreshHeaderRE = regexp.MustCompile(`^[A-Za-z0-9-]{1,64}$`)

// refreshHeaders are the headers a declaration may set: what identifies
// the client and what it accepts. Authorization, Cookie, Host and the
// like are the host's, never a declaration's.
var refreshHeaders = map[string]bool{
	"user-agent": true, "accept": true, "anthropic-beta": true, "x-client-name": true, "x-client-version": true,
	"originator": true, "x-stainless-lang": true,
}

// CheckRefreshHeader reports whether a declaration may set the header
// name: one that says who the client is or what it accepts.
func CheckRefreshHeader(name string) error {
	if !refreshHeaderRE.MatchString(name) {
		return fmt.Errorf("%q is not a header name", name)
	}
	if !refreshHeaders[strings.ToLower(name)] {
		allowed := make([]string, 0, len(refreshHeaders))
		for h := range refreshHeaders {
			allowed = append(allowed, h)
		}
		sort.Strings(allowed)
		return fmt.Errorf("header %q may not be declared: a refresh declares only %s", name, strings.Join(allowed, ", "))
	}
	return nil
}

// CheckRefreshEndpoint reports whether u may be a token endpoint: an
// absolute https URL with a host and no user info or fragment. Loopback
// http (127.0.0.1, ::1, localhost) is taken only when allowLoopback is
// set, for tests and the host's test overrides.
func CheckRefreshEndpoint(u string, allowLoopback bool) error {
	p, err := url.Parse(u)
	if err != nil {
		return fmt.Errorf("token endpoint %q is not a URL: %w", u, err)
	}
	switch {
	case p.Host == "" || p.Hostname() == "":
		return fmt.Errorf("token endpoint %q has no host", u)
	case p.User != nil:
		return fmt.Errorf("token endpoint %q holds user info; credentials never go in a URL", u)
	case p.Fragment != "" || strings.Contains(u, "#"):
		return fmt.Errorf("token endpoint %q has a fragment", u)
	case strings.ContainsAny(u, " \t\r\n\x00"):
		return fmt.Errorf("token endpoint %q holds white space or control characters", u)
	}
	if p.Scheme == "https" {
		return nil
	}
	if p.Scheme == "http" && IsLoopbackHost(p.Hostname()) {
		if allowLoopback {
			return nil
		}
		return fmt.Errorf("token endpoint %q is plain http: only a test override may point at a loopback endpoint", u)
	}
	return fmt.Errorf("token endpoint %q is not https: a refresh token is sent only over TLS", u)
}

// IsLoopbackHost reports whether host is 127.0.0.1 (or another 127/8
// address), ::1 or localhost.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
