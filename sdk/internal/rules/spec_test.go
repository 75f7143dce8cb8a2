package rules

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestCheckRunArgs(t *testing.T) {
	ok := [][]string{
		nil,
		{"-p", "127.0.0.1:1455:1455"},
		{"--publish=127.0.0.1:8080:80", "-e", "X=1", "--env=Y=", "-w", "/work"},
		{"-p", "[::1]:1:1", "--publish", "127.0.0.1::2/udp", "-p", "127.0.0.1:1000-1002:1000-1002"},
		{"-e", "A=--privileged", "-e", "B=x=y"},
	}
	for _, args := range ok {
		if err := CheckRunArgs(args); err != nil {
			t.Errorf("CheckRunArgs(%q) = %v", args, err)
		}
	}
	bad := [][]string{
		{"-v", "/:/host"}, {"--volume=/etc:/etc"}, {"--mount", "type=bind,src=/,dst=/h"}, {"--privileged"},
		{"--cap-add=ALL"}, {"--security-opt", "seccomp=unconfined"}, {"--network=host"}, {"--pid=host"},
		{"--userns=host"}, {"--device=/dev/sda"}, {"-p", "1455:1455"}, {"-p", "0.0.0.0:1:1"}, {"-p"},
		{"-e", "1BAD=x"}, {"-w", "relative"}, {"--rm"}, {"-it"}, {"image-name"},
		{"--env-host"}, {"--env-file", "/etc/environment"}, {"--http-proxy"}, {"--", "-v"},
		// A bare name (or a glob) makes podman copy the host's variable.
		{"-e", "SECRET_NAME"}, {"--env=SECRET_NAME"}, {"--env", "TEROK*"}, {"-e", "A"},
		// Only a loopback address and a port spec.
		{"-p", "localhost:1:1"}, {"-p", "127.0.0.1:1455"}, {"-p", "127.0.0.1:0:1"}, {"-p", "127.0.0.1:1:70000"},
		{"-p", "127.0.0.1:1:1/icmp"}, {"-p", "127.0.0.1:1:1,0.0.0.0:2:2"}, {"-p", "127.0.0.10:1:1"}, {"-p", "--privileged"},
		{"-w", "/a/../b"}, {"-w", "-v"}, {"-w", "/x\x00"}, {"-e", "A=\x00"},
		{"-eA=1"}, {"-p127.0.0.1:1:1"},
	}
	for _, args := range bad {
		if err := CheckRunArgs(args); !errors.Is(err, ErrUnsafeRunArg) {
			t.Errorf("CheckRunArgs(%q) = %v, want ErrUnsafeRunArg", args, err)
		}
	}
}

func TestBareEnvNameIsRefusedWithTheReason(t *testing.T) {
	err := CheckRunArgs([]string{"-e", "SECRET_NAME"})
	if err == nil || !strings.Contains(err.Error(), "NAME=VALUE") {
		t.Errorf("CheckRunArgs(-e SECRET_NAME) = %v, want a message asking for NAME=VALUE", err)
	}
}

func TestCheckImage(t *testing.T) {
	ok := []string{
		"alpine", "alpine:3.20", "localhost/terok-e2e-vendor:ok", "ghcr.io/acme/login:1.2",
		"registry.example.com:5000/team/tool_x:v1.0-rc.1", "docker.io/library/busybox:latest",
		"quay.io/a/b@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"[::1]:5000/img", "LocalHost:5000/x", "a__b/c--d", "localhost:5000",
	}
	for _, ref := range ok {
		if err := CheckImage(ref); err != nil {
			t.Errorf("CheckImage(%q) = %v", ref, err)
		}
	}
	bad := []string{
		"", "--volume=/etc:/host", "--privileged", "-v", "-", " alpine", "alpine ", "alpine\n", "al pine",
		"Alpine", "alpine:", "alpine:-x", "alpine@", "alpine@sha256:abc", "/etc/passwd", "./img", "../img",
		"oci-archive:/etc/x", "oci-archive:foo", "dir:/etc", "docker-archive:x.tar", "docker://alpine",
		"containers-storage:alpine", "oci:5000/x", "docker-daemon:alpine:latest", "sif:x", "tarball:x",
		"a//b", "a/", "/a", "a_/b", "a:b:c", "x\x00y", strings.Repeat("a", 256),
	}
	for _, ref := range bad {
		if err := CheckImage(ref); !errors.Is(err, ErrBadImage) {
			t.Errorf("CheckImage(%q) = %v, want ErrBadImage", ref, err)
		}
	}
}

func FuzzCheckRunArgs(f *testing.F) {
	f.Add("-p\x00127.0.0.1:1:1")
	f.Add("--env=A=1\x00-w\x00/x")
	f.Add("-e\x00NAME")
	f.Fuzz(func(t *testing.T, joined string) {
		args := strings.Split(joined, "\x00")
		if CheckRunArgs(args) != nil {
			return
		}
		for i := 0; i < len(args); i++ {
			name, value, hasValue := strings.Cut(args[i], "=")
			long, ok := allowedRunArgs[name]
			if !ok {
				t.Fatalf("accepted %q in %q", args[i], args)
			}
			if !hasValue {
				i++
				value = args[i]
			}
			if long == "--env" && !strings.Contains(value, "=") {
				t.Fatalf("accepted an environment passthrough %q in %q", value, args)
			}
			if long == "--publish" && !strings.HasPrefix(value, "127.0.0.1:") && !strings.HasPrefix(value, "[::1]:") {
				t.Fatalf("accepted a non-loopback publish %q", value)
			}
		}
	})
}

func FuzzCheckImage(f *testing.F) {
	for _, s := range []string{"alpine:3", "--privileged", "oci-archive:/x", "localhost:5000/a/b@sha256:0123456789abcdef0123456789abcdef"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		if CheckImage(ref) != nil {
			return
		}
		if strings.HasPrefix(ref, "-") || strings.ContainsAny(ref, " \t\n\x00=,") || strings.Contains(ref, "//") {
			t.Fatalf("accepted %q", ref)
		}
	})
}

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
		uid, gid, err := ParseUser(tt.in)
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
		if _, _, err := ParseUser(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseUser(%q) = %v, want an error containing %q", in, err, want)
		}
	}
}

// FuzzParseUser: whatever a plugin or YAML file sends, ParseUser either
// refuses it or returns the ids it spelled, which print back the same.
func FuzzParseUser(f *testing.F) {
	for _, s := range []string{"", "1000:1000", "0:0", "4294967294:1", "4294967295:0", "a:b", "1:2:3", "01:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		uid, gid, err := ParseUser(s)
		if err != nil {
			return
		}
		if uid == 1<<32-1 || gid == 1<<32-1 {
			t.Fatalf("ParseUser(%q) accepted the kernel's no-id", s)
		}
		want := s
		if s == "" {
			want = DefaultUser
		}
		if got := fmt.Sprintf("%d:%d", uid, gid); got != want {
			t.Fatalf("ParseUser(%q) = %s", s, got)
		}
	})
}
