package providertest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"path"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/terok-ai/terok-auth/sdk"
	secretname "github.com/terok-ai/terok-auth/sdk/secret"
)

// The success-path checks below are plain functions returning problems, so
// that Run, RunBinary and CaptureGolden share them, and CaptureGolden can
// refuse to record a golden file that fails them.

// Bounds of a plausible expires_at, in Unix seconds. Anything below the
// lower bound is a unit mistake or garbage (nobody captures a credential
// that expired before 2000); anything above the upper one is a value in
// milliseconds or microseconds, which terok would read as a date tens of
// thousands of years away and so show no expiry at all.
const (
	minExpiry     = 946684800 // 2000-01-01
	maxExpiryYear = 100       // years from now
)

// CheckExpiry reports whether c's expires_at, when there is one, is a
// plausible time in Unix seconds.
func CheckExpiry(c sdk.Credential) error {
	v, ok := c.Fields["expires_at"]
	if !ok || v == nil {
		return nil
	}
	var secs float64
	switch n := v.(type) {
	case float64:
		secs = n
	case float32:
		secs = float64(n)
	case int:
		secs = float64(n)
	case int64:
		secs = float64(n)
	case json.Number:
		f, err := n.Float64()
		if err != nil {
			return fmt.Errorf("expires_at %q is not a number: terok wants Unix seconds", n)
		}
		secs = f
	default:
		return fmt.Errorf("expires_at is a %T, not a number: terok wants Unix seconds, and shows no expiry for anything else", v)
	}
	if math.IsNaN(secs) || math.IsInf(secs, 0) {
		return fmt.Errorf("expires_at is %v: terok wants Unix seconds", secs)
	}
	upper := float64(time.Now().AddDate(maxExpiryYear, 0, 0).Unix())
	switch {
	case secs > upper && secs/1000 <= upper:
		return fmt.Errorf("expires_at %.0f looks like milliseconds (in seconds it is %s): terok wants Unix seconds, and shows no expiry for this one; divide by 1000",
			secs, time.Unix(int64(secs/1000), 0).UTC().Format(time.RFC3339))
	case secs > upper:
		return fmt.Errorf("expires_at %.0f is more than %d years away: terok wants Unix seconds, not milli- or microseconds", secs, maxExpiryYear)
	case secs < minExpiry:
		return fmt.Errorf("expires_at %.0f is %s, before the year 2000: terok wants an absolute time in Unix seconds, not a duration or a value divided too often",
			secs, time.Unix(int64(secs), 0).UTC().Format(time.RFC3339))
	}
	return nil
}

