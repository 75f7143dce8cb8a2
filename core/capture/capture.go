// Package capture moves files across the host boundary of a login: it reads
// what a login container left in its config dir, within limits and without
// following links, and writes a provider's non-secret state files back into
// the provider's shared config dir, confined to it.
package capture

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/terok-ai/terok-auth/core/safefile"
	"github.com/terok-ai/terok-auth/sdk"
)

// Limits bound what Read takes from a login container's dir. The total must
// stay under gRPC's 4 MiB message limit to reach a plugin.
type Limits struct {
	MaxFiles     int
	MaxFileBytes int64
	MaxTotal     int64
	// MaxDepth bounds how deep below the dir Read looks; MaxEntries how
	// many names (files and dirs) it looks at in all. A container can
	// leave a tree thousands of levels deep or millions of names wide.
	MaxDepth   int
	MaxEntries int
}

// DefaultLimits are generous for credential files and far below what
// would strain terok or the plugin connection.
var DefaultLimits = Limits{MaxFiles: 500, MaxFileBytes: 1 << 20, MaxTotal: 3 << 20, MaxDepth: 32, MaxEntries: 20000}

// Result is what Read found.
type Result struct {
	// Files are the contents read, by slash-separated relative path.
	Files map[string][]byte
	// Found lists every regular file seen, read or not, sorted.
	Found []string
	// Skipped says which files were not read and why, with names quoted
	// where they hold anything but printable UTF-8.
	Skipped []string
}

// errEnough ends a walk that reached MaxEntries.
var errEnough = errors.New("enough entries")

// Read reads the regular files below dir. Symbolic links and other special
// files are never followed: a container could point them at host files.
// Files over the limits, names that are not UTF-8 (a provider could not
// even be told them), and what lies deeper than MaxDepth or beyond
// MaxEntries are skipped and reported, not fatal, since a tool may leave
// caches beside its credentials. Read stops when ctx ends, with its error.
func Read(ctx context.Context, dir string, lim Limits) (*Result, error) {
	return ReadSkipping(ctx, dir, lim, nil)
}

// ReadSkipping is Read, except that the entries at the slash-separated
// relative paths in skip, with everything below them, are passed over in
// silence: neither read, found nor reported (a provider's SkipPaths).
func ReadSkipping(ctx context.Context, dir string, lim Limits, skip []string) (*Result, error) {
	if lim.MaxDepth <= 0 {
		lim.MaxDepth = DefaultLimits.MaxDepth
	}
	if lim.MaxEntries <= 0 {
		lim.MaxEntries = DefaultLimits.MaxEntries
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer func() { _ = root.Close() }()
	w := &walker{ctx: ctx, root: root, lim: lim, res: &Result{Files: map[string][]byte{}}, skipPaths: skip}
	err = w.walk(".", 0)
	if errors.Is(err, errEnough) {
		w.skip(fmt.Sprintf("more than %d names in the directory: the rest was not looked at", lim.MaxEntries))
		err = nil
	}
	sort.Strings(w.res.Found)
	return w.res, err
}

type walker struct {
	ctx     context.Context
	root    *os.Root
	lim     Limits
	res     *Result
	total   int64
	entries int
	// skipPaths are passed over in silence (ReadSkipping).
	skipPaths []string
}

func (w *walker) skip(msg string) { w.res.Skipped = append(w.res.Skipped, msg) }

// walk reads the dir rel, depth levels below the root, a batch of names at
// a time so that a huge dir is never held in memory at once.
func (w *walker) walk(rel string, depth int) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	f, err := w.root.Open(rel)
	if err != nil {
		w.skip(fmt.Sprintf("%s: %s", Display(rel), why(err)))
		return nil
	}
	defer func() { _ = f.Close() }()
	for {
		ents, rerr := f.ReadDir(256)
		for _, d := range ents {
			if err := w.ctx.Err(); err != nil {
				return err
			}
			if w.entries++; w.entries > w.lim.MaxEntries {
				return errEnough
			}
			p := d.Name()
			if rel != "." {
				p = rel + "/" + p
			}
			if err := w.entry(p, d, depth); err != nil {
				return err
			}
		}
		if rerr != nil || len(ents) == 0 {
			if rerr != nil && !errors.Is(rerr, io.EOF) {
				w.skip(fmt.Sprintf("%s: %s", Display(rel), why(rerr)))
			}
			return nil
		}
	}
}

func (w *walker) entry(p string, d fs.DirEntry, depth int) error {
	if skipped(p, w.skipPaths) {
		return nil
	}
	if !utf8.ValidString(d.Name()) {
		w.skip(fmt.Sprintf("%s: the name is not UTF-8", Display(p)))
		return nil
	}
	if d.IsDir() {
		if depth+1 >= w.lim.MaxDepth {
			w.skip(fmt.Sprintf("%s: deeper than %d levels, not looked into", Display(p), w.lim.MaxDepth))
			return nil
		}
		return w.walk(p, depth+1)
	}
	if !d.Type().IsRegular() {
		w.skip(Display(p) + ": not a regular file")
		return nil
	}
	res, lim := w.res, w.lim
	res.Found = append(res.Found, p)
	info, err := d.Info()
	switch {
	case err != nil:
		w.skip(fmt.Sprintf("%s: %s", Display(p), why(err)))
	case len(res.Files) >= lim.MaxFiles:
		w.skip(fmt.Sprintf("%s: more than %d files", Display(p), lim.MaxFiles))
	case info.Size() > lim.MaxFileBytes:
		w.skip(fmt.Sprintf("%s: %s, over the %s limit per file", Display(p), size(info.Size()), size(lim.MaxFileBytes)))
	case w.total+info.Size() > lim.MaxTotal:
		w.skip(fmt.Sprintf("%s: the files together exceed %s", Display(p), size(lim.MaxTotal)))
	default:
		data, err := readAtMost(w.root, p, lim.MaxFileBytes)
		if err != nil {
			w.skip(fmt.Sprintf("%s: %s", Display(p), why(err)))
			return nil
		}
		w.total += int64(len(data))
		res.Files[p] = data
	}
	return nil
}

