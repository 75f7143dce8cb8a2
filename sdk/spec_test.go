package sdk

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckRunArgs(t *testing.T) {
	ok := [][]string{
		nil,
		{"-p", "127.0.0.1:1455:1455"},
		{"--publish=127.0.0.1:8080:80", "-e", "X=1", "--env=Y", "-w", "/work"},
		{"-p", "[::1]:1:1", "--publish", "localhost:2:2"},
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
	}
	for _, args := range bad {
		if err := CheckRunArgs(args); !errors.Is(err, ErrUnsafeRunArg) {
			t.Errorf("CheckRunArgs(%q) = %v, want ErrUnsafeRunArg", args, err)
		}
	}
}

func FuzzCheckRunArgs(f *testing.F) {
	f.Add("-p\x00127.0.0.1:1:1")
	f.Add("--env=A=1\x00-w\x00/x")
	f.Fuzz(func(t *testing.T, joined string) {
		args := strings.Split(joined, "\x00")
		if CheckRunArgs(args) != nil {
			return
		}
		for i, a := range args {
			name, _, _ := strings.Cut(a, "=")
			if i > 0 && args[i-1] != "" && allowedRunArgs[args[i-1]] != "" && !strings.Contains(args[i-1], "=") {
				continue // a value
			}
			if _, ok := allowedRunArgs[name]; !ok {
				t.Fatalf("accepted %q in %q", a, args)
			}
		}
	})
}
