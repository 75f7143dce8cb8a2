package registry

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/safefile"
	"github.com/terok-ai/terok-auth/core/yamlprov"
	"github.com/terok-ai/terok-auth/sdk"
)

// YAMLSource is a place provider files are read from.
type YAMLSource struct {
	// Label names the source in listings: "bundled", or a directory.
	Label string
	// FS and Dir: the files are FS's *.yaml and *.yml under Dir.
	FS  fs.FS
	Dir string
	// Root is the directory on disk behind FS ("" for the bundled set): its
	// files are read through safefile (regular files only, bounded), and a
	// YAMLCache finds each file there to know whether it changed.
	Root string
}

// DirSource reads the provider files of a directory, or one file.
func DirSource(p string) YAMLSource {
	if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
		return YAMLSource{Label: filepath.Dir(p), FS: os.DirFS(filepath.Dir(p)), Dir: ".", Root: filepath.Dir(p)}.only(filepath.Base(p))
	}
	return YAMLSource{Label: p, FS: os.DirFS(p), Dir: ".", Root: p}
}

// only limits a source to one file, for a file named on the path.
func (s YAMLSource) only(name string) YAMLSource {
	s.FS = onlyFS{FS: s.FS, name: name}
	return s
}

type onlyFS struct {
	fs.FS
	name string
}

func (o onlyFS) Open(name string) (fs.File, error) {
	if name != "." && name != o.name {
		return nil, fs.ErrNotExist
	}
	return o.FS.Open(name)
}

func (o onlyFS) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(o.FS, name)
	var out []fs.DirEntry
	for _, e := range entries {
		if e.Name() == o.name {
			out = append(out, e)
		}
	}
	return out, err
}

// YAMLSources are the provider file sources, lowest precedence first: the
// bundled set, the system dir, the user's config dir, then each entry of
// TEROK_PROVIDERS_PATH in order (a directory or a file).
func YAMLSources(bundled fs.FS, configDir string, getenv func(string) string) []YAMLSource {
	srcs := []YAMLSource{{Label: "bundled", FS: bundled, Dir: "."}, DirSource("/etc/terok/providers.d")}
	if configDir != "" {
		srcs = append(srcs, DirSource(filepath.Join(configDir, "providers.d")))
	}
	for _, p := range filepath.SplitList(getenv("TEROK_PROVIDERS_PATH")) {
		if p != "" {
			srcs = append(srcs, DirSource(p))
		}
	}
	return srcs
}

// YAMLProvider is a loaded provider file.
type YAMLProvider struct {
	Name   names.Provider
	Source string // "bundled:gh.yaml" or the file's path
	// File is the parsed file; nil when its description came from a
	// YAMLCache, and then Open reads the file at path again.
	File *yamlprov.File

	desc *sdk.DescribeResponse
	path string
}

// describe is the provider's description, without reading its file again.
func (y YAMLProvider) describe() *sdk.DescribeResponse {
	if y.desc != nil {
		return y.desc
	}
	d, _ := yamlprov.New(y.File).Describe(context.Background(), &sdk.DescribeRequest{}) // in-process: cannot fail
	return d
}

// file is the parsed file, read now if the listing came from the cache.
func (y YAMLProvider) file() (*yamlprov.File, error) {
	if y.File != nil {
		return y.File, nil
	}
	// The file may have changed since the listing: read it as any provider
	// file on disk, regular and bounded.
	data, err := safefile.ReadFile(y.path, yamlprov.MaxFileSize)
	if err != nil {
		return nil, err
	}
	f, err := yamlprov.Load(y.Source, data)
	if err != nil {
		return nil, err
	}
	if f.Name != string(y.Name) {
		return nil, fmt.Errorf("%s: it now defines %q, not %q; run the command again", y.Source, f.Name, y.Name)
	}
	return f, nil
}

// Shadowed is a provider hidden by another of the same name.
type Shadowed struct {
	Name   names.Provider
	Kind   string // "plugin" or "yaml"
	Source string
	By     string // the source of the one that wins
}

