package pluginhost

import (
	"archive/tar"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/internal/archivetest"
)

func TestExtractPlugin(t *testing.T) {
	bin := archivetest.Entry{Name: "terok-provider-acme", Body: "#!binary"}
	for _, c := range []struct {
		name    string
		archive string
		data    func(t *testing.T) []byte
		want    string // error substring; "" = ok
	}{
		{"tar at root", "terok-provider-acme.tar.gz", func(t *testing.T) []byte {
			return archivetest.TarGz(t, bin, archivetest.Entry{Name: "README.md", Body: "hi"}, archivetest.Entry{Name: "LICENSE", Body: "MIT"})
		}, ""},
		{"tar in one dir", "terok-provider-acme.tar.gz", func(t *testing.T) []byte {
			return archivetest.TarGz(t, archivetest.Entry{Name: "acme_1.0/", Type: tar.TypeDir}, archivetest.Entry{Name: "acme_1.0/terok-provider-acme", Body: "x"})
		}, ""},
		{"zip", "terok-provider-acme.zip", func(t *testing.T) []byte {
			return archivetest.Zip(t, bin, archivetest.Entry{Name: "README.md", Body: "x"})
		}, ""},
		{"traversal", "terok-provider-acme.tar.gz", func(t *testing.T) []byte {
			return archivetest.TarGz(t, bin, archivetest.Entry{Name: "../../.bashrc", Body: "evil"})
		}, "points outside it"},
		{"traversal in zip", "terok-provider-acme.zip", func(t *testing.T) []byte {
			return archivetest.Zip(t, bin, archivetest.Entry{Name: "x/../../evil", Body: "evil"})
		}, "points outside it"},
		{"absolute", "terok-provider-acme.tar.gz", func(t *testing.T) []byte {
			return archivetest.TarGz(t, bin, archivetest.Entry{Name: "/etc/cron.d/evil", Body: "evil"})
		}, `entry named "/etc/cron.d/evil"`},
		{"symlinked plugin", "terok-provider-acme.tar.gz", func(t *testing.T) []byte {
			return archivetest.TarGz(t, archivetest.Entry{Name: "terok-provider-acme", Type: tar.TypeSymlink, Link: "/usr/bin/python3"})
		}, "is a link or special file"},
		{"hard link as the plugin", "terok-provider-acme.tar.gz", func(t *testing.T) []byte {
			return archivetest.TarGz(t, archivetest.Entry{Name: "terok-provider-acme", Type: tar.TypeLink, Link: "/etc/passwd"})
		}, "is a link or special file"},
		{"symlinked plugin in zip", "terok-provider-acme.zip", func(t *testing.T) []byte {
			return archivetest.Zip(t, archivetest.Entry{Name: "terok-provider-acme", Type: tar.TypeSymlink, Link: "/etc/passwd"})
		}, "is a link or special file"},
		{"two plugins", "terok-provider-acme.tar.gz", func(t *testing.T) []byte {
			return archivetest.TarGz(t, bin, archivetest.Entry{Name: "terok-provider-other", Body: "y"})
		}, "more than one plugin binary"},
		{"no plugin", "terok-provider-acme.tar.gz", func(t *testing.T) []byte {
			return archivetest.TarGz(t, archivetest.Entry{Name: "README.md", Body: "x"})
		}, "holds no terok-provider-NAME"},
		{"plugin too deep", "terok-provider-acme.tar.gz", func(t *testing.T) []byte {
			return archivetest.TarGz(t, archivetest.Entry{Name: "a/b/terok-provider-acme", Body: "x"})
		}, "holds no terok-provider-NAME"},
		{"not gzip", "terok-provider-acme.tar.gz", func(*testing.T) []byte { return []byte("plain text") }, "not a gzip archive"},
		{"not zip", "terok-provider-acme.zip", func(*testing.T) []byte { return []byte("plain text") }, "not a valid zip archive"},
		{"other archivetest.Platform", "terok-provider-acme_1.0.0_windows_arm64.zip", func(t *testing.T) []byte { return archivetest.Zip(t, bin) }, "is built for windows/arm64"},
		{"this archivetest.Platform", "terok-provider-acme_1.0.0_" + archivetest.Platform + ".tar.gz", func(t *testing.T) []byte { return archivetest.TarGz(t, bin) }, ""},
		{"archive named for another plugin", "terok-provider-acme_1.0.0_" + archivetest.Platform + ".tar.gz", func(t *testing.T) []byte {
			return archivetest.TarGz(t, archivetest.Entry{Name: "terok-provider-claude", Body: "evil"})
		}, "holds terok-provider-claude, not terok-provider-acme"},
		{"zip named for another plugin", "terok-provider-acme.zip", func(t *testing.T) []byte {
			return archivetest.Zip(t, archivetest.Entry{Name: "acme/terok-provider-codex", Body: "evil"})
		}, "holds terok-provider-codex, not terok-provider-acme"},
		{"archive named for no plugin", "release.tar.gz", func(t *testing.T) []byte { return archivetest.TarGz(t, bin) }, "is not named terok-provider-NAME_VERSION_OS_ARCH.tar.gz"},
		{"a binary", "terok-provider-acme", func(*testing.T) []byte { return []byte("bin") }, ""},
		{"neither", "acme.exe", func(*testing.T) []byte { return []byte("bin") }, "neither a plugin binary"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := extractPlugin(&release{name: c.archive, data: c.data(t)})
			if c.want == "" {
				if err != nil || p.name != "acme" {
					t.Fatalf("extract = %+v, %v", p, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("extract = %v, want an error containing %q", err, c.want)
			}
		})
	}
}

func TestParseSums(t *testing.T) {
	good := archivetest.SumLine("a.tar.gz", []byte("a")) + strings.ToUpper(archivetest.SumLine("B.ZIP", []byte("b"))[:64]) + " *b.zip\n\n"
	m, err := parseSums([]byte(good))
	if err != nil || len(m) != 2 || m["b.zip"] != strings.ToLower(m["b.zip"]) {
		t.Fatalf("parseSums(good) = %v, %v", m, err)
	}
	for _, bad := range []string{
		"nothex  a.tar.gz\n",
		"abcd  a.tar.gz\n",
		archivetest.SumLine("a", []byte("a"))[:64] + "\n",
		archivetest.SumLine("../a.tar.gz", []byte("a")),
		archivetest.SumLine("a.tar.gz", []byte("a")) + archivetest.SumLine("a.tar.gz", []byte("b")),
	} {
		if _, err := parseSums([]byte(bad)); err == nil {
			t.Errorf("parseSums(%q) accepted it", bad)
		}
	}
}

func FuzzExtractPlugin(f *testing.F) {
	f.Add("terok-provider-acme.tar.gz", archivetest.TarGz(f, archivetest.Entry{Name: "terok-provider-acme", Body: "x"}, archivetest.Entry{Name: "../x", Body: "y"}))
	f.Add("terok-provider-acme_1_"+archivetest.Platform+".zip", archivetest.Zip(f, archivetest.Entry{Name: "terok-provider-acme", Body: "x"}))
	f.Add("terok-provider-acme.tar.gz", archivetest.TarGz(f, archivetest.Entry{Name: "terok-provider-claude", Body: "x"}))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		p, err := extractPlugin(&release{name: name, data: data})
		if err == nil && (p == nil || !strings.HasPrefix(Prefix+p.name, Prefix) || strings.ContainsAny(p.name, "/.")) {
			t.Errorf("extracted %+v", p)
		}
		// Whatever is inside, what installs is what the name says.
		if want, ok := archiveProvider(name); err == nil && ok && (strings.HasSuffix(name, ".zip") || strings.HasSuffix(name, ".gz")) && p.name != want {
			t.Errorf("%s installed %s", name, p.name)
		}
	})
}

func FuzzParseSums(f *testing.F) {
	f.Add([]byte(archivetest.SumLine("a.tar.gz", []byte("a"))))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseSums(data)
		if err != nil {
			return
		}
		for name, sum := range m {
			if len(sum) != 64 || strings.ContainsAny(name, "/\\") || name == "" {
				t.Errorf("accepted %q %q", name, sum)
			}
		}
	})
}