// CheckRelPath reports whether p is a path terok writes into a provider's
// config directory: relative, slash-separated, clean, and inside it.
func CheckRelPath(p string) error {
	switch {
	case p == "" || p == ".":
		return fmt.Errorf("%q is empty: name a file below the provider's config directory", p)
	case !utf8.ValidString(p) || strings.ContainsRune(p, 0):
		return fmt.Errorf("%q is not valid UTF-8 without NUL", p)
	case strings.HasPrefix(p, "/"):
		return fmt.Errorf("%q is absolute: give a path relative to the provider's config directory", p)
	case strings.Contains(p, `\`):
		return fmt.Errorf("%q has a backslash: use slash-separated paths", p)
	case path.Clean(p) != p:
		return fmt.Errorf("%q is not clean (it should read %q)", p, path.Clean(p))
	case p == ".." || strings.HasPrefix(p, "../"):
		return fmt.Errorf("%q leaves the provider's config directory", p)
	}
	return nil
}

// CheckCapture checks a successful Capture of files: a valid credential
// with its secret in a secret field (sdk.CheckSecretField), a
// plausible expiry, clean state file paths, no secret in a state file, and
// the refresh token of the input kept in the credential. It returns every
// problem found.
func CheckCapture(files map[string][]byte, resp *sdk.CaptureResponse) []error {
	if resp == nil {
		return []error{fmt.Errorf("Capture returned no response and no error")}
	}
	var errs []error
	c := resp.Credential
	if err := c.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("captured credential is not valid: %w", err))
	} else if err := sdk.CheckSecretField(c); err != nil {
		errs = append(errs, fmt.Errorf("captured %w; terok refuses it at login time", err))
	}
	if err := CheckExpiry(c); err != nil {
		errs = append(errs, fmt.Errorf("captured %s credential: %w", c.Type, err))
	}
	for _, p := range sortedKeys(resp.StateFiles) {
		if err := CheckRelPath(p); err != nil {
			errs = append(errs, fmt.Errorf("Capture state file path %w; terok refuses it at login time", err))
		}
		for _, s := range credentialSecrets(c) {
			if bytes.Contains(resp.StateFiles[p], []byte(s.value)) {
				errs = append(errs, fmt.Errorf("Capture state file %q holds the captured %s: state files are written in plain text beside the tool's config, so keep secrets in the credential", p, s.name))
			}
		}
	}
	for _, rt := range refreshTokens(files) {
		if !holds(c.Fields, rt.value) {
			errs = append(errs, fmt.Errorf("Capture dropped the refresh token: %s holds one at %s, but the captured %s credential does not carry it, so the login cannot be renewed; store it (as refresh_token)",
				rt.file, rt.where, c.Type))
		}
	}
	return errs
}

// CheckAcceptKey checks a successful AcceptKey: a valid credential with its
// secret in a secret field, and clean key file paths.
func CheckAcceptKey(resp *sdk.AcceptKeyResponse) []error {
	if resp == nil {
		return []error{fmt.Errorf("AcceptKey returned no response and no error")}
	}
	var errs []error
	if err := resp.Credential.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("AcceptKey's credential is not valid: %w", err))
	} else if err := sdk.CheckSecretField(resp.Credential); err != nil {
		errs = append(errs, fmt.Errorf("AcceptKey's %w; terok refuses it at login time", err))
	}
	if err := CheckExpiry(resp.Credential); err != nil {
		errs = append(errs, fmt.Errorf("AcceptKey's credential: %w", err))
	}
	for _, p := range sortedKeys(resp.KeyFiles) {
		if err := CheckRelPath(p); err != nil {
			errs = append(errs, fmt.Errorf("AcceptKey key file path %w; terok refuses it at login time", err))
		}
	}
	return errs
}

// CheckName reports whether a plugin binary's file name matches the name
// its Describe gives: terok finds a plugin by the name terok-provider-NAME,
// and a plugin that calls itself something else cannot be found by it.
func CheckName(binary, described string) error {
	base := path.Base(strings.ReplaceAll(binary, `\`, "/"))
	base = strings.TrimSuffix(base, ".exe")
	name, ok := strings.CutPrefix(base, "terok-provider-")
	if !ok {
		return fmt.Errorf("binary %q is not named terok-provider-NAME: terok finds plugins by that name; name it terok-provider-%s", base, described)
	}
	if name != described {
		return fmt.Errorf("Describe.Name is %q but the binary is %s: terok looks the provider up as %q and would not find it by the name it reports; make them equal", described, base, name)
	}
	return nil
}

// secret is a value a plugin must never log, with a name for messages
// that do not repeat it.
type secret struct {
	name  string
	value string
}

// minSecret is the shortest value treated as a secret: shorter ones
// ("oauth", "Bearer") turn up in logs for innocent reasons.
const minSecret = 8

// credentialSecrets returns the strings of c that hold secrets, judged by
// the names of the fields they are in, at any depth (all of an object or
// a list under refresh_token is secret): the host's rule
// (sdk.IsSecretField) and a looser one of its own, since a suite that
// looks for leaks does better to look too widely.
func credentialSecrets(c sdk.Credential) []secret {
	var out []secret
	var walk func(where string, v any, secretAbove bool, depth int)
	walk = func(where string, v any, secretAbove bool, depth int) {
		if depth > 16 {
			return
		}
		switch x := v.(type) {
		case string:
			if secretAbove && len(x) >= minSecret {
				out = append(out, secret{name: where, value: x})
			}
		case map[string]any:
			for _, k := range sortedKeys(x) {
				walk(where+"."+k, x[k], secretAbove || isSecretName(k), depth+1)
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", where, i), e, secretAbove, depth+1)
			}
		}
	}
	for _, k := range sortedKeys(c.Fields) {
		walk(k, c.Fields[k], isSecretName(k), 0)
	}
	return out
}

func isSecretName(k string) bool { return secretname.Suspect(k) }

type found struct {
	file, where, value string
}

// refreshTokens finds the refresh tokens in JSON input files: string
// values under a key such as refresh_token, refreshToken or refresh.
func refreshTokens(files map[string][]byte) []found {
	var out []found
	for _, name := range sortedKeys(files) {
		dec := json.NewDecoder(bytes.NewReader(files[name]))
		var v any
		if dec.Decode(&v) != nil {
			continue
		}
		walkJSON(v, "", func(where, key string, val any) {
			s, ok := val.(string)
			norm := strings.NewReplacer("_", "", "-", "").Replace(strings.ToLower(key))
			if ok && len(s) >= minSecret && (norm == "refresh" || strings.HasSuffix(norm, "refreshtoken")) {
				out = append(out, found{file: name, where: where, value: s})
			}
		})
	}
	return out
}

func walkJSON(v any, where string, f func(where, key string, val any)) {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(x) {
			w := where + "." + k
			f(w, k, x[k])
			walkJSON(x[k], w, f)
		}
	case []any:
		for i, e := range x {
			walkJSON(e, fmt.Sprintf("%s[%d]", where, i), f)
		}
	}
}

// holds reports whether s is one of the string values in v, at any depth.
func holds(v any, s string) bool {
	switch x := v.(type) {
	case string:
		return x == s
	case map[string]any:
		for _, e := range x {
			if holds(e, s) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if holds(e, s) {
				return true
			}
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
