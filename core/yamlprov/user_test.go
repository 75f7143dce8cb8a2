package yamlprov

import (
	"context"
	"testing"

	"github.com/terok-ai/terok-auth/sdk"
)

// TestUserReachesTheSpec: `user:` goes into the container spec as written,
// unquoted too (YAML 1.2 has no base-60 numbers to turn 0:0 into one).
func TestUserReachesTheSpec(t *testing.T) {
	for _, tt := range []struct{ line, want string }{
		{"", ""},
		{"user: 1001:100\n", "1001:100"},
		{"user: 0:0\n", "0:0"},
		{"user: \"1000:1000\"\n", "1000:1000"},
	} {
		doc := "version: 1\nname: u\nlabel: U\nmodes: [oauth]\nhost_dir: _u\ncontainer_mount: /home/dev/.u\ncommand: u login\n" + tt.line +
			"capture:\n  - file: a.json\n    format: json\n    type: oauth\n    fields: {access_token: t}\n"
		f, err := Load("u.yaml", []byte(doc))
		if err != nil {
			t.Fatalf("%q: %v", tt.line, err)
		}
		spec, err := New(f).ContainerSpec(context.Background(), &sdk.ContainerSpecRequest{Mode: sdk.ModeOAuth})
		if err != nil || spec.User != tt.want {
			t.Errorf("%q: User = %q, %v; want %q", tt.line, spec.User, err, tt.want)
		}
	}
}
