// Command testplugin is a provider plugin that misbehaves on purpose, for the
// host's end-to-end tests. One binary is built; tests copy it under the name
// of the fault they want, and it picks its behaviour from that name:
//
//	terok-provider-crashy     exits in the middle of AcceptKey
//	terok-provider-hangy      never answers Describe
//	terok-provider-noisy      writes to stdout before the handshake
//	terok-provider-slowstart  never completes the handshake
//	terok-provider-liar       describes itself under another name
//	terok-provider-good       a well-behaved api_key provider (keys "good-…")
//	terok-provider-capcrash   an oauth provider (claude's login) that exits in Capture
//	terok-provider-leaky      logs the key it is given (the host must mask it)
//	terok-provider-leakycap   claude's OAuth login, logging the token it captures
//	terok-provider-leakyenv   stores keys as oauth_token credentials and declares how
//	                          they are injected, so that terok auth exec hands it a
//	                          TEROK_LEAKYENV_API_KEY override, which it logs
//	terok-provider-future     built for plugin protocol 2, which this terok does not speak
//	terok-provider-partial    implements only Describe, Negotiate and AcceptKey, as a
//	                          plugin built against an older protocol would
//	terok-provider-envdump    a "good" provider that first writes its environment to
//	                          <its path>.env
//	terok-provider-spawner    a "good" provider that first starts two sleepers in
//	                          sessions of their own, one its child, one orphaned,
//	                          and writes their pids to <its path>.pids
//	terok-provider-plainhang  "hangy" served by plain go-plugin, without the SDK's
//	                          watchdog that exits when the host is gone
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/terok-ai/terok-auth/sdk"
	pb "github.com/terok-ai/terok-auth/sdk/internal/proto/providerv1"
	"github.com/terok-ai/terok-auth/sdk/internal/rpc"
	"github.com/terok-ai/terok-auth/sdk/plugin"
)

type fault struct {
	sdk.UnsupportedContainer
	name string
}

func (f fault) Describe(ctx context.Context, _ *sdk.DescribeRequest) (*sdk.DescribeResponse, error) {
	name := f.name
	switch f.name {
	case "hangy", "plainhang":
		<-ctx.Done()
		time.Sleep(time.Hour)
	case "liar":
		name = "somebody-else"
	}
	return &sdk.DescribeResponse{Name: name, Label: "Test " + f.name, Modes: f.modes()}, nil
}

func (f fault) modes() []sdk.Mode {
	if f.name == "capcrash" || f.name == "leakycap" {
		return []sdk.Mode{sdk.ModeOAuth}
	}
	return []sdk.Mode{sdk.ModeAPIKey}
}

func (f fault) Negotiate(_ context.Context, req *sdk.NegotiateRequest) (*sdk.NegotiateResponse, error) {
	return sdk.NegotiateModes(f.modes(), req)
}

func (f fault) ContainerSpec(ctx context.Context, req *sdk.ContainerSpecRequest) (*sdk.ContainerSpecResponse, error) {
	if f.name != "capcrash" && f.name != "leakycap" {
		return f.UnsupportedContainer.ContainerSpec(ctx, req)
	}
	return &sdk.ContainerSpecResponse{Command: []string{"claude"}, ConfigPath: "/home/dev/.claude"}, nil
}

func (f fault) Capture(ctx context.Context, req *sdk.CaptureRequest) (*sdk.CaptureResponse, error) {
	switch f.name {
	case "capcrash":
		os.Exit(9)
	case "leakycap":
		resp, err := captureClaude(req)
		if err == nil {
			hclog.L().Warn("captured a token", "access_token", resp.Credential.Get("access_token"))
		}
		return resp, err
	}
	return f.UnsupportedContainer.Capture(ctx, req)
}

func (f fault) KeyPrompt(context.Context, *sdk.KeyPromptRequest) (*sdk.KeyPromptResponse, error) {
	return &sdk.KeyPromptResponse{Label: "Test key", Secret: true}, nil
}

func (f fault) AcceptKey(_ context.Context, req *sdk.AcceptKeyRequest) (*sdk.AcceptKeyResponse, error) {
	if f.name == "crashy" {
		os.Exit(7)
	}
	if f.name == "leaky" {
		hclog.L().Warn("received a key", "key", req.Key)
	}
	if !strings.HasPrefix(req.Key, "good-") {
		return nil, fmt.Errorf("%w: test keys start with good-", sdk.ErrInvalidKey)
	}
	return &sdk.AcceptKeyResponse{Credential: sdk.APIKey(req.Key)}, nil
}

