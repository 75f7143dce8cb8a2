package rules

import (
	"fmt"
	"regexp"
	"strings"
)

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,62}$`)

// ValidName reports whether s can be a provider name: lower case letters,
// digits, '-' and '_', starting with a letter, at most 63 characters.
func ValidName(s string) bool { return nameRE.MatchString(s) }

// HostDirOf is the conventional shared config directory of the provider
// name, under the host's mounts dir: _NAME-config, upstream terok's.
func HostDirOf(name string) string { return "_" + name + "-config" }

// CheckHostDirOwner refuses a host dir that is another provider's by
// convention (_OTHER-config): the host writes a provider's state files
// into its host dir and removes files holding its secret from there, so a
// provider naming another's (a YAML file with host_dir: _claude-config)
// could overwrite or delete that provider's files.
func CheckHostDirOwner(name, hostDir string) error {
	other, prefixed := strings.CutPrefix(hostDir, "_")
	other, suffixed := strings.CutSuffix(other, "-config")
	if !prefixed || !suffixed || !ValidName(other) || other == name {
		return nil
	}
	return fmt.Errorf("host dir %q is provider %s's; %s's would be %q: "+
		"no provider may write into, or remove files from, another's shared config dir", hostDir, other, name, HostDirOf(name))
}
