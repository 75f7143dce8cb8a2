package sdk_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/sdk"
)

func TestParseUser(t *testing.T) {
	good := []struct {
		in       string
		uid, gid uint32
	}{
		{"", 1000, 1000},
		{"1000:1000", 1000, 1000},
		{"0:0", 0, 0},
		{"1001:100", 1001, 100},
		{"4294967294:4294967294", 1<<32 - 2, 1<<32 - 2},
	}
	for _, tt := range good {
		uid, gid, err := sdk.ParseUser(tt.in)
		if err != nil || uid != tt.uid || gid != tt.gid {
			t.Errorf("ParseUser(%q) = %d, %d, %v; want %d, %d", tt.in, uid, gid, err, tt.uid, tt.gid)
		}
	}
	bad := map[string]string{
		"1000":                   "expected UID:GID",
		"dev:dev":                "not a number",
		"1000:":                  "gid",
		":1000":                  "uid",
		"-1:0":                   "not a number",
		"+1:0":                   "not a number",
		"1 :0":                   "not a number",
		"0x10:0":                 "not a number",
		"01000:1000":             "leading zero",
		"4294967295:0":           "out of range",
		"0:4294967295":           "out of range",
		"99999999999999999999:0": "out of range",
		"1000:1000:1000":         "not a number",
		"١٠٠٠:1000":              "not a number",
	}
	for in, want := range bad {
		if _, _, err := sdk.ParseUser(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseUser(%q) = %v, want an error containing %q", in, err, want)
		}
	}
}

func TestCheckContainerSpecChecksUser(t *testing.T) {
	spec := &sdk.ContainerSpecResponse{Command: []string{"x"}, ConfigPath: "/home/dev/.x", User: "root"}
	if err := sdk.CheckContainerSpec(spec); err == nil || !strings.Contains(err.Error(), `user "root"`) {
		t.Errorf("CheckContainerSpec(User: root) = %v, want a user error", err)
	}
	spec.User = "0:0"
	if err := sdk.CheckContainerSpec(spec); err != nil {
		t.Errorf("CheckContainerSpec(User: 0:0) = %v", err)
	}
}

// FuzzParseUser: whatever a plugin or YAML file sends, ParseUser either
// refuses it or returns the ids it spelled, which print back the same.
func FuzzParseUser(f *testing.F) {
	for _, s := range []string{"", "1000:1000", "0:0", "4294967294:1", "4294967295:0", "a:b", "1:2:3", "01:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		uid, gid, err := sdk.ParseUser(s)
		if err != nil {
			return
		}
		if uid == 1<<32-1 || gid == 1<<32-1 {
			t.Fatalf("ParseUser(%q) accepted the kernel's no-id", s)
		}
		want := s
		if s == "" {
			want = sdk.DefaultUser
		}
		if got := fmt.Sprintf("%d:%d", uid, gid); got != want {
			t.Fatalf("ParseUser(%q) = %s", s, got)
		}
	})
}
