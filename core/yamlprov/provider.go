package yamlprov

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/terok-ai/terok-auth/sdk"
)

// Provider serves one provider file through sdk.Provider.
type Provider struct {
	f      *File
	modes  []sdk.Mode
	format *regexp.Regexp
}

var _ sdk.Provider = (*Provider)(nil)

// New returns the provider for a file that Load accepted.
func New(f *File) *Provider {
	p := &Provider{f: f}
	for _, m := range f.Modes {
		p.modes = append(p.modes, sdk.Mode(m))
	}
	if f.Key != nil && f.Key.Format != "" {
		p.format = regexp.MustCompile(`^(?:` + f.Key.Format + `)$`)
	}
	return p
}

// Describe implements sdk.Provider.
func (p *Provider) Describe(context.Context, *sdk.DescribeRequest) (*sdk.DescribeResponse, error) {
	d := &sdk.DescribeResponse{
		Name: p.f.Name, Label: p.f.Label, Version: fmt.Sprintf("yaml/v%d", SchemaVersion),
		Modes: p.modes, Description: p.f.Description, DocsURL: p.f.DocsURL, HostDir: p.f.HostDir,
		ProtocolVersion: sdk.ProtocolVersion,
	}
	if p.f.Key != nil {
		d.KeyURL = p.f.Key.URL
	}
	return d, nil
}

// Negotiate implements sdk.Provider.
func (p *Provider) Negotiate(_ context.Context, req *sdk.NegotiateRequest) (*sdk.NegotiateResponse, error) {
	return sdk.NegotiateModes(p.modes, req)
}

func (p *Provider) supports(m sdk.Mode) bool {
	return slices.Contains(p.modes, m)
}

// KeyPrompt implements sdk.Provider.
func (p *Provider) KeyPrompt(context.Context, *sdk.KeyPromptRequest) (*sdk.KeyPromptResponse, error) {
	if !p.supports(sdk.ModeAPIKey) {
		return nil, fmt.Errorf("%w: %s takes no API key", sdk.ErrUnsupportedMode, p.f.Name)
	}
	r := &sdk.KeyPromptResponse{Label: p.f.Label + " API key", Hint: p.f.APIKeyHint, Secret: true}
	if k := p.f.Key; k != nil {
		if k.Label != "" {
			r.Label = k.Label
		}
		r.URL, r.EnvVar, r.FormatHint = k.URL, k.EnvVar, k.FormatHint
	}
	return r, nil
}

// AcceptKey implements sdk.Provider.
func (p *Provider) AcceptKey(_ context.Context, req *sdk.AcceptKeyRequest) (*sdk.AcceptKeyResponse, error) {
	if !p.supports(sdk.ModeAPIKey) {
		return nil, fmt.Errorf("%w: %s takes no API key", sdk.ErrUnsupportedMode, p.f.Name)
	}
	key := strings.TrimSpace(req.Key)
	if key == "" {
		return nil, fmt.Errorf("%w: no API key entered", sdk.ErrInvalidKey)
	}
	if strings.IndexFunc(key, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return nil, fmt.Errorf("%w: the key has spaces or control characters; paste it again", sdk.ErrInvalidKey)
	}
	if p.format != nil && !p.format.MatchString(key) {
		hint := "it does not have the expected format"
		if p.f.Key.FormatHint != "" {
			hint = "a key for " + p.f.Label + " " + p.f.Key.FormatHint
		}
		return nil, fmt.Errorf("%w: %s", sdk.ErrInvalidKey, hint)
	}
	typ := sdk.TypeAPIKey
	fields := map[string]any{}
	if k := p.f.Key; k != nil {
		if k.Type != "" {
			typ = k.Type
		}
		for name, v := range k.Extra {
			fields[name] = v
		}
	}
	fields[keyField(p.f.Key)] = key
	resp := &sdk.AcceptKeyResponse{Credential: sdk.Credential{Type: typ, Fields: fields}}
	if a := p.f.AuthKey; a != nil {
		// A stand-in only: Load refuses a template that holds the key.
		resp.KeyFiles = map[string][]byte{a.ConfigPath: []byte(a.Template)}
	}
	return resp, nil
}

// ContainerSpec implements sdk.Provider.
func (p *Provider) ContainerSpec(_ context.Context, req *sdk.ContainerSpecRequest) (*sdk.ContainerSpecResponse, error) {
	if !req.Mode.NeedsContainer() || !p.supports(req.Mode) {
		return nil, fmt.Errorf("%w: %s has no %s login container", sdk.ErrUnsupportedMode, p.f.Name, req.Mode)
	}
	spec := &sdk.ContainerSpecResponse{
		Image: p.f.Image, ConfigPath: p.f.ContainerMount, Env: p.f.Env, Banner: p.f.BannerHint,
		Command: p.f.Command, RunArgs: p.f.ExtraRunArgs,
		CallbackPorts: p.f.CallbackPorts, SkipPaths: p.f.SkipPaths, User: p.f.User,
	}
	if req.Mode == sdk.ModeDevice {
		spec.Command, spec.RunArgs, spec.CallbackPorts = p.f.DeviceCommand, p.f.DeviceRunArgs, nil
	}
	if req.Host != "" && len(p.f.HostArgs) > 0 {
		cmd := slices.Clone(spec.Command)
		for _, a := range p.f.HostArgs {
			cmd = append(cmd, strings.ReplaceAll(a, hostPlaceholder, req.Host))
		}
		spec.Command = cmd
	}
	return spec, nil
}

// Capture implements sdk.Provider: the first rule that yields a credential
// wins; when none does, the error says what each found.
func (p *Provider) Capture(_ context.Context, req *sdk.CaptureRequest) (*sdk.CaptureResponse, error) {
	if !req.Mode.NeedsContainer() || !p.supports(req.Mode) {
		return nil, fmt.Errorf("%w: %s captures nothing for %s", sdk.ErrUnsupportedMode, p.f.Name, req.Mode)
	}
	var why []string
	for i := range p.f.Capture {
		r := &p.f.Capture[i]
		if len(r.Modes) > 0 && !contains(r.Modes, string(req.Mode)) {
			continue
		}
		cred, err := r.apply(req.Files)
		if err != nil {
			why = append(why, err.Error())
			continue
		}
		resp := &sdk.CaptureResponse{Credential: cred}
		if len(p.f.PostCaptureState) > 0 {
			resp.StateFiles = map[string][]byte{}
			for path, content := range p.f.PostCaptureState {
				resp.StateFiles[path] = []byte(content)
			}
		}
		return resp, nil
	}
	if len(why) == 0 {
		return nil, fmt.Errorf("%w: %s has no capture rule for %s", sdk.ErrNothingCaptured, p.f.Name, req.Mode)
	}
	return nil, fmt.Errorf("%w: %s", sdk.ErrNothingCaptured, strings.Join(why, "; "))
}
