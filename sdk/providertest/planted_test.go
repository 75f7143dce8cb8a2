package providertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/plugin"
)

// The meta-tests: each bug a third party shipped past the suite before is
// planted in a provider, and the suite must fail on it with a message that
// names it. The suite runs in a child process (this test binary, re-run),
// because a failing suite fails the *testing.T it is given.

const (
	// plantedEnv selects the bug the child process plants.
	plantedEnv = "TEROK_PROVIDERTEST_PLANTED"
	// serveEnv makes this test binary serve the planted provider as a
	// plugin, so RunBinary has a binary to start.
	serveEnv = "TEROK_PROVIDERTEST_SERVE"
)

func TestMain(m *testing.M) {
	if bug := os.Getenv(serveEnv); bug != "" {
		plugin.Serve(planted{bug: bug})
	}
	os.Exit(m.Run())
}

const plantedKey = "plant_0123456789abcdef"

var plantedFiles = map[string][]byte{
	"session.json": []byte(`{"token":"access-abcdefgh","refresh_token":"refresh-abcdefgh","expires":1796083200}`),
}

// planted is a correct provider, except for the one bug it is told to have.
type planted struct{ bug string }

func (p planted) Describe(context.Context, *sdk.DescribeRequest) (*sdk.DescribeResponse, error) {
	return &sdk.DescribeResponse{Name: "planted", Label: "Planted", Modes: []sdk.Mode{sdk.ModeAPIKey, sdk.ModeOAuth}, HostDir: "_planted-config"}, nil
}

func (p planted) Negotiate(_ context.Context, req *sdk.NegotiateRequest) (*sdk.NegotiateResponse, error) {
	return sdk.NegotiateModes([]sdk.Mode{sdk.ModeAPIKey, sdk.ModeOAuth}, req)
}

func (p planted) KeyPrompt(context.Context, *sdk.KeyPromptRequest) (*sdk.KeyPromptResponse, error) {
	return &sdk.KeyPromptResponse{Label: "Planted key", Secret: true}, nil
}

func (p planted) AcceptKey(_ context.Context, req *sdk.AcceptKeyRequest) (*sdk.AcceptKeyResponse, error) {
	if p.bug == "logkey" {
		hclog.L().Info("accepting key", "key", req.Key)
	}
	if !strings.HasPrefix(req.Key, "plant_") {
		return nil, fmt.Errorf("%w: planted keys start with plant_", sdk.ErrInvalidKey)
	}
	resp := &sdk.AcceptKeyResponse{Credential: sdk.APIKey(req.Key), KeyFiles: map[string][]byte{"key.txt": []byte("in the keyring")}}
	if p.bug == "keypath" {
		resp.KeyFiles = map[string][]byte{"../../.ssh/authorized_keys": []byte("in the keyring")}
	}
	if p.bug == "oddkey" {
		resp.Credential = sdk.Credential{Type: sdk.TypeAPIKey, Fields: map[string]any{"apikey": req.Key}}
	}
	return resp, nil
}

func (p planted) ContainerSpec(_ context.Context, req *sdk.ContainerSpecRequest) (*sdk.ContainerSpecResponse, error) {
	if req.Mode != sdk.ModeOAuth {
		return nil, fmt.Errorf("%w: %s", sdk.ErrUnsupportedMode, req.Mode)
	}
	return &sdk.ContainerSpecResponse{Command: []string{"planted", "login"}, ConfigPath: "/home/dev/.planted"}, nil
}

func (p planted) Capture(_ context.Context, req *sdk.CaptureRequest) (*sdk.CaptureResponse, error) {
	if req.Mode != sdk.ModeOAuth {
		return nil, fmt.Errorf("%w: %s", sdk.ErrUnsupportedMode, req.Mode)
	}
	var s struct {
		Token   string  `json:"token"`
		Refresh string  `json:"refresh_token"`
		Expires float64 `json:"expires"`
	}
	if data, ok := req.Files["session.json"]; !ok || json.Unmarshal(data, &s) != nil || s.Token == "" {
		return nil, fmt.Errorf("%w: no session.json with a token", sdk.ErrNothingCaptured)
	}
	fields := map[string]any{"access_token": s.Token, "refresh_token": s.Refresh, "expires_at": s.Expires}
	state := map[string][]byte{"state.json": []byte(`{"onboarded":true}`)}
	switch p.bug {
	case "refresh":
		delete(fields, "refresh_token")
	case "millis":
		fields["expires_at"] = s.Expires * 1000
	case "statepath":
		state = map[string][]byte{"/etc/passwd": []byte("root::0:0::/root:/bin/sh\n")}
	case "logcapture":
		hclog.L().Debug("captured", "token", s.Token)
	case "oddcapture":
		fields = map[string]any{"blob": s.Token, "expires_at": s.Expires}
	}
	return &sdk.CaptureResponse{Credential: sdk.Credential{Type: sdk.TypeOAuth, Fields: fields}, StateFiles: state}, nil
}

