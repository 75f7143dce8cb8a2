package auth

import (
	"testing"

	"github.com/terok-ai/terok-auth/sdk"
)

func TestUserNSComesFromTheSpec(t *testing.T) {
	tests := []struct {
		user string
		root bool
		want string
	}{
		{"", false, "keep-id:uid=1000,gid=1000"},
		{"1001:100", false, "keep-id:uid=1001,gid=100"},
		{"0:0", false, "keep-id:uid=0,gid=0"},
		{"1001:100", true, ""},
	}
	for _, tt := range tests {
		if got := userNS(&sdk.ContainerSpecResponse{User: tt.user}, tt.root); got != tt.want {
			t.Errorf("userNS(User %q, root %v) = %q, want %q", tt.user, tt.root, got, tt.want)
		}
	}
}

func TestSpecWithABadUserIsRefused(t *testing.T) {
	spec := &sdk.ContainerSpecResponse{Command: []string{"x"}, ConfigPath: "/home/dev/.x", User: "dev"}
	if err := checkSpec(spec); err == nil {
		t.Error(`checkSpec accepted User "dev"`)
	}
}
