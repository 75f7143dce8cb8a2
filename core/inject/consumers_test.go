package inject

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/joho/godotenv"

	"github.com/terok-ai/terok-auth/internal/envcorpus"
)

// The tests in this file put every value of envcorpus, and the fuzz
// targets' corpora, through the real consumer of each format: dash and
// bash source shell, godotenv and python-dotenv read dotenv, jq reads
// json (podman --env-file reads env-file, in e2e). Each either reads back
// exactly the variables written, no more and no other values, or the
// format refused the value with ErrCannotCarry.

// consumerValues are envcorpus's values and every input in the fuzz
// targets' corpora under testdata/fuzz. What `make fuzz` finds stays in
// $(go env GOCACHE)/fuzz until it is copied there; then the real
// consumers read it too.
func consumerValues(t *testing.T) []string {
	t.Helper()
	vs := envcorpus.Values()
	files, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "*", "*"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		if len(lines) < 2 || lines[0] != "go test fuzz v1" {
			t.Fatalf("%s: not a fuzz corpus file", f)
		}
		for _, l := range lines[1:] {
			v, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(l, "string("), ")"))
			if err != nil || !strings.HasPrefix(l, "string(") {
				t.Fatalf("%s: %q is not a string: %v", f, l, err)
			}
			vs = append(vs, v)
		}
	}
	return vs
}

// written is one value's output: the plan A_TOKEN=v, B_TOKEN=b in one
// format, in a file of its own.
type written struct {
	v, path string
}

// writeAll writes each value the format carries into a file and checks
// each refusal: it is an ErrCannotCarry that names the variable and does
// not show the value, and mayRefuse allows it.
func writeAll(t *testing.T, format string, vs []string, mayRefuse func(string) bool) []written {
	t.Helper()
	dir := t.TempDir()
	var ws []written
	for i, v := range vs {
		plan := &Plan{Env: map[string]string{"A_TOKEN": v, "B_TOKEN": "b"}}
		out, err := plan.Format(format)
		if err != nil {
			var cc *ErrCannotCarry
			if !errors.As(err, &cc) || cc.Name != "A_TOKEN" || !strings.Contains(err.Error(), "A_TOKEN") {
				t.Errorf("%s refused %q with %v", format, v, err)
			}
			if len(v) > 3 && strings.Contains(err.Error(), v) {
				t.Errorf("%s's refusal shows the value: %v", format, err)
			}
			if !mayRefuse(v) {
				t.Errorf("%s refused %q, which its consumers carry: %v", format, v, err)
			}
			// The formats the refusal names are the ones that take the value.
			if cc != nil {
				for _, f := range Formats {
					_, ferr := plan.Format(f)
					if named := slices.Contains(cc.Use, f); f != format && named != (ferr == nil) {
						t.Errorf("%s's refusal of %q names %v: %s takes it: %v", format, v, cc.Use, f, ferr)
					}
				}
			}
			continue
		}
		p := filepath.Join(dir, fmt.Sprintf("%04d", i))
		if err := os.WriteFile(p, []byte(out), 0o600); err != nil {
			t.Fatal(err)
		}
		ws = append(ws, written{v, p})
	}
	return ws
}

// assertCarriesBytes: each byte value alone (0..255) is written exactly
// when want says the format must carry it, so that a format refusing
// everything cannot pass.
func assertCarriesBytes(t *testing.T, format string, ws []written, want func(b byte) bool) {
	t.Helper()
	got := map[string]bool{}
	for _, w := range ws {
		got[w.v] = true
	}
	for b := 0; b < 256; b++ {
		if carried := got[string([]byte{byte(b)})]; carried != want(byte(b)) {
			t.Errorf("%s: byte %#02x alone written %v, want %v", format, b, carried, want(byte(b)))
		}
	}
}

// assertReadBack: the consumer read exactly A_TOKEN=v and B_TOKEN=b, and
// no name beyond them and baseline.
func assertReadBack(t *testing.T, consumer string, w written, got map[string]string, baseline map[string]bool) {
	t.Helper()
	for k := range got {
		if k != "A_TOKEN" && k != "B_TOKEN" && !baseline[k] {
			t.Errorf("%s read an extra variable %s=%q from %q", consumer, k, got[k], w.v)
		}
	}
	if a, ok := got["A_TOKEN"]; !ok || a != w.v || got["B_TOKEN"] != "b" {
		t.Errorf("%s read %q back as %q (B_TOKEN %q)", consumer, w.v, a, got["B_TOKEN"])
	}
}

func carriesNoNUL(v string) bool { return strings.IndexByte(v, 0) >= 0 }

