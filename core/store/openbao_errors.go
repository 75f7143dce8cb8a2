package store

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"
	"time"

	vault "github.com/hashicorp/vault/api"
)

// Error kinds of the OpenBao store, beside ErrNotFound, ErrCorrupt,
// ErrUnsettled and ErrConflict. A timeout is ErrOpenBaoTimeout, which also
// matches ErrTimeout.
var (
	ErrSealed         = errors.New("the OpenBao server is sealed")
	ErrDenied         = errors.New("permission denied")
	ErrTokenInvalid   = errors.New("the OpenBao token is expired, revoked or invalid")
	ErrNamespace      = errors.New("the OpenBao namespace does not exist")
	ErrTLS            = errors.New("the TLS connection to the OpenBao server failed")
	ErrUnreachable    = errors.New("the OpenBao server cannot be reached")
	ErrNotKV2         = errors.New("the mount is not a KV version 2 secrets engine")
	ErrOpenBaoTimeout = timeoutKind{"the OpenBao server did not answer in time"}
	ErrOpenBaoConfig  = errors.New("the OpenBao store is not configured")
)

// timeoutKind is a timeout kind with its own words that still matches
// ErrTimeout.
type timeoutKind struct{ msg string }

func (t timeoutKind) Error() string        { return t.msg }
func (t timeoutKind) Is(target error) bool { return target == ErrTimeout }

const remedyBaoEnv = "terok reads BAO_ADDR (or VAULT_ADDR), BAO_TOKEN (or VAULT_TOKEN, or ~/.vault-token),\n" +
	"VAULT_CACERT and VAULT_NAMESPACE as the bao and vault CLIs do; see docs/team-store.md."

// answered reports whether err is the server's own answer (an HTTP
// status), as opposed to no answer at all: then a write surely did not
// happen.
func answered(err error) bool {
	var re *vault.ResponseError
	return errors.As(err, &re)
}

func isCASMismatch(err error) bool {
	var re *vault.ResponseError
	if !errors.As(err, &re) || re.StatusCode != 400 {
		return false
	}
	for _, m := range re.Errors {
		if strings.Contains(m, "check-and-set") {
			return true
		}
	}
	return false
}

// classify turns a client error into an *Error with a remedy. path is the
// API path asked and capability what the call needs on it, to name both
// when the policy says no; a 403 is told apart from a dead token by
// looking the token up.
func (o *OpenBao) classify(ctx context.Context, op, account, path, capability string, err error) error {
	if err == nil {
		return nil
	}
	var se *Error
	if errors.As(err, &se) {
		return err // already classified (a login)
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return ctx.Err()
	}
	if ctx.Err() != nil && errors.Is(err, context.DeadlineExceeded) {
		// The caller's own deadline, not the server's slowness: saying
		// "it did not answer within openbao_timeout" would not be true.
		return fmt.Errorf("%s credential %s: %w", op, account, ctx.Err())
	}
	e := classifyBao(op, account, err, o.timeout())
	if errors.Is(e.Kind, ErrDenied) {
		if o.tokenInvalid(ctx) {
			e.Kind, e.Fix = ErrTokenInvalid, remedyToken
		} else {
			e.Fix = fmt.Sprintf("The token's policy does not grant %q on %s%s.\n"+
				"Ask whoever runs the server for a policy like the team policy in docs/team-store.md.",
				capability, path, o.hasCaps(ctx, path))
		}
	}
	return e
}

const remedyToken = "Log in to the server again (bao login, or a new BAO_TOKEN), or, with AppRole or JWT,\n" +
	"check that the role still exists and its credentials are current. " + remedyBaoEnv

