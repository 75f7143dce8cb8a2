package rpc

import (
	"errors"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/terok-ai/terok-auth/sdk"
)

// errorDomain tags the ErrorInfo detail that names an SDK sentinel, so a
// status from anywhere else (gRPC itself, a proxy) is never mistaken for one.
const errorDomain = "terok.provider.v1"

// wire is how each of sdk.Sentinels crosses the wire: the ErrorInfo reason
// that names it and the status code a generic gRPC client sees. A test
// fails when a sentinel has no entry here.
var wire = map[error]struct {
	reason string
	code   codes.Code
}{
	sdk.ErrInvalidKey:      {"INVALID_KEY", codes.InvalidArgument},
	sdk.ErrNothingCaptured: {"NOTHING_CAPTURED", codes.NotFound},
	sdk.ErrUnsupportedMode: {"UNSUPPORTED_MODE", codes.FailedPrecondition},
	sdk.ErrUnimplemented:   {"UNIMPLEMENTED", codes.Unimplemented},
}

// toStatus turns a provider's error into a gRPC status. The message is the
// provider's whole message; an SDK sentinel in its chain is recorded as an
// ErrorInfo detail.
func toStatus(err error) error {
	if err == nil {
		return nil
	}
	for _, sentinel := range sdk.Sentinels() {
		if s, ok := wire[sentinel]; ok && errors.Is(err, sentinel) {
			st := status.New(s.code, err.Error())
			if withInfo, derr := st.WithDetails(&errdetails.ErrorInfo{Reason: s.reason, Domain: errorDomain}); derr == nil {
				st = withInfo
			}
			return st.Err()
		}
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	return status.Error(codes.Unknown, err.Error())
}

// remoteError is a provider's error as seen by the host: the provider's
// message, matching the SDK sentinel it wrapped.
type remoteError struct {
	msg      string
	sentinel error
}

func (e *remoteError) Error() string { return e.msg }
func (e *remoteError) Unwrap() error { return e.sentinel }

// fromStatus turns a gRPC error back into one that errors.Is matches
// against SDK sentinels. codes.Unimplemented, which an older plugin's gRPC
// server returns for a method it does not know, is sdk.ErrUnimplemented.
func fromStatus(err error) error {
	if err == nil {
		return nil
	}
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	for _, d := range st.Details() {
		info, ok := d.(*errdetails.ErrorInfo)
		if !ok || info.GetDomain() != errorDomain {
			continue
		}
		for _, sentinel := range sdk.Sentinels() {
			if wire[sentinel].reason == info.GetReason() {
				return &remoteError{msg: st.Message(), sentinel: sentinel}
			}
		}
	}
	if st.Code() == codes.Unimplemented {
		return &remoteError{msg: st.Message(), sentinel: sdk.ErrUnimplemented}
	}
	return err
}
