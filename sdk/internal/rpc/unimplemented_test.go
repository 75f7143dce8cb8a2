package rpc

import (
	"context"
	"errors"
	"testing"

	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/terok-ai/terok-auth/sdk"
	pb "github.com/terok-ai/terok-auth/sdk/internal/proto/providerv1"
)

// oldPlugin registers a server that knows no method at all, as a plugin
// built against an older protocol would for methods added since.
type oldPlugin struct {
	goplugin.NetRPCUnsupportedPlugin
}

func (oldPlugin) GRPCServer(_ *goplugin.GRPCBroker, s *grpc.Server) error {
	pb.RegisterProviderServer(s, pb.UnimplementedProviderServer{})
	return nil
}

func (oldPlugin) GRPCClient(_ context.Context, _ *goplugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return NewClient(pb.NewProviderClient(c)), nil
}

func TestUnimplementedIsUnsupportedNotBroken(t *testing.T) {
	client, server := goplugin.TestPluginGRPCConn(t, false, map[string]goplugin.Plugin{PluginName: oldPlugin{}})
	defer server.Stop()
	defer func() { _ = client.Close() }()
	raw, err := client.Dispense(PluginName)
	if err != nil {
		t.Fatal(err)
	}
	_, err = raw.(sdk.Provider).Capture(context.Background(), &sdk.CaptureRequest{})
	if !errors.Is(err, sdk.ErrUnimplemented) {
		t.Fatalf("err = %v, want sdk.ErrUnimplemented", err)
	}
}

func TestConvertZeroValues(t *testing.T) {
	// Empty slices and maps travel as nil; the SDK treats both the same.
	if got := describeFromPB(describeToPB(&sdk.DescribeResponse{})); got.Modes != nil {
		t.Errorf("modes = %#v", got.Modes)
	}
	if got := filesFromPB(filesToPB(map[string][]byte{})); got != nil {
		t.Errorf("files = %#v", got)
	}
	c, err := credentialFromPB(nil)
	if err != nil || c.Type != "" {
		t.Errorf("nil credential = %v, %v", c, err)
	}
	if _, err := credentialFromPB(&pb.Credential{Json: []byte("[1]")}); err == nil {
		t.Error("a JSON array decoded as a credential")
	}
}
