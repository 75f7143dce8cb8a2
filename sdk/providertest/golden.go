package providertest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

// CaptureGolden runs Capture for mode once per subdirectory of dir. The
// layout is:
//
//	dir/
//	  CASE/                 one directory per case, any name
//	    files/              the login container's config directory, as the
//	                        tool leaves it (may be missing: no files at all)
//	      .credentials.json
//	      sub/dir/state.json
//	    want.json           a Golden: what Capture must return
//
// want.json is either {"credential": {...}, "state_files": {...}} — the
// credential in its stored flat shape, state files by relative path with
// their contents as strings — or {"error": "nothing_captured",
// "message_contains": "..."}, with error one of nothing_captured,
// unsupported_mode, invalid_key or other. Unknown keys are an error.
//
// A case that captures must also pass the success checks (CheckCapture):
// expires_at in plausible Unix seconds, clean relative state file paths, no
// captured secret in a state file, a refresh token in files/ kept in the
// credential; and nothing Capture logs may hold a captured secret. With
// TEROK_UPDATE_GOLDEN=1 the cases' want.json are written from what Capture
// returns, except for a case that fails these checks: that one is reported
// and its want.json is left as it was.
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
			rec := &logRecorder{}
			addInputSecrets(rec, files)
			restore := recordLogs(rec)
			q := quiet{fail: t.Errorf, p: p, rec: rec}
			resp, capErr := q.Capture(context.Background(), &sdk.CaptureRequest{Mode: mode, Files: files})
			restore()
			var problems []error
			if capErr == nil {
				problems = CheckCapture(files, resp)
				for _, s := range credentialSecrets(resp.Credential) {
					rec.addSecret("the captured "+s.name, s.value)
				}
			}
			rec.check(t)
			got := toGolden(resp, capErr)
			wantPath := filepath.Join(caseDir, "want.json")
			if os.Getenv(UpdateEnv) == "1" {
				if len(problems) > 0 {
					t.Errorf("refusing to record %s: Capture's result fails the checks:\n%s", wantPath, joinErrs(problems))
					return
				}
				writeGolden(t, wantPath, got)
				return
			}
			for _, err := range problems {
				t.Error(err)
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

func joinErrs(errs []error) string {
	var b strings.Builder
	for _, e := range errs {
		b.WriteString("  - " + e.Error() + "\n")
	}
	return b.String()
}

// readGolden reads a want.json strictly: an unknown key is a typo that would
// otherwise make a case pass for the wrong reason.
func readGolden(path string) (Golden, error) {
	var want Golden
	data, err := os.ReadFile(path)
	if err != nil {
		return want, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&want); err != nil {
		return want, fmt.Errorf("%s: %w", path, err)
	}
	return want, nil
}

func compareGolden(t *testing.T, path string, got Golden, capErr error) {
	want, err := readGolden(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("%v (run with %s=1 to create it)", err, UpdateEnv)
	}
	if err != nil {
		t.Fatal(err)
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
