package safefile

// The files terok owns (the index, the record of written files, the grant
// registry, the config it edits, the plugin pins) are written so that a
// reader, or a process killed in the middle (kill -9, power loss), sees
// either the old content or the new, never a mix; and read-modify-write
// cycles across processes are serialised with a lock file.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// WriteFile replaces path with data: it writes a temp file in the same
// directory, syncs it, renames it over path and syncs the directory. The
// directory is created with mode 0700 if missing.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, tempPattern(path))
	if err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(perm); err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	committed = true
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

func tempPattern(path string) string { return "." + filepath.Base(path) + ".tmp-*" }

// LockTimeout bounds how long Locked waits for another terok process.
const LockTimeout = 10 * time.Second

// Locked runs fn while holding an exclusive lock on path+".lock". The lock
// is released when fn returns or the process dies, so a crash never leaves
// it held.
func Locked(ctx context.Context, path string, fn func() error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	lock := flock.New(path + ".lock")
	lctx, cancel := context.WithTimeout(ctx, LockTimeout)
	defer cancel()
	ok, err := lock.TryLockContext(lctx, 20*time.Millisecond)
	if ctx.Err() != nil {
		// The caller gave up (Ctrl-C), not the lock's holder.
		return fmt.Errorf("lock %s: %w", path, ctx.Err())
	}
	if err != nil && lctx.Err() == nil {
		return fmt.Errorf("lock %s: %w", path, err)
	}
	if !ok {
		return fmt.Errorf("lock %s: another terok process held it for %s; is one stuck?", path, LockTimeout)
	}
	defer func() { _ = lock.Unlock() }()
	// Only the lock holder writes path, so any temp file of path that
	// exists now was left by a writer that was killed: remove it, since it
	// may hold a secret.
	if stale, _ := filepath.Glob(filepath.Join(filepath.Dir(path), tempPattern(path))); len(stale) > 0 {
		for _, f := range stale {
			_ = os.Remove(f)
		}
	}
	return fn()
}