// Display is a name from a container, fit to print on the user's
// terminal: as it is when it is printable UTF-8, else quoted, so that no
// control sequence reaches the terminal.
func Display(name string) string {
	for _, r := range name {
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			return strconv.Quote(name)
		}
	}
	return name
}

// why is err for a skipped file's line, without the raw file name a
// *fs.PathError holds: the line names the file already, quoted by Display,
// and a raw name could carry escape sequences to the user's terminal.
func why(err error) string {
	// safefile's errors name the file too: say only what is wrong.
	switch {
	case errors.Is(err, safefile.ErrLink):
		return "is a symbolic link, which terok does not follow"
	case errors.Is(err, safefile.ErrTooLarge):
		return "grew past the limit while being read"
	case errors.Is(err, safefile.ErrNotRegular):
		return "not a regular file"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return Display(pe.Op + ": " + pe.Err.Error())
	}
	return Display(err.Error())
}

// readAtMost reads p in root as safefile.ReadFileIn does (a regular file
// only, through no link, never blocking on a FIFO), at most max bytes, in
// case the file grew or was swapped since the walk measured it.
func readAtMost(root *os.Root, p string, max int64) ([]byte, error) {
	data, _, err := safefile.ReadFileIn(root, p, max)
	return data, err
}

func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// ErrSymlink means a state file's path went through a symbolic link, which
// terok never writes through.
var ErrSymlink = safefile.ErrLink

// WriteState writes state files into mountsDir/hostDir (each created 0700
// if missing). Paths are checked with sdk.CleanRelPath, and no component
// below mountsDir is followed if it is a symbolic link, nor is the file
// itself: the shared config dirs are written by containers too, and a link
// planted there (_claude-config -> /etc) must not carry terok's writes
// elsewhere. The mounts dir itself is the user's choice and is taken as
// it is. Each file is written to a temporary name and renamed into place,
// so it is never half written. Where a file exists and both it and the new
// content are JSON objects, the new keys are merged into it rather than
// replacing it: a tool's config file keeps the user's own settings.
func WriteState(mountsDir, hostDir string, files map[string][]byte) ([]string, error) {
	if len(files) == 0 {
		return nil, nil
	}
	if _, err := sdk.CleanRelPath(hostDir); err != nil || strings.Contains(hostDir, "/") {
		return nil, fmt.Errorf("shared config dir %q is not a plain directory name", hostDir)
	}
	if err := os.MkdirAll(mountsDir, 0o700); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(files))
	for p := range files {
		names = append(names, p)
	}
	sort.Strings(names)
	var written []string
	for _, p := range names {
		clean, err := sdk.CleanRelPath(p)
		if err != nil {
			return written, fmt.Errorf("state file: %w", err)
		}
		if err := writeOne(mountsDir, hostDir+"/"+clean, files[p]); err != nil {
			return written, fmt.Errorf("state file %s: %w", filepath.Join(hostDir, clean), err)
		}
		written = append(written, filepath.Join(mountsDir, hostDir, clean))
	}
	return written, nil
}

// writeOne writes rel (slash-separated, clean) below base, making its dirs,
// following no link.
func writeOne(base, rel string, data []byte) error {
	dir, err := os.OpenRoot(base)
	if err != nil {
		return err
	}
	parts := strings.Split(rel, "/")
	for i, part := range parts[:len(parts)-1] {
		next, err := safefile.OpenDir(dir, part, true)
		_ = dir.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", strings.Join(parts[:i+1], "/"), err)
		}
		dir = next
	}
	defer func() { _ = dir.Close() }()
	name := parts[len(parts)-1]
	old, err := readNoFollow(dir, name)
	if err != nil {
		return err
	}
	if old != nil {
		data = mergeJSON(old, data)
	}
	tmp := fmt.Sprintf(".%s.terok-%d.tmp", name, os.Getpid())
	f, err := dir.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		// rename replaces what is at name, a link included, never following it.
		werr = dir.Rename(tmp, name)
	}
	if werr != nil {
		_ = dir.Remove(tmp)
	}
	return werr
}

// readNoFollow reads the regular file name in dir, or returns nil when
// there is none. A link, or anything but a regular file, is refused
// (safefile.ReadFileIn).
func readNoFollow(dir *os.Root, name string) ([]byte, error) {
	data, _, err := safefile.ReadFileIn(dir, name, DefaultLimits.MaxFileBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return data, err
}

// mergeJSON returns old with add's top-level keys set, when both are JSON
// objects; otherwise add.
func mergeJSON(old, add []byte) []byte {
	var o, a map[string]json.RawMessage
	if json.Unmarshal(old, &o) != nil || json.Unmarshal(add, &a) != nil || o == nil || a == nil {
		return add
	}
	for k, v := range a {
		o[k] = v
	}
	out, err := json.MarshalIndent(o, "", "  ")
	if err != nil {
		return add
	}
	return append(bytes.TrimSpace(out), '\n')
}

// skipped reports whether p is one of skip or below one of them.
func skipped(p string, skip []string) bool {
	for _, s := range skip {
		if s = strings.TrimSuffix(s, "/"); s != "" && (p == s || strings.HasPrefix(p, s+"/")) {
			return true
		}
	}
	return false
}
