package capture

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func write(t *testing.T, path string, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestRead(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "host-secret")
	write(t, outside, "host secret")
	write(t, filepath.Join(dir, ".credentials.json"), `{"a":1}`)
	write(t, filepath.Join(dir, "sub", "deep.txt"), "deep")
	write(t, filepath.Join(dir, "big.bin"), strings.Repeat("x", 2000))
	if err := os.Symlink(outside, filepath.Join(dir, "link-to-host")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Dir(outside), filepath.Join(dir, "dirlink")); err != nil {
		t.Fatal(err)
	}

	res, err := Read(dir, Limits{MaxFiles: 10, MaxFileBytes: 1000, MaxTotal: 5000})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{".credentials.json": []byte(`{"a":1}`), "sub/deep.txt": []byte("deep")}
	if !reflect.DeepEqual(res.Files, want) {
		t.Errorf("files = %q", res.Files)
	}
	if strings.Join(res.Found, ",") != ".credentials.json,big.bin,sub/deep.txt" {
		t.Errorf("found = %v", res.Found)
	}
	skipped := strings.Join(res.Skipped, "\n")
	for _, w := range []string{"big.bin: 1 KiB, over the 1000 B limit", "link-to-host: not a regular file", "dirlink: not a regular file"} {
		if !strings.Contains(skipped, w) {
			t.Errorf("skipped lacks %q:\n%s", w, skipped)
		}
	}
	for _, data := range res.Files {
		if string(data) == "host secret" {
			t.Error("a link was followed out of the directory")
		}
	}
}

func TestReadLimits(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 5; i++ {
		write(t, filepath.Join(dir, "f"+string(rune('0'+i))), strings.Repeat("y", 100))
	}
	res, err := Read(dir, Limits{MaxFiles: 3, MaxFileBytes: 1000, MaxTotal: 1000})
	if err != nil || len(res.Files) != 3 || len(res.Found) != 5 || len(res.Skipped) != 2 {
		t.Errorf("count limit: %d files, %d found, skipped %v, %v", len(res.Files), len(res.Found), res.Skipped, err)
	}
	res, err = Read(dir, Limits{MaxFiles: 10, MaxFileBytes: 1000, MaxTotal: 250})
	if err != nil || len(res.Files) != 2 || !strings.Contains(strings.Join(res.Skipped, ","), "together exceed") {
		t.Errorf("total limit: %d files, skipped %v, %v", len(res.Files), res.Skipped, err)
	}
}

func TestWriteState(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "_claude-config")
	write(t, filepath.Join(dir, ".claude.json"), `{"theme": "dark", "hasCompletedOnboarding": false}`)
	written, err := WriteState(dir, map[string][]byte{
		".claude.json":   []byte(`{"hasCompletedOnboarding": true}`),
		"nested/x.txt":   []byte("plain"),
		"not-json.state": []byte("v2"),
	})
	if err != nil || len(written) != 3 {
		t.Fatalf("written %v, %v", written, err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, ".claude.json"))
	if !strings.Contains(string(got), `"theme": "dark"`) || !strings.Contains(string(got), `"hasCompletedOnboarding": true`) {
		t.Errorf("merged .claude.json = %s", got)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "nested", "x.txt")); string(got) != "plain" {
		t.Errorf("nested = %q", got)
	}
}

func TestWriteStateStaysInside(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "cfg")
	outside := filepath.Join(base, "outside")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(outside, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "escape")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"../x", "/etc/x", "escape/x", "a/../../x"} {
		if _, err := WriteState(dir, map[string][]byte{p: []byte("x")}); err == nil {
			t.Errorf("WriteState(%q) succeeded", p)
		}
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("wrote outside: %v", entries)
	}
}

func TestReadSkippingIsSilent(t *testing.T) {
	dir := t.TempDir()
	for p, data := range map[string]string{"auth.json": "{}", "tmp/arg0-linux/codex-arg0X/.lock": "", "tmp/other": "x"} {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("/usr/bin/codex", filepath.Join(dir, "tmp/arg0-linux/codex-arg0X/apply_patch")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "stray-link")); err != nil {
		t.Fatal(err)
	}
	res, err := ReadSkipping(dir, DefaultLimits, []string{"tmp/arg0-linux/"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"auth.json", "tmp/other"}; !reflect.DeepEqual(res.Found, want) {
		t.Errorf("Found = %v, want %v", res.Found, want)
	}
	// Whatever was not declared is still reported.
	if want := []string{"stray-link: not a regular file"}; !reflect.DeepEqual(res.Skipped, want) {
		t.Errorf("Skipped = %v, want %v", res.Skipped, want)
	}
	for _, p := range []string{"tmp", "tmp/arg0", "tmp/arg0-linuxx"} {
		if skipped(p, []string{"tmp/arg0-linux"}) {
			t.Errorf("%s must not be skipped", p)
		}
	}
}
