package container

import (
	"errors"
	"strings"
	"testing"
)

func TestRunArgs(t *testing.T) {
	got := RunArgs(Spec{
		Name: "p-auth-codex", Image: "img", Command: []string{"codex", "login"},
		HostDir: "/tmp/x", ConfigPath: "/home/dev/.codex",
		RunArgs: []string{"-p", "127.0.0.1:1455:1455"}, Env: map[string]string{"B": "2", "A": "1"},
		Labels: map[string]string{Label: "1", LabelOwner: "42"}, UserNS: "keep-id:uid=1000,gid=1000",
	})
	want := "run --rm -i --name p-auth-codex --label io.terok.auth.pid=42 --label io.terok.auth=1 " +
		"--userns=keep-id:uid=1000,gid=1000 -v /tmp/x:/home/dev/.codex:Z -e A=1 -e B=2 -p 127.0.0.1:1455:1455 img codex login"
	if strings.Join(got, " ") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
	if tty := RunArgs(Spec{TTY: true}); tty[2] != "-it" {
		t.Errorf("TTY run: %v", tty)
	}
}

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

func TestNames(t *testing.T) {
	if Name("", "claude") != "host-auth-claude" || Name("web", "codex") != "web-auth-codex" {
		t.Error("container names differ from upstream's")
	}
	for id, valid := range map[string]bool{"web": true, "my.proj_1": true, "": false, "-x": false, "a/b": false, "a b": false} {
		if ValidProject(id) != valid {
			t.Errorf("ValidProject(%q) != %v", id, valid)
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