func main() {
	name := strings.TrimPrefix(filepath.Base(os.Args[0]), "terok-provider-")
	switch name {
	case "noisy":
		fmt.Println("hello from a plugin that forgot stdout is not its own")
	case "slowstart":
		time.Sleep(time.Hour)
	case "future":
		serveRaw(2, fault{name: name})
	case "partial":
		serveRaw(sdk.ProtocolVersion, partial{})
	case "plainhang":
		serveRaw(sdk.ProtocolVersion, fault{name: name})
	case "envdump":
		_ = os.WriteFile(os.Args[0]+".env", []byte(strings.Join(os.Environ(), "\n")), 0o600)
	case "spawner":
		spawnSleepers(os.Args[0] + ".pids")
	}
	if name == "leakyenv" {
		plugin.Serve(leakyEnv{fault{name: name}})
	}
	plugin.Serve(fault{name: name})
}

// leakyEnv is "leaky" for terok auth exec: it keeps a key as an oauth_token
// credential, so an override (a bare key) reaches its AcceptKey to be
// turned into one, and it logs the key it is given there.
type leakyEnv struct{ fault }

func (leakyEnv) AcceptKey(_ context.Context, req *sdk.AcceptKeyRequest) (*sdk.AcceptKeyResponse, error) {
	hclog.L().Warn("received a key", "key", req.Key)
	return &sdk.AcceptKeyResponse{Credential: sdk.Credential{Type: sdk.TypeOAuthToken, Fields: map[string]any{"token": req.Key, "host": "example.com"}}}, nil
}

func (leakyEnv) Injection(context.Context, *sdk.InjectionRequest) (*sdk.InjectionResponse, error) {
	return &sdk.InjectionResponse{Injections: []sdk.Injection{
		{CredentialType: sdk.TypeOAuthToken, Env: map[string]string{"LEAKYENV_TOKEN": "${token}"}},
	}}, nil
}

// serveRaw serves impl at one protocol version, bypassing sdk/plugin.Serve,
// to play plugins built against other SDKs.
func serveRaw(version int, impl any) {
	var p goplugin.Plugin
	switch impl := impl.(type) {
	case sdk.Provider:
		p = &rpc.GRPCPlugin{Impl: impl}
	case partial:
		p = partialPlugin{}
	}
	hs := rpc.Handshake
	hs.ProtocolVersion = uint(version)
	goplugin.Serve(&goplugin.ServeConfig{
		HandshakeConfig:  hs,
		VersionedPlugins: map[int]goplugin.PluginSet{version: {rpc.PluginName: p}},
		GRPCServer:       goplugin.DefaultGRPCServer,
	})
	os.Exit(0)
}

// partial answers only some methods; gRPC answers Unimplemented for the rest.
type partial struct {
	pb.UnimplementedProviderServer
}

func (partial) Describe(context.Context, *pb.DescribeRequest) (*pb.DescribeResponse, error) {
	return &pb.DescribeResponse{Name: "partial", Label: "Test partial", Modes: []string{"oauth", "api_key"}, ProtocolVersion: sdk.ProtocolVersion}, nil
}

func (partial) Negotiate(_ context.Context, req *pb.NegotiateRequest) (*pb.NegotiateResponse, error) {
	return &pb.NegotiateResponse{Modes: []string{"oauth", "api_key"}, Default: "api_key"}, nil
}

func (partial) AcceptKey(_ context.Context, req *pb.AcceptKeyRequest) (*pb.AcceptKeyResponse, error) {
	return &pb.AcceptKeyResponse{Credential: &pb.Credential{Json: []byte(`{"type":"api_key","key":"` + req.GetKey() + `"}`)}}, nil
}

type partialPlugin struct {
	goplugin.NetRPCUnsupportedPlugin
}

func (partialPlugin) GRPCServer(_ *goplugin.GRPCBroker, s *grpc.Server) error {
	pb.RegisterProviderServer(s, partial{})
	return nil
}

func (partialPlugin) GRPCClient(context.Context, *goplugin.GRPCBroker, *grpc.ClientConn) (any, error) {
	return nil, nil
}

// captureClaude reads the OAuth tokens of Claude's .credentials.json, as
// much of it as the tests that log them need. (This module cannot use the
// claude plugin's own parser: that lives in the host's module.)
func captureClaude(req *sdk.CaptureRequest) (*sdk.CaptureResponse, error) {
	var f struct {
		OAuth struct {
			AccessToken  string `json:"accessToken"`
			RefreshToken string `json:"refreshToken"`
		} `json:"claudeAiOauth"`
	}
	if err := json.Unmarshal(req.Files[".credentials.json"], &f); err != nil || f.OAuth.AccessToken == "" {
		return nil, fmt.Errorf("%w: no .credentials.json with an access token", sdk.ErrNothingCaptured)
	}
	fields := map[string]any{"access_token": f.OAuth.AccessToken}
	if f.OAuth.RefreshToken != "" {
		fields["refresh_token"] = f.OAuth.RefreshToken
	}
	return &sdk.CaptureResponse{Credential: sdk.Credential{Type: sdk.TypeOAuth, Fields: fields}}, nil
}
