package account

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestWrittenIsPerSetAndShared(t *testing.T) {
	ctx := context.Background()
	w := &Written{Path: filepath.Join(t.TempDir(), "state", "written.json")}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(w.Record(ctx, "a", "p", "p-dir", []string{"/m/x", "/m/shared"}))
	must(w.Record(ctx, "b", "p", "p-dir", []string{"/m/shared"}))
	got, err := w.Take(ctx, "a", "p")
	if err != nil || !reflect.DeepEqual(got, Cleanup{HostDir: "p-dir", Known: true, Created: []string{"/m/x"}}) {
		t.Errorf("a/p takes %+v, %v; a file set b also created stays", got, err)
	}
	if got, _ := w.Take(ctx, "a", "p"); got.Created != nil || got.Known {
		t.Errorf("taken twice: %+v", got)
	}
	if got, _ := w.Take(ctx, "b", "p"); !reflect.DeepEqual(got.Created, []string{"/m/shared"}) {
		t.Errorf("b/p takes %+v", got)
	}
}

// A provider without a shared dir is recorded as such, so logout does not
// start it to ask.
func TestWrittenKnowsAProviderHasNoDir(t *testing.T) {
	ctx := context.Background()
	w := &Written{Path: filepath.Join(t.TempDir(), "written.json")}
	if err := w.Record(ctx, "default", "gh", "", nil); err != nil {
		t.Fatal(err)
	}
	if got, err := w.Take(ctx, "default", "gh"); err != nil || !got.Known || got.HostDir != "" {
		t.Errorf("Take = %+v, %v; want known, no dir", got, err)
	}
}

// A record an earlier terok wrote (no host_dirs) still gives its files;
// the dir is unknown, so logout may ask the provider.
func TestWrittenReadsTheEarlierRecord(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "written.json")
	if err := os.WriteFile(path, []byte(`{"version":1,"files":{"default/vibe":["/m/vibe/.env"]}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := (&Written{Path: path}).Take(ctx, "default", "vibe")
	if err != nil || got.Known || !reflect.DeepEqual(got.Created, []string{"/m/vibe/.env"}) {
		t.Errorf("Take = %+v, %v", got, err)
	}
}

func TestWrittenDamagedOrHostileRecord(t *testing.T) {
	for name, content := range map[string]string{
		"not json":  "{",
		"null":      "null",
		"no files":  `{"version":1}`,
		"wrong":     `{"version":1,"files":{"default/p":"x"}}`,
		"dirs only": `{"version":1,"files":null,"host_dirs":{"default/p":"../.."}}`,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "written.json")
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := (&Written{Path: path}).Take(context.Background(), "default", "p")
			if err != nil || got.Known || got.Created != nil {
				t.Errorf("Take = %+v, %v; a damaged record is read as empty", got, err)
			}
		})
	}
}
