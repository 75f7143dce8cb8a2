package providertest

import (
	"context"
	"io"
	"os"

	"github.com/terok-ai/terok-auth/sdk"
)

// quiet wraps an in-process provider so that every call fails the test if
// it writes to standard output, which in a plugin carries the handshake,
// and records what it writes to standard error, which terok forwards as
// the plugin's log.
type quiet struct {
	fail func(format string, args ...any)
	p    sdk.Provider
	rec  *logRecorder // nil: standard error is left alone
}

// capture redirects *f to a pipe while call runs and returns what was
// written to it.
func capture(f **os.File, call func()) ([]byte, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	saved := *f
	*f = w
	got := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(r)
		got <- b
	}()
	defer func() {
		*f = saved
		_ = w.Close()
	}()
	call()
	*f = saved
	_ = w.Close()
	out := <-got
	_ = r.Close()
	return out, nil
}

func watchStdout[Resp any](q quiet, method string, call func() (Resp, error)) (Resp, error) {
	var resp Resp
	var cerr error
	inner := func() { resp, cerr = call() }
	if q.rec != nil {
		stderrCall := inner
		inner = func() {
			errOut, err := capture(&os.Stderr, stderrCall)
			if err != nil {
				q.fail("watch standard error: %v", err)
				return
			}
			_, _ = q.rec.Write(errOut)
			_, _ = os.Stderr.Write(errOut)
		}
	}
	out, err := capture(&os.Stdout, inner)
	if err != nil {
		q.fail("watch standard output: %v", err)
		return call()
	}
	if len(out) > 0 {
		q.fail("%s wrote to standard output: %q", method, out)
	}
	return resp, cerr
}

func (q quiet) Describe(ctx context.Context, req *sdk.DescribeRequest) (*sdk.DescribeResponse, error) {
	return watchStdout(q, "Describe", func() (*sdk.DescribeResponse, error) { return q.p.Describe(ctx, req) })
}

func (q quiet) Negotiate(ctx context.Context, req *sdk.NegotiateRequest) (*sdk.NegotiateResponse, error) {
	return watchStdout(q, "Negotiate", func() (*sdk.NegotiateResponse, error) { return q.p.Negotiate(ctx, req) })
}

func (q quiet) KeyPrompt(ctx context.Context, req *sdk.KeyPromptRequest) (*sdk.KeyPromptResponse, error) {
	return watchStdout(q, "KeyPrompt", func() (*sdk.KeyPromptResponse, error) { return q.p.KeyPrompt(ctx, req) })
}

func (q quiet) AcceptKey(ctx context.Context, req *sdk.AcceptKeyRequest) (*sdk.AcceptKeyResponse, error) {
	return watchStdout(q, "AcceptKey", func() (*sdk.AcceptKeyResponse, error) { return q.p.AcceptKey(ctx, req) })
}

func (q quiet) ContainerSpec(ctx context.Context, req *sdk.ContainerSpecRequest) (*sdk.ContainerSpecResponse, error) {
	return watchStdout(q, "ContainerSpec", func() (*sdk.ContainerSpecResponse, error) { return q.p.ContainerSpec(ctx, req) })
}

func (q quiet) Capture(ctx context.Context, req *sdk.CaptureRequest) (*sdk.CaptureResponse, error) {
	return watchStdout(q, "Capture", func() (*sdk.CaptureResponse, error) { return q.p.Capture(ctx, req) })
}
