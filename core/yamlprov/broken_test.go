package yamlprov

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/sdk/providertest"
)

// TestBrokenFiles loads each file in testdata/broken and compares the whole
// error with the .want file beside it: what a platform team would read.
func TestBrokenFiles(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "broken", "*.yaml"))
	if len(files) < 20 {
		t.Fatalf("only %d broken files", len(files))
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".yaml")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Load(filepath.Base(path), data)
			if err == nil {
				t.Fatal("loaded without error")
			}
			wantPath := strings.TrimSuffix(path, ".yaml") + ".want"
			if os.Getenv(providertest.UpdateEnv) == "1" {
				if err := os.WriteFile(wantPath, []byte(err.Error()+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, rerr := os.ReadFile(wantPath)
			if rerr != nil {
				t.Fatalf("%v (run with %s=1 to create it)", rerr, providertest.UpdateEnv)
			}
			if got := err.Error() + "\n"; got != string(want) {
				t.Errorf("error differs\n got: %s\nwant: %s", got, want)
			}
		})
	}
}
