package trust

// A script plugin runs the interpreter its "#!" line names: the kernel
// opens that path, as the user, every time the plugin starts. Whoever may
// change that interpreter runs their code as the user, while the plugin's
// pin stays the same. So the interpreter must pass the rule of the plugin's
// own files: it, every link on the way to it, and every directory above
// each, belong to the user or root and are writable by nobody else (sticky
// directories allowed above, never as, a file's directory). For
// "#!/usr/bin/env NAME", NAME is looked up as env will, on the PATH the
// plugin gets (terok's own), and every PATH directory up to the one that
// holds it must be one nobody else can add NAME to. An interpreter that is
// itself a script is followed, as the kernel does, a few levels deep.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// maxShebang is what Linux reads of a script's first line
// (BINPRM_BUF_SIZE); maxInterpDepth how many interpreters it follows.
const (
	maxShebang     = 256
	maxInterpDepth = 4
	maxLinkHops    = 40
)

// parseShebang reads a script's "#!" line as the kernel does: the
// interpreter is the first word after "#!" (spaces and tabs skipped), and
// the rest of the line, trimmed, is one argument. head is the start of the
// file, at most maxShebang bytes.
func parseShebang(head []byte) (interp, arg string, err error) {
	line, ok := bytes.CutPrefix(head, []byte("#!"))
	if !ok {
		return "", "", errors.New(`does not start with "#!"`)
	}
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	} else if len(head) >= maxShebang {
		return "", "", fmt.Errorf("its #! line is longer than %d bytes", maxShebang-1)
	}
	if bytes.IndexByte(line, 0) >= 0 {
		return "", "", errors.New("its #! line holds a NUL byte")
	}
	s := strings.TrimLeft(string(line), " \t")
	interp = s
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		interp, arg = s[:i], strings.Trim(s[i:], " \t")
	}
	if interp == "" {
		return "", "", errors.New("its #! line names no interpreter")
	}
	return interp, arg, nil
}

// checkInterpreter applies the rule to the interpreter of the script
// plugin at real, and to theirs in turn.
func checkInterpreter(real string) error {
	if runtime.GOOS == "windows" {
		return nil // Windows runs no #! line
	}
	script := real
	for depth := 0; depth < maxInterpDepth; depth++ {
		head, err := readHead(script)
		if err != nil {
			return err
		}
		if !bytes.HasPrefix(head, []byte("#!")) {
			return nil
		}
		interp, arg, err := parseShebang(head)
		if err != nil {
			return fmt.Errorf("%w: %s %w", ErrWritable, script, err)
		}
		next, err := checkInterpPath(interp, arg)
		if err != nil {
			return fmt.Errorf("the script plugin %s runs %s (the #! line of %s), which terok cannot vouch for: %w", real, interp, script, err)
		}
		script = next
	}
	return fmt.Errorf("%w: the script plugin %s has interpreters more than %d deep", ErrWritable, real, maxInterpDepth)
}

// checkInterpPath checks what a #! line runs and returns the file the
// kernel executes in the end (for env, the program env runs).
func checkInterpPath(interp, arg string) (string, error) {
	if !filepath.IsAbs(interp) {
		return "", errors.New("not an absolute path, so it depends on the directory terok runs in")
	}
	real, err := checkResolved(interp)
	if err != nil {
		return "", err
	}
	if filepath.Base(real) != "env" {
		return real, nil
	}
	name := arg
	if rest, ok := strings.CutPrefix(arg, "-S"); ok {
		// env -S splits the argument; skip VAR=VALUE settings.
		name = ""
		for _, f := range strings.Fields(rest) {
			if !strings.Contains(f, "=") {
				name = f
				break
			}
		}
	}
	switch {
	case name == "":
		return "", fmt.Errorf("%s runs env with %q, which names no program terok can tell", interp, arg)
	case strings.HasPrefix(name, "-"):
		return "", fmt.Errorf("env %s: terok follows only `env NAME` and `env -S NAME ...`; write the interpreter's full path instead", arg)
	case strings.Contains(name, "/"):
		return checkInterpPath(name, "")
	}
	return lookPathChecked(name, os.Getenv("PATH"))
}

// lookPathChecked finds name on path as env does (execvp), checking every
// directory looked in on the way: nobody else may add a file there.
func lookPathChecked(name, path string) (string, error) {
	if path == "" {
		path = "/bin:/usr/bin" // execvp's default
	}
	for _, dir := range filepath.SplitList(path) {
		if !filepath.IsAbs(dir) {
			return "", fmt.Errorf("the PATH terok runs with holds %q, which is not absolute, before %s is found: env would look in the current directory; fix PATH or write the interpreter's full path", dir, name)
		}
		if err := checkLookDir(dir); err != nil {
			return "", fmt.Errorf("env looks for %s in %s, on the PATH, before it finds it: %w", name, dir, err)
		}
		cand := filepath.Join(dir, name)
		fi, err := os.Stat(cand)
		if err != nil || fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
			continue
		}
		return checkResolved(cand)
	}
	return "", fmt.Errorf("%s is not on the PATH terok runs with (%s)", name, path)
}

// checkLookDir: a PATH directory, or where it would be made, that nobody
// else can put a program in.
func checkLookDir(dir string) error {
	for {
		real, err := filepath.EvalSymlinks(dir)
		if err == nil {
			return checkDirChain(real)
		}
		if !errors.Is(err, os.ErrNotExist) {
			return err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return err
		}
		dir = parent
	}
}

// checkResolved follows path link by link as the kernel does, checking the
// directory of each link and of the file it ends at (and every directory
// above), and the file itself; it returns the file.
func checkResolved(path string) (string, error) {
	p := path
	for hop := 0; hop < maxLinkHops; hop++ {
		dir, err := filepath.EvalSymlinks(filepath.Dir(p))
		if err != nil {
			return "", err
		}
		if err := checkDirChain(dir); err != nil {
			return "", err
		}
		p = filepath.Join(dir, filepath.Base(p))
		fi, err := os.Lstat(p)
		if err != nil {
			return "", err
		}
		if fi.Mode()&os.ModeSymlink == 0 {
			return p, checkFile(p, fi)
		}
		target, err := os.Readlink(p)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(dir, target)
		}
		p = target
	}
	return "", fmt.Errorf("%s: too many links", path)
}

// readHead returns the start of a file, as much as the kernel reads of a
// #! line, without blocking on a FIFO.
func readHead(path string) ([]byte, error) {
	f, err := openNoFollow(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	head := make([]byte, maxShebang)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return head[:n], nil
}
