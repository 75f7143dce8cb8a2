//go:build gendocs

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
	"github.com/spf13/pflag"
)

// gen-docs writes the man pages and the shell completions that ship with
// terok. It is built only with -tags gendocs (make man, make dist), so
// cobra/doc and its markdown renderer stay out of the terok binary.
func init() {
	extraCommands = append(extraCommands, func(*factory) *cobra.Command {
		return &cobra.Command{
			Use:    "gen-docs DIR",
			Short:  "Write man pages to DIR/man/man1 and completions to DIR/completions",
			Hidden: true,
			Args:   exactArgs(1, "an output directory"),
			Annotations: map[string]string{
				noSetup: "true",
			},
			RunE: func(cmd *cobra.Command, args []string) error { return genDocs(cmd.Root(), args[0]) },
		}
	})
}

func genDocs(root *cobra.Command, dir string) error {
	// The pages carry the date of the commit they were built from, so two
	// builds of one commit give the same bytes.
	date := time.Unix(0, 0).UTC()
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		sec, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("SOURCE_DATE_EPOCH %q: %w", s, err)
		}
		date = time.Unix(sec, 0).UTC()
	}
	root.DisableAutoGenTag = true
	for _, c := range root.Commands() {
		c.DisableAutoGenTag = true
	}
	// cobra hands this text to a Markdown renderer: GH_TOKEN and
	// TEROK_API_KEY would become GH<em>TOKEN and TEROK</em>API_KEY, and
	// TEROK_<PROVIDER>_API_KEY lose <PROVIDER> as an HTML tag. This
	// process only writes the pages, so the text is escaped in place.
	escapeForMarkdown(root)
	man := filepath.Join(dir, "man", "man1")
	if err := os.MkdirAll(man, 0o755); err != nil {
		return err
	}
	header := &doc.GenManHeader{Title: "TEROK", Section: "1", Source: "terok " + version, Manual: "terok manual", Date: &date}
	if err := doc.GenManTreeFromOpts(root, doc.GenManTreeOptions{Header: header, Path: man, CommandSeparator: "-"}); err != nil {
		return err
	}
	// Help topics are not commands, so cobra writes no page for them.
	for _, c := range root.Commands() {
		if c.Annotations[helpTopic] == "" {
			continue
		}
		f, err := os.Create(filepath.Join(man, "terok-"+c.Name()+".1"))
		if err != nil {
			return err
		}
		c.DisableAutoGenTag = true
		err = doc.GenMan(c, header, f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	comp := filepath.Join(dir, "completions")
	if err := os.MkdirAll(comp, 0o755); err != nil {
		return err
	}
	for name, gen := range map[string]func(string) error{
		"terok.bash": func(p string) error { return root.GenBashCompletionFileV2(p, true) },
		"_terok":     root.GenZshCompletionFile,
		"terok.fish": func(p string) error { return root.GenFishCompletionFile(p, true) },
		"terok.ps1":  root.GenPowerShellCompletionFileWithDesc,
	} {
		if err := gen(filepath.Join(comp, name)); err != nil {
			return err
		}
	}
	return nil
}

// markdownEscaper escapes what Markdown would take for emphasis, a tag or
// code in plain help text.
var markdownEscaper = strings.NewReplacer(`\`, `\\`, "_", `\_`, "*", `\*`, "<", `\<`, ">", `\>`, "`", "\\`", "[", `\[`, "]", `\]`)

// escapeForMarkdown escapes the short and long help and every flag's usage
// of cmd and the commands under it. Examples are code blocks, left as they
// are.
func escapeForMarkdown(cmd *cobra.Command) {
	cmd.Short = markdownEscaper.Replace(cmd.Short)
	cmd.Long = markdownEscaper.Replace(cmd.Long)
	seen := map[*pflag.Flag]bool{}
	for _, fs := range []*pflag.FlagSet{cmd.LocalFlags(), cmd.InheritedFlags()} {
		fs.VisitAll(func(f *pflag.Flag) {
			if !seen[f] {
				seen[f] = true
				f.Usage = markdownEscaper.Replace(f.Usage)
			}
		})
	}
	for _, c := range cmd.Commands() {
		escapeForMarkdown(c)
	}
}
