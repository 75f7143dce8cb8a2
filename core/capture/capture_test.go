package capture

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
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

	res, err := Read(context.Background(), dir, Limits{MaxFiles: 10, MaxFileBytes: 1000, MaxTotal: 5000})
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
	res, err := Read(context.Background(), dir, Limits{MaxFiles: 3, MaxFileBytes: 1000, MaxTotal: 1000})
	if err != nil || len(res.Files) != 3 || len(res.Found) != 5 || len(res.Skipped) != 2 {
		t.Errorf("count limit: %d files, %d found, skipped %v, %v", len(res.Files), len(res.Found), res.Skipped, err)
	}
	res, err = Read(context.Background(), dir, Limits{MaxFiles: 10, MaxFileBytes: 1000, MaxTotal: 250})
	if err != nil || len(res.Files) != 2 || !strings.Contains(strings.Join(res.Skipped, ","), "together exceed") {
		t.Errorf("total limit: %d files, skipped %v, %v", len(res.Files), res.Skipped, err)
	}
}

func TestWriteState(t *testing.T) {
	mounts := t.TempDir()
	dir := filepath.Join(mounts, "_claude-config")
	write(t, filepath.Join(dir, ".claude.json"), `{"theme": "dark", "hasCompletedOnboarding": false}`)
	written, err := WriteState(mounts, "_claude-config", map[string][]byte{
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
	dir := filepath.Join(base, "mounts", "cfg")
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
		if _, err := WriteState(filepath.Dir(dir), "cfg", map[string][]byte{p: []byte("x")}); err == nil {
			t.Errorf("WriteState(%q) succeeded", p)
		}
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("wrote outside: %v", entries)
	}
}

// deepTree makes a chain of n nested dirs below dir, as a container could,
// without ever using a path longer than one name.
func deepTree(t *testing.T, dir string, n int) {
	t.Helper()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if err := root.Mkdir("d", 0o700); err != nil {
			t.Fatal(err)
		}
		next, err := root.OpenRoot("d")
		if err != nil {
			t.Fatal(err)
		}
		_ = root.Close()
		root = next
	}
	if err := root.WriteFile("bottom.json", []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	_ = root.Close()
}

func TestReadStopsAtTheDepthLimitOfAThousandLevelTree(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, ".credentials.json"), `{"a":1}`)
	deepTree(t, dir, 1000)
	res, err := Read(context.Background(), dir, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Files[".credentials.json"]) != `{"a":1}` {
		t.Errorf("the credentials beside the tree were not read: %v", res.Files)
	}
	if !strings.Contains(strings.Join(res.Skipped, "\n"), "deeper than 32 levels, not looked into") {
		t.Errorf("skipped: %v", res.Skipped)
	}
	if err := Wipe(dir); err != nil {
		t.Errorf("Wipe: %v", err)
	}
}

func TestReadBoundsTheNamesItLooksAt(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 50; i++ {
		write(t, filepath.Join(dir, "d", "f"+strconv.Itoa(i)), "x")
	}
	res, err := Read(context.Background(), dir, Limits{MaxFiles: 500, MaxFileBytes: 10, MaxTotal: 1000, MaxDepth: 5, MaxEntries: 20})
	if err != nil || len(res.Found) >= 20 || !strings.Contains(strings.Join(res.Skipped, "\n"), "more than 20 names") {
		t.Errorf("found %d, skipped %v, %v", len(res.Found), res.Skipped, err)
	}
}

