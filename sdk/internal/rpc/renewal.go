package rpc

import (
	"context"

	"github.com/terok-ai/terok-auth/sdk"
	pb "github.com/terok-ai/terok-auth/sdk/internal/proto/providerv1"
)

// The host always sees an sdk.Renewer; a plugin that is not one answers
// Unimplemented, which comes back as sdk.ErrUnimplemented.
var _ sdk.Renewer = (*client)(nil)

func (c *client) Renewal(ctx context.Context, _ *sdk.RenewalRequest) (*sdk.RenewalResponse, error) {
	r, err := c.c.Renewal(ctx, &pb.RenewalRequest{})
	if err != nil {
		return nil, fromStatus(err)
	}
	return renewalFromPB(r), nil
}

func (s *server) Renewal(ctx context.Context, _ *pb.RenewalRequest) (*pb.RenewalResponse, error) {
	rn, ok := s.p.(sdk.Renewer)
	if !ok {
		return nil, toStatus(sdk.ErrUnimplemented)
	}
	r, err := rn.Renewal(ctx, &sdk.RenewalRequest{})
	if err != nil {
		return nil, toStatus(err)
	}
	if r == nil {
		return nil, noAnswer("Renewal")
	}
	return renewalToPB(r), nil
}

func renewalToPB(r *sdk.RenewalResponse) *pb.RenewalResponse {
	out := &pb.RenewalResponse{}
	for _, in := range r.Renewals {
		f := in.Response
		out.Renewals = append(out.Renewals, &pb.Renewal{
			CredentialType: in.CredentialType, Endpoints: in.Endpoints, ClientId: in.ClientID, Scope: in.Scope,
			Encoding: in.Encoding, Headers: in.Headers,
			Response: &pb.RenewalFields{
				AccessToken: f.AccessToken, RefreshToken: f.RefreshToken, ExpiresIn: f.ExpiresIn, ExpiresAt: f.ExpiresAt,
				IdToken: f.IDToken, ExpiryFromJwt: f.ExpiryFromJWT, ExpiryText: f.ExpiryText, ExpiryTextFormat: f.ExpiryTextFormat,
			},
		})
	}
	return out
}

func renewalFromPB(r *pb.RenewalResponse) *sdk.RenewalResponse {
	out := &sdk.RenewalResponse{}
	for _, in := range r.GetRenewals() {
		f := in.GetResponse()
		out.Renewals = append(out.Renewals, sdk.Renewal{
			CredentialType: in.GetCredentialType(), Endpoints: in.GetEndpoints(), ClientID: in.GetClientId(),
			Scope: in.GetScope(), Encoding: in.GetEncoding(), Headers: emptyAsNil(in.GetHeaders()),
			Response: sdk.RenewalFields{
				AccessToken: f.GetAccessToken(), RefreshToken: f.GetRefreshToken(), ExpiresIn: f.GetExpiresIn(),
				ExpiresAt: f.GetExpiresAt(), IDToken: f.GetIdToken(), ExpiryFromJWT: f.GetExpiryFromJwt(),
				ExpiryText: f.GetExpiryText(), ExpiryTextFormat: f.GetExpiryTextFormat(),
			},
		})
	}
	return out
}
