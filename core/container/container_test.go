package container

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/sdk/host"
)

func TestRunArgs(t *testing.T) {
	got := RunArgs(Spec{
		Name: "p-auth-codex", Image: "img", Command: []string{"codex", "login"},
		HostDir: "/tmp/x", ConfigPath: "/home/dev/.codex",
		RunArgs: []string{"-p", "127.0.0.1:1455:1455"}, Env: map[string]string{"B": "2", "A": "1"},
		Labels: map[string]string{Label: "1", LabelOwner: "42"}, UserNS: "keep-id:uid=1000,gid=1000",
	})
	want := "run --rm -i --name p-auth-codex --label io.terok.auth.pid=42 --label io.terok.auth=1 -e A=1 -e B=2 " +
		"-p 127.0.0.1:1455:1455 --userns=keep-id:uid=1000,gid=1000 --env-host=false --http-proxy=false " +
		"-v /tmp/x:/home/dev/.codex:Z -- img codex login"
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

func goodSpec() Spec {
	return Spec{Name: "host-auth-x", Image: "localhost/x:1", Command: []string{"x", "login"}, HostDir: "/tmp/terok-auth-1-x",
		ConfigPath: "/home/dev/.x", RunArgs: []string{"-p", "127.0.0.1:1:1"}, Env: map[string]string{"A": "1"}, Labels: OwnerLabels()}
}

func TestCheckSpecRefusesWhatReachesTheHost(t *testing.T) {
	if err := CheckSpec(goodSpec()); err != nil {
		t.Fatalf("a good spec: %v", err)
	}
	for name, spoil := range map[string]func(*Spec){
		"image is an option":    func(s *Spec) { s.Image = "--volume=/etc:/host" },
		"image is --privileged": func(s *Spec) { s.Image = "--privileged" },
		"image reads the host":  func(s *Spec) { s.Image = "oci-archive:/etc/shadow" },
		"no image":              func(s *Spec) { s.Image = "" },
		"env passthrough":       func(s *Spec) { s.RunArgs = []string{"-e", "SECRET_NAME"} },
		"env-host":              func(s *Spec) { s.RunArgs = []string{"--env-host"} },
		"a mount":               func(s *Spec) { s.RunArgs = []string{"-v", "/:/h"} },
		"bad name":              func(s *Spec) { s.Name = "--privileged" },
		"host dir with colon":   func(s *Spec) { s.HostDir = "/etc:/x" },
		"relative host dir":     func(s *Spec) { s.HostDir = "tmp" },
		"config path option":    func(s *Spec) { s.ConfigPath = "/x:/y" },
		"userns host":           func(s *Spec) { s.UserNS = "host" },
		"label with =":          func(s *Spec) { s.Labels = map[string]string{"a=b": "c"} },
	} {
		s := goodSpec()
		spoil(&s)
		if err := CheckSpec(s); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// fakePodman writes a podman stand-in that records its arguments and
// environment into dir, and exits with code.
func fakePodman(t *testing.T, code int) (path, dir string) {
	t.Helper()
	dir = t.TempDir()
	path = filepath.Join(dir, "podman")
	script := "#!/bin/sh\nprintf '%s\\n' \"$@\" > " + dir + "/args\nenv > " + dir + "/env\nexit " + strconv.Itoa(code) + "\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path, dir
}

func TestPodmanRunsInAMinimalEnvironment(t *testing.T) {
	bin, dir := fakePodman(t, 0)
	t.Setenv("TEROK_CLAUDE_API_KEY", "sk-ant-api03-hostsecret")
	t.Setenv("GITHUB_TOKEN", "ghp_hostsecret")
	t.Setenv("CONTAINERS_CONF", "/etc/x.conf")
	t.Setenv("https_proxy", "http://proxy:3128")
	p := &Podman{Path: bin}
	if code, err := p.Run(context.Background(), goodSpec(), Stdio{}); err != nil || code != 0 {
		t.Fatalf("Run = %d, %v", code, err)
	}
	env, err := os.ReadFile(filepath.Join(dir, "env"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(env), "hostsecret") {
		t.Errorf("podman got the host's secrets:\n%s", env)
	}
	for _, want := range []string{"CONTAINERS_CONF=/etc/x.conf", "https_proxy=http://proxy:3128", "PATH="} {
		if !strings.Contains(string(env), want) {
			t.Errorf("podman's environment lacks %s:\n%s", want, env)
		}
	}
	args, _ := os.ReadFile(filepath.Join(dir, "args"))
	for _, want := range []string{"--env-host=false\n", "--http-proxy=false\n", "--\nlocalhost/x:1\nx\nlogin\n"} {
		if !strings.Contains(string(args), want) {
			t.Errorf("podman's arguments lack %q:\n%s", want, args)
		}
	}
}

func TestPodmanRunRefusesAnOptionAsImage(t *testing.T) {
	bin, dir := fakePodman(t, 0)
	s := goodSpec()
	s.Image = "--volume=/etc:/host"
	_, err := (&Podman{Path: bin}).Run(context.Background(), s, Stdio{})
	if !errors.Is(err, host.ErrBadImage) {
		t.Errorf("Run = %v, want host.ErrBadImage", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "args")); !errors.Is(err, os.ErrNotExist) {
		t.Error("podman was run")
	}
}

func TestOwner(t *testing.T) {
	self := OwnerLabels()
	if o := OwnerOf(self); !o.Alive || o.PID != os.Getpid() {
		t.Errorf("this process: %+v", o)
	}
	if self[LabelStart] == "" {
		t.Error("no start time label on Linux")
	}
	reused := OwnerLabels()
	reused[LabelStart] = "1"
	if OwnerOf(reused).Alive {
		t.Error("a live pid that started at another time was taken for the owner")
	}
	dead := map[string]string{LabelOwner: "2147483646", LabelHost: hostname()}
	if OwnerOf(dead).Alive {
		t.Error("a dead pid is alive")
	}
	other := map[string]string{LabelOwner: "2147483646", LabelHost: "some-other-host"}
	if o := OwnerOf(other); !o.Alive || !strings.Contains(o.String(), "some-other-host") {
		t.Errorf("another host's container: %+v %s", o, o)
	}
	if OwnerOf(map[string]string{}).Alive || OwnerOf(map[string]string{LabelOwner: "x"}).Alive {
		t.Error("no pid, yet alive")
	}
}

func TestStaleSparesLiveAndForeignOwners(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "podman")
	self := `{"io.terok.auth":"1","io.terok.auth.pid":"` + strconv.Itoa(os.Getpid()) + `"}`
	lines := "mine\t" + self + "\n" +
		"dead\t{\"io.terok.auth\":\"1\",\"io.terok.auth.pid\":\"2147483646\"}\n" +
		"foreign\t{\"io.terok.auth\":\"1\",\"io.terok.auth.pid\":\"2147483646\",\"io.terok.auth.host\":\"elsewhere\"}\n"
	if err := os.WriteFile(filepath.Join(dir, "out"), []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, []byte("#!/bin/sh\ncat "+dir+"/out\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	stale, err := (&Podman{Path: bin}).Stale(context.Background())
	if err != nil || strings.Join(stale, ",") != "dead" {
		t.Errorf("Stale = %v, %v; want only dead", stale, err)
	}
}

func TestStaleListsEveryNameAndRemoveTrustsAFreshListing(t *testing.T) {
	// Any real podman call would fail.
	p := &Podman{Path: "/nonexistent/podman"}
	out := "host-auth-claude\t{\"io.terok.auth\":\"1\",\"io.terok.auth.pid\":\"2147483646\"}\n" + // terok's, its terok gone
		"web-auth-codex\t{\"io.terok.auth\":\"1\",\"io.terok.auth.pid\":\"" + strconv.Itoa(os.Getpid()) + "\"}\n" + // terok's, alive
		"someone-elses\tnull\n" +
		"host-auth-gh\t{}\n" // named like terok's, not labelled: not stale
	if stale := p.staleFrom(out); strings.Join(stale, ",") != "host-auth-claude" {
		t.Errorf("stale = %v", stale)
	}
	if removed, err := p.Remove(context.Background(), "host-auth-vibe"); removed || err != nil {
		t.Errorf("Remove of a name the listing lacks = %v, %v; want no podman call", removed, err)
	}
	// A listed name is asked about again (and here podman is missing).
	if _, err := p.Remove(context.Background(), "host-auth-gh"); err == nil {
		t.Error("Remove of a listed name did not ask podman")
	}
	p.listing.at = p.listing.at.Add(-namesFresh)
	if _, err := p.Remove(context.Background(), "host-auth-vibe"); err == nil {
		t.Error("an old listing answered for a name")
	}
}

func TestStaleTakesAPrefetchedListing(t *testing.T) {
	// "true" answers every podman call with success and no output: a
	// listing with no containers, and "exists" for any name asked about.
	p := &Podman{Path: "/bin/true"}
	p.Prefetch(context.Background())
	if stale, err := p.Stale(context.Background()); err != nil || len(stale) != 0 {
		t.Fatalf("Stale = %v, %v", stale, err)
	}
	if removed, err := p.Remove(context.Background(), "host-auth-claude"); removed || err != nil {
		t.Errorf("Remove = %v, %v; want the prefetched listing to answer", removed, err)
	}
	// Without a listing, Remove asks podman ("true": it exists, and is removed).
	q := &Podman{Path: "/bin/true"}
	if removed, err := q.Remove(context.Background(), "host-auth-claude"); !removed || err != nil {
		t.Errorf("Remove without a listing = %v, %v", removed, err)
	}
}

// A listing taken before a run must not answer for the container the run
// creates: after a stop, the login removes that container by asking podman.
func TestRunForgetsTheListing(t *testing.T) {
	bin, _ := fakePodman(t, 0)
	p := &Podman{Path: bin}
	p.staleFrom("") // a fresh listing without the login's name
	if !p.surelyAbsent("host-auth-x") {
		t.Fatal("a fresh listing without the name does not answer for it")
	}
	if _, err := p.Run(context.Background(), goodSpec(), Stdio{}); err != nil {
		t.Fatal(err)
	}
	if p.surelyAbsent("host-auth-x") {
		t.Error("after the run, the listing from before still says the container is absent")
	}
}