func TestReadHonoursCancellation(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 10; i++ {
		write(t, filepath.Join(dir, strconv.Itoa(i), "f"), "x")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Read(ctx, dir, DefaultLimits); !errors.Is(err, context.Canceled) {
		t.Errorf("Read with a cancelled context = %v, want context.Canceled", err)
	}
}

func TestReadSkipsNonUTF8NamesAndReadsTheRest(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, ".credentials.json"), `{"a":1}`)
	write(t, filepath.Join(dir, "bad\xff\xfename"), "x")
	write(t, filepath.Join(dir, "baddir\xc3", "inner"), "x")
	write(t, filepath.Join(dir, "esc\x1b[31m"), "x")
	res, err := Read(context.Background(), dir, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 2 || res.Files[".credentials.json"] == nil || res.Files["esc\x1b[31m"] == nil {
		t.Errorf("files: %q", res.Files)
	}
	skipped := strings.Join(res.Skipped, "\n")
	for _, w := range []string{`"bad\xff\xfename": the name is not UTF-8`, `"baddir\xc3": the name is not UTF-8`} {
		if !strings.Contains(skipped, w) {
			t.Errorf("skipped lacks %s:\n%s", w, skipped)
		}
	}
	for _, f := range res.Found {
		if !utf8.ValidString(f) {
			t.Errorf("found a non-UTF-8 name %q", f)
		}
	}
	if Display("esc\x1b[31m") != `"esc\x1b[31m"` || Display("plain.json") != "plain.json" {
		t.Error("Display lets a control sequence through, or quotes a plain name")
	}
}

func TestWriteStateNeverFollowsALink(t *testing.T) {
	for _, tc := range []struct{ name, link, file string }{
		{"the shared config dir", "_claude-config", ".claude.json"},
		{"a dir below it", "_claude-config/sub", "sub/x.json"},
		{"the file itself", "_claude-config/.claude.json", ".claude.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mounts, target := t.TempDir(), t.TempDir()
			if err := os.MkdirAll(filepath.Join(mounts, "_claude-config"), 0o700); err != nil {
				t.Fatal(err)
			}
			if tc.link == "_claude-config" {
				_ = os.Remove(filepath.Join(mounts, "_claude-config"))
			}
			victim := filepath.Join(target, "victim.json")
			write(t, victim, `{"owner":"someone else"}`)
			linkTo := target
			if strings.HasSuffix(tc.link, ".json") {
				linkTo = victim
			}
			if err := os.Symlink(linkTo, filepath.Join(mounts, tc.link)); err != nil {
				t.Fatal(err)
			}
			_, err := WriteState(mounts, "_claude-config", map[string][]byte{tc.file: []byte(`{"hasCompletedOnboarding": true}`)})
			if !errors.Is(err, ErrSymlink) {
				t.Errorf("WriteState through a link = %v, want ErrSymlink", err)
			}
			if got, _ := os.ReadFile(victim); string(got) != `{"owner":"someone else"}` {
				t.Errorf("the link's target was written: %s", got)
			}
			if entries, _ := os.ReadDir(target); len(entries) != 1 {
				t.Errorf("files appeared at the link's target: %v", entries)
			}
		})
	}
}

func TestWipeOnlyUnlinksALinkInTheDirsPlace(t *testing.T) {
	tmp := t.TempDir()
	victim := filepath.Join(t.TempDir(), "home")
	write(t, filepath.Join(victim, "precious"), "keep")
	link := filepath.Join(tmp, "terok-auth-2147483646-claude-1")
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	if err := Wipe(link); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(link); !errors.Is(err, os.ErrNotExist) {
		t.Error("the link is still there")
	}
	if got, err := os.ReadFile(filepath.Join(victim, "precious")); err != nil || string(got) != "keep" {
		t.Errorf("Wipe followed the link: %q, %v", got, err)
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
	res, err := ReadSkipping(context.Background(), dir, DefaultLimits, []string{"tmp/arg0-linux/"})
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

// A file that cannot be read is reported by its Display name only: the
// raw name inside a *fs.PathError could carry escape sequences to the
// user's terminal.
func TestSkippedReasonHoldsNoRawName(t *testing.T) {
	raw := "evil\x1b]0;pwned\x07\x1b[2J"
	for _, err := range []error{
		&fs.PathError{Op: "open", Path: raw, Err: errors.New("permission denied")},
		fmt.Errorf("read: %w", &fs.PathError{Op: "read", Path: "dir/" + raw, Err: errors.New("input/output error")}),
		errors.New("plain " + raw),
	} {
		if got := why(err); strings.ContainsRune(got, 0x1b) || strings.ContainsRune(got, 0x07) {
			t.Errorf("why(%q) = %q: holds a control character", err, got)
		}
	}
	if got := why(&fs.PathError{Op: "open", Path: raw, Err: errors.New("permission denied")}); got != "open: permission denied" {
		t.Errorf("why = %q", got)
	}
}
