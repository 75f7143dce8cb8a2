//go:build unix

package trust

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The interpreter of a script plugin is under the rule of the plugin's own
// files (issue 19, hole 9). The interpreter of another user is in e2e
// (TestScriptPluginRefusesAnotherUsersInterpreter), which makes that user.

func TestParseShebang(t *testing.T) {
	long := "#!/" + strings.Repeat("x", maxShebang)
	for _, tc := range []struct {
		head, interp, arg, err string
	}{
		{"#!/bin/sh\necho", "/bin/sh", "", ""},
		{"#! /usr/bin/python3 -u \nx", "/usr/bin/python3", "-u", ""},
		{"#!\t/usr/bin/env\tpython3\t\n", "/usr/bin/env", "python3", ""},
		{"#!/usr/bin/env -S python3 -u\n", "/usr/bin/env", "-S python3 -u", ""},
		{"#!/bin/sh", "/bin/sh", "", ""},
		{"#!sh\n", "sh", "", ""},
		{"#!\n", "", "", "names no interpreter"},
		{"#!   \t\n", "", "", "names no interpreter"},
		{"#!/bin/sh\x00x\n", "", "", "NUL"},
		{long, "", "", "longer than"},
		{"echo hi\n", "", "", `does not start with "#!"`},
		{"", "", "", `does not start with "#!"`},
	} {
		interp, arg, err := parseShebang([]byte(tc.head))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: err %v, want %q", tc.head, err, tc.err)
			}
			continue
		}
		if err != nil || interp != tc.interp || arg != tc.arg {
			t.Errorf("%q: %q %q %v; want %q %q", tc.head, interp, arg, err, tc.interp, tc.arg)
		}
	}
}

func FuzzParseShebang(f *testing.F) {
	for _, s := range []string{"#!/bin/sh\n", "#! /usr/bin/env -S a b=c d\n", "#!\t\t\n", "#!/a\x00b"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, head []byte) {
		if len(head) > maxShebang {
			head = head[:maxShebang]
		}
		interp, arg, err := parseShebang(head)
		if err != nil {
			return
		}
		if interp == "" || strings.ContainsAny(interp, " \t\n\x00") || strings.ContainsAny(arg, "\n\x00") || strings.Trim(arg, " \t") != arg {
			t.Fatalf("%q: interp %q, arg %q", head, interp, arg)
		}
		if !strings.HasPrefix(string(head), "#!") || !strings.Contains(string(head), interp) {
			t.Fatalf("%q: interp %q is not from the head", head, interp)
		}
	})
}

