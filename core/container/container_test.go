package container

import (
	"context"
	"os"
	"strconv"
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

func TestStaleListsEveryNameAndRemoveTrustsAFreshListing(t *testing.T) {
	p := &Podman{Path: "/nonexistent/podman"}    // any real podman call would fail
	out := "host-auth-claude\t2147483646\t1\n" + // terok's, its terok gone
		"web-auth-codex\t" + strconv.Itoa(os.Getpid()) + "\t1\n" + // terok's, alive
		"someone-elses\t\t\n" +
		"host-auth-gh\t\t\n" // named like terok's, not labelled: not stale
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
