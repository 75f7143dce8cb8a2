// Command distpack packs a directory into a release archive that depends on
// nothing but the files' contents and the time given: entries sorted by
// path, every mtime the same, owner and group 0, modes 0755 for executables
// and directories and 0644 for the rest, no gzip name or time. So two
// builds of one commit give byte-identical archives.
//
//	distpack -mtime UNIX -o OUT.tar.gz|OUT.zip DIR
//
// The archive holds DIR's base name as its top directory.
package main

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

type entry struct {
	name string // slash-separated, under the top directory
	path string // on disk; "" for a directory
	mode fs.FileMode
}

func main() {
	mtime := flag.Int64("mtime", 0, "the time every entry gets, in seconds since 1970 (SOURCE_DATE_EPOCH)")
	out := flag.String("o", "", "the archive to write: NAME.tar.gz or NAME.zip")
	flag.Parse()
	if flag.NArg() != 1 || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: distpack -mtime UNIX -o OUT.tar.gz|OUT.zip DIR")
		os.Exit(2)
	}
	if err := pack(*out, flag.Arg(0), time.Unix(*mtime, 0).UTC()); err != nil {
		fmt.Fprintln(os.Stderr, "distpack:", err)
		os.Exit(1)
	}
}

func collect(dir string) ([]entry, error) {
	top := filepath.Base(filepath.Clean(dir))
	var out []entry
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		name := top
		if rel != "." {
			name = top + "/" + filepath.ToSlash(rel)
		}
		switch {
		case d.IsDir():
			out = append(out, entry{name: name + "/", mode: fs.ModeDir | 0o755})
		case d.Type().IsRegular():
			fi, err := d.Info()
			if err != nil {
				return err
			}
			mode := fs.FileMode(0o644)
			if fi.Mode()&0o111 != 0 || strings.HasSuffix(name, ".exe") {
				mode = 0o755
			}
			out = append(out, entry{name: name, path: p, mode: mode})
		default:
			return fmt.Errorf("%s: only files and directories can be packed", p)
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, err
}

func pack(out, dir string, mtime time.Time) (err error) {
	entries, err := collect(dir)
	if err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = os.Remove(out)
		}
	}()
	switch {
	case strings.HasSuffix(out, ".tar.gz"):
		return packTar(f, entries, mtime)
	case strings.HasSuffix(out, ".zip"):
		return packZip(f, entries, mtime)
	}
	return errors.New(out + ": the name must end in .tar.gz or .zip")
}

func packTar(w io.Writer, entries []entry, mtime time.Time) error {
	gz, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		// USTAR: PAX would add access and change times.
		h := &tar.Header{Name: e.name, Mode: int64(e.mode.Perm()), ModTime: mtime, Format: tar.FormatUSTAR}
		if e.path == "" {
			h.Typeflag = tar.TypeDir
		} else {
			h.Typeflag = tar.TypeReg
			fi, err := os.Stat(e.path)
			if err != nil {
				return err
			}
			h.Size = fi.Size()
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if e.path != "" {
			if err := copyFile(tw, e.path); err != nil {
				return err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

func packZip(w io.Writer, entries []entry, mtime time.Time) error {
	zw := zip.NewWriter(w)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Modified: mtime, Method: zip.Deflate}
		h.SetMode(e.mode)
		if e.path == "" {
			h.Method = zip.Store
		}
		fw, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		if e.path != "" {
			if err := copyFile(fw, e.path); err != nil {
				return err
			}
		}
	}
	return zw.Close()
}

func copyFile(w io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	_, err = io.Copy(w, f)
	return err
}
