package host

import (
	"errors"
	"fmt"
	"strings"

	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/internal/rules"
)

// ValidateDescription checks a DescribeResponse for the mistakes the host
// would otherwise trip over: a bad name, no label, text a terminal would
// act on, no or unknown modes, a HostDir that is not a plain directory
// name or is another provider's.
func ValidateDescription(d *sdk.DescribeResponse) error {
	if d == nil {
		return errors.New("no description")
	}
	var errs []error
	if !sdk.ValidName(d.Name) {
		errs = append(errs, fmt.Errorf("name %q is not valid (lower case letters, digits, '-' and '_', starting with a letter)", d.Name))
	}
	if strings.TrimSpace(d.Label) == "" {
		errs = append(errs, errors.New("label is empty"))
	}
	for _, f := range []struct {
		what, s   string
		multiline bool
	}{{"label", d.Label, false}, {"version", d.Version, false}, {"description", d.Description, true},
		{"key URL", d.KeyURL, false}, {"docs URL", d.DocsURL, false}} {
		if err := rules.CheckText(f.s, f.multiline); err != nil {
			errs = append(errs, fmt.Errorf("%s %q has %w", f.what, f.s, err))
		}
	}
	if len(d.Modes) == 0 {
		errs = append(errs, errors.New("no modes"))
	}
	seen := map[sdk.Mode]bool{}
	for _, m := range d.Modes {
		if !m.Valid() {
			errs = append(errs, fmt.Errorf("unknown mode %q", m))
		}
		if seen[m] {
			errs = append(errs, fmt.Errorf("mode %q listed twice", m))
		}
		seen[m] = true
	}
	if d.HostDir != "" && (strings.ContainsAny(d.HostDir, `/\`) || d.HostDir == "." || d.HostDir == "..") {
		errs = append(errs, fmt.Errorf("host dir %q must be a plain directory name", d.HostDir))
	} else if err := rules.CheckHostDirOwner(d.Name, d.HostDir); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// CheckContainerSpec validates a whole container spec as the host does
// before it runs a login container: the config path, a command, the image
// (when one is given), the run arguments, the user and the environment.
// sdk/providertest applies it in a provider's tests.
func CheckContainerSpec(spec *sdk.ContainerSpecResponse) error {
	if spec == nil {
		return errors.New("no container spec")
	}
	if err := rules.CheckConfigPath(spec.ConfigPath); err != nil {
		return err
	}
	if len(spec.Command) == 0 {
		return errors.New("no command")
	}
	if err := rules.CheckText(spec.Banner, true); err != nil {
		return fmt.Errorf("banner %q has %w", spec.Banner, err)
	}
	for _, a := range spec.Command {
		if strings.ContainsRune(a, 0) {
			return fmt.Errorf("command argument %q contains a NUL byte", a)
		}
	}
	if spec.Image != "" {
		if err := rules.CheckImage(spec.Image); err != nil {
			return err
		}
	}
	if err := rules.CheckRunArgs(spec.RunArgs); err != nil {
		return err
	}
	if _, _, err := rules.ParseUser(spec.User); err != nil {
		return err
	}
	for k, v := range spec.Env {
		if err := rules.CheckRunArgs([]string{"--env", k + "=" + v}); err != nil {
			return fmt.Errorf("environment variable %q: %w", k, err)
		}
	}
	return nil
}

// ValidateInjection checks a declaration for everything the host would
// otherwise trip over: types declared twice, bad or reserved variable
// names, bad templates, file paths that leave the private directory, files
// without DirEnv (each injection by sdk.Injection.Validate).
func ValidateInjection(r *sdk.InjectionResponse) error {
	if r == nil {
		return nil
	}
	return oncePerType(r.Injections, "injections", func(in sdk.Injection) (string, error) {
		return in.CredentialType, in.Validate()
	})
}

// ValidateInjectionOf is ValidateInjection for the provider named
// provider, with the checks that need its name: a DirEnv is the provider's
// own (CODEX_HOME for codex), and every variable one it may set
// (CheckEnvOf).
func ValidateInjectionOf(provider string, r *sdk.InjectionResponse) error {
	err := ValidateInjection(r)
	if r == nil {
		return err
	}
	errs := []error{err}
	for _, in := range r.Injections {
		for _, name := range rules.SortedKeys(in.Env) {
			if rules.CheckEnvName(name) != nil {
				continue // reported above
			}
			if oerr := rules.CheckEnvOf(provider, name); oerr != nil {
				errs = append(errs, fmt.Errorf("injection for %q: %w", in.CredentialType, oerr))
			}
		}
		if in.DirEnv == "" || rules.CheckDirEnvName(in.DirEnv) != nil {
			continue
		}
		if derr := rules.CheckDirEnvOf(provider, in.DirEnv); derr != nil {
			errs = append(errs, fmt.Errorf("injection for %q: dir_env: %w", in.CredentialType, derr))
		}
	}
	return errors.Join(errs...)
}

// ValidateRenewal checks a declaration: one entry per type, and each
// valid (sdk.Renewal.Validate). Loopback endpoints are refused; the host
// allows them only for its own test overrides.
func ValidateRenewal(r *sdk.RenewalResponse) error {
	if r == nil {
		return nil
	}
	return oncePerType(r.Renewals, "refresh declarations", func(in sdk.Renewal) (string, error) {
		return in.CredentialType, in.Validate(false)
	})
}

// oncePerType checks each declaration, and that no credential type has
// two: the host would not know which to follow.
func oncePerType[T any](decls []T, what string, check func(T) (credType string, err error)) error {
	var errs []error
	seen := map[string]bool{}
	for _, d := range decls {
		credType, err := check(d)
		if err != nil {
			errs = append(errs, err)
		}
		if seen[credType] {
			errs = append(errs, fmt.Errorf("credential type %q has two %s", credType, what))
		}
		seen[credType] = true
	}
	return errors.Join(errs...)
}
