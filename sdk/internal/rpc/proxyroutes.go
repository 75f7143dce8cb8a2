package rpc

import (
	"context"

	"github.com/terok-ai/terok-auth/sdk"
	pb "github.com/terok-ai/terok-auth/sdk/internal/proto/providerv1"
)

// The host always sees an sdk.Proxied; a plugin that is not one answers
// Unimplemented, which comes back as sdk.ErrUnimplemented.
var _ sdk.Proxied = (*client)(nil)

func (c *client) ProxyRoutes(ctx context.Context, _ *sdk.ProxyRoutesRequest) (*sdk.ProxyRoutesResponse, error) {
	r, err := c.c.ProxyRoutes(ctx, &pb.ProxyRoutesRequest{})
	if err != nil {
		return nil, fromStatus(err)
	}
	return proxyRoutesFromPB(r), nil
}

func (s *server) ProxyRoutes(ctx context.Context, _ *pb.ProxyRoutesRequest) (*pb.ProxyRoutesResponse, error) {
	px, ok := s.p.(sdk.Proxied)
	if !ok {
		return nil, toStatus(sdk.ErrUnimplemented)
	}
	r, err := px.ProxyRoutes(ctx, &sdk.ProxyRoutesRequest{})
	if err != nil {
		return nil, toStatus(err)
	}
	if r == nil {
		return nil, noAnswer("ProxyRoutes")
	}
	return proxyRoutesToPB(r), nil
}

func proxyRoutesToPB(r *sdk.ProxyRoutesResponse) *pb.ProxyRoutesResponse {
	out := &pb.ProxyRoutesResponse{}
	for _, in := range r.Routes {
		out.Routes = append(out.Routes, &pb.ProxyRoute{
			CredentialType: in.CredentialType, Upstream: in.Upstream, PathUpstreams: in.PathUpstreams,
			Header: in.Header, Prefix: in.Prefix, Field: in.Field, ExtraHeaders: in.ExtraHeaders,
			BaseUrlEnv: in.BaseURLEnv, BaseUrlPath: in.BaseURLPath, StandInEnv: in.StandInEnv, SetupHint: in.SetupHint,
		})
	}
	return out
}

// proxyRoutesFromPB only converts: the host validates what a plugin
// declares (core/route), as it does a YAML provider's proxy: block.
func proxyRoutesFromPB(r *pb.ProxyRoutesResponse) *sdk.ProxyRoutesResponse {
	out := &sdk.ProxyRoutesResponse{}
	for _, in := range r.GetRoutes() {
		out.Routes = append(out.Routes, sdk.ProxyRoute{
			CredentialType: in.GetCredentialType(), Upstream: in.GetUpstream(), PathUpstreams: emptyAsNil(in.GetPathUpstreams()),
			Header: in.GetHeader(), Prefix: in.GetPrefix(), Field: in.GetField(), ExtraHeaders: emptyAsNil(in.GetExtraHeaders()),
			BaseURLEnv: in.GetBaseUrlEnv(), BaseURLPath: in.GetBaseUrlPath(), StandInEnv: in.GetStandInEnv(), SetupHint: in.GetSetupHint(),
		})
	}
	return out
}
