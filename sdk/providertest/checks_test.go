package providertest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/sdk"
)

func TestCheckExpiry(t *testing.T) {
	for _, c := range []struct {
		name string
		v    any
		want string // "" = fine
	}{
		{"absent", nil, ""},
		{"seconds", float64(1796083200), ""},
		{"seconds int", int64(1796083200), ""},
		{"json number", json.Number("1796083200"), ""},
		{"past but plausible", float64(1600000000), ""},
		{"milliseconds", float64(1796083200000), "looks like milliseconds"},
		{"microseconds", float64(1796083200000000), "more than 100 years away"},
		{"a duration", float64(3600), "before the year 2000"},
		{"divided too often", float64(1796083), "before the year 2000"},
		{"negative", float64(-5), "before the year 2000"},
		{"string", "1796083200", "is a string, not a number"},
		{"bad json number", json.Number("soon"), "is not a number"},
		{"bool", true, "is a bool"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cred := sdk.Credential{Type: "oauth", Fields: map[string]any{"access_token": "a"}}
			if c.v != nil {
				cred.Fields["expires_at"] = c.v
			}
			err := CheckExpiry(cred)
			if c.want == "" && err != nil {
				t.Errorf("CheckExpiry(%v) = %v, want nil", c.v, err)
			}
			if c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
				t.Errorf("CheckExpiry(%v) = %v, want an error containing %q", c.v, err, c.want)
			}
		})
	}
}

func TestCheckRelPath(t *testing.T) {
	for p, want := range map[string]string{
		"state.json":        "",
		"sub/dir/x.json":    "",
		".claude.json":      "",
		"":                  "empty",
		".":                 "empty",
		"/etc/passwd":       "absolute",
		"../x":              "leaves",
		"..":                "leaves",
		"a/../../x":         "not clean",
		"a//b":              "not clean",
		"a/./b":             "not clean",
		"dir/":              "not clean",
		`a\b`:               "backslash",
		"a\x00b":            "NUL",
		"\xff":              "UTF-8",
		"./state.json":      "not clean",
		"a/b/../../../etc/": "not clean",
	} {
		err := CheckRelPath(p)
		if want == "" && err != nil {
			t.Errorf("CheckRelPath(%q) = %v", p, err)
		}
		if want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("CheckRelPath(%q) = %v, want an error containing %q", p, err, want)
		}
	}
}

func TestCheckName(t *testing.T) {
	for _, c := range []struct{ bin, name, want string }{
		{"/x/terok-provider-acme", "acme", ""},
		{"terok-provider-acme.exe", "acme", ""},
		{"/x/terok-provider-gemini", "acme", `Describe.Name is "acme" but the binary is terok-provider-gemini`},
		{"/x/acme", "acme", "not named terok-provider-NAME"},
	} {
		err := CheckName(c.bin, c.name)
		if (c.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("CheckName(%q, %q) = %v, want %q", c.bin, c.name, err, c.want)
		}
	}
}

func TestCheckCaptureFindsRefreshTokens(t *testing.T) {
	files := map[string][]byte{
		".credentials.json": []byte(`{"claudeAiOauth":{"accessToken":"acc-12345678","refreshToken":"ref-12345678"}}`),
		"auth.json":         []byte(`{"tokens":[{"refresh_token":"ref-abcdefgh"}]}`),
		"notes.txt":         []byte(`refresh_token: not json`),
	}
	keep := &sdk.CaptureResponse{Credential: sdk.Credential{Type: "oauth", Fields: map[string]any{
		"access_token": "acc-12345678", "refresh_token": "ref-12345678", "extra": map[string]any{"r": []any{"ref-abcdefgh"}},
	}}}
	if errs := CheckCapture(files, keep); len(errs) != 0 {
		t.Errorf("a credential keeping both refresh tokens: %v", errs)
	}
	drop := &sdk.CaptureResponse{Credential: sdk.Credential{Type: "oauth", Fields: map[string]any{"access_token": "acc-12345678"}}}
	errs := CheckCapture(files, drop)
	if len(errs) != 2 || !strings.Contains(errs[0].Error(), ".credentials.json holds one at .claudeAiOauth.refreshToken") ||
		!strings.Contains(errs[1].Error(), "auth.json holds one at .tokens[0].refresh_token") {
		t.Errorf("dropped refresh tokens: %v", errs)
	}
	for _, err := range errs {
		if strings.Contains(err.Error(), "ref-") {
			t.Errorf("the message repeats the token: %v", err)
		}
	}
}

func TestCheckCaptureSecretInStateFile(t *testing.T) {
	resp := &sdk.CaptureResponse{
		Credential: sdk.Credential{Type: "oauth", Fields: map[string]any{"access_token": "acc-12345678"}},
		StateFiles: map[string][]byte{"config.json": []byte(`{"token":"acc-12345678"}`)},
	}
	errs := CheckCapture(nil, resp)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), `state file "config.json" holds the captured access_token`) {
		t.Errorf("errs = %v", errs)
	}
}

