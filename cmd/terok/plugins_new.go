package main

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/terok-ai/terok-auth/core/pluginhost"
	"github.com/terok-ai/terok-auth/core/usage"
	"github.com/terok-ai/terok-auth/sdk"
)

// The plugin template: files ending in .tmpl are rendered (with [[ ]] as
// delimiters, so Go code needs no escaping) and lose the suffix; others are
// copied as they are. gitignore.tmpl becomes .gitignore (embed skips dot
// files).
//
//go:embed plugintemplate
var pluginTemplate embed.FS

const templateRoot = "plugintemplate"

// newOptions holds `plugins new`'s flags.
type newOptions struct {
	Name    string
	Dir     string
	Module  string
	Replace string
}

type templateData struct {
	Name, Module, KeyPrefix, Replace string
	// EnvPrefix starts the variables the credential is injected as.
	EnvPrefix string
}

func (d templateData) fields() map[string]string {
	return map[string]string{"Name": d.Name, "Module": d.Module, "KeyPrefix": d.KeyPrefix,
		"Replace": d.Replace, "EnvPrefix": d.EnvPrefix}
}

// The plugin template's two forms: [[.Field]], and a block kept only when a
// field is set, [[- if .Field]]…[[- end]] (the dash drops the whitespace
// before it, as in text/template). They are expanded by hand because
// text/template's reflection keeps the linker from dropping unused methods
// anywhere in the program, which made terok 3 MB larger.
var (
	templateIf    = regexp.MustCompile(`(?s)\s*\[\[- if \.(\w+)\]\](.*?)\s*\[\[- end\]\]`)
	templateField = regexp.MustCompile(`\[\[\.(\w+)\]\]`)
)

// expand fills in a plugin template. A field it does not know, or any other
// [[…]] left over, is an error: nothing half-expanded is written.
func expand(text string, fields map[string]string) (string, error) {
	var missing []string
	lookup := func(name string) string {
		v, ok := fields[name]
		if !ok {
			missing = append(missing, name)
		}
		return v
	}
	text = templateIf.ReplaceAllStringFunc(text, func(block string) string {
		m := templateIf.FindStringSubmatch(block)
		if lookup(m[1]) == "" {
			return ""
		}
		return m[2]
	})
	text = templateField.ReplaceAllStringFunc(text, func(f string) string {
		return lookup(templateField.FindStringSubmatch(f)[1])
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("no field %s", strings.Join(missing, ", "))
	}
	if i := strings.Index(text, "[["); i >= 0 {
		end := min(len(text), i+40)
		return "", fmt.Errorf("unexpanded %q", text[i:end])
	}
	return text, nil
}

func newPluginsNewCmd(f *factory) *cobra.Command {
	opts := &newOptions{}
	cmd := &cobra.Command{
		Use:   "new NAME [DIR]",
		Short: "Start a provider plugin: a Go module that builds, tests and releases as terok expects",
		Long: "Writes a Go module for the plugin terok-provider-NAME into DIR (default ./terok-provider-NAME):\n" +
			"a provider with an API key and an OAuth capture to adapt, its providertest suite and golden\n" +
			"captures, a main with a -debug flag, and release.sh, which builds the archive and SHA256SUMS\n" +
			"that `terok auth plugins install` takes. Then: cd DIR && go mod tidy && go test ./...",
		Example: "  terok auth plugins new gemini\n" +
			"  terok auth plugins new gemini ./gemini-plugin --module example.com/terok-provider-gemini",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) < 1 || len(args) > 2 {
				return usage.Errorf("expected NAME [DIR]")
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error {
			opts.Name = args[0]
			if len(args) == 2 {
				opts.Dir = args[1]
			}
			return pluginsNewRun(f, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Module, "module", "", "the Go module path (default example.com/terok-provider-NAME)")
	cmd.Flags().StringVar(&opts.Replace, "sdk-replace", "", "build against the SDK in this terok-auth checkout (a replace directive to its sdk/), not a released SDK")
	return cmd
}

func pluginsNewRun(f *factory, opts *newOptions) error {
	if !sdk.ValidName(opts.Name) {
		return usage.Errorf("%q is not a provider name: lower case letters, digits, '-' and '_', starting with a letter", opts.Name)
	}
	dir := opts.Dir
	if dir == "" {
		dir = pluginhost.Prefix + opts.Name
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return usage.Errorf("%s exists and is not empty; give a new directory", dir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	data := templateData{
		Name:      opts.Name,
		Module:    opts.Module,
		KeyPrefix: strings.ReplaceAll(opts.Name, "-", "_") + "_",
		EnvPrefix: strings.ToUpper(strings.ReplaceAll(opts.Name, "-", "_")) + "_",
	}
	if data.Module == "" {
		data.Module = "example.com/" + pluginhost.Prefix + opts.Name
	}
	if opts.Replace != "" {
		abs, err := filepath.Abs(opts.Replace)
		if err != nil {
			return err
		}
		if _, err := os.Stat(filepath.Join(abs, "sdk", "go.mod")); err != nil {
			return usage.Errorf("--sdk-replace %s: not a terok-auth checkout (no sdk/go.mod in it)", opts.Replace)
		}
		data.Replace = filepath.Join(abs, "sdk")
	}
	files, err := renderTemplate(data)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if strings.HasSuffix(name, ".sh") {
			mode = 0o755
		}
		if err := os.WriteFile(p, files[name], mode); err != nil {
			return err
		}
	}
	fmt.Fprintf(f.IO.ErrOut, "Wrote the plugin %s to %s. Next:\n\n"+
		"  cd %s\n  go mod tidy\n  go test ./...\n  ./release.sh 0.1.0\n  terok auth plugins install dist/%s%s_0.1.0_<os>_<arch>.tar.gz\n",
		opts.Name, dir, dir, pluginhost.Prefix, opts.Name)
	return nil
}

// renderTemplate returns the plugin's files by slash-separated path.
func renderTemplate(data templateData) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := fs.WalkDir(pluginTemplate, templateRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := pluginTemplate.ReadFile(p)
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(p, templateRoot+"/")
		if name, ok := strings.CutSuffix(rel, ".tmpl"); ok {
			text, err := expand(string(raw), data.fields())
			if err != nil {
				return fmt.Errorf("plugin template %s: %w", rel, err)
			}
			raw, rel = []byte(text), name
		}
		if path.Base(rel) == "gitignore" {
			rel = path.Join(path.Dir(rel), ".gitignore")
		}
		out[rel] = raw
		return nil
	})
	return out, err
}