// classifyBao classifies by the error alone.
func classifyBao(op, account string, err error, timeout time.Duration) *Error {
	e := &Error{Op: op, Account: account, Err: err}
	var re *vault.ResponseError
	if errors.As(err, &re) {
		msg := strings.ToLower(strings.Join(re.Errors, "; "))
		e.Err = fmt.Errorf("%s %s: HTTP %d: %s", re.HTTPMethod, pathOf(re.URL), re.StatusCode, strings.Join(re.Errors, "; "))
		switch {
		case isCASMismatch(err):
			e.Kind, e.Fix = ErrConflict, "Read it again (terok auth status) and decide."
		case re.StatusCode == 503 && strings.Contains(msg, "sealed"):
			e.Kind, e.Fix = ErrSealed, "Ask whoever runs the server to unseal it (bao operator unseal); nothing is lost meanwhile."
		case strings.Contains(msg, "namespace") && (strings.Contains(msg, "not found") || strings.Contains(msg, "no namespace") || strings.Contains(msg, "does not exist")):
			e.Kind, e.Fix = ErrNamespace, "Check VAULT_NAMESPACE (or BAO_NAMESPACE): the server has no such namespace."
		case strings.Contains(msg, "invalid token") || strings.Contains(msg, "token is expired") || strings.Contains(msg, "bad token"):
			e.Kind, e.Fix = ErrTokenInvalid, remedyToken
		case re.StatusCode == 403:
			e.Kind = ErrDenied
		case re.StatusCode == 400 && strings.Contains(msg, "no handler for route"),
			re.StatusCode == 404 && strings.Contains(msg, "no handler for route"):
			e.Kind, e.Fix = ErrNotKV2, "Enable KV version 2 there (bao secrets enable -version=2 -path=MOUNT kv), or set openbao_mount to the mount that is."
		case strings.Contains(msg, "unsupported path") || strings.Contains(msg, "upgrading from non-versioned"):
			e.Kind, e.Fix = ErrNotKV2, "The mount is KV version 1 (or still upgrading): bao kv enable-versioning MOUNT, or use a KV v2 mount."
		default:
			e.Kind, e.Fix = ErrBackend, "Run terok auth doctor to check the server, the token and its policy."
		}
		return e
	}
	var uerr *url.Error
	var cerr *tls.CertificateVerificationError
	var hostErr x509.HostnameError
	var authErr x509.UnknownAuthorityError
	var invErr x509.CertificateInvalidError
	var recErr tls.RecordHeaderError
	var netErr net.Error
	msg := err.Error()
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		e.Kind, e.Fix = ErrOpenBaoTimeout, fmt.Sprintf("It did not answer within %s. Check that the server is up and not overloaded,\n"+
			"or set TEROK_OPENBAO_TIMEOUT to wait longer.", timeout)
	case errors.As(err, &cerr), errors.As(err, &hostErr), errors.As(err, &authErr), errors.As(err, &invErr),
		errors.As(err, &recErr), strings.Contains(msg, "x509:"), strings.Contains(msg, "tls:"),
		strings.Contains(msg, "server gave HTTP response to HTTPS client"):
		e.Kind, e.Fix = ErrTLS, "Check the address's scheme (https:// or http://) and that VAULT_CACERT (or BAO_CACERT) names\n"+
			"the CA that signed the server's certificate."
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH),
		errors.As(err, new(*net.DNSError)), errors.As(err, new(*net.OpError)), errors.As(err, &uerr):
		e.Kind, e.Fix = ErrUnreachable, "Check BAO_ADDR (or VAULT_ADDR) and that the server is running. "+remedyBaoEnv
	default:
		e.Kind, e.Fix = ErrBackend, "Run terok auth doctor to check the server, the token and its policy."
	}
	return e
}

// pathOf is the path of a request URL, without the host.
func pathOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Path
}

// tokenInvalid reports whether the client's token is dead: a lookup of
// itself is refused.
func (o *OpenBao) tokenInvalid(ctx context.Context) bool {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), o.timeout())
	defer cancel()
	_, err := o.Client.Auth().Token().LookupSelfWithContext(cctx)
	var re *vault.ResponseError
	return errors.As(err, &re) && re.StatusCode == 403
}

// hasCaps says what the token may do on path, for a permission error:
// "" when that cannot be found out.
func (o *OpenBao) hasCaps(ctx context.Context, path string) string {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), o.timeout())
	defer cancel()
	caps, err := o.Client.Sys().CapabilitiesSelfWithContext(cctx, path)
	if err != nil || len(caps) == 0 {
		return ""
	}
	return " (it grants: " + strings.Join(caps, ", ") + ")"
}
