package rules

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

var injectEnvRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// What an injection may set. A credential's variables reach the command
// and everything it starts, beside other providers' credentials in the same
// `terok auth exec`. A variable that changes how a program runs (which code
// it loads, which config it reads, which proxy or certificates it trusts)
// would let one provider's declaration run code of its choosing with
// another's secret: GIT_CONFIG_* sets core.fsmonitor, XDG_CONFIG_HOME
// points git at a config file, HTTPS_PROXY and SSL_CERT_DIR read the
// traffic. A list of such variables is never complete, so the rule is an
// allow-list of shapes: a provider names only variables that hand a tool
// its credential, or say where that credential is sent.
//
//   - Env: a name ending in a credential suffix (credentialSuffixes) or a
//     routing suffix (routingSuffixes). A routing variable (GH_HOST,
//     BLABLADOR_BASE_URL) must come with a credential variable of its own
//     family in the same injection (GH_TOKEN), so a provider cannot send
//     a credential it does not hand over itself somewhere else.
//   - DirEnv: NAME_HOME or NAME_CONFIG_DIR, NAME the provider's own name
//     (CODEX_HOME for codex): a directory of config files is read by one
//     tool, and a provider points only its own tool at the files it wrote.
//     Checked by CheckDirEnvOf (host.ValidateInjectionOf), which knows the
//     provider's name.
//   - Whatever the suffix, never a name in a family (the part before the
//     first '_') that configures how programs run (deniedFamilies), nor
//     one that holds PROXY.
//
// Across the providers of one `terok auth exec` or `env`, a family belongs
// to one provider: the host refuses two that set GH_* variables (see
// EnvFamily), so no provider can redirect another's credential.
var (
	credentialSuffixes = []string{
		"_TOKEN", "_KEY", "_SECRET", "_PASSWORD", "_PASSPHRASE",
		"_USER", "_USERNAME", "_ORG", "_ORGANIZATION", "_ORG_ID", "_PROJECT", "_PROJECT_ID",
		"_ACCOUNT", "_ACCOUNT_ID", "_CLIENT_ID", "_TENANT_ID", "_REGION",
	}
	routingSuffixes = []string{"_HOST", "_BASE_URL", "_API_URL", "_HOST_URL", "_API_BASE", "_ENDPOINT"}
	dirSuffixes     = []string{"_HOME", "_CONFIG_DIR"}

	// deniedFamilies configure programs rather than hand one a credential,
	// whatever a name of theirs ends in: version control, config and
	// library search paths, TLS and proxies, language runtimes and their
	// package managers (an index URL installs code), shells, containers,
	// and terok's own.
	deniedFamilies = map[string]bool{
		"GIT": true, "XDG": true, "SSL": true, "TLS": true, "CURL": true, "REQUESTS": true, "LD": true, "DYLD": true,
		"NODE": true, "NPM": true, "YARN": true, "PNPM": true, "BUN": true, "DENO": true, "PIP": true, "UV": true, "POETRY": true,
		"CONDA": true, "PYTHON": true, "PERL": true, "RUBY": true, "GEM": true, "BUNDLE": true, "JAVA": true, "JDK": true,
		"MAVEN": true, "GRADLE": true, "CARGO": true, "RUSTUP": true, "RUSTC": true, "GO": true, "BASH": true, "ZSH": true,
		"SHELL": true, "SSH": true, "GPG": true, "GNUPG": true, "SUDO": true, "DBUS": true, "SYSTEMD": true, "LC": true,
		"TEROK": true, "DOCKER": true, "CONTAINER": true, "CONTAINERS": true, "PODMAN": true, "BUILDAH": true,
		"KUBE": true, "KUBECONFIG": true, "HELM": true, "OTEL": true, "VOLTA": true, "NVM": true, "HOMEBREW": true,
	}
	// deniedPrefixes are families with many spellings (PYTHONPATH,
	// PERL5LIB, RUBYOPT, JAVAX_…, KUBECONFIG).
	deniedPrefixes = []string{"PYTHON", "PERL", "RUBY", "JAVA", "KUBE"}
)

// toolFamilies are the variable families a bundled provider's tool reads,
// whatever the provider's own name: Claude Code reads ANTHROPIC_* as well
// as CLAUDE_*, codex OPENAI_* as well as CODEX_*. Only that provider may
// set a variable of such a family: ANTHROPIC_BASE_URL from any other would
// send claude's token to a URL of its choosing.
var toolFamilies = map[string]string{
	"ANTHROPIC": "claude", "CLAUDE": "claude",
	"OPENAI": "codex", "CODEX": "codex",
	"GH": "gh", "GITHUB": "gh",
	"GLAB": "glab", "GITLAB": "glab",
	"MISTRAL": "vibe", "VIBE": "vibe",
}

// FamilyOwner returns the provider whose tool reads the variables of
// family (as EnvFamily gives it): claude for ANTHROPIC and CLAUDE. A
// family no tool is known to read is owned by no one (""), and in one run
// belongs to the first provider that sets it.
func FamilyOwner(family string) string { return toolFamilies[strings.ToUpper(family)] }

// ownFamily reports whether the variable family fam is provider's own:
// its name's (EVIL for evil and evil-corp), or one its tool reads.
func ownFamily(provider, fam string) bool {
	if owner := FamilyOwner(fam); owner != "" {
		return owner == provider
	}
	return fam == EnvFamily(ProviderFamily(provider))
}

