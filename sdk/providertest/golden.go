package providertest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/sdk"
)

// UpdateEnv, set to 1, makes CaptureGolden write want.json from what Capture
// returns instead of comparing. Review the diff before committing it.
const UpdateEnv = "TEROK_UPDATE_GOLDEN"

// Golden is the content of a case's want.json: either the credential and
// state files Capture returns, or the error it returns.
type Golden struct {
	Credential *sdk.Credential   `json:"credential,omitempty"`
	StateFiles map[string]string `json:"state_files,omitempty"`
	Error      string            `json:"error,omitempty"` // nothing_captured, unsupported_mode, invalid_key or other
	Contains   string            `json:"message_contains,omitempty"`
}

var sentinelNames = map[string]error{
	"nothing_captured": sdk.ErrNothingCaptured,
	"unsupported_mode": sdk.ErrUnsupportedMode,
	"invalid_key":      sdk.ErrInvalidKey,
}

// CaptureGolden runs Capture for mode once per subdirectory of dir. Each
// case holds files/ (the login container's config dir, as the tool leaves
// it) and want.json (a Golden). A case whose want.json names an error passes
// when Capture's error wraps that sentinel and its message contains
// message_contains.
func CaptureGolden(t *testing.T, p sdk.Provider, mode sdk.Mode, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("read golden dir: %v", err)
	}
	if len(entries) == 0 {
		t.Fatalf("no golden cases in %s", dir)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		caseDir := filepath.Join(dir, e.Name())
		t.Run(e.Name(), func(t *testing.T) {
			files, err := ReadFiles(filepath.Join(caseDir, "files"))
			if err != nil {
				t.Fatal(err)
			}
			resp, capErr := p.Capture(context.Background(), &sdk.CaptureRequest{Mode: mode, Files: files})
			got := toGolden(resp, capErr)
			wantPath := filepath.Join(caseDir, "want.json")
			if os.Getenv(UpdateEnv) == "1" {
				writeGolden(t, wantPath, got)
				return
			}
			compareGolden(t, wantPath, got, capErr)
			if capErr == nil {
				CheckInjection(t, p, resp.Credential)
			}
		})
	}
}

// ReadFiles reads every regular file below dir into the map a
// CaptureRequest carries. A missing dir is an empty map.
func ReadFiles(dir string) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == dir {
			return filepath.SkipDir
		}
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	return files, err
}

func toGolden(resp *sdk.CaptureResponse, err error) Golden {
	if err != nil {
		g := Golden{Error: "other", Contains: err.Error()}
		for name, s := range sentinelNames {
			if errors.Is(err, s) {
				g.Error = name
			}
		}
		return g
	}
	g := Golden{Credential: &resp.Credential}
	for p, data := range resp.StateFiles {
		if g.StateFiles == nil {
			g.StateFiles = map[string]string{}
		}
		g.StateFiles[p] = string(data)
	}
	return g
}

func writeGolden(t *testing.T, path string, g Golden) {
	b, err := json.MarshalIndent(g, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

func compareGolden(t *testing.T, path string, got Golden, capErr error) {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with %s=1 to create it)", err, UpdateEnv)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var want Golden
	if err := dec.Decode(&want); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if want.Error != "" {
		if capErr == nil {
			t.Fatalf("Capture succeeded with %v, want error %s", got.Credential, want.Error)
		}
		if s, ok := sentinelNames[want.Error]; ok && !errors.Is(capErr, s) {
			t.Errorf("Capture error %q does not wrap %s", capErr, want.Error)
		}
		if !strings.Contains(capErr.Error(), want.Contains) {
			t.Errorf("Capture error %q does not contain %q", capErr, want.Contains)
		}
		return
	}
	if capErr != nil {
		t.Fatalf("Capture: %v", capErr)
	}
	// Compare through JSON so number types do not matter.
	gotJSON, _ := json.Marshal(got)
	wantJSON, _ := json.Marshal(want)
	if !jsonEqual(gotJSON, wantJSON) {
		t.Errorf("Capture result differs from %s\n got: %s\nwant: %s", path, gotJSON, wantJSON)
	}
	if err := got.Credential.Validate(); err != nil {
		t.Errorf("captured credential is not valid: %v", err)
	}
}

func jsonEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}
