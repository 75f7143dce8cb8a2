package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// varName is an environment variable name as help text spells them:
// GH_TOKEN, TEROK_API_KEY, TEROK_<PROVIDER>_API_KEY.
var varName = regexp.MustCompile(`\b[A-Z][A-Z0-9]*(?:_(?:[A-Z0-9]+|<[A-Z]+>))+\b`)

// TestManPagesKeepVariableNames renders every man page, as man shows it,
// and finds in it each variable name of the command's --help. Before, the
// Markdown step turned GH_TOKEN into GHTOKEN and TEROK_<PROVIDER>_API_KEY
// into TEROK__API_KEY.
func TestManPagesKeepVariableNames(t *testing.T) {
	if testing.Short() {
		t.Skip("builds terok with -tags gendocs and runs man (make test)")
	}
	if _, err := exec.LookPath("man"); err != nil {
		t.Fatal("this test renders the man pages with man: apt-get install man-db groff-base (make test runs scripts/deps man)")
	}
	dir := t.TempDir()
	gen := exec.Command("go", "run", "-tags", "gendocs", ".", "gen-docs", dir)
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("gen-docs: %v\n%s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "man", "man1", "*.1"))
	if len(pages) < 10 {
		t.Fatalf("only %d man pages", len(pages))
	}
	checked := 0
	for _, page := range pages {
		name := strings.TrimSuffix(filepath.Base(page), ".1")
		args := append(strings.Split(name, "-")[1:], "--help")
		code, help, _ := run(t, isolated(t), args...)
		if code != exitOK {
			continue // a help topic: no --help of its own
		}
		man := exec.Command("man", "-l", page)
		man.Env = append(os.Environ(), "MANWIDTH=1000", "MAN_KEEP_FORMATTING=0")
		out, err := man.Output()
		if err != nil {
			t.Fatalf("man -l %s: %v", page, err)
		}
		// Strip what nroff adds for bold and underline, and join hyphenated
		// line breaks.
		out = regexp.MustCompile(".\b").ReplaceAll(out, nil)
		rendered := string(bytes.ReplaceAll(out, []byte("‐\n"), nil))
		for _, v := range varName.FindAllString(help, -1) {
			checked++
			if !strings.Contains(rendered, v) {
				t.Errorf("%s: --help says %s, the man page does not:\n%s", name, v, rendered)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no variable name checked")
	}
}
