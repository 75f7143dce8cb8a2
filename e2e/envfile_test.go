package e2e

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/joho/godotenv"
	"github.com/zalando/go-keyring"

	"github.com/terok-ai/terok-auth/core/inject"
	"github.com/terok-ai/terok-auth/internal/envcorpus"
)

// requirePodmanCLI fails (never skips) without podman on PATH.
func requirePodmanCLI(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs podman (make test)")
	}
	if _, err := exec.LookPath("podman"); err != nil {
		t.Fatal("this test needs podman: run it with `make test`, which installs it (scripts/deps test; Debian: apt-get install podman runc)")
	}
}

// podmanEnv runs the printenv image with --env-file file and returns the
// container's whole environment, as its process got it.
func podmanEnv(t *testing.T, image, file string) map[string]string {
	t.Helper()
	cmd := exec.Command("podman", "run", "--rm", "--pull=never", "--network=none", "--env-file", file, image, "/printenv", "-0")
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("podman run --env-file: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("podman run --env-file: %v", err)
	}
	m := map[string]string{}
	for _, kv := range strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00") {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

// TestEnvFileThroughPodman: every value env-file writes, each byte alone
// and the hostile ones of envcorpus among them, reaches a container
// through the real podman run --env-file exactly as it was, and no other
// variable does. What it refuses is what podman cannot carry: NUL, a line
// break, text that is not UTF-8 (podman passes U+FFFD on), a leading quote,
// a line past what podman's reader takes.
func TestEnvFileThroughPodman(t *testing.T) {
	requirePodmanCLI(t)
	image := buildPrintenvImage(t)
	dir := t.TempDir()
	plan := &inject.Plan{Env: map[string]string{}}
	var refused []string
	long := strings.Repeat("x", inject.EnvFileMaxLine-len("V_0000="))
	for i, v := range append(envcorpus.Values(), long, long+"x") {
		one := &inject.Plan{Env: map[string]string{"V_0000": v}}
		if _, err := one.Format("env-file"); err != nil {
			var cc *inject.ErrCannotCarry
			if !errors.As(err, &cc) {
				t.Fatalf("%q: %v", v, err)
			}
			refused = append(refused, v)
			continue
		}
		plan.Env[fmt.Sprintf("V_%04d", i)] = v
	}
	out, err := plan.Format("env-file")
	if err != nil {
		t.Fatal(err)
	}
	file, empty := filepath.Join(dir, "all.env"), filepath.Join(dir, "empty.env")
	if err := os.WriteFile(file, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	baseline := podmanEnv(t, image, empty)
	got := podmanEnv(t, image, file)
	for k, v := range plan.Env {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("podman passed %s=%.80q as %.80q (set: %v)", k, v, g, ok)
		}
	}
	for k, v := range got {
		_, ours := plan.Env[k]
		if _, base := baseline[k]; !ours && !base {
			t.Errorf("an extra variable reached the container: %s=%q", k, v)
		}
	}
	// What was refused is exactly what podman cannot carry.
	for _, v := range refused {
		cannot := strings.ContainsAny(v, "\x00\n\r") || strings.HasPrefix(v, `"`) || strings.HasPrefix(v, "'") ||
			!utf8.ValidString(v) || v == long+"x"
		if !cannot {
			t.Errorf("env-file refused %q, which podman carries", v)
		}
	}
	if _, ok := plan.Env[fmt.Sprintf("V_%04d", len(envcorpus.Values()))]; !ok {
		t.Error("the longest line podman reads was refused")
	}
	carried := 0
	for b := 1; b < 0x80; b++ {
		if _, ok := plan.Env[fmt.Sprintf("V_%04d", b)]; ok {
			carried++
		}
	}
	if carried != 127-4 { // all but LF, CR, " and '
		t.Errorf("env-file carried %d of the 127 ASCII bytes alone, want 123", carried)
	}
}

// TestEnvFormatsReachTheirConsumers drives terok auth env as a user
// would: env-file straight into podman run --env-file (through bash's
// process substitution, no file on disk), where dotenv's quotes would
// stay in the value; dotenv into godotenv and python-dotenv; and a value
// a format cannot carry refused with the formats that carry it.
func TestEnvFormatsReachTheirConsumers(t *testing.T) {
	requirePodmanCLI(t)
	e := newInjectEnv(t)
	image := buildPrintenvImage(t)
	set := "e2e-env-file"
	cleanupStored(t, set, "gh", "sonar")
	token := apiKeys["gh"]
	if r := terok(t, e.with(runOpts{stdin: token}), "auth", "login", "gh", "--mode", "api-key", "--with-key", "--set", set); r.code != 0 {
		t.Fatal(r.stderr)
	}
	script := `podman run --rm --pull=never --network=none --env-file <("$TEROK" auth env --set "$SET" --format "$FORMAT" gh) "$IMAGE" /printenv GH_TOKEN GH_HOST`
	podman := func(format string) result {
		t.Helper()
		return run(t, e.with(runOpts{env: []string{"TEROK=" + filepath.Join(binDir, "terok"), "SET=" + set, "FORMAT=" + format, "IMAGE=" + image}}), "bash", "-c", script)
	}
	if r := podman("env-file"); r.code != 0 || r.stdout != "GH_TOKEN="+token+"\nGH_HOST=github.com\n" {
		t.Errorf("env-file through podman: exit %d, %q, %s", r.code, r.stdout, r.stderr)
	}
	// The defect: dotenv's quoting reached the container as part of the value.
	if r := podman("dotenv"); r.code != 0 || !strings.Contains(r.stdout, "GH_HOST='github.com'\n") {
		t.Errorf("dotenv through podman: exit %d, %q, %s", r.code, r.stdout, r.stderr)
	}

	// A value with a line break: env-file refuses it, saying which formats
	// carry it, and writes nothing; dotenv carries it to python-dotenv.
	value := "InjE2Eline one\nLD_PRELOAD=/tmp/x.so\nline 'three' \\ end $HOME"
	data, _ := json.Marshal(map[string]string{"type": "api_key", "key": value})
	if err := keyring.Set("terok", set+"/sonar", string(data)); err != nil {
		t.Fatal(err)
	}
	r := terok(t, e.opts, "auth", "env", "--set", set, "--format", "dotenv", "gh,sonar")
	if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "--format dotenv cannot carry the value of SONAR_TOKEN: it holds $ together with") ||
		!strings.Contains(r.stderr, "use --format shell or json") || strings.Contains(r.stderr, "InjE2E") {
		t.Errorf("dotenv with $ and ': exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
	value = strings.TrimSuffix(value, " $HOME")
	data, _ = json.Marshal(map[string]string{"type": "api_key", "key": value})
	if err := keyring.Set("terok", set+"/sonar", string(data)); err != nil {
		t.Fatal(err)
	}
	r = terok(t, e.opts, "auth", "env", "--set", set, "--format", "env-file", "gh,sonar")
	if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "--format env-file cannot carry the value of SONAR_TOKEN: it holds a line break") ||
		!strings.Contains(r.stderr, "use --format shell, dotenv or json") || strings.Contains(r.stderr, "InjE2E") {
		t.Errorf("env-file with a line break: exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
	r = terok(t, e.opts, "auth", "env", "--set", set, "--format", "dotenv", "gh,sonar")
	if r.code != 0 {
		t.Fatalf("dotenv: exit %d: %s", r.code, r.stderr)
	}
	want := map[string]string{"GH_HOST": "github.com", "GH_TOKEN": token, "SONAR_TOKEN": value}
	if got, err := godotenv.Unmarshal(r.stdout); err != nil || !maps.Equal(got, want) {
		t.Errorf("godotenv read %q (%v)", got, err)
	}
	file := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(file, []byte(r.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	py := exec.Command("/usr/bin/python3", "-c", `import json, sys; from dotenv import dotenv_values; json.dump(dotenv_values(sys.argv[1]), sys.stdout)`, file)
	out, err := py.Output()
	if err != nil {
		t.Fatalf("python-dotenv (scripts/deps test installs python3-dotenv): %v", err)
	}
	var got map[string]string
	if err := json.Unmarshal(out, &got); err != nil || !maps.Equal(got, want) {
		t.Errorf("python-dotenv read %s (%v)", out, err)
	}
}
