package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/providertest"
)

// pythonPlugin returns a private copy of examples/python-plugin with its
// generated protocol module: the one `make testbins` made
// (TEROK_TEST_PYTHON), or one made here. The copy is the plugin's own
// directory, as a script plugin needs (its trust covers the directory).
func pythonPlugin(t *testing.T) string {
	t.Helper()
	if out, err := exec.Command("/usr/bin/python3", "-c", "import grpc, google.protobuf, cryptography").CombinedOutput(); err != nil {
		t.Fatalf("the Python plugin needs Debian's python3-grpcio, python3-protobuf and python3-cryptography: run scripts/deps python (%v: %s)", err, out)
	}
	dir := filepath.Join(t.TempDir(), "pyacme")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	src := os.Getenv("TEROK_TEST_PYTHON")
	if src == "" {
		src = "../examples/python-plugin"
		cmd := exec.Command("protoc", "-I", "../internal/proto/providerv1", "--python_out="+dir, "provider.proto")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("generate provider_pb2.py (protoc, from scripts/deps python): %v\n%s", err, out)
		}
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() || (!strings.HasSuffix(e.Name(), ".py") && e.Name() != "terok-provider-pyacme") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o644)
		if e.Name() == "terok-provider-pyacme" {
			mode = 0o755
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, mode); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "terok-provider-pyacme")
}

const pyKey = "pyacme_0123456789abcdef0123456789abcdef"

// TestPythonPluginKeepsTheContract runs the conformance suite against the
// Python plugin, started the way terok starts it: the protocol page is
// enough to write a plugin in another language.
func TestPythonPluginKeepsTheContract(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the Python plugin")
	}
	providertest.RunBinary(t, pythonPlugin(t),
		providertest.WithKey(pyKey),
		providertest.WithCapture(sdk.ModeOAuth, map[string][]byte{
			"session.json": []byte(`{"token":"pyacme-access-token","refresh":"pyacme-refresh-token","expires":1796083200}`),
		}))
}

// TestPythonPluginLogsInAndItsFilesArePinned logs in with a key through
// the Python plugin, then edits a module it imports: terok refuses it,
// naming the file, until it is trusted again.
func TestPythonPluginLogsInAndItsFilesArePinned(t *testing.T) {
	requireKeyring(t)
	script := pythonPlugin(t)
	dir := filepath.Dir(script)
	home := t.TempDir()
	env := []string{
		"TEROK_PLUGIN_PATH=" + dir,
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"XDG_DATA_HOME=" + filepath.Join(home, "data"),
		"XDG_STATE_HOME=" + filepath.Join(home, "state"),
		"XDG_CACHE_HOME=" + filepath.Join(home, "cache"),
	}
	const set = "e2e-python"
	t.Cleanup(func() { _ = deleteStored(set, "pyacme") })
	login := func() result {
		return terok(t, runOpts{env: env, stdin: pyKey}, "auth", "login", "pyacme", "--with-key", "--set", set)
	}

	if r := terok(t, runOpts{env: env}, "auth", "plugins", "trust", script); r.code != 0 {
		t.Fatalf("trust: exit %d: %s", r.code, r.stderr)
	}
	if r := login(); r.code != 0 {
		t.Fatalf("login: exit %d: %s", r.code, r.stderr)
	}
	if got := stored(t, set, "pyacme"); got != `{"key":"`+pyKey+`","type":"api_key"}` {
		t.Errorf("keyring holds %q", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "__pycache__")); err == nil {
		t.Error("the plugin wrote bytecode into its pinned directory")
	}

	// An edit to a module the script imports.
	mod := filepath.Join(dir, "provider.py")
	data, err := os.ReadFile(mod)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mod, append(data, []byte("\n# edited after it was trusted\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	r := login()
	if r.code == 0 || !strings.Contains(r.stderr, "provider.py (changed)") || !strings.Contains(r.stderr, "terok auth plugins trust "+script) {
		t.Fatalf("login after editing provider.py: exit %d: %s", r.code, r.stderr)
	}
	if r := terok(t, runOpts{env: env}, "auth", "plugins", "verify"); r.code == 0 || !strings.Contains(r.stdout, "changed") {
		t.Errorf("plugins verify after the edit: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := terok(t, runOpts{env: env}, "auth", "plugins", "trust", script); r.code != 0 {
		t.Fatalf("trust again: exit %d: %s", r.code, r.stderr)
	}
	if r := login(); r.code != 0 {
		t.Errorf("login after trusting again: exit %d: %s", r.code, r.stderr)
	}
}
