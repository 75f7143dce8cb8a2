// Package config resolves terok's settings from, in rising precedence,
// built-in defaults, the YAML config file ($XDG_CONFIG_HOME/terok/config.yml),
// environment variables and command-line flags, and says where each value
// came from.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/safefile"
)

// Setting is one thing a user can configure.
type Setting struct {
	Key      string // in the config file
	Env      string // environment variable
	Flag     string // command-line flag, "" if none
	Default  string
	Help     string
	validate func(string) error
}

// Settings returns every setting terok knows, in the order `terok config`
// shows them. It is a copy: what a caller does with it changes nothing.
func Settings() []Setting { return slices.Clone(settings) }

// settings backs Settings; nothing outside this package can change it.
var settings = []Setting{
	{Key: "store", Env: "TEROK_CREDENTIAL_STORE", Flag: "store", Default: "keyring",
		Help:     "where credentials are kept: keyring (the OS keyring), file (plain JSON files, not encrypted) or openbao (an OpenBao or Vault KV v2 engine; vault is the same)",
		validate: oneOf("keyring", "file", "openbao", "vault")},
	{Key: "keyring_timeout", Env: "TEROK_KEYRING_TIMEOUT", Default: "5s",
		Help: "how long one keyring call may take", validate: duration},
	{Key: "openbao_mount", Env: "TEROK_OPENBAO_MOUNT", Default: "secret",
		Help: "the OpenBao/Vault KV v2 mount credentials are kept in (store openbao)"},
	{Key: "openbao_prefix", Env: "TEROK_OPENBAO_PREFIX", Default: "terok",
		Help: "the path under the mount: each credential is at <mount>/data/<prefix>/<set>/<provider>"},
	{Key: "openbao_timeout", Env: "TEROK_OPENBAO_TIMEOUT", Default: "10s",
		Help: "how long one call to the OpenBao/Vault server may take", validate: duration},
	{Key: "openbao_auth", Env: "TEROK_OPENBAO_AUTH", Default: "token",
		Help:     "how terok gets its OpenBao token: token (BAO_TOKEN, VAULT_TOKEN or ~/.vault-token), approle or jwt",
		validate: oneOf("token", "approle", "jwt")},
	{Key: "openbao_auth_mount", Env: "TEROK_OPENBAO_AUTH_MOUNT",
		Help: "where the approle or jwt auth method is mounted; default: its name"},
	{Key: "openbao_role_id_file", Env: "TEROK_OPENBAO_ROLE_ID_FILE",
		Help: "a file holding the AppRole role id (or set TEROK_OPENBAO_ROLE_ID)"},
	{Key: "openbao_secret_id_file", Env: "TEROK_OPENBAO_SECRET_ID_FILE",
		Help: "a file holding the AppRole secret id (or set TEROK_OPENBAO_SECRET_ID)"},
	{Key: "openbao_secret_id_wrapped", Env: "TEROK_OPENBAO_SECRET_ID_WRAPPED", Default: "false",
		Help: "true: the secret id is a response-wrapping token, unwrapped at login", validate: oneOf("true", "false")},
	{Key: "openbao_jwt_role", Env: "TEROK_OPENBAO_JWT_ROLE",
		Help: "the role of a JWT/OIDC login"},
	{Key: "openbao_jwt_file", Env: "TEROK_OPENBAO_JWT_FILE",
		Help: "a file holding the CI job's identity token for a JWT login (or set TEROK_OPENBAO_JWT)"},
	{Key: "plugin_start_timeout", Env: "TEROK_PLUGIN_START_TIMEOUT", Default: "10s",
		Help: "how long a plugin may take to start", validate: duration},
	{Key: "plugin_timeout", Env: "TEROK_PLUGIN_TIMEOUT", Default: "10s",
		Help: "how long one plugin call may take", validate: duration},
	{Key: "refresh_margin", Env: "TEROK_REFRESH_MARGIN", Default: "5m",
		Help: "exec, env and token renew an OAuth credential that expires within this long (if its provider declares how)", validate: duration},
	{Key: "log_level", Env: "TEROK_LOG_LEVEL", Default: "warn",
		Help:     "log level on stderr: trace, debug, info, warn, error or off",
		validate: oneOf("trace", "debug", "info", "warn", "error", "off")},
	{Key: "auth_image", Env: "TEROK_AUTH_IMAGE", Flag: "image",
		Help: "container image for OAuth and device logins, instead of the provider's default"},
	{Key: "default_set", Env: "TEROK_DEFAULT_SET", Default: "default",
		Help:     "the credential set a command uses without --set (terok auth sets use NAME writes it here)",
		validate: setName},
	{Key: "mounts_dir", Env: "TEROK_MOUNTS_DIR", Flag: "mounts-dir",
		Help:     "where providers' shared config dirs live (state files go to <mounts_dir>/<host dir>); default: the data dir's mounts/",
		validate: absPath},
}

func oneOf(choices ...string) func(string) error {
	return func(v string) error {
		if slices.Contains(choices, v) {
			return nil
		}
		return fmt.Errorf("must be one of %s", strings.Join(choices, ", "))
	}
}

func setName(v string) error {
	if !names.ValidSet(v) {
		return errors.New("must be a credential set name: letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64 characters")
	}
	return nil
}

func absPath(v string) error {
	if !filepath.IsAbs(v) {
		return errors.New("must be an absolute path")
	}
	return nil
}

func duration(v string) error {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return errors.New("must be a positive duration, e.g. 10s or 500ms")
	}
	return nil
}

// Value is a resolved setting.
type Value struct {
	Key    string `json:"key"`
	Value  string `json:"value"`
	Source string `json:"source"` // "default", the config file's path, "env VAR" or "flag --NAME"
	Help   string `json:"help"`
}

