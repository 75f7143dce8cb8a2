// Package gitcred speaks git's credential helper protocol
// (git-credential(1), "INPUT/OUTPUT FORMAT"): it reads the request git
// writes to a helper's standard input, and writes the answer. What git
// sends comes from a remote URL, which anyone can put in a repository's
// config or a submodule, so the request is untrusted input: it is read
// strictly and bounded, and an answer is never written with a value that
// could break out of its line.
package gitcred

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/terok-ai/terok-auth/core/names"
)

// MaxRequest bounds a request: git sends a handful of short lines.
const MaxRequest = 64 << 10

// Request is what git asks of a helper.
type Request struct {
	Protocol string     // "https", "http", …
	Host     names.Host // as git sends it, with :port when the URL has one
	Path     string     // only with credential.useHttpPath
	Username string     // the user of the URL, if any
}

// ErrBadRequest marks input that is not a credential request.
var ErrBadRequest = errors.New("not a git credential request")

// Parse reads one request: key=value lines up to a blank line or the end
// of input. Keys git may add later (capability[], wwwauth[], …) are
// skipped; the ones terok acts on must each appear once and hold a value
// that is what it says (a protocol name, a host, no control characters).
// A url= line is read as git does, into protocol, host, path and username.
func Parse(r io.Reader) (*Request, error) {
	br := bufio.NewReader(io.LimitReader(r, MaxRequest+1))
	var req Request
	seen := map[string]bool{}
	total := 0
	for {
		line, err := br.ReadString('\n')
		total += len(line)
		if total > MaxRequest {
			return nil, fmt.Errorf("%w: longer than %d bytes", ErrBadRequest, MaxRequest)
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("read the credential request: %w", err)
		}
		eof := err != nil
		line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		if line == "" {
			break
		}
		if err := req.set(line, seen); err != nil {
			return nil, err
		}
		if eof {
			break
		}
	}
	if req.Protocol == "" {
		return nil, fmt.Errorf("%w: no protocol", ErrBadRequest)
	}
	if req.Host == "" && req.Protocol != "file" {
		return nil, fmt.Errorf("%w: no host", ErrBadRequest)
	}
	return &req, nil
}

func (req *Request) set(line string, seen map[string]bool) error {
	key, value, ok := strings.Cut(line, "=")
	if !ok || key == "" {
		return fmt.Errorf("%w: line %q is not key=value", ErrBadRequest, clip(line))
	}
	if strings.ContainsFunc(line, isControl) {
		return fmt.Errorf("%w: the %s line holds a control character", ErrBadRequest, clip(key))
	}
	switch key {
	case "protocol", "host", "path", "username", "url":
	default:
		return nil // password, capability[], wwwauth[], …: nothing terok needs
	}
	if seen[key] {
		return fmt.Errorf("%w: %s given twice", ErrBadRequest, key)
	}
	seen[key] = true
	switch key {
	case "protocol":
		return req.setProtocol(value)
	case "host":
		return req.setHost(value)
	case "path":
		req.Path = value
	case "username":
		req.Username = value
	case "url":
		u, err := url.Parse(value)
		if err != nil || u.Scheme == "" || u.Opaque != "" {
			return fmt.Errorf("%w: url %q is not a URL", ErrBadRequest, clip(value))
		}
		if err := req.setProtocol(u.Scheme); err != nil {
			return err
		}
		if u.Host != "" {
			if err := req.setHost(u.Host); err != nil {
				return err
			}
		}
		req.Path = strings.TrimPrefix(u.Path, "/")
		if u.User != nil {
			req.Username = u.User.Username()
		}
	}
	return nil
}

func (req *Request) setProtocol(v string) error {
	if v == "" || strings.TrimFunc(v, func(r rune) bool {
		return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.'
	}) != "" {
		return fmt.Errorf("%w: protocol %q", ErrBadRequest, clip(v))
	}
	if req.Protocol != "" && req.Protocol != v {
		return fmt.Errorf("%w: protocol %q and url disagree", ErrBadRequest, clip(v))
	}
	req.Protocol = v
	return nil
}

func (req *Request) setHost(v string) error {
	// Git keeps the host as the URL spells it; forges are named in lower
	// case, as terok stores them.
	h := strings.ToLower(v)
	if !names.ValidHost(h) {
		return fmt.Errorf("%w: host %q", ErrBadRequest, clip(v))
	}
	if req.Host != "" && req.Host != names.Host(h) {
		return fmt.Errorf("%w: host %q and url disagree", ErrBadRequest, clip(v))
	}
	req.Host = names.Host(h)
	return nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// clip keeps a bad value short in a message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// Answer is what a helper gives back for a request.
type Answer struct {
	Protocol string
	Host     names.Host
	Username string
	Password string
}

// Write writes a to w in the protocol's format. A value with a line break
// or another control character would let it add lines of its own (a
// stored token that ends the answer early and names another host), so it
// is refused and nothing is written.
func (a Answer) Write(w io.Writer) error {
	fields := [][2]string{{"protocol", a.Protocol}, {"host", string(a.Host)}, {"username", a.Username}, {"password", a.Password}}
	var b strings.Builder
	for _, f := range fields {
		if f[1] == "" || strings.ContainsFunc(f[1], isControl) {
			return fmt.Errorf("the %s for git is empty or holds a control character; nothing was given to git", f[0])
		}
		b.WriteString(f[0] + "=" + f[1] + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
