package rpc

import (
	"context"

	"github.com/terok-ai/terok-auth/sdk"
	pb "github.com/terok-ai/terok-auth/sdk/internal/proto/providerv1"
)

// client is an sdk.Provider that forwards every call over gRPC. Errors come
// back through fromStatus, so errors.Is matches SDK sentinels.
type client struct {
	c pb.ProviderClient
}

var _ sdk.Provider = (*client)(nil)

// NewClient returns an sdk.Provider backed by the gRPC client c.
func NewClient(c pb.ProviderClient) sdk.Provider { return &client{c: c} }

func (c *client) Describe(ctx context.Context, _ *sdk.DescribeRequest) (*sdk.DescribeResponse, error) {
	r, err := c.c.Describe(ctx, &pb.DescribeRequest{})
	if err != nil {
		return nil, fromStatus(err)
	}
	return describeFromPB(r), nil
}

func (c *client) Negotiate(ctx context.Context, req *sdk.NegotiateRequest) (*sdk.NegotiateResponse, error) {
	r, err := c.c.Negotiate(ctx, negotiateReqToPB(req))
	if err != nil {
		return nil, fromStatus(err)
	}
	return negotiateRespFromPB(r), nil
}

func (c *client) KeyPrompt(ctx context.Context, req *sdk.KeyPromptRequest) (*sdk.KeyPromptResponse, error) {
	r, err := c.c.KeyPrompt(ctx, &pb.KeyPromptRequest{Mode: string(req.Mode)})
	if err != nil {
		return nil, fromStatus(err)
	}
	return keyPromptFromPB(r), nil
}

func (c *client) AcceptKey(ctx context.Context, req *sdk.AcceptKeyRequest) (*sdk.AcceptKeyResponse, error) {
	r, err := c.c.AcceptKey(ctx, &pb.AcceptKeyRequest{Key: req.Key, Mode: string(req.Mode)})
	if err != nil {
		return nil, fromStatus(err)
	}
	cred, err := credentialFromPB(r.GetCredential())
	if err != nil {
		return nil, err
	}
	return &sdk.AcceptKeyResponse{Credential: cred, KeyFiles: filesFromPB(r.GetKeyFiles())}, nil
}

func (c *client) ContainerSpec(ctx context.Context, req *sdk.ContainerSpecRequest) (*sdk.ContainerSpecResponse, error) {
	r, err := c.c.ContainerSpec(ctx, &pb.ContainerSpecRequest{Mode: string(req.Mode), Host: req.Host})
	if err != nil {
		return nil, fromStatus(err)
	}
	return containerSpecFromPB(r), nil
}

func (c *client) Capture(ctx context.Context, req *sdk.CaptureRequest) (*sdk.CaptureResponse, error) {
	r, err := c.c.Capture(ctx, &pb.CaptureRequest{Mode: string(req.Mode), Files: filesToPB(req.Files)})
	if err != nil {
		return nil, fromStatus(err)
	}
	cred, err := credentialFromPB(r.GetCredential())
	if err != nil {
		return nil, err
	}
	return &sdk.CaptureResponse{Credential: cred, StateFiles: filesFromPB(r.GetStateFiles())}, nil
}