// Config is the resolved settings.
type Config struct {
	values map[string]Value
	// File is the config file that was read, or would be.
	File string
}

// Get returns a setting's value.
func (c *Config) Get(key string) string { return c.values[key].Value }

// Duration returns a duration setting; resolution already validated it.
func (c *Config) Duration(key string) time.Duration {
	d, _ := time.ParseDuration(c.values[key].Value)
	return d
}

// Values returns every setting, in the order of Settings.
func (c *Config) Values() []Value {
	out := make([]Value, 0, len(settings))
	for _, s := range settings {
		out = append(out, c.values[s.Key])
	}
	return out
}

// maxFileSize bounds the config file: it is a handful of lines.
const maxFileSize = 64 << 10

// Load resolves every setting. file is the config file's path (a missing
// file is fine); flags holds the flags the user set, by flag name; defaults
// overrides the built-in default of a setting whose default depends on
// where terok runs (mounts_dir), by key.
//
// Load always returns a usable Config: a setting whose value is bad, or a
// config file that does not parse, falls back to what comes before it, and
// the error says what was wrong. So `terok version` and `terok auth doctor`
// still run with a broken config file, and the doctor can report it.
func Load(file string, getenv func(string) string, flags map[string]string, defaults map[string]string) (*Config, error) {
	var errs []error
	fromFile, err := readFile(file)
	if err != nil {
		errs = append(errs, err)
		fromFile = nil
	}
	c := &Config{values: map[string]Value{}, File: file}
	for _, s := range settings {
		v := Value{Key: s.Key, Value: s.Default, Source: "default", Help: s.Help}
		if d, ok := defaults[s.Key]; ok {
			v.Value = d
		}
		good := v
		if fv, ok := fromFile[s.Key]; ok {
			v.Value, v.Source = fv, file
		}
		if ev := getenv(s.Env); ev != "" {
			v.Value, v.Source = ev, "env "+s.Env
		}
		if fl, ok := flags[s.Flag]; ok && s.Flag != "" {
			v.Value, v.Source = fl, "flag --"+s.Flag
		}
		if s.validate != nil && v.Value != "" {
			if err := s.validate(v.Value); err != nil {
				errs = append(errs, fmt.Errorf("%s %q (from %s) %w", s.Key, v.Value, v.Source, err))
				v = good
			}
		}
		c.values[s.Key] = v
	}
	return c, errors.Join(errs...)
}

// readFile parses the config file strictly: a mapping of known keys to
// scalar values. Errors name the file, line and column.
func readFile(path string) (map[string]string, error) {
	data, err := safefile.ReadFile(path, maxFileSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w; is it the right file?", err)
	}
	return Parse(path, data)
}

// Parse parses config file content; name is used in messages.
func Parse(name string, data []byte) (map[string]string, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil // an empty file
		}
		return nil, syntaxError(name, data, err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d:%d: expected a mapping of settings (key: value)", name, root.Line, root.Column)
	}
	known := map[string]Setting{}
	for _, s := range settings {
		known[s.Key] = s
	}
	out := map[string]string{}
	var errs []error
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		s, ok := known[k.Value]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("%s:%d:%d: unknown setting %q (known: %s)", name, k.Line, k.Column, k.Value, knownKeys()))
		case v.Kind != yaml.ScalarNode:
			errs = append(errs, fmt.Errorf("%s:%d:%d: %s must be a single value", name, v.Line, v.Column, k.Value))
		case s.validate != nil && s.validate(v.Value) != nil:
			errs = append(errs, fmt.Errorf("%s:%d:%d: %s %q %w", name, v.Line, v.Column, k.Value, v.Value, s.validate(v.Value)))
		default:
			if _, dup := out[k.Value]; dup {
				errs = append(errs, fmt.Errorf("%s:%d:%d: %s is set twice", name, k.Line, k.Column, k.Value))
			}
			out[k.Value] = v.Value
		}
	}
	return out, errors.Join(errs...)
}

func knownKeys() string {
	keys := make([]string, len(settings))
	for i, s := range settings {
		keys[i] = s.Key
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

// yamlLine is the "yaml: line N: " yaml.v3 puts before a syntax error.
var yamlLine = regexp.MustCompile(`^yaml: (line \d+: )?`)

// maxBisectLines bounds the search for a syntax error's line; a config file
// longer than this is not one a person wrote, and keeps yaml's own line.
const maxBisectLines = 400

// syntaxError says on which line a syntax error is. yaml.v3 counts some
// lines from 0 and gives none for an error on the first line, so the line
// is found instead: it is the one after the longest start of the file that
// still parses.
func syntaxError(name string, data []byte, err error) error {
	msg := err.Error()
	lines := strings.SplitAfter(string(data), "\n")
	if len(lines) > maxBisectLines {
		return fmt.Errorf("%s: %w", name, err)
	}
	msg = yamlLine.ReplaceAllString(msg, "")
	line := 1
	for k := len(lines) - 1; k > 0; k-- {
		var n yaml.Node
		if derr := yaml.Unmarshal([]byte(strings.Join(lines[:k], "")), &n); derr == nil {
			line = k + 1
			break
		}
	}
	if line <= len(lines) {
		text := lines[line-1]
		indent := text[:len(text)-len(strings.TrimLeft(text, " \t"))]
		if col := strings.IndexByte(indent, '\t'); col >= 0 {
			return fmt.Errorf("%s:%d:%d: a tab character: YAML indents with spaces, not tabs", name, line, col+1)
		}
	}
	return fmt.Errorf("%s:%d: %s", name, line, msg)
}
