package account

import (
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/terok-ai/terok-auth/core/store"
	"github.com/terok-ai/terok-auth/sdk"
)

// bigValue makes writes slow enough for a kill to land inside one.
func bigValue(tag byte) string { return string(tag) + strings.Repeat(string(tag), 256<<10) }

// TestMain turns the test binary into a writer that loops until killed
// when TestKillDuringWriteLeavesOldOrNew runs it with TEROK_KILL_TEST_DIR.
func TestMain(m *testing.M) {
	if dir := os.Getenv("TEROK_KILL_TEST_DIR"); dir != "" {
		writeForever(dir)
	}
	os.Exit(m.Run())
}

func writeForever(dir string) {
	a := &Accounts{Store: &store.File{Dir: filepath.Join(dir, "credentials")}, Backend: "file",
		Index: &Index{Path: filepath.Join(dir, "index.json")}}
	for i := 0; ; i++ {
		tag := "AB"[i%2]
		_ = a.Save(context.Background(), "default", "claude", sdk.APIKey(bigValue(tag)))
	}
}

func TestKillDuringWriteLeavesOldOrNew(t *testing.T) {
	dir := t.TempDir()
	a := &Accounts{Store: &store.File{Dir: filepath.Join(dir, "credentials")}, Backend: "file",
		Index: &Index{Path: filepath.Join(dir, "index.json")}}
	ctx := context.Background()
	if err := a.Save(ctx, "default", "claude", sdk.APIKey(bigValue('A'))); err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 15; round++ {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), "TEROK_KILL_TEST_DIR="+dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(20+rand.IntN(80)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()

		c, err := a.Store.Get(ctx, "default", "claude")
		if err != nil {
			t.Fatalf("round %d: the credential is unreadable after kill -9: %v", round, err)
		}
		if k := c.Get("key"); k != bigValue('A') && k != bigValue('B') {
			t.Fatalf("round %d: the credential is neither the old nor the new value (%d bytes)", round, len(k))
		}
		entries, err := a.Index.Load()
		if err != nil || len(entries) != 1 {
			t.Fatalf("round %d: index after kill -9: %+v, %v", round, entries, err)
		}
	}
	// Killed writers leave temp files, with a secret in them; the next write
	// removes them.
	if err := a.Save(ctx, "default", "claude", sdk.APIKey("final")); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{dir, filepath.Join(dir, "credentials")} {
		if left, _ := filepath.Glob(filepath.Join(d, ".*tmp*")); len(left) > 0 {
			t.Errorf("temp files left after a clean write: %v", left)
		}
	}
}