// loadYAML reads every source; a later source's provider replaces an
// earlier one of the same name (whole, not merged). A file that does not
// load is reported in problems and skipped: it hides nothing else.
func loadYAML(srcs []YAMLSource) (active map[names.Provider]YAMLProvider, shadowed []Shadowed, problems []error) {
	return loadYAMLCached(srcs, nil)
}

// loadYAMLCached is loadYAML taking what it can from cache.
func loadYAMLCached(srcs []YAMLSource, cache *YAMLCache) (active map[names.Provider]YAMLProvider, shadowed []Shadowed, problems []error) {
	active = map[names.Provider]YAMLProvider{}
	for _, src := range srcs {
		files, err := fs.Glob(src.FS, path.Join(src.Dir, "*.y*ml"))
		if err != nil {
			problems = append(problems, fmt.Errorf("%s: %w", src.Label, err))
			continue
		}
		sort.Strings(files)
		inThisSource := map[names.Provider]string{}
		for _, name := range files {
			if !strings.HasSuffix(name, ".yaml") && !strings.HasSuffix(name, ".yml") {
				continue
			}
			where := filepath.Join(src.Label, name)
			if src.Label == "bundled" {
				where = "bundled:" + name
			}
			var key string
			if src.Root != "" {
				full := filepath.Join(src.Root, name)
				var e yamlEntry
				var hit bool
				if key, e, hit = cache.get(src.Root, full); hit {
					add(active, &shadowed, &problems, inThisSource, YAMLProvider{Name: e.Name, Source: where, desc: e.Desc, path: full})
					continue
				}
			}
			f, err := src.load(name, where)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				problems = append(problems, err)
				continue
			}
			pname, err := names.ParseProvider(f.Name) // yamlprov.Load checked it
			if err != nil {
				problems = append(problems, fmt.Errorf("%s: %w", where, err))
				continue
			}
			y := YAMLProvider{Name: pname, Source: where, File: f, path: filepath.Join(src.Root, name)}
			if add(active, &shadowed, &problems, inThisSource, y) {
				cache.put(key, src.Root, pname, y.describe())
			}
		}
	}
	return active, shadowed, problems
}

// load reads and parses one provider file of the source. A file on disk is
// read only if it is a regular file within the size bound (a named pipe
// would block, a link to /dev/zero never end). A link to a file that not
// everyone may read may be a link to a secret: if it does not parse, the
// error says so without the parser's details, which quote the content.
func (s YAMLSource) load(name, where string) (*yamlprov.File, error) {
	if s.Root == "" {
		data, err := fs.ReadFile(s.FS, name)
		if err != nil {
			return nil, err
		}
		return yamlprov.Load(where, data)
	}
	data, info, err := safefile.ReadFileInfo(filepath.Join(s.Root, filepath.FromSlash(name)), yamlprov.MaxFileSize)
	if err != nil {
		return nil, err
	}
	f, err := yamlprov.Load(where, data)
	if err != nil && info.Symlink && info.Mode.Perm()&0o004 == 0 {
		return nil, fmt.Errorf("%s: not a valid provider file. It is a link to a file that not everyone may read, "+
			"so it may hold secrets and the parser's details, which quote it, are not shown; "+
			"if it is yours, see them with: terok auth providers validate %s", where, where)
	}
	return f, err
}

// add makes y the active provider of its name, unless its directory
// already defined that name (a problem); it reports whether y was added.
func add(active map[names.Provider]YAMLProvider, shadowed *[]Shadowed, problems *[]error, inThisSource map[names.Provider]string, y YAMLProvider) bool {
	if first, dup := inThisSource[y.Name]; dup {
		*problems = append(*problems, fmt.Errorf("%s: provider %q is already defined in %s; names must be unique within a directory", y.Source, y.Name, first))
		return false
	}
	inThisSource[y.Name] = y.Source
	if old, ok := active[y.Name]; ok {
		*shadowed = append(*shadowed, Shadowed{Name: y.Name, Kind: "yaml", Source: old.Source, By: y.Source})
	}
	active[y.Name] = y
	return true
}
