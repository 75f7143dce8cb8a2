package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/terok-ai/terok-auth/core/container"
	"github.com/terok-ai/terok-auth/core/inject"
	"github.com/terok-ai/terok-auth/core/leftover"
	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/pluginhost"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/core/termtext"
	"github.com/terok-ai/terok-auth/core/trust"
	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/host"
	"github.com/terok-ai/terok-auth/sdk/secret"
)

// check is one line of the doctor's report.
type check struct {
	Name   string `json:"name"`
	Status string `json:"status"` // ok, warn or fail
	Detail string `json:"detail"`
	Fix    string `json:"fix,omitempty"`
	// Dirs are the directories a search-path check lists, in order.
	Dirs []string `json:"dirs,omitempty"`
}

func newDoctorCmd(f *factory) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check the keyring, podman, plugins and provider files, and say what to fix",
		Long: "Check everything terok depends on and say, for each problem, what to do about it:\n" +
			"the config file and environment, the credential store (it writes, reads and deletes a\n" +
			"probe credential), podman and login containers left behind, each plugin's trust and\n" +
			"whether it starts, and the YAML provider files. It runs with a broken config file, to\n" +
			"report it. Exits 1 when any check fails.",
		Example: "  terok auth doctor\n" +
			"  terok auth doctor --json | jq -r '.[] | select(.status != \"ok\") | .name'",
		Args:        noArgs,
		Annotations: map[string]string{toleratesConfigErr: "true"},
		RunE: func(cmd *cobra.Command, _ []string) error {
			checks := doctorRun(cmd.Context(), f)
			if asJSON {
				enc := json.NewEncoder(f.IO.Out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(checks); err != nil {
					return err
				}
			} else {
				for _, c := range checks {
					// A detail may quote a provider's answer or a file's name.
					fmt.Fprintf(f.IO.Out, "%-4s  %-28s %s\n", strings.ToUpper(c.Status), c.Name, termtext.Line(c.Detail))
					if c.Fix != "" {
						fmt.Fprintf(f.IO.Out, "      %-28s fix: %s\n", "", strings.ReplaceAll(c.Fix, "\n", "\n"+strings.Repeat(" ", 40)))
					}
				}
			}
			failed := 0
			for _, c := range checks {
				if c.Status == "fail" {
					failed++
				}
			}
			if failed > 0 {
				return fmt.Errorf("%d checks failed", failed)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func doctorRun(ctx context.Context, f *factory) []check {
	var checks []check
	if f.ConfigErr != nil {
		for _, e := range strings.Split(f.ConfigErr.Error(), "\n") {
			checks = append(checks, check{Name: "settings", Status: "fail", Detail: e + " (the default is used instead)",
				Fix: "correct it in " + f.Config.File + " or the environment; terok config shows every setting"})
		}
	} else {
		checks = append(checks, check{Name: "settings", Status: "ok", Detail: "config file and environment are valid"})
	}
	checks = append(checks, doctorOpenBao(ctx, f)...)
	checks = append(checks, doctorStore(ctx, f))
	checks = append(checks, doctorPodman(ctx, f)...)
	checks = append(checks, check{Name: "plugin path", Status: "ok", Dirs: f.SearchPath,
		Detail: strings.Join(f.SearchPath, string(filepath.ListSeparator)) + " (first wins)"})
	src, err := f.Providers()
	if err != nil {
		return append(checks, check{Name: "providers", Status: "fail", Detail: firstLine(err.Error())})
	}
	_, yamlDirs := src.SearchPath()
	checks = append(checks, check{Name: "provider file path", Status: "ok", Dirs: yamlDirs,
		Detail: strings.Join(yamlDirs, ", ") + " (a later file of the same name wins)"})
	checks = append(checks, doctorAttached()...)
	inv := f.Inventory()
	checks = append(checks, doctorPlugins(ctx, f, src, inv.Plugins)...)
	for _, p := range inv.Problems {
		checks = append(checks, check{Name: "provider file", Status: "fail", Detail: firstLine(p.Error()), Fix: "correct the file (terok auth providers validate FILE lists every problem) or remove it"})
	}
	for _, s := range inv.Skipped {
		checks = append(checks, check{Name: "provider file", Status: "ok", Detail: firstLine(s.Error())})
	}
	checks = append(checks, check{Name: "provider files", Status: "ok", Detail: fmt.Sprintf("%d YAML providers load", inv.YAML)})
	return append(checks, doctorLeftovers(ctx, f)...)
}

// doctorStore writes, reads and deletes a probe credential.
func doctorStore(ctx context.Context, f *factory) check {
	c := check{Name: "credential store (" + f.Config.Get("store") + ")"}
	accounts, err := f.Accounts()
	if err != nil {
		c.Status, c.Detail = "fail", err.Error()
		return c
	}
	probe := sdk.APIKey(fmt.Sprintf("terok-doctor-%d", time.Now().UnixNano()))
	const set, provider = "terok-doctor", "probe"
	err = accounts.Store.Set(ctx, set, provider, probe)
	if err == nil {
		var got sdk.Credential
		if got, err = accounts.Store.Get(ctx, set, provider); err == nil && got.Get("key") != probe.Get("key") {
			err = errors.New("read back a different value than written")
		}
		if derr := accounts.Store.Delete(ctx, set, provider); err == nil {
			err = derr
		}
	}
	if err != nil {
		c.Status, c.Detail = "fail", firstLine(err.Error())
		var se *store.Error
		if errors.As(err, &se) {
			c.Fix = se.Fix
		}
		return c
	}
	c.Status, c.Detail = "ok", "write, read and delete work"
	if f.Config.Get("store") == "file" {
		c.Status, c.Detail = "warn", "works, but credentials are stored in plain files, not encrypted"
	}
	return c
}

func doctorPodman(ctx context.Context, f *factory) []check {
	c := check{Name: "podman"}
	if err := f.Runner.Check(ctx); err != nil {
		_, howTo, _ := strings.Cut(err.Error(), "\n")
		c.Status, c.Detail, c.Fix = "warn", "not found: OAuth and device logins are not possible", howTo
		return []check{c}
	}
	c.Status, c.Detail = "ok", "podman found"
	if v, ok := f.Runner.(container.Versioner); ok {
		cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		version, err := v.Version(cctx)
		if err != nil {
			c.Status, c.Detail, c.Fix = "fail", "podman info failed: "+lastLine(err.Error()), "run `podman info` and fix what it reports"
			return []check{c}
		}
		c.Detail = "podman " + version
	}
	checks := []check{c}
	stale, err := f.Runner.Stale(ctx)
	switch {
	case err != nil:
		checks = append(checks, check{Name: "auth containers", Status: "warn", Detail: firstLine(err.Error())})
	case len(stale) > 0:
		checks = append(checks, check{Name: "auth containers", Status: "warn", Detail: fmt.Sprintf("%d left by a terok that did not finish: %s", len(stale), strings.Join(stale, ", ")),
			Fix: "podman rm -f " + strings.Join(stale, " ") + " (the next login also removes them)"})
	default:
		checks = append(checks, check{Name: "auth containers", Status: "ok", Detail: "none left behind"})
	}
	return checks
}

func doctorPlugins(ctx context.Context, f *factory, src providerSource, plugins []pluginhost.Plugin) []check {
	var checks []check
	for _, p := range plugins {
		c := check{Name: "plugin " + string(p.Name)}
		st, err := f.Trust.Verify(p.Path)
		switch st {
		case trust.StatusUntrusted:
			c.Status, c.Detail, c.Fix = "warn", "not trusted: "+p.Path, "terok auth plugins trust "+p.Path+" (if you trust it)"
			checks = append(checks, c)
			continue
		case trust.StatusChanged:
			c.Status, c.Detail, c.Fix = "fail", "changed since it was trusted: "+p.Path, "reinstall it, or trust it again if you changed it: terok auth plugins trust "+p.Path
			checks = append(checks, c)
			continue
		case trust.StatusWritable, trust.StatusMissing:
			c.Status, c.Detail = "fail", firstLine(err.Error())
			checks = append(checks, c)
			continue
		}
		opened, err := src.Open(ctx, p.Name)
		if err != nil {
			c.Status, c.Detail = "fail", firstLine(err.Error())
			if errors.Is(err, pluginhost.ErrPluginFailed) {
				c.Fix = "run with TEROK_LOG_LEVEL=debug to see the plugin's output; reinstall it"
			}
			checks = append(checks, c)
			continue
		}
		opened.Close()
		c.Status, c.Detail = "ok", fmt.Sprintf("%s (%s), starts and describes itself: %s", st, opened.Desc.Version, sdk.JoinModes(opened.Desc.Modes))
		checks = append(checks, c)
	}
	return checks
}

// doctorAttached reports every provider that TEROK_REATTACH_PROVIDERS
// points at a plugin started by hand: a debug setting for a plugin
// author's own machine, never to be left in a shell unnoticed.
func doctorAttached() []check {
	all, err := pluginhost.Attachments()
	if err != nil {
		return []check{{Name: "debug reattach", Status: "fail", Detail: firstLine(err.Error()), Fix: "unset " + host.ReattachEnv}}
	}
	var checks []check
	for _, a := range all {
		c := check{Name: "debug reattach " + string(a.Name), Status: "warn",
			Detail: "not the installed plugin: " + a.String(),
			Fix:    "unset " + host.ReattachEnv + " when you are done debugging"}
		if a.Err != nil {
			c.Status, c.Detail = "fail", firstLine(a.Err.Error())
		}
		checks = append(checks, c)
	}
	return checks
}

// doctorLeftovers looks, under the mounts dir that agent containers share,
// for files holding a stored secret: what earlier versions of terok wrote
// (config.json with an api_key, vibe's .env), or a copy made by hand.
func doctorLeftovers(ctx context.Context, f *factory) []check {
	c := check{Name: "secrets in shared dirs"}
	accounts, err := f.Accounts()
	if err != nil {
		c.Status, c.Detail = "warn", "could not read the store to compare: "+firstLine(err.Error())
		return []check{c}
	}
	pairs := map[store.Stored]bool{}
	// A store that cannot be listed is the store check's failure, said
	// there once with its remedy; here it would only be said again.
	quiet := *accounts
	quiet.Warnf = nil
	sets, _ := quiet.Sets(ctx)
	for _, s := range sets {
		for _, p := range s.Providers {
			pairs[store.Stored{Set: s.Name, Provider: p}] = true
		}
	}
	if src, err := f.Providers(); err == nil {
		for _, p := range src.Names() {
			pairs[store.Stored{Set: names.DefaultSet, Provider: p}] = true
		}
	}
	owner := map[string]names.Provider{}
	var secrets []string
	for sp := range pairs {
		cred, err := accounts.Store.Get(ctx, sp.Set, sp.Provider)
		if err != nil {
			continue
		}
		for _, s := range secret.Values(cred.Fields) {
			owner[s] = sp.Provider
			secrets = append(secrets, s)
		}
	}
	found, err := leftover.Find(f.MountsDir, secrets)
	if err != nil {
		c.Status, c.Detail = "warn", fmt.Sprintf("could not scan %s: %v", f.MountsDir, err)
		return []check{c}
	}
	if len(found) == 0 {
		c.Status, c.Detail = "ok", fmt.Sprintf("no file under %s holds a stored secret", f.MountsDir)
		return []check{c}
	}
	var out []check
	for _, p := range found {
		data, _ := os.ReadFile(p)
		var who []string
		for s, prov := range owner {
			if leftover.Holds(data, []string{s}) && !slices.Contains(who, string(prov)) {
				who = append(who, string(prov))
			}
		}
		sort.Strings(who)
		out = append(out, check{
			Name: "secret in a shared dir", Status: "fail",
			Detail: fmt.Sprintf("%s holds the stored secret of %s in plain text, where agent containers can read it", p, strings.Join(who, ", ")),
			Fix:    fmt.Sprintf("remove it: rm %s (logging in to %s again also removes it; the tool gets the secret from terok auth exec)", inject.ShellQuote(p), strings.Join(who, ", ")),
		})
	}
	return out
}

// lastLine is the last non-empty line of s: where a command's own error
// message usually is.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
