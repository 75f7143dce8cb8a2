package rpc

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"

	"github.com/terok-ai/terok-auth/sdk"
	pb "github.com/terok-ai/terok-auth/sdk/internal/proto/providerv1"
)

// The to/from functions below are the only place where protobuf and SDK
// types meet. Each pair must round-trip; convert_test.go checks that.

func modesToPB(ms []sdk.Mode) []string {
	if len(ms) == 0 {
		return nil
	}
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = string(m)
	}
	return out
}

func modesFromPB(ss []string) []sdk.Mode {
	if len(ss) == 0 {
		return nil
	}
	out := make([]sdk.Mode, len(ss))
	for i, s := range ss {
		out[i] = sdk.Mode(s)
	}
	return out
}

func describeToPB(r *sdk.DescribeResponse) *pb.DescribeResponse {
	return &pb.DescribeResponse{
		Name: r.Name, Label: r.Label, Version: r.Version, Modes: modesToPB(r.Modes),
		Description: r.Description, KeyUrl: r.KeyURL, DocsUrl: r.DocsURL, HostDir: r.HostDir,
		ProtocolVersion: int32(r.ProtocolVersion),
	}
}

func describeFromPB(r *pb.DescribeResponse) *sdk.DescribeResponse {
	return &sdk.DescribeResponse{
		Name: r.GetName(), Label: r.GetLabel(), Version: r.GetVersion(), Modes: modesFromPB(r.GetModes()),
		Description: r.GetDescription(), KeyURL: r.GetKeyUrl(), DocsURL: r.GetDocsUrl(), HostDir: r.GetHostDir(),
		ProtocolVersion: int(r.GetProtocolVersion()),
	}
}

func negotiateReqToPB(r *sdk.NegotiateRequest) *pb.NegotiateRequest {
	return &pb.NegotiateRequest{
		Interactive: r.Interactive, ContainerRuntime: r.ContainerRuntime,
		OauthAllowed: r.OAuthAllowed, Requested: string(r.Requested),
	}
}

func negotiateReqFromPB(r *pb.NegotiateRequest) *sdk.NegotiateRequest {
	return &sdk.NegotiateRequest{
		Interactive: r.GetInteractive(), ContainerRuntime: r.GetContainerRuntime(),
		OAuthAllowed: r.GetOauthAllowed(), Requested: sdk.Mode(r.GetRequested()),
	}
}

func negotiateRespToPB(r *sdk.NegotiateResponse) *pb.NegotiateResponse {
	out := &pb.NegotiateResponse{Modes: modesToPB(r.Modes), Default: string(r.Default)}
	for _, u := range r.Unavailable {
		out.Unavailable = append(out.Unavailable, &pb.UnavailableMode{Mode: string(u.Mode), Reason: u.Reason})
	}
	return out
}

func negotiateRespFromPB(r *pb.NegotiateResponse) *sdk.NegotiateResponse {
	out := &sdk.NegotiateResponse{Modes: modesFromPB(r.GetModes()), Default: sdk.Mode(r.GetDefault())}
	for _, u := range r.GetUnavailable() {
		out.Unavailable = append(out.Unavailable, sdk.UnavailableMode{Mode: sdk.Mode(u.GetMode()), Reason: u.GetReason()})
	}
	return out
}

func keyPromptToPB(r *sdk.KeyPromptResponse) *pb.KeyPromptResponse {
	return &pb.KeyPromptResponse{
		Label: r.Label, Hint: r.Hint, Url: r.URL, EnvVar: r.EnvVar, Secret: r.Secret, FormatHint: r.FormatHint,
	}
}

func keyPromptFromPB(r *pb.KeyPromptResponse) *sdk.KeyPromptResponse {
	return &sdk.KeyPromptResponse{
		Label: r.GetLabel(), Hint: r.GetHint(), URL: r.GetUrl(), EnvVar: r.GetEnvVar(),
		Secret: r.GetSecret(), FormatHint: r.GetFormatHint(),
	}
}

func credentialToPB(c sdk.Credential) (*pb.Credential, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode credential: %w", err)
	}
	return &pb.Credential{Json: b}, nil
}

func credentialFromPB(c *pb.Credential) (sdk.Credential, error) {
	var out sdk.Credential
	if c == nil || len(c.GetJson()) == 0 {
		return out, nil
	}
	if err := json.Unmarshal(c.GetJson(), &out); err != nil {
		return out, fmt.Errorf("decode credential: %w", err)
	}
	return out, nil
}

func containerSpecToPB(r *sdk.ContainerSpecResponse) *pb.ContainerSpecResponse {
	return &pb.ContainerSpecResponse{
		Image: r.Image, Command: r.Command, ConfigPath: r.ConfigPath,
		RunArgs: r.RunArgs, Env: r.Env, Banner: r.Banner,
		CallbackPorts: portsToPB(r.CallbackPorts), SkipPaths: r.SkipPaths, User: r.User,
	}
}

func containerSpecFromPB(r *pb.ContainerSpecResponse) *sdk.ContainerSpecResponse {
	return &sdk.ContainerSpecResponse{
		Image: r.GetImage(), Command: r.GetCommand(), ConfigPath: r.GetConfigPath(),
		RunArgs: r.GetRunArgs(), Env: r.GetEnv(), Banner: r.GetBanner(),
		CallbackPorts: portsFromPB(r.GetCallbackPorts()), SkipPaths: r.GetSkipPaths(), User: r.GetUser(),
	}
}

// portsToPB carries ports as int32; one that does not fit becomes 0, which
// the host refuses like any other bad port.
func portsToPB(ps []int) []int32 {
	if len(ps) == 0 {
		return nil
	}
	out := make([]int32, len(ps))
	for i, p := range ps {
		if p > 0 && p <= math.MaxInt32 {
			out[i] = int32(p)
		}
	}
	return out
}

func portsFromPB(ps []int32) []int {
	if len(ps) == 0 {
		return nil
	}
	out := make([]int, len(ps))
	for i, p := range ps {
		out[i] = int(p)
	}
	return out
}

// filesToPB sorts by path so the wire form is deterministic.
func filesToPB(m map[string][]byte) []*pb.File {
	if len(m) == 0 {
		return nil
	}
	paths := make([]string, 0, len(m))
	for p := range m {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	out := make([]*pb.File, len(paths))
	for i, p := range paths {
		out[i] = &pb.File{Path: p, Data: m[p]}
	}
	return out
}

func filesFromPB(fs []*pb.File) map[string][]byte {
	if len(fs) == 0 {
		return nil
	}
	out := make(map[string][]byte, len(fs))
	for _, f := range fs {
		out[f.GetPath()] = f.GetData()
	}
	return out
}

func injectionToPB(r *sdk.InjectionResponse) *pb.InjectionResponse {
	out := &pb.InjectionResponse{}
	for _, in := range r.Injections {
		out.Injections = append(out.Injections, &pb.Injection{
			CredentialType: in.CredentialType, Env: in.Env, Files: in.Files, DirEnv: in.DirEnv,
		})
	}
	return out
}

func injectionFromPB(r *pb.InjectionResponse) *sdk.InjectionResponse {
	out := &sdk.InjectionResponse{}
	for _, in := range r.GetInjections() {
		out.Injections = append(out.Injections, sdk.Injection{
			CredentialType: in.GetCredentialType(), Env: emptyAsNil(in.GetEnv()),
			Files: emptyAsNil(in.GetFiles()), DirEnv: in.GetDirEnv(),
		})
	}
	return out
}

func emptyAsNil(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}
