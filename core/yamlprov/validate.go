package yamlprov

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/terok-ai/terok-auth/core/relay"
	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/host"
)

var (
	hostDirRE   = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]*$`)
	fieldRE     = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	credTypeRE  = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	envVarRE    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	unitChoices = []string{"s", "ms", "rfc3339", "rfc822"}
)

// Load parses and checks one provider file; name is the file's name for
// messages. Every problem found is returned, joined, each naming the file,
// line and column.
func Load(name string, data []byte) (*File, error) {
	if f, err, ok := loadIfUpstream(name, data); ok { // upstream terok's agent files: upstream.go
		return f, err
	}
	f, d, err := parse(name, data)
	if err != nil && (f == nil || !onlyUnknownKeys(d.errs)) {
		return nil, err
	}
	// Unknown keys do not hide the problems of the rest of the file (a bad
	// name, a bad mode): everything else decoded, so check it too.
	c := &checker{d: d}
	c.check(f)
	if err := errors.Join(append([]error{err}, c.errs...)...); err != nil {
		return nil, err
	}
	if len(f.Modes) == 0 {
		f.Modes = []string{string(sdk.ModeAPIKey)}
	}
	return f, nil
}

type checker struct {
	d    *decoder
	errs []error
}

// errorf reports a problem at the node of path, or at the file's start
// when the key is absent.
func (c *checker) errorf(path, format string, a ...any) {
	n := c.d.at(path)
	if n == nil {
		n = c.d.at("")
	}
	e := &Error{File: c.d.file, Msg: fmt.Sprintf(format, a...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	c.errs = append(c.errs, e)
}

// checkText refuses control characters in every text terok prints for the
// provider: an escape sequence in a label would reach the user's terminal
// (terok escapes it when printing, too).
func (c *checker) checkText(f *File) {
	texts := []struct {
		path, s   string
		multiline bool
	}{
		{"label", f.Label, false}, {"description", f.Description, true}, {"docs_url", f.DocsURL, false},
		{"banner_hint", f.BannerHint, true}, {"api_key_hint", f.APIKeyHint, true},
	}
	if f.Key != nil {
		texts = append(texts, []struct {
			path, s   string
			multiline bool
		}{{"key.label", f.Key.Label, false}, {"key.url", f.Key.URL, false}, {"key.env_var", f.Key.EnvVar, false}, {"key.format_hint", f.Key.FormatHint, false}}...)
	}
	for i, r := range f.Capture {
		texts = append(texts, struct {
			path, s   string
			multiline bool
		}{fmt.Sprintf("capture[%d].hint", i), r.Hint, true})
	}
	for _, t := range texts {
		if err := host.CheckText(t.s, t.multiline); err != nil {
			c.errorf(t.path, "%s has %v; write the text without it", t.path, err)
		}
	}
}

func (c *checker) check(f *File) {
	if f.Version != 0 && f.Version != SchemaVersion {
		c.errorf("version", "version %d is not supported: this terok reads provider files of version %d", f.Version, SchemaVersion)
	}
	switch {
	case f.Name == "":
		c.errorf("", "name is missing: every provider needs one (lower case letters, digits, '-' and '_')")
	case !sdk.ValidName(f.Name):
		c.errorf("name", "name %q is not valid: use lower case letters, digits, '-' and '_', starting with a letter", f.Name)
	}
	if strings.TrimSpace(f.Label) == "" {
		c.errorf("", "label is missing: the name people know the tool by, e.g. \"GitHub CLI\"")
	}
	c.checkText(f)
	modes := map[sdk.Mode]bool{}
	for i, m := range f.Modes {
		p := fmt.Sprintf("modes[%d]", i)
		switch {
		case sdk.Mode(m) == sdk.ModeSetupToken:
			// A YAML provider stores what is pasted as an api_key; a
			// token that needs its own type and variable needs a plugin.
			c.errorf(p, "mode %q is for plugins (sdk.ModeSetupToken): a YAML provider takes a pasted token with api_key", m)
		case !sdk.Mode(m).Valid():
			c.errorf(p, "unknown mode %q: expected api_key, oauth or device", m)
		case modes[sdk.Mode(m)]:
			c.errorf(p, "mode %q is listed twice", m)
		}
		modes[sdk.Mode(m)] = true
	}
	container := modes[sdk.ModeOAuth] || modes[sdk.ModeDevice]
	c.checkHostDir(f)
	c.checkContainer(f, modes, container)
	c.checkKey(f)
	for p := range f.PostCaptureState {
		if _, err := sdk.CleanRelPath(p); err != nil {
			c.errorf("post_capture_state."+p, "post_capture_state: %v", err)
		}
	}
	if len(f.PostCaptureState) > 0 && f.HostDir == "" {
		c.errorf("post_capture_state", "post_capture_state needs host_dir: the shared config dir the files go to")
	}
	if container && len(f.Capture) == 0 {
		c.errorf("modes", "modes include a container login, but there is no capture rule saying what to read after it")
	}
	if !container && len(f.Capture) > 0 {
		c.errorf("capture", "capture rules are for oauth and device logins, and modes has neither")
	}
	for i := range f.Capture {
		c.checkRule(&f.Capture[i], fmt.Sprintf("capture[%d]", i), modes)
	}
	c.checkInject(f, modes)
	c.checkRefresh(f, modes)
	c.checkProxy(f, modes)
}

func (c *checker) checkHostDir(f *File) {
	if f.HostDir == "" {
		return
	}
	switch {
	case strings.HasPrefix(f.HostDir, "/"):
		c.errorf("host_dir", "host_dir %q must be a directory name, not an absolute path: terok puts it under its mounts dir", f.HostDir)
	case strings.Contains(f.HostDir, "..") || !hostDirRE.MatchString(f.HostDir):
		c.errorf("host_dir", "host_dir %q must be a plain directory name (letters, digits, '.', '_', '-'), e.g. _gh-config", f.HostDir)
	case sdk.ValidName(f.Name) && host.CheckHostDirOwner(f.Name, f.HostDir) != nil:
		c.errorf("host_dir", "host_dir %q is another provider's shared config dir; %s's would be %q: "+
			"no provider may write into, or remove files from, another's", f.HostDir, f.Name, host.HostDirOf(f.Name))
	}
}

func (c *checker) checkContainer(f *File, modes map[sdk.Mode]bool, needed bool) {
	if needed {
		if f.ContainerMount == "" {
			c.errorf("", "container_mount is missing: where, in the login container, the tool keeps its config (e.g. /home/dev/.config/gh)")
		}
		if f.HostDir == "" {
			c.errorf("", "host_dir is missing: the name of the tool's shared config dir (e.g. _gh-config)")
		}
	}
	if f.ContainerMount != "" {
		if err := host.CheckConfigPath(f.ContainerMount); err != nil {
			c.errorf("container_mount", "container_mount: %v", err)
		}
	}
	if modes[sdk.ModeOAuth] && len(f.Command) == 0 {
		c.errorf("modes", "mode oauth needs command: the login command to run in the container")
	}
	if modes[sdk.ModeDevice] && len(f.DeviceCommand) == 0 {
		c.errorf("modes", "mode device needs device_command: the device-code login command")
	}
	checkHostArgs(c, f.HostArgs)
	for _, k := range []struct {
		key  string
		args []string
	}{{"extra_run_args", f.ExtraRunArgs}, {"device_run_args", f.DeviceRunArgs}} {
		if err := host.CheckRunArgs(k.args); err != nil {
			c.errorf(k.key, "%s: %v", k.key, err)
		}
	}
	if err := relay.CheckPorts(f.CallbackPorts); err != nil {
		c.errorf("callback_ports", "callback_ports: %v", err)
	}
	for _, p := range f.SkipPaths {
		if _, err := sdk.CleanRelPath(p); err != nil {
			c.errorf("skip_paths", "skip_paths: %v", err)
		}
	}
	if _, _, err := host.ParseUser(f.User); err != nil {
		c.errorf("user", "%v", err)
	}
	for k, v := range f.Env {
		if !envVarRE.MatchString(k) {
			c.errorf("env."+k, "env: %q is not a variable name", k)
		} else if strings.ContainsRune(v, 0) {
			c.errorf("env."+k, "env: the value of %s contains a NUL byte", k)
		}
	}
	if f.Image != "" {
		if err := host.CheckImage(f.Image); err != nil {
			c.errorf("image", "image: %v", err)
		}
	}
}

func (c *checker) checkKey(f *File) {
	k := f.Key
	if k != nil {
		if k.Format != "" {
			if _, err := regexp.Compile(k.Format); err != nil {
				c.errorf("key.format", "key.format is not a valid regular expression: %v", err)
			}
		}
		if k.Type != "" && !credTypeRE.MatchString(k.Type) {
			c.errorf("key.type", "key.type %q is not a credential type name (e.g. api_key, pat, oauth_token)", k.Type)
		}
		if k.Field != "" && (!fieldRE.MatchString(k.Field) || k.Field == "type") {
			c.errorf("key.field", "key.field %q must be a lower-case field name other than type", k.Field)
		} else if !sdk.IsSecretField(keyField(k)) {
			c.errorf("key.field", "key.field %q does not name a secret field, so terok would neither mask the key nor find copies of it; "+
				"use key, token, or a name ending in _key, _token or _secret", k.Field)
		}
		for name := range k.Extra {
			switch {
			case !fieldRE.MatchString(name) || name == "type" || name == keyField(k):
				c.errorf("key.extra."+name, "key.extra: %q cannot be a stored field name here", name)
			case sdk.IsSecretField(name):
				c.errorf("key.extra."+name, "key.extra: %q names a secret field, but an extra is a fixed value written in this file, "+
					"the same for every user, never a secret; name it for what it is (host, region, org, …)", name)
			}
		}
		if k.EnvVar != "" && !envVarRE.MatchString(k.EnvVar) {
			c.errorf("key.env_var", "key.env_var %q is not a variable name", k.EnvVar)
		}
	}
	if a := f.AuthKey; a != nil {
		if _, err := sdk.CleanRelPath(a.ConfigPath); err != nil {
			c.errorf("auth_key.config_path", "auth_key.config_path: %v", err)
		}
		if strings.Contains(a.Template, "{{key}}") {
			c.errorf("auth_key.template", "auth_key.template holds {{key}}, which would write the key into the shared config dir "+
				"that agent containers see; terok keeps keys in its store only. Remove {{key}} (the file may hold a stand-in) "+
				"and declare an inject: block, so the key reaches the tool at run time (terok auth exec)")
		}
		if f.HostDir == "" {
			c.errorf("auth_key", "auth_key needs host_dir: the shared config dir the file goes to")
		}
	}
}

func (c *checker) checkRule(r *CaptureRule, p string, modes map[sdk.Mode]bool) {
	if _, err := sdk.CleanRelPath(r.File); err != nil {
		c.errorf(p+".file", "%s.file: %v", p, err)
	}
	if !contains(Formats, r.Format) {
		c.errorf(p+".format", "%s.format %q: expected one of %s", p, r.Format, strings.Join(Formats, ", "))
	}
	if !credTypeRE.MatchString(r.Type) {
		c.errorf(nonEmpty(p+".type", p), "%s.type %q: expected a credential type name (e.g. oauth, oauth_token, pat, api_key)", p, r.Type)
	}
	if len(r.Fields) == 0 {
		c.errorf(p, "%s has no fields: say which stored field comes from where", p)
	} else if !hasSecretField(r.Fields) {
		c.errorf(p+".fields", "%s.fields names no secret field, so terok would neither mask the secret nor find copies of it; "+
			"store it as key, token, or a name ending in _key, _token or _secret (access_token, …)", p)
	}
	wildcards, dollarKey := 0, false
	for name, path := range r.Fields {
		fp := p + ".fields." + name
		if !fieldRE.MatchString(name) || name == "type" || name == "expires_at" {
			c.errorf(fp, "%s: %q cannot be a stored field name (lower case, not type or expires_at)", p, name)
		}
		segs, err := parsePath(path)
		if err != nil {
			c.errorf(fp, "%s.fields.%s: %v", p, name, err)
			continue
		}
		switch {
		case path == "." && r.Format != "text":
			c.errorf(fp, "%s.fields.%s: \".\" (the whole file) is for format text", p, name)
		case path != "." && r.Format == "text":
			c.errorf(fp, "%s.fields.%s: a text file has no keys; use \".\" for its content", p, name)
		case path == "$key":
			dollarKey = true
		}
		n := 0
		for _, s := range segs {
			if s.wildcard {
				n++
			}
		}
		if n > 1 {
			c.errorf(fp, "%s.fields.%s: at most one * per path", p, name)
		}
		wildcards += n
	}
	if dollarKey && wildcards == 0 {
		c.errorf(p+".fields", "%s: $key names the key a * matched, but no path has *", p)
	}
	if r.Prefer != "" && wildcards == 0 {
		c.errorf(p+".prefer", "%s.prefer only means something with a * in a path", p)
	}
	for i, o := range r.Optional {
		if _, ok := r.Fields[o]; !ok {
			c.errorf(fmt.Sprintf("%s.optional[%d]", p, i), "%s.optional: %q is not one of the fields", p, o)
		}
	}
	if e := r.ExpiresAt; e != nil {
		if _, err := parsePath(e.Path); err != nil || e.Path == "$key" || e.Path == "." {
			c.errorf(p+".expires_at.path", "%s.expires_at.path %q is not a path in the file", p, e.Path)
		}
		if !contains(unitChoices, e.Unit) {
			c.errorf(p+".expires_at.unit", "%s.expires_at.unit %q: expected s, ms, rfc3339 or rfc822", p, e.Unit)
		}
	}
	for i, m := range r.Modes {
		if !sdk.Mode(m).NeedsContainer() || !modes[sdk.Mode(m)] {
			c.errorf(fmt.Sprintf("%s.modes[%d]", p, i), "%s.modes: %q is not one of this provider's container modes", p, m)
		}
	}
}

// keyField is the stored field that holds an entered key.
func keyField(k *KeySpec) string {
	switch {
	case k != nil && k.Field != "":
		return k.Field
	case k == nil || k.Type == "" || k.Type == sdk.TypeAPIKey:
		return "key"
	}
	return "token"
}

// onlyUnknownKeys reports whether every decoding error is an unknown key,
// after which the rest of the file decoded as written.
func onlyUnknownKeys(errs []error) bool {
	for _, err := range errs {
		var e *Error
		if !errors.As(err, &e) || !strings.HasPrefix(e.Msg, "unknown key ") {
			return false
		}
	}
	return len(errs) > 0
}

func hasSecretField(fields map[string]string) bool {
	for name := range fields {
		if sdk.IsSecretField(name) {
			return true
		}
	}
	return false
}

// hostPlaceholder is the one word of host_args terok fills in.
const hostPlaceholder = "${host}"

// checkHostArgs keeps host_args to words and the one placeholder: the host
// (checked by names.ParseHost) is the only thing a login puts in them, and
// it must be there, or --host would be passed nowhere.
func checkHostArgs(c *checker, args []string) {
	if len(args) == 0 {
		return
	}
	has := false
	for _, a := range args {
		rest := strings.ReplaceAll(a, hostPlaceholder, "")
		has = has || rest != a
		switch {
		case a == "":
			c.errorf("host_args", "host_args: an empty word")
		case strings.ContainsAny(rest, "{}$%"), strings.ContainsFunc(rest, unicode.IsControl):
			c.errorf("host_args", "host_args: %q: only ${host} is filled in (write the host's flag and ${host}, e.g. [--hostname, \"${host}\"])", a)
		}
	}
	if !has {
		c.errorf("host_args", "host_args never says ${host}: write where the host goes, e.g. [--hostname, \"${host}\"]")
	}
}
