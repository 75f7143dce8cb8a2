// Package yamlprov is the generic provider: it serves a provider described
// by a YAML file through sdk.Provider, in-process, API keys and OAuth alike,
// with capture rules instead of code. Load parses and checks a file; New
// turns the result into a provider.
//
// The schema is documented in docs/yaml-providers.md and, for editors, in
// docs/provider.schema.json. Field names follow upstream terok's auth: block
// where they fit (host_dir, container_mount, command, modes, banner_hint,
// extra_run_args, api_key_hint, post_capture_state, auth_key).
package yamlprov

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// SchemaVersion is the version of the schema this terok reads.
const SchemaVersion = 1

// File is one provider file.
type File struct {
	Version     int      `yaml:"version"`
	Name        string   `yaml:"name"`
	Label       string   `yaml:"label"`
	Description string   `yaml:"description"`
	Modes       []string `yaml:"modes"`
	DocsURL     string   `yaml:"docs_url"`

	// The login container (oauth and device modes).
	HostDir        string  `yaml:"host_dir"`
	ContainerMount string  `yaml:"container_mount"`
	Image          string  `yaml:"image"`
	Command        Command `yaml:"command"`
	DeviceCommand  Command `yaml:"device_command"`
	// HostArgs are appended to command and device_command for a login
	// with --host, ${host} replaced by the host (gh auth login
	// --hostname ${host}). Without them --host still works: the captured
	// credential must name the host asked for.
	HostArgs      []string          `yaml:"host_args"`
	ExtraRunArgs  []string          `yaml:"extra_run_args"`
	DeviceRunArgs []string          `yaml:"device_run_args"`
	Env           map[string]string `yaml:"env"`
	BannerHint    string            `yaml:"banner_hint"`
	// CallbackPorts are the loopback ports the oauth command listens on
	// for the browser's redirect (sdk.ContainerSpecResponse.CallbackPorts).
	CallbackPorts []int `yaml:"callback_ports"`
	// SkipPaths are entries the tool leaves in container_mount that hold
	// no credential, skipped without a warning.
	SkipPaths []string `yaml:"skip_paths"`
	// User is the "UID:GID" the tool runs as in the image; "" is
	// sdk.DefaultUser (sdk.ContainerSpecResponse.User).
	User string `yaml:"user"`

	// API keys.
	APIKeyHint string   `yaml:"api_key_hint"`
	Key        *KeySpec `yaml:"key"`
	AuthKey    *AuthKey `yaml:"auth_key"`

	// After a container login.
	Capture          []CaptureRule `yaml:"capture"`
	PostCaptureState StateFiles    `yaml:"post_capture_state"` // text, or a mapping written as JSON: upstream.go

	// Inject says, per stored credential type, how a credential reaches
	// the tool at run time (terok auth exec / env); see inject.go.
	Inject map[string]*InjectSpec `yaml:"inject"`

	// Refresh says, per stored credential type, how the host renews it
	// with its refresh token; see renewal.go.
	Refresh map[string]*RefreshSpec `yaml:"refresh"`
	// Proxy says, per stored credential type, how the credential proxy
	// reaches the tool's API and points the tool at itself (terok auth
	// proxy); see proxy.go.
	Proxy map[string]*ProxySpec `yaml:"proxy"`
}

// KeySpec says how to ask for a key and what to store.
type KeySpec struct {
	Label      string `yaml:"label"`
	URL        string `yaml:"url"`
	EnvVar     string `yaml:"env_var"`
	Format     string `yaml:"format"` // a regular expression the whole key must match
	FormatHint string `yaml:"format_hint"`
	// Type is the stored credential's type (default api_key); Field the
	// field that holds the key (default key for api_key, else token).
	Type  string `yaml:"type"`
	Field string `yaml:"field"`
	// Extra are fixed fields stored with the key, e.g. host: gitlab.com.
	Extra map[string]string `yaml:"extra"`
}

// AuthKey writes a file into the provider's shared config dir after an API
// key login, for tools that insist on finding a config file there. The file
// is shared with agent containers, so it never holds the key: Template is
// written as it is (a stand-in, or a reference to the variable the inject:
// block sets), and {{key}} is refused.
type AuthKey struct {
	ConfigPath string `yaml:"config_path"`
	Template   string `yaml:"template"`
}

// CaptureRule reads a credential out of one file the login left. Rules are
// tried in order; the first that yields a credential wins.
type CaptureRule struct {
	File   string `yaml:"file"`
	Format string `yaml:"format"` // json, yaml, dotenv, ini or text
	Type   string `yaml:"type"`   // the stored credential's type
	// Fields maps stored field names to paths in the file: keys separated by
	// dots, [a.b] for a key that holds dots, * for any key (see Prefer), $key
	// for the key * matched, "." for a text file's whole content.
	Fields map[string]string `yaml:"fields"`
	// Optional lists fields that may be missing.
	Optional []string `yaml:"optional"`
	// Prefer is tried first where a path has *.
	Prefer    string  `yaml:"prefer"`
	ExpiresAt *Expiry `yaml:"expires_at"`
	// Modes limits the rule to some modes; default all.
	Modes []string `yaml:"modes"`
	// Hint is added to the error when the rule's file is there but holds
	// no credential, to say why that happens and what to do (gh: the token
	// went to a keyring).
	Hint string `yaml:"hint"`
}

// Expiry says where a credential's expiry is and in which unit.
type Expiry struct {
	Path string `yaml:"path"`
	Unit string `yaml:"unit"` // s, ms, rfc3339 or rfc822
}

// Command is a command line: a list of words, or one string split on
// white space.
type Command []string

// UnmarshalYAML accepts a string or a list of strings.
func (c *Command) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag != "!!str" {
			return fmt.Errorf("expected a command (a string or a list of strings), got %s", kindName(n))
		}
		*c = strings.Fields(n.Value)
		return nil
	case yaml.SequenceNode:
		var words []string
		for _, item := range n.Content {
			if item.Kind != yaml.ScalarNode || item.Tag != "!!str" {
				return fmt.Errorf("expected a command (a string or a list of strings), got a list holding %s", kindName(item))
			}
			words = append(words, item.Value)
		}
		*c = words
		return nil
	}
	return fmt.Errorf("expected a command (a string or a list of strings), got %s", kindName(n))
}
