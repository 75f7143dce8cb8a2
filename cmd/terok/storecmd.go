package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/core/usage"
)

// storeNames are the stores copy moves between.
var storeNames = []string{"keyring", "file", "openbao", "vault"}

// storeNamed opens the store called name, configured as if it were the
// chosen one.
func storeNamed(f *factory, name string) (store.Store, error) {
	switch name {
	case "keyring":
		return &store.Keyring{Timeout: f.Config.Duration("keyring_timeout")}, nil
	case "file":
		return &store.File{Dir: filepath.Join(f.Dirs.Data, "credentials")}, nil
	case "openbao", "vault":
		return openBaoStore(f)
	}
	return nil, usage.Errorf("unknown store %q: use one of %s", name, strings.Join(storeNames, ", "))
}

func newStoreCmd(f *factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "store",
		Short: "Move credentials between stores (keyring, file, openbao)",
		Long: "Move credentials between the stores terok can keep them in: the OS keyring, plain files,\n" +
			"and an OpenBao or Vault KV v2 engine shared by a team (see docs/team-store.md).",
		Example: "  terok auth store copy --from keyring --to openbao",
		Args:    noArgs,
	}
	cmd.AddCommand(newStoreCopyCmd(f))
	return cmd
}

func newStoreCopyCmd(f *factory) *cobra.Command {
	var from, to, set string
	var force bool
	cmd := &cobra.Command{
		Use:   "copy --from STORE --to STORE",
		Short: "Copy every stored credential from one store to another",
		Long: "Copy every credential the --from store holds (or those of one --set) into the --to store:\n" +
			"keyring, file, or openbao (alias vault; configured as for --store openbao). A credential\n" +
			"the --to store already holds is not replaced without --force: then nothing is copied.\n" +
			"The --from store keeps its copies; log out there when you no longer want them.",
		Example: "  terok auth store copy --from keyring --to openbao\n" +
			"  terok auth store copy --from openbao --to keyring --set work --force",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if from == "" || to == "" {
				return usage.Errorf("name both stores: --from STORE --to STORE (%s)", strings.Join(storeNames, ", "))
			}
			canon := func(s string) string {
				if s == "vault" {
					return "openbao"
				}
				return s
			}
			if canon(from) == canon(to) {
				return usage.Errorf("--from and --to are the same store (%s)", canon(from))
			}
			var only names.Set
			if set != "" {
				s, err := names.ParseSet(set)
				if err != nil {
					return usage.Errorf("--set: %v", err)
				}
				only = s
			}
			src, err := storeNamed(f, from)
			if err != nil {
				return err
			}
			dst, err := storeNamed(f, to)
			if err != nil {
				return err
			}
			return storeCopy(cmd, f, src, dst, canon(from), canon(to), only, force)
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "the store to copy from: "+strings.Join(storeNames, ", "))
	cmd.Flags().StringVar(&to, "to", "", "the store to copy to: "+strings.Join(storeNames, ", "))
	cmd.Flags().StringVar(&set, "set", "", "copy only this credential set (default: every set)")
	cmd.Flags().BoolVar(&force, "force", false, "replace credentials the --to store already holds")
	for _, fl := range []string{"from", "to"} {
		_ = cmd.RegisterFlagCompletionFunc(fl, cobra.FixedCompletions(storeNames, cobra.ShellCompDirectiveNoFileComp))
	}
	completeSets(cmd, f)
	return cmd
}

func storeCopy(cmd *cobra.Command, f *factory, src, dst store.Store, from, to string, only names.Set, force bool) error {
	ctx := cmd.Context()
	l, ok := src.(store.Lister)
	if !ok {
		return fmt.Errorf("the %s cannot list what it holds here, so there is nothing to copy from", from)
	}
	held, err := l.List(ctx)
	if errors.Is(err, store.ErrCannotList) {
		return fmt.Errorf("the %s cannot list what it holds on this platform, so terok cannot copy from it", from)
	}
	if err != nil {
		return fmt.Errorf("list the %s: %w", from, err)
	}
	held = slices.DeleteFunc(held, func(s store.Stored) bool { return only != "" && s.Set != only })
	if len(held) == 0 {
		fmt.Fprintf(f.IO.ErrOut, "The %s holds no credentials to copy.\n", from)
		return nil
	}
	// Every check comes before any write: a refused copy copies nothing.
	var there []string
	for _, h := range held {
		_, err := dst.Get(ctx, h.Set, h.Provider)
		switch {
		case err == nil:
			there = append(there, store.Account(h.Set, h.Provider))
		case errors.Is(err, store.ErrNotFound):
		default:
			return fmt.Errorf("nothing was copied: %w", err)
		}
	}
	if len(there) > 0 && !force {
		return fmt.Errorf("nothing was copied: the %s already holds %s; add --force to replace them", to, strings.Join(there, ", "))
	}
	var done []string
	for _, h := range held {
		c, err := src.Get(ctx, h.Set, h.Provider)
		if err == nil {
			err = dst.Set(ctx, h.Set, h.Provider, c)
		}
		if err != nil {
			copied := "nothing was copied before it"
			if len(done) > 0 {
				copied = "copied before it: " + strings.Join(done, ", ")
			}
			return fmt.Errorf("copy %s (%s): %w", store.Account(h.Set, h.Provider), copied, err)
		}
		done = append(done, store.Account(h.Set, h.Provider))
		f.changed = append(f.changed, fmt.Sprintf("copied %s to the %s", store.Account(h.Set, h.Provider), to))
	}
	fmt.Fprintf(f.IO.ErrOut, "Copied %d credentials from the %s to the %s: %s\n", len(done), from, to, strings.Join(done, ", "))
	return nil
}
