package pluginhost

import "strings"

// pluginEnvAllowed are the host variables a plugin gets. A plugin only
// describes, decides and parses; it needs no more than these to run, and
// the host's environment may hold secrets (TEROK_*_API_KEY, cloud tokens,
// whatever else the user exports) that are none of its business.
var pluginEnvAllowed = map[string]bool{
	"PATH": true, "HOME": true, "TMPDIR": true, "LANG": true, "LANGUAGE": true, "TZ": true,
	"TEROK_LOG_LEVEL": true,
}

// pluginEnv is a plugin's whole environment: the allowed variables of host
// (os.Environ's form), then extra, which wins. go-plugin adds its own
// variables (handshake cookie, protocol versions, TLS certificate) after.
func pluginEnv(host, extra []string) []string {
	env := make([]string, 0, len(extra)+8)
	for _, kv := range host {
		name, _, ok := strings.Cut(kv, "=")
		if ok && (pluginEnvAllowed[name] || strings.HasPrefix(name, "LC_")) {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}