// TestPlantedSuite is the child's side. Without a planted bug it runs the
// suite on the correct provider, which must pass: the control.
func TestPlantedSuite(t *testing.T) {
	bug := os.Getenv(plantedEnv)
	opts := []Option{WithKey(plantedKey), WithCapture(sdk.ModeOAuth, plantedFiles)}
	switch bug {
	case "name":
		if testing.Short() {
			t.Skip("starts a plugin binary")
		}
		runPlantedBinary(t, "terok-provider-gemini", "", opts)
	case "logkey-binary":
		if testing.Short() {
			t.Skip("starts a plugin binary")
		}
		runPlantedBinary(t, "terok-provider-planted", "logkey", opts)
	default:
		Run(t, planted{bug: bug}, opts...)
	}
}

// runPlantedBinary runs RunBinary on a copy of this test binary, named
// binName, serving the planted provider with bug.
func runPlantedBinary(t *testing.T, binName, bug string, opts []Option) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), binName)
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	if bug == "" {
		bug = "none"
	}
	t.Setenv(serveEnv, bug)
	RunBinary(t, bin, opts...)
}

func TestPlantedBugsFail(t *testing.T) {
	if testing.Short() {
		t.Skip("re-runs the test binary")
	}
	cases := []struct {
		bug  string
		want string
	}{
		{"refresh", "Capture dropped the refresh token: session.json holds one at .refresh_token"},
		{"millis", "expires_at 1796083200000 looks like milliseconds"},
		{"statepath", `Capture state file path "/etc/passwd" is absolute`},
		{"keypath", `AcceptKey key file path "../../.ssh/authorized_keys" leaves the provider's config directory`},
		{"name", `Describe.Name is "planted" but the binary is terok-provider-gemini`},
		{"logkey", "the plugin logged a secret: the key given to AcceptKey (WithKey #1) appears in its log output"},
		{"logkey-binary", "the plugin logged a secret: the key given to AcceptKey (WithKey #1) appears in its log output"},
		{"logcapture", "the plugin logged a secret: the captured access_token appears in its log output"},
		{"oddkey", "AcceptKey's api_key credential has no secret field (fields: apikey)"},
		{"oddcapture", "captured oauth credential has no secret field (fields: blob, expires_at)"},
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.bug, func(t *testing.T) {
			cmd := exec.Command(self, "-test.run=^TestPlantedSuite$", "-test.v")
			cmd.Env = append(os.Environ(), plantedEnv+"="+c.bug)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the suite passed a provider with bug %q:\n%s", c.bug, out)
			}
			if !strings.Contains(string(out), c.want) {
				t.Errorf("the suite failed, but without naming bug %q (want %q):\n%s", c.bug, c.want, out)
			}
			if strings.Contains(string(out), plantedKey) || strings.Contains(string(out), "access-abcdefgh") {
				if c.bug != "logkey" && c.bug != "logcapture" && c.bug != "logkey-binary" {
					t.Errorf("the suite's output repeats a secret:\n%s", out)
				}
			}
		})
	}
}

// The control for RunBinary: the correct provider, correctly named.
func TestPlantedBinaryControl(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a plugin binary")
	}
	runPlantedBinary(t, "terok-provider-planted", "", []Option{WithKey(plantedKey), WithCapture(sdk.ModeOAuth, plantedFiles)})
}

// Injection declares how both credential types reach a tool, as every
// provider must; the planted bugs are elsewhere.
func (p planted) Injection(context.Context, *sdk.InjectionRequest) (*sdk.InjectionResponse, error) {
	return &sdk.InjectionResponse{Injections: []sdk.Injection{
		{CredentialType: sdk.TypeAPIKey, Env: map[string]string{"PLANTED_API_KEY": "${key}"}},
		{CredentialType: sdk.TypeOAuth, Env: map[string]string{"PLANTED_TOKEN": "${access_token}"}},
	}}, nil
}
