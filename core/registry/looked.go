package registry

import (
	"fmt"
	"strings"

	"github.com/terok-ai/terok-auth/core/usage"
)

// Looked says where terok looks for providers, for a message about one it
// did not find: the plugin directories (first wins) and the sources of
// provider files (later wins).
func Looked(pluginDirs, yamlDirs []string) string {
	return fmt.Sprintf("terok looked for plugins in %s, and for provider files in %s", places(pluginDirs), places(yamlDirs))
}

func places(dirs []string) string {
	if len(dirs) == 0 {
		return "no directory"
	}
	return strings.Join(dirs, ", ")
}

// sourceLabels names the YAML sources: "bundled", or a directory.
func sourceLabels(srcs []YAMLSource) []string {
	out := make([]string, len(srcs))
	for i, s := range srcs {
		out[i] = s.Label
	}
	return out
}

// SearchPath returns where Load looked: the plugin directories and the
// sources of provider files.
func (r *Registry) SearchPath() (pluginDirs, yamlDirs []string) {
	return r.PluginDirs, r.YAMLDirs
}

// Unwrap makes an unknown provider a usage error (usage.Is): the CLI exits
// 2 for it, as for any other name it was given wrong.
func (e *UnknownProviderError) Unwrap() error { return usage.Err }