// CheckEnvOf reports whether provider may set the variable name at all,
// beyond the rules of CheckEnvName: not a variable of another provider's
// tool (ANTHROPIC_* and CLAUDE_* are claude's), and, for one that routes
// a tool (a host, a base URL, an endpoint, a home or config directory),
// only in the provider's own family. Whoever may set where a tool sends
// its credential can have it sent anywhere; that belongs to the provider
// whose tool reads the variable.
func CheckEnvOf(provider, name string) error {
	fam := EnvFamily(name)
	if owner := FamilyOwner(fam); owner != "" && owner != provider {
		return fmt.Errorf("%q is in the %s_ family, which %s's tool reads; only the %s provider may set it "+
			"(it could send %s's credential elsewhere, or make its tool use another)", name, fam, owner, owner, owner)
	}
	upper := strings.ToUpper(name)
	routes := (hasSuffix(upper, routingSuffixes) && !hasSuffix(upper, credentialSuffixes)) || hasSuffix(upper, dirSuffixes)
	if routes && !ownFamily(provider, fam) {
		return fmt.Errorf("%q says where a tool sends its credential, and is not in %s's own family (%s_): "+
			"a variable that routes a tool belongs to the provider whose tool reads it", name, provider, EnvFamily(ProviderFamily(provider)))
	}
	return nil
}

// EnvFamily is the family of a variable: its name up to the first '_',
// upper-cased (GH for GH_TOKEN and GH_HOST). In one run, a family belongs
// to one provider.
func EnvFamily(name string) string {
	f, _, _ := strings.Cut(strings.ToUpper(name), "_")
	return f
}

// ProviderFamily is the family a provider's own names start with: its name
// upper-cased, '-' as '_' (MY_TOOL for my-tool).
func ProviderFamily(provider string) string {
	return strings.ToUpper(strings.ReplaceAll(provider, "-", "_"))
}

func hasSuffix(upper string, suffixes []string) bool {
	for _, s := range suffixes {
		if strings.HasSuffix(upper, s) && len(upper) > len(s) {
			return true
		}
	}
	return false
}

// checkFamily refuses a name of a family that configures programs.
func checkFamily(name string) error {
	upper := strings.ToUpper(name)
	fam := EnvFamily(upper)
	denied := deniedFamilies[fam]
	for _, p := range deniedPrefixes {
		denied = denied || strings.HasPrefix(fam, p)
	}
	if strings.HasPrefix(upper, "TEROK_") {
		return fmt.Errorf("%q is in terok's own TEROK_ namespace; an injection may not set it", name)
	}
	if strings.Contains(upper, "PROXY") {
		return fmt.Errorf("%q names a proxy, which would see every request a program makes; an injection may not set it", name)
	}
	if denied {
		return fmt.Errorf("%q is in the %s_ family, which changes how programs run (the code, config, proxy or certificates they use), "+
			"not which credential they send; an injection may not set it", name, fam)
	}
	return nil
}

func checkShape(name string) error {
	if !injectEnvRE.MatchString(name) {
		return fmt.Errorf("%q is not a valid environment variable name (letters, digits and '_', not starting with a digit)", name)
	}
	return nil
}

// CheckEnvName reports whether name may be an injected variable: a
// portable name, ending in a credential suffix (_TOKEN, _KEY, _SECRET,
// _USER, _ORG, _PROJECT, _ACCOUNT, _REGION, …) or a routing suffix (_HOST,
// _BASE_URL, _API_BASE, _ENDPOINT, …), and not in a family that changes
// how programs run (GIT_, XDG_, SSL_, LD_, PYTHON*, NODE_, TEROK_, any
// *PROXY*, …). See the rules above credentialSuffixes.
func CheckEnvName(name string) error {
	if err := checkShape(name); err != nil {
		return err
	}
	if err := checkFamily(name); err != nil {
		return err
	}
	upper := strings.ToUpper(name)
	if !hasSuffix(upper, credentialSuffixes) && !hasSuffix(upper, routingSuffixes) {
		return fmt.Errorf("%q does not name a credential: an injected variable ends in %s (the credential) or %s (where it is sent)",
			name, strings.Join(credentialSuffixes, ", "), strings.Join(routingSuffixes, ", "))
	}
	return nil
}

// CheckDirEnvName reports whether name may be the variable that points a
// tool at the private directory: a name ending in _HOME or _CONFIG_DIR, not
// in a family that changes how programs run. ValidateInjectionOf also
// requires the provider's own name before the suffix.
func CheckDirEnvName(name string) error {
	if err := checkShape(name); err != nil {
		return err
	}
	if err := checkFamily(name); err != nil {
		return err
	}
	if !hasSuffix(strings.ToUpper(name), dirSuffixes) {
		return fmt.Errorf("%q is not a tool's home or config directory variable: dir_env ends in _HOME or _CONFIG_DIR (e.g. CODEX_HOME)", name)
	}
	return nil
}

// CheckDirEnvOf reports whether provider may point name at its private
// directory: name is the provider's own NAME_HOME or NAME_CONFIG_DIR.
func CheckDirEnvOf(provider, name string) error {
	if err := CheckDirEnvName(name); err != nil {
		return err
	}
	fam := ProviderFamily(provider)
	for _, s := range dirSuffixes {
		if strings.EqualFold(name, fam+s) {
			return nil
		}
	}
	return fmt.Errorf("%q is not %s's own directory variable: a provider points only its own tool at the files it writes, "+
		"so dir_env is %s_HOME or %s_CONFIG_DIR", name, provider, fam, fam)
}

// IsRoutingName reports whether name says where a credential is sent (a
// routing suffix such as _HOST or _BASE_URL) rather than being one: an
// injection that sets it must hand over a credential of the same family
// itself (see sdk's Injection.CheckEnv).
func IsRoutingName(name string) bool {
	upper := strings.ToUpper(name)
	return hasSuffix(upper, routingSuffixes) && !hasSuffix(upper, credentialSuffixes)
}

// SortedKeys returns m's keys in order, so that checks report in the same
// order every run.
func SortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
