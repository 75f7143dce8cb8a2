package rpc

import (
	"context"

	"github.com/terok-ai/terok-auth/sdk"
	pb "github.com/terok-ai/terok-auth/sdk/internal/proto/providerv1"
)

// The host always sees an sdk.Injector; a plugin that is not one answers
// Unimplemented, which comes back as sdk.ErrUnimplemented.
var _ sdk.Injector = (*client)(nil)

func (c *client) Injection(ctx context.Context, _ *sdk.InjectionRequest) (*sdk.InjectionResponse, error) {
	r, err := c.c.Injection(ctx, &pb.InjectionRequest{})
	if err != nil {
		return nil, fromStatus(err)
	}
	return injectionFromPB(r), nil
}

func (s *server) Injection(ctx context.Context, _ *pb.InjectionRequest) (*pb.InjectionResponse, error) {
	inj, ok := s.p.(sdk.Injector)
	if !ok {
		return nil, toStatus(sdk.ErrUnimplemented)
	}
	r, err := inj.Injection(ctx, &sdk.InjectionRequest{})
	if err != nil {
		return nil, toStatus(err)
	}
	if r == nil {
		return nil, noAnswer("Injection")
	}
	return injectionToPB(r), nil
}