// A secret deeper in the credential, or under a camelCase name, is found
// in a state file too; the field that only names a secret is not enough.
func TestCheckCaptureNestedSecretInStateFile(t *testing.T) {
	resp := &sdk.CaptureResponse{
		Credential: sdk.Credential{Type: "oauth", Fields: map[string]any{
			"access_token": "acc-12345678",
			"extra":        map[string]any{"refreshToken": "ref-12345678", "plan": "enterprise-max"},
		}},
		StateFiles: map[string][]byte{"config.json": []byte(`{"r":"ref-12345678","plan":"enterprise-max"}`)},
	}
	errs := CheckCapture(nil, resp)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), `state file "config.json" holds the captured extra.refreshToken`) {
		t.Errorf("errs = %v", errs)
	}
}

// goldenBugEnv makes TestGoldenRecord, run as a child, record with a
// planted bug into the directory goldenDirEnv names.
const (
	goldenBugEnv = "TEROK_PROVIDERTEST_GOLDEN_BUG"
	goldenDirEnv = "TEROK_PROVIDERTEST_GOLDEN_DIR"
)

func goldenCase(t *testing.T, dir string) string {
	caseDir := filepath.Join(dir, "session")
	if err := os.MkdirAll(filepath.Join(caseDir, "files"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(caseDir, "files", "session.json"), plantedFiles["session.json"], 0o600); err != nil {
		t.Fatal(err)
	}
	return caseDir
}

// TestGoldenRecord records a golden with TEROK_UPDATE_GOLDEN=1 and then
// compares against it. As a child of TestCaptureGoldenRefusesABadGolden it
// records with a planted bug instead.
func TestGoldenRecord(t *testing.T) {
	dir := os.Getenv(goldenDirEnv)
	if dir == "" {
		dir = t.TempDir()
		goldenCase(t, dir)
	}
	t.Setenv(UpdateEnv, "1")
	CaptureGolden(t, planted{bug: os.Getenv(goldenBugEnv)}, sdk.ModeOAuth, dir)
	if _, err := readGolden(filepath.Join(dir, "session", "want.json")); err != nil {
		t.Fatalf("recorded golden: %v", err)
	}
	t.Setenv(UpdateEnv, "")
	CaptureGolden(t, planted{bug: os.Getenv(goldenBugEnv)}, sdk.ModeOAuth, dir)
}

// A golden that fails the checks is not recorded, and CaptureGolden says
// why.
func TestCaptureGoldenRefusesABadGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("re-runs the test binary")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for bug, want := range map[string]string{
		"millis":    "looks like milliseconds",
		"refresh":   "Capture dropped the refresh token",
		"statepath": `"/etc/passwd" is absolute`,
	} {
		t.Run(bug, func(t *testing.T) {
			dir := t.TempDir()
			caseDir := goldenCase(t, dir)
			cmd := exec.Command(self, "-test.run=^TestGoldenRecord$", "-test.v")
			cmd.Env = append(os.Environ(), goldenBugEnv+"="+bug, goldenDirEnv+"="+dir)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("recording a golden with bug %s passed:\n%s", bug, out)
			}
			if !strings.Contains(string(out), "refusing to record "+filepath.Join(caseDir, "want.json")) || !strings.Contains(string(out), want) {
				t.Errorf("CaptureGolden did not say why it refused (want %q):\n%s", want, out)
			}
			if _, err := os.Stat(filepath.Join(caseDir, "want.json")); !os.IsNotExist(err) {
				t.Errorf("a golden failing the checks was recorded (stat: %v)", err)
			}
		})
	}
}

func FuzzCheckCapture(f *testing.F) {
	f.Add([]byte(`{"refresh_token":"ref-12345678","expires":1}`), "ref-12345678", 1796083200.0, "state.json")
	f.Add([]byte(`[{"a":{"refreshToken":"x"}}]`), "", -1.0, "../x")
	f.Fuzz(func(t *testing.T, file []byte, kept string, expires float64, state string) {
		resp := &sdk.CaptureResponse{
			Credential: sdk.Credential{Type: "oauth", Fields: map[string]any{"refresh_token": kept, "expires_at": expires}},
			StateFiles: map[string][]byte{state: file},
		}
		_ = CheckCapture(map[string][]byte{"f.json": file}, resp)
		if CheckRelPath(state) == nil && (strings.HasPrefix(state, "/") || path.Clean(state) != state || strings.HasPrefix(state, "..")) {
			t.Errorf("CheckRelPath accepted %q", state)
		}
	})
}
