package container

import (
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