func TestShellThroughDashAndBash(t *testing.T) {
	ws := writeAll(t, "shell", consumerValues(t), carriesNoNUL)
	assertCarriesBytes(t, "shell", ws, func(b byte) bool { return b != 0 })
	for _, sh := range []struct {
		name string
		argv []string
		env  []string
	}{
		{"dash", []string{"/bin/dash"}, nil},
		{"bash", []string{"/bin/bash"}, []string{"LC_ALL=C.UTF-8"}},
		{"bash --posix", []string{"/bin/bash", "--posix"}, []string{"LC_ALL=C"}},
	} {
		t.Run(sh.name, func(t *testing.T) {
			if _, err := os.Stat(sh.argv[0]); err != nil {
				t.Fatalf("%s is needed for this test (Debian: dash, bash): %v", sh.argv[0], err)
			}
			empty := filepath.Join(t.TempDir(), "empty")
			if err := os.WriteFile(empty, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			all := append([]written{{path: empty}}, ws...)
			sourceAll(t, sh.argv, sh.env, all)
			baseline := map[string]bool{}
			for k := range readEnv0(t, empty+".out") {
				baseline[k] = true
			}
			for _, w := range ws {
				assertReadBack(t, sh.name, w, readEnv0(t, w.path+".out"), baseline)
			}
		})
	}
}

// sourceAll sources each file in a subshell of the shell, every
// assignment exported (set -a), and writes what env -0 then sees to
// FILE.out: a variable the file set, exported or not, shows there.
func sourceAll(t *testing.T, shell, env []string, ws []written) {
	t.Helper()
	script := `for f do ( set -a; . "$f"; /usr/bin/env -0 > "$f.out" ) done`
	argv := append(append(slices.Clone(shell), "-c", script, "sh"), paths(ws)...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append([]string{"PATH=/usr/bin:/bin"}, env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Fatalf("%v: %v\n%s", shell, err, stderr.String())
	}
}

func paths(ws []written) []string {
	ps := make([]string, len(ws))
	for i, w := range ws {
		ps[i] = w.path
	}
	return ps
}

func readEnv0(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the shell wrote no environment: %v", err)
	}
	m := map[string]string{}
	for _, kv := range strings.Split(strings.TrimSuffix(string(data), "\x00"), "\x00") {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

// dotenvMayRefuse: what no quoting carries through both godotenv and
// python-dotenv. A NUL or text that is not UTF-8 (python-dotenv reads
// UTF-8), ${…} (python-dotenv expands it in every quoting); beyond those,
// only a value that single quotes cannot hold (' \ CR) and that has a $
// or ends in \ or ".
func dotenvMayRefuse(v string) bool {
	if carriesNoNUL(v) || !utf8.ValidString(v) || strings.Contains(v, "${") {
		return true
	}
	if !strings.ContainsAny(v, `'\`+"\r") {
		return false
	}
	return strings.Contains(v, "$") || strings.HasSuffix(v, `\`) || strings.HasSuffix(v, `"`)
}

func dotenvBytes(b byte) bool { return b != 0 && b < 0x80 }

func TestDotenvThroughGodotenv(t *testing.T) {
	ws := writeAll(t, "dotenv", consumerValues(t), dotenvMayRefuse)
	assertCarriesBytes(t, "dotenv", ws, dotenvBytes)
	for _, w := range ws {
		got, err := godotenv.Read(w.path) // as godotenv.Load reads it
		if err != nil {
			t.Errorf("godotenv cannot read %q: %v", w.v, err)
			continue
		}
		assertReadBack(t, "godotenv", w, got, nil)
	}
}

func TestDotenvThroughPythonDotenv(t *testing.T) {
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import dotenv").Run(); err != nil {
		t.Fatalf("this test needs python-dotenv for %s: scripts/deps test installs it (Debian: apt-get install python3-dotenv): %v", py, err)
	}
	ws := writeAll(t, "dotenv", consumerValues(t), dotenvMayRefuse)
	cmd := exec.Command(py, append([]string{filepath.Join("testdata", "read-dotenv.py")}, paths(ws)...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr // python-dotenv warns there about a line it cannot parse
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("python-dotenv: %v\n%s", err, stderr.String())
	}
	var got []map[string]*string
	if err := json.Unmarshal(out, &got); err != nil || len(got) != len(ws) {
		t.Fatalf("python-dotenv's answer %.200s: %v", out, err)
	}
	for i, w := range ws {
		m := map[string]string{}
		for k, v := range got[i] {
			if v == nil {
				t.Errorf("python-dotenv read %s with no value from %q", k, w.v)
				continue
			}
			m[k] = *v
		}
		assertReadBack(t, "python-dotenv", w, m, nil)
	}
}

func TestJSONThroughJq(t *testing.T) {
	if _, err := exec.LookPath("jq"); err != nil {
		t.Fatal("this test needs jq: scripts/deps test installs it (Debian: apt-get install jq)")
	}
	ws := writeAll(t, "json", consumerValues(t), func(v string) bool { return carriesNoNUL(v) || !utf8.ValidString(v) })
	assertCarriesBytes(t, "json", ws, dotenvBytes)
	// One jq reads every file: per file, NAME=value entries each ended by
	// a NUL (no value holds one), and a record ended by a second NUL.
	cmd := exec.Command("jq", append([]string{"-j", `(to_entries[] | .key, "=", .value, "\u0000"), "\u0000"`}, paths(ws)...)...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("jq: %v", err)
	}
	records := strings.Split(strings.TrimSuffix(string(out), "\x00\x00"), "\x00\x00")
	if len(records) != len(ws) {
		t.Fatalf("jq read %d files, want %d", len(records), len(ws))
	}
	for i, w := range ws {
		m := map[string]string{}
		for _, kv := range strings.Split(records[i], "\x00") {
			k, v, _ := strings.Cut(kv, "=")
			m[k] = v
		}
		assertReadBack(t, "jq", w, m, nil)
	}
}
