package sdk_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/sdk"
)

func TestNegotiateModes(t *testing.T) {
	all := []sdk.Mode{sdk.ModeOAuth, sdk.ModeDevice, sdk.ModeAPIKey}
	tests := []struct {
		name        string
		req         sdk.NegotiateRequest
		modes       []sdk.Mode
		def         sdk.Mode
		unavailable int
	}{
		{"everything possible", sdk.NegotiateRequest{Interactive: true, ContainerRuntime: true, OAuthAllowed: true}, all, sdk.ModeOAuth, 0},
		{"no runtime", sdk.NegotiateRequest{Interactive: true, OAuthAllowed: true}, []sdk.Mode{sdk.ModeAPIKey}, sdk.ModeAPIKey, 2},
		{"policy", sdk.NegotiateRequest{Interactive: true, ContainerRuntime: true}, []sdk.Mode{sdk.ModeAPIKey}, sdk.ModeAPIKey, 2},
		{"no terminal", sdk.NegotiateRequest{ContainerRuntime: true, OAuthAllowed: true}, all, sdk.ModeAPIKey, 0},
		{"requested", sdk.NegotiateRequest{ContainerRuntime: true, OAuthAllowed: true, Requested: sdk.ModeDevice}, all, sdk.ModeDevice, 0},
		{"requested but impossible", sdk.NegotiateRequest{Requested: sdk.ModeDevice}, []sdk.Mode{sdk.ModeAPIKey}, sdk.ModeAPIKey, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := sdk.NegotiateModes(all, &tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(r.Modes, tt.modes) || r.Default != tt.def || len(r.Unavailable) != tt.unavailable {
				t.Errorf("got %+v", r)
			}
		})
	}
	_, err := sdk.NegotiateModes([]sdk.Mode{sdk.ModeAPIKey}, &sdk.NegotiateRequest{Requested: sdk.ModeOAuth})
	if !errors.Is(err, sdk.ErrUnsupportedMode) || !strings.Contains(err.Error(), "api_key") {
		t.Errorf("unsupported request: %v", err)
	}
}

func TestValidateDescription(t *testing.T) {
	good := sdk.DescribeResponse{Name: "gh", Label: "GitHub CLI", Modes: []sdk.Mode{sdk.ModeAPIKey}, HostDir: "_gh-config"}
	if err := sdk.ValidateDescription(&good); err != nil {
		t.Fatalf("good description rejected: %v", err)
	}
	tests := []struct {
		name   string
		mutate func(*sdk.DescribeResponse)
		want   string
	}{
		{"upper case name", func(d *sdk.DescribeResponse) { d.Name = "GH" }, "name"},
		{"name with slash", func(d *sdk.DescribeResponse) { d.Name = "a/b" }, "name"},
		{"empty label", func(d *sdk.DescribeResponse) { d.Label = " " }, "label"},
		{"no modes", func(d *sdk.DescribeResponse) { d.Modes = nil }, "no modes"},
		{"unknown mode", func(d *sdk.DescribeResponse) { d.Modes = []sdk.Mode{"magic"} }, "unknown mode"},
		{"duplicate mode", func(d *sdk.DescribeResponse) { d.Modes = []sdk.Mode{sdk.ModeAPIKey, sdk.ModeAPIKey} }, "twice"},
		{"escaping host dir", func(d *sdk.DescribeResponse) { d.HostDir = "../etc" }, "host dir"},
		{"dot host dir", func(d *sdk.DescribeResponse) { d.HostDir = ".." }, "host dir"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := good
			tt.mutate(&d)
			if err := sdk.ValidateDescription(&d); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error about %q", err, tt.want)
			}
		})
	}
}

func TestCleanRelPath(t *testing.T) {
	for in, want := range map[string]string{"a.json": "a.json", "d/./b": "d/b", "d/../c": "c"} {
		if got, err := sdk.CleanRelPath(in); err != nil || got != want {
			t.Errorf("CleanRelPath(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "/etc/passwd", "..", "../x", "a/../../x", `a\b`, "."} {
		if _, err := sdk.CleanRelPath(bad); err == nil {
			t.Errorf("CleanRelPath(%q) accepted", bad)
		}
	}
}

// A provider may not name another's conventional shared config dir: the
// host writes its state files there and removes files holding its secret.
func TestHostDirOfAnotherProviderIsRefused(t *testing.T) {
	for _, tc := range []struct {
		name, dir string
		ok        bool
	}{
		{"evil", "_claude-config", false},
		{"evil", "_evil-config", true},
		{"evil", "_evil", true},
		{"my-tool", "_my-tool-config", true},
		{"my-tool", "_gh-config", false},
	} {
		err := sdk.CheckHostDirOwner(tc.name, tc.dir)
		if (err == nil) != tc.ok {
			t.Errorf("sdk.CheckHostDirOwner(%q, %q) = %v", tc.name, tc.dir, err)
		}
		d := &sdk.DescribeResponse{Name: tc.name, Label: "x", Modes: []sdk.Mode{sdk.ModeAPIKey}, HostDir: tc.dir}
		if err := sdk.ValidateDescription(d); (err == nil) != tc.ok {
			t.Errorf("ValidateDescription with host dir %q for %s = %v", tc.dir, tc.name, err)
		}
	}
}
