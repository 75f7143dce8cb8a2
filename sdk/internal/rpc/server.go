package rpc

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/terok-ai/terok-auth/sdk"
	pb "github.com/terok-ai/terok-auth/sdk/internal/proto/providerv1"
)

// server exposes an sdk.Provider as the gRPC Provider service.
type server struct {
	pb.UnimplementedProviderServer
	p sdk.Provider
}

var _ pb.ProviderServer = (*server)(nil)

func (s *server) Describe(ctx context.Context, _ *pb.DescribeRequest) (*pb.DescribeResponse, error) {
	r, err := s.p.Describe(ctx, &sdk.DescribeRequest{})
	if err != nil {
		return nil, toStatus(err)
	}
	if r == nil {
		return nil, noAnswer("Describe")
	}
	out := describeToPB(r)
	out.ProtocolVersion = sdk.ProtocolVersion
	return out, nil
}

func (s *server) Negotiate(ctx context.Context, req *pb.NegotiateRequest) (*pb.NegotiateResponse, error) {
	r, err := s.p.Negotiate(ctx, negotiateReqFromPB(req))
	if err != nil {
		return nil, toStatus(err)
	}
	if r == nil {
		return nil, noAnswer("Negotiate")
	}
	return negotiateRespToPB(r), nil
}

func (s *server) KeyPrompt(ctx context.Context, req *pb.KeyPromptRequest) (*pb.KeyPromptResponse, error) {
	r, err := s.p.KeyPrompt(ctx, &sdk.KeyPromptRequest{Mode: sdk.Mode(req.GetMode())})
	if err != nil {
		return nil, toStatus(err)
	}
	if r == nil {
		return nil, noAnswer("KeyPrompt")
	}
	return keyPromptToPB(r), nil
}

func (s *server) AcceptKey(ctx context.Context, req *pb.AcceptKeyRequest) (*pb.AcceptKeyResponse, error) {
	r, err := s.p.AcceptKey(ctx, &sdk.AcceptKeyRequest{Key: req.GetKey(), Mode: sdk.Mode(req.GetMode())})
	if err != nil {
		return nil, toStatus(err)
	}
	if r == nil {
		return nil, noAnswer("AcceptKey")
	}
	c, err := credentialToPB(r.Credential)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.AcceptKeyResponse{Credential: c, KeyFiles: filesToPB(r.KeyFiles)}, nil
}

func (s *server) ContainerSpec(ctx context.Context, req *pb.ContainerSpecRequest) (*pb.ContainerSpecResponse, error) {
	r, err := s.p.ContainerSpec(ctx, &sdk.ContainerSpecRequest{Mode: sdk.Mode(req.GetMode()), Host: req.GetHost()})
	if err != nil {
		return nil, toStatus(err)
	}
	if r == nil {
		return nil, noAnswer("ContainerSpec")
	}
	return containerSpecToPB(r), nil
}

func (s *server) Capture(ctx context.Context, req *pb.CaptureRequest) (*pb.CaptureResponse, error) {
	r, err := s.p.Capture(ctx, &sdk.CaptureRequest{Mode: sdk.Mode(req.GetMode()), Files: filesFromPB(req.GetFiles())})
	if err != nil {
		return nil, toStatus(err)
	}
	if r == nil {
		return nil, noAnswer("Capture")
	}
	c, err := credentialToPB(r.Credential)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.CaptureResponse{Credential: c, StateFiles: filesToPB(r.StateFiles)}, nil
}

// noAnswer is the error a method sends when the provider returned neither a
// response nor an error: a bug in the provider, which the host should hear
// about as one, not as a plugin that crashed on a nil response.
func noAnswer(method string) error {
	return status.Errorf(codes.Internal, "provider bug: %s returned neither a response nor an error", method)
}