// TestScriptPluginRefusesAnInterpreterOthersMayChange: an interpreter
// others may write, or in a directory others may write (so they may swap
// it), or found by env in a PATH directory others may write, is refused
// when trusting, and when starting if it became so after; on main only the
// plugin's own directory was checked.
func TestScriptPluginRefusesAnInterpreterOthersMayChange(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name string
		// setup makes the interpreter, returns the #! line; loosen makes
		// it one others may change.
		setup  func(t *testing.T, base string) string
		loosen func(t *testing.T, base string)
		want   string
	}{
		{"others may write it", func(t *testing.T, base string) string {
			writeFile(t, filepath.Join(base, "bin", "interp"), "#!/bin/sh\nexec /bin/sh \"$@\"\n", 0o755)
			return "#!" + filepath.Join(base, "bin", "interp")
		}, func(t *testing.T, base string) {
			chmod(t, filepath.Join(base, "bin", "interp"), 0o777)
		}, "interp is writable by group or others"},
		{"others may swap it", func(t *testing.T, base string) string {
			writeFile(t, filepath.Join(base, "bin", "interp"), "#!/bin/sh\n", 0o755)
			return "#!" + filepath.Join(base, "bin", "interp") + " -e"
		}, func(t *testing.T, base string) {
			chmod(t, filepath.Join(base, "bin"), 0o777)
		}, "its directory " + "BASE/bin is writable"},
		{"a link to it others may swap", func(t *testing.T, base string) string {
			writeFile(t, filepath.Join(base, "real", "interp"), "#!/bin/sh\n", 0o755)
			if err := os.MkdirAll(filepath.Join(base, "links"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(filepath.Join(base, "real", "interp"), filepath.Join(base, "links", "interp")); err != nil {
				t.Fatal(err)
			}
			return "#!" + filepath.Join(base, "links", "interp")
		}, func(t *testing.T, base string) {
			chmod(t, filepath.Join(base, "links"), 0o777)
		}, "BASE/links is writable"},
		{"its own interpreter others may write", func(t *testing.T, base string) string {
			writeFile(t, filepath.Join(base, "bin", "inner"), "#!/bin/sh\n", 0o755)
			writeFile(t, filepath.Join(base, "bin2", "outer"), "#!"+filepath.Join(base, "bin", "inner")+"\n", 0o755)
			return "#!" + filepath.Join(base, "bin2", "outer")
		}, func(t *testing.T, base string) {
			chmod(t, filepath.Join(base, "bin", "inner"), 0o666|0o111)
		}, "inner is writable by group or others"},
		{"env finds it on a PATH others may add to", func(t *testing.T, base string) string {
			writeFile(t, filepath.Join(base, "safe", "terok-test-interp"), "#!/bin/sh\n", 0o755)
			if err := os.MkdirAll(filepath.Join(base, "early"), 0o755); err != nil {
				t.Fatal(err)
			}
			t.Setenv("PATH", filepath.Join(base, "early")+":"+filepath.Join(base, "safe")+":/usr/bin:/bin")
			return "#!/usr/bin/env terok-test-interp"
		}, func(t *testing.T, base string) {
			chmod(t, filepath.Join(base, "early"), 0o777)
		}, "env looks for terok-test-interp in BASE/early"},
		{"env -S finds it in a directory others may write", func(t *testing.T, base string) string {
			writeFile(t, filepath.Join(base, "safe", "terok-test-interp"), "#!/bin/sh\n", 0o755)
			t.Setenv("PATH", filepath.Join(base, "safe")+":/usr/bin:/bin")
			return "#!/usr/bin/env -S A=1 terok-test-interp -x"
		}, func(t *testing.T, base string) {
			chmod(t, filepath.Join(base, "safe"), 0o777)
		}, "BASE/safe is writable"},
	} {
		t.Run(c.name, func(t *testing.T) {
			base := t.TempDir()
			want := strings.ReplaceAll(c.want, "BASE", base)
			line := c.setup(t, base)
			script := filepath.Join(base, "plugin", "terok-provider-sh")
			writeFile(t, script, line+"\necho\n", 0o755)
			s := &Store{Path: filepath.Join(base, "config", "plugins.lock")}
			if _, err := s.Trust(ctx, "sh", script); err != nil {
				t.Fatalf("Trust with a safe interpreter: %v", err)
			}
			if err := openClose(s, "sh", script); err != nil {
				t.Fatalf("Open with a safe interpreter: %v", err)
			}

			// Loosened after trusting: the start refuses.
			c.loosen(t, base)
			err := openClose(s, "sh", script)
			if !errors.Is(err, ErrWritable) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "the script plugin "+script+" runs") {
				t.Errorf("Open = %v; want ErrWritable naming the plugin and %q", err, want)
			}
			if st, _ := s.Verify(script); st != StatusWritable {
				t.Errorf("Verify = %s; want %s", st, StatusWritable)
			}
			// And trusting it again refuses too.
			if _, err := s.Trust(ctx, "sh", script); !errors.Is(err, ErrWritable) {
				t.Errorf("Trust = %v; want ErrWritable", err)
			}
		})
	}
}

// TestScriptPluginRefusesAnInterpreterItCannotPlace: a relative
// interpreter, env with an option terok does not follow, and a name not on
// the PATH are refused with what to do.
func TestScriptPluginRefusesAnInterpreterItCannotPlace(t *testing.T) {
	for line, want := range map[string]string{
		"#!sh":                      "not an absolute path",
		"#!/usr/bin/env -i sh":      "write the interpreter's full path",
		"#!/usr/bin/env terok-nope": "is not on the PATH",
		"#!/nonexistent/python3":    "no such file",
	} {
		base := t.TempDir()
		script := filepath.Join(base, "plugin", "terok-provider-sh")
		writeFile(t, script, line+"\n", 0o755)
		s := &Store{Path: filepath.Join(base, "config", "plugins.lock")}
		if _, err := s.Trust(context.Background(), "sh", script); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: Trust = %v; want %q", line, err, want)
		}
	}
}

func chmod(t *testing.T, p string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}
