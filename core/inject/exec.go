package inject

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/terok-ai/terok-auth/sdk"
)

// DirPrefix names the private directories of `terok auth exec`; the pid
// that follows lets a later run remove those of a terok that was killed.
const DirPrefix = "terok-exec-"

// ExecConfig is where and how a command runs.
type ExecConfig struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// InTTY is true when stdin is a terminal: the terminal then sends
	// Ctrl-C, Ctrl-\ and Ctrl-Z to the command itself, so terok does not
	// send them a second time.
	InTTY bool
	// Env is the environment the injected variables are added to (they
	// win over variables of the same name); nil is terok's own.
	Env []string
	// TempDir holds the private directories; "" is $XDG_RUNTIME_DIR (a
	// per-user tmpfs) when it is the user's own and nobody else may write
	// it, else the system's temp dir (see privateBase).
	TempDir string
	// Getenv reads terok's environment; nil is os.Getenv.
	Getenv func(string) string
	// Debug logs at debug level (hclog's Logger.Debug); nil logs nothing.
	Debug func(msg string, args ...any)
	// WriteBack, if set, is given each private directory once the command
	// has ended, however it ended, before the directory is removed: a
	// tool may have renewed its credential there (codex rotates its
	// refresh token in auth.json), and that must not be lost.
	WriteBack func(d DirPlan, dir string)
}

// Exec runs argv with the plan's variables and private directories and
// returns its exit code: the command's own, 128+N when a signal N ended it,
// 127 when it could not be found and 126 when it could not be started. The
// private directories are gone when Exec returns, whatever happened.
func (p *Plan) Exec(argv []string, cfg ExecConfig) (code int, err error) {
	if len(argv) == 0 {
		return 2, errors.New("no command to run")
	}
	getenv := cfg.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	debug := cfg.Debug
	if debug == nil {
		debug = func(string, ...any) {}
	}
	tmp := cfg.TempDir
	if tmp == "" {
		var berr error
		if tmp, berr = privateBase(getenv, debug); berr != nil && len(p.Dirs) > 0 {
			return 1, berr
		}
	}
	// What a killed terok left there holds secrets.
	if tmp != "" {
		SweepStale(tmp)
	}

	// Catch the signals before anything is written, so that none of them
	// can end terok between writing the files and removing them.
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, forwarded...)
	defer signal.Stop(sigs)

	env := map[string]string{}
	for k, v := range p.Env {
		env[k] = v
	}
	if len(p.Dirs) > 0 {
		var root string
		root, err = os.MkdirTemp(tmp, fmt.Sprintf("%s%d-", DirPrefix, os.Getpid()))
		if err != nil {
			return 1, fmt.Errorf("create a private directory for the credentials: %w", err)
		}
		defer func() {
			if cfg.WriteBack != nil {
				for _, d := range p.Dirs {
					cfg.WriteBack(d, filepath.Join(root, string(d.Provider)))
				}
			}
			if rerr := os.RemoveAll(root); rerr != nil && err == nil {
				err = fmt.Errorf("the command ran, but its private directory %s could not be removed: %w; remove it by hand", root, rerr)
			}
		}()
		for _, d := range p.Dirs {
			dir := filepath.Join(root, string(d.Provider))
			if err := writePrivate(dir, d.Files); err != nil {
				return 1, fmt.Errorf("%s: write its private files: %w", d.Provider, err)
			}
			env[d.Var] = dir
		}
	}

	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = cfg.Stdin, cfg.Stdout, cfg.Stderr
	cmd.Env = mergeEnv(cfg.Env, env)
	if err := cmd.Start(); err != nil {
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
			return 127, fmt.Errorf("%s: command not found", argv[0])
		}
		return 126, fmt.Errorf("%s: cannot run it: %w", argv[0], err)
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				if cfg.InTTY && fromTerminal[s] {
					continue
				}
				_ = cmd.Process.Signal(s)
			case <-done:
				return
			}
		}
	}()
	werr := cmd.Wait()
	close(done)
	return exitStatus(cmd, werr)
}

func exitStatus(cmd *exec.Cmd, werr error) (int, error) {
	st := cmd.ProcessState
	if st == nil {
		return 1, werr
	}
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal()), nil
	}
	var ee *exec.ExitError
	if werr != nil && !errors.As(werr, &ee) {
		return 1, werr
	}
	return st.ExitCode(), nil
}

// writePrivate creates dir (0700) and writes files into it (0600), through
// an os.Root so that no path can leave it.
func writePrivate(dir string, files map[string][]byte) error {
	if err := os.Mkdir(dir, 0o700); err != nil {
		return err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer func() { _ = root.Close() }()
	for p, data := range files {
		clean, err := sdk.CleanRelPath(p)
		if err != nil {
			return err
		}
		if d := filepath.Dir(clean); d != "." {
			if err := root.MkdirAll(d, 0o700); err != nil {
				return err
			}
		}
		if err := root.WriteFile(clean, data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// mergeEnv returns base with the injected variables set, replacing any
// variable of the same name.
func mergeEnv(base []string, add map[string]string) []string {
	if base == nil {
		base = os.Environ()
	}
	out := make([]string, 0, len(base)+len(add))
	for _, kv := range base {
		name, _, _ := strings.Cut(kv, "=")
		if _, ok := add[name]; !ok {
			out = append(out, kv)
		}
	}
	for k, v := range add {
		out = append(out, k+"="+v)
	}
	return out
}

// privateBase is where the private directories go: $XDG_RUNTIME_DIR when
// it is a directory of the invoking user's own that nobody else may use,
// else the system's temp dir ($TMPDIR, then /tmp) under the rules of
// checkPrivateBase. A runtime dir of another user (root run with a user's
// XDG_RUNTIME_DIR, say) is theirs: they could swap what the command reads
// in the private directory. Each directory passed over is logged at debug
// level, with why.
func privateBase(getenv func(string) string, debug func(string, ...any)) (string, error) {
	if d := getenv("XDG_RUNTIME_DIR"); d != "" {
		real, err := checkPrivateBase(d, false)
		if err == nil {
			return real, nil
		}
		debug("exec: not making the private directories in $XDG_RUNTIME_DIR; falling back to the temp dir", "dir", d, "reason", err.Error())
	}
	var tried []string
	for _, d := range append([]string{os.TempDir()}, sharedTempDirs...) {
		if slices.Contains(tried, d) {
			continue
		}
		tried = append(tried, d)
		real, err := checkPrivateBase(d, true)
		if err == nil {
			return real, nil
		}
		debug("exec: not making the private directories in the temp dir", "dir", d, "reason", err.Error())
	}
	return "", fmt.Errorf("found no directory for the command's private files that only you (or root) may write: tried %s; "+
		"set TMPDIR to a directory of your own (mode 0700)", strings.Join(tried, ", "))
}

// SweepStale removes the private directories in dir that a terok which
// no longer runs left behind (it was killed before it could clean up).
func SweepStale(dir string) {
	leftovers, _ := filepath.Glob(filepath.Join(dir, DirPrefix+"*"))
	for _, d := range leftovers {
		pidStr, _, _ := strings.Cut(strings.TrimPrefix(filepath.Base(d), DirPrefix), "-")
		pid, err := strconv.Atoi(pidStr)
		if err != nil || pid == os.Getpid() || alive(pid) {
			continue
		}
		if fi, err := os.Lstat(d); err != nil || !ownedByMe(fi) {
			continue // another user's: theirs to remove
		}
		_ = os.RemoveAll(d)
	}
}
