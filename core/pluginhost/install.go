package pluginhost

// Installing a plugin from a release: fetch (https only), verify against
// SHA256SUMS, take the one plugin binary out of the archive, place it in the
// user's plugin directory and pin it. Everything read here is untrusted:
// the archive, its entry names and the checksum file.

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/terok-ai/terok-auth/core/usage"
	"github.com/terok-ai/terok-auth/sdk"
)

// Bounds on what a release may make terok read or write.
const (
	maxDownload   = 256 << 20 // an archive or a binary
	maxSums       = 1 << 20   // a SHA256SUMS file
	maxEntries    = 10000     // entries in an archive
	maxPluginSize = 256 << 20 // the extracted plugin
	checksumsName = "SHA256SUMS"
)

// errRelease marks a release that does not verify or is not laid out as
// docs/plugin-release.md says; nothing was installed.
var errRelease = errors.New("release refused")

// release is a source once fetched: the bytes of an archive or a binary,
// and the SHA256SUMS that vouches for them.
type release struct {
	name string // file name, as SHA256SUMS lists it
	data []byte
	sums []byte // nil: none found (allowed only for a local binary)
}

// fetchRelease reads source (a path or an https URL) and its checksum file:
// sums if given, else SHA256SUMS beside the source.
func fetchRelease(ctx context.Context, client *http.Client, source, sums string) (*release, error) {
	r := &release{}
	var err error
	if u, ok := httpsURL(source); ok {
		r.name = path.Base(u.Path)
		if r.data, err = download(ctx, client, u.String(), maxDownload); err != nil {
			return nil, err
		}
		if sums == "" {
			sibling := *u
			sibling.Path = path.Join(path.Dir(u.Path), checksumsName)
			sibling.RawQuery, sibling.Fragment = "", ""
			sums = sibling.String()
		}
	} else {
		if strings.Contains(source, "://") {
			return nil, usage.Errorf("%s: only https URLs are fetched (a plain http download could be changed on the way)", source)
		}
		r.name = filepath.Base(source)
		if r.data, err = readBounded(source, maxDownload); err != nil {
			return nil, err
		}
		if sums == "" {
			local := filepath.Join(filepath.Dir(source), checksumsName)
			if _, err := os.Stat(local); err == nil {
				sums = local
			}
		}
	}
	switch u, ok := httpsURL(sums); {
	case sums == "":
	case ok:
		if r.sums, err = download(ctx, client, u.String(), maxSums); err != nil {
			return nil, fmt.Errorf("%w: the checksum file: %w", errRelease, err)
		}
	default:
		if r.sums, err = readBounded(sums, maxSums); err != nil {
			return nil, fmt.Errorf("%w: the checksum file: %w", errRelease, err)
		}
	}
	return r, nil
}

func httpsURL(s string) (*url.URL, bool) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, false
	}
	return u, true
}

func readBounded(name string, limit int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: %s is larger than %d MiB", errRelease, name, limit>>20)
	}
	return data, nil
}

func download(ctx context.Context, client *http.Client, u string, limit int64) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", u, err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download %s: %s", u, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", u, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: %s is larger than %d MiB", errRelease, u, limit>>20)
	}
	return data, nil
}

// httpsOnly refuses a redirect away from https.
func httpsOnly(req *http.Request, via []*http.Request) error {
	if req.URL.Scheme != "https" {
		return fmt.Errorf("refusing a redirect to %s: only https is fetched", req.URL.Redacted())
	}
	if len(via) >= 10 {
		return errors.New("too many redirects")
	}
	return nil
}

// parseSums reads a SHA256SUMS file (sha256sum's output: "HEX  NAME" or
// "HEX *NAME" per line) into name → lower-case hex.
func parseSums(data []byte) (map[string]string, error) {
	sums := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		sum, name, ok := strings.Cut(line, " ")
		name = strings.TrimPrefix(strings.TrimPrefix(name, " "), "*")
		raw, err := hex.DecodeString(sum)
		if !ok || err != nil || len(raw) != sha256.Size || name == "" || strings.ContainsAny(name, "/\\") {
			return nil, fmt.Errorf("%w: %s line %d is not \"SHA256  FILE\"", errRelease, checksumsName, n)
		}
		if prev, dup := sums[name]; dup && prev != strings.ToLower(sum) {
			return nil, fmt.Errorf("%w: %s lists %s twice with different sums", errRelease, checksumsName, name)
		}
		sums[name] = strings.ToLower(sum)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", errRelease, checksumsName, err)
	}
	return sums, nil
}

// verify checks r's bytes against its SHA256SUMS entry. A release without
// a checksum file passes only when allowMissing (a local binary: the user
// vouches for it, as with `plugins trust`).
func (r *release) verify(allowMissing bool) (string, error) {
	got := sha256.Sum256(r.data)
	sum := hex.EncodeToString(got[:])
	if r.sums == nil {
		if allowMissing {
			return sum, nil
		}
		return "", fmt.Errorf("%w: no %s beside %s: a release archive installs only when a checksum file vouches for it (give it with --checksums)", errRelease, checksumsName, r.name)
	}
	sums, err := parseSums(r.sums)
	if err != nil {
		return "", err
	}
	want, ok := sums[r.name]
	if !ok {
		return "", fmt.Errorf("%w: %s has no entry for %s", errRelease, checksumsName, r.name)
	}
	if want != sum {
		return "", fmt.Errorf("%w: %s does not match %s (sha256 %s, listed %s): the file was changed or damaged on the way", errRelease, r.name, checksumsName, sum, want)
	}
	return sum, nil
}

// pluginFile is the plugin binary taken out of a release.
type pluginFile struct {
	name string // provider name
	data []byte
}

// extractPlugin takes the plugin binary out of r: r itself when it is a
// binary, else the one terok-provider-NAME entry of a .tar.gz or .zip.
func extractPlugin(r *release) (*pluginFile, error) {
	switch {
	case strings.HasSuffix(r.name, ".tar.gz") || strings.HasSuffix(r.name, ".tgz"):
		return fromArchive(r, fromTarGz)
	case strings.HasSuffix(r.name, ".zip"):
		return fromArchive(r, fromZip)
	}
	name, ok := releasePluginName(r.name)
	if !ok {
		return nil, usage.Errorf("%s is neither a plugin binary (%sNAME) nor a .tar.gz or .zip release archive", r.name, Prefix)
	}
	return &pluginFile{name: name, data: r.data}, nil
}

// fromArchive takes the plugin out of the archive r with read, and makes
// sure it is the plugin the archive is named for: SHA256SUMS vouches for
// the archive's name, so an archive released as terok-provider-acme that
// holds terok-provider-claude would otherwise install claude on acme's
// checksum.
func fromArchive(r *release, read func([]byte) (*pluginFile, error)) (*pluginFile, error) {
	want, ok := archiveProvider(r.name)
	if !ok {
		ext := ".zip"
		if !strings.HasSuffix(r.name, ext) {
			ext = ".tar.gz"
		}
		return nil, fmt.Errorf("%w: %s is not named %sNAME_VERSION_OS_ARCH%s: an archive installs only the plugin it is named for (see docs/plugin-release.md)",
			errRelease, r.name, Prefix, ext)
	}
	if err := checkPlatform(r.name); err != nil {
		return nil, err
	}
	p, err := read(r.data)
	if err != nil {
		return nil, err
	}
	if p.name != want {
		return nil, fmt.Errorf("%w: %s holds %s%s, not %s%s: an archive installs only the plugin it is named for",
			errRelease, r.name, Prefix, p.name, Prefix, want)
	}
	return p, nil
}

// archiveProvider is the provider an archive is named for:
// terok-provider-NAME_VERSION_OS_ARCH.tar.gz (or terok-provider-NAME.zip)
// is NAME's.
func archiveProvider(archive string) (string, bool) {
	base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(archive, ".tar.gz"), ".tgz"), ".zip")
	base, _, _ = strings.Cut(base, "_")
	return releasePluginName(base)
}

func releasePluginName(base string) (string, bool) {
	name, ok := strings.CutPrefix(base, Prefix)
	return name, ok && sdk.ValidName(name)
}

// checkPlatform refuses an archive named for another OS or architecture
// (terok-provider-NAME_VERSION_OS_ARCH.tar.gz), which would install and
// then fail with "exec format error".
func checkPlatform(archive string) error {
	base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(archive, ".tar.gz"), ".tgz"), ".zip")
	parts := strings.Split(base, "_")
	if len(parts) < 4 {
		return nil // not named as the layout says: nothing to check
	}
	goos, goarch := parts[len(parts)-2], parts[len(parts)-1]
	if knownOS[goos] && (goos != runtime.GOOS || goarch != runtime.GOARCH) {
		return fmt.Errorf("%w: %s is built for %s/%s, this machine is %s/%s; pick the archive for %s_%s", errRelease, archive, goos, goarch, runtime.GOOS, runtime.GOARCH, runtime.GOOS, runtime.GOARCH)
	}
	return nil
}

var knownOS = map[string]bool{"linux": true, "darwin": true, "freebsd": true, "openbsd": true, "netbsd": true, "windows": true}

// entryCandidate checks an archive entry's name and says whether it is the
// plugin binary (at the archive's root or in one top-level directory).
// An absolute name or one with ".." refuses the whole archive: nothing is
// extracted by its name, but an archive carrying one was not made by a
// release tool.
func entryCandidate(name string) (string, bool, error) {
	if name == "" || strings.HasPrefix(name, "/") || strings.Contains(name, `\`) || strings.ContainsRune(name, 0) {
		return "", false, fmt.Errorf("%w: the archive has an entry named %q", errRelease, name)
	}
	for _, el := range strings.Split(name, "/") {
		if el == ".." {
			return "", false, fmt.Errorf("%w: the archive has an entry %q that points outside it", errRelease, name)
		}
	}
	clean := strings.TrimSuffix(path.Clean(name), "/")
	if strings.Count(clean, "/") > 1 {
		return "", false, nil
	}
	p, ok := releasePluginName(path.Base(clean))
	return p, ok, nil
}

// pick keeps the one plugin binary of an archive.
type pick struct{ found *pluginFile }

func (p *pick) add(name string, regular bool, size int64, open func() (io.Reader, error)) error {
	prov, ok, err := entryCandidate(name)
	if err != nil || !ok {
		return err
	}
	if !regular {
		return fmt.Errorf("%w: %s in the archive is a link or special file, not the plugin binary itself", errRelease, name)
	}
	if p.found != nil {
		return fmt.Errorf("%w: the archive holds more than one plugin binary (%s%s and %s)", errRelease, Prefix, p.found.name, name)
	}
	if size > maxPluginSize || size < 0 {
		return fmt.Errorf("%w: %s in the archive is larger than %d MiB", errRelease, name, maxPluginSize>>20)
	}
	rd, err := open()
	if err != nil {
		return fmt.Errorf("%w: %s: %w", errRelease, name, err)
	}
	data, err := io.ReadAll(io.LimitReader(rd, maxPluginSize+1))
	if err != nil {
		return fmt.Errorf("%w: %s: %w", errRelease, name, err)
	}
	if int64(len(data)) > maxPluginSize {
		return fmt.Errorf("%w: %s in the archive is larger than %d MiB", errRelease, name, maxPluginSize>>20)
	}
	p.found = &pluginFile{name: prov, data: data}
	return nil
}

func (p *pick) result() (*pluginFile, error) {
	if p.found == nil {
		return nil, fmt.Errorf("%w: the archive holds no %sNAME binary at its root (see docs/plugin-release.md)", errRelease, Prefix)
	}
	return p.found, nil
}

func fromTarGz(data []byte) (*pluginFile, error) {
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: not a gzip archive: %w", errRelease, err)
	}
	tr := tar.NewReader(gz)
	var p pick
	for n := 0; ; n++ {
		if n > maxEntries {
			return nil, fmt.Errorf("%w: the archive has more than %d entries", errRelease, maxEntries)
		}
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: not a valid tar archive: %w", errRelease, err)
		}
		if h.Typeflag == tar.TypeDir {
			if _, _, err := entryCandidate(h.Name); err != nil {
				return nil, err
			}
			continue
		}
		if err := p.add(h.Name, h.Typeflag == tar.TypeReg, h.Size, func() (io.Reader, error) { return tr, nil }); err != nil {
			return nil, err
		}
	}
	return p.result()
}

func fromZip(data []byte) (*pluginFile, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%w: not a valid zip archive: %w", errRelease, err)
	}
	if len(zr.File) > maxEntries {
		return nil, fmt.Errorf("%w: the archive has more than %d entries", errRelease, maxEntries)
	}
	var p pick
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			if _, _, err := entryCandidate(f.Name); err != nil {
				return nil, err
			}
			continue
		}
		size := int64(f.UncompressedSize64)
		if f.UncompressedSize64 > maxPluginSize {
			size = maxPluginSize + 1
		}
		open := func() (io.Reader, error) { return f.Open() }
		if err := p.add(f.Name, f.Mode().IsRegular(), size, open); err != nil {
			return nil, err
		}
	}
	return p.result()
}

// placePlugin writes the plugin into dir (created 0700 when missing) as
// terok-provider-NAME, atomically: a failure leaves no file behind and an
// existing plugin of that name as it was. It returns the path.
func placePlugin(dir string, p *pluginFile) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create the plugin directory: %w", err)
	}
	dest := filepath.Join(dir, Prefix+p.name)
	tmp, err := os.CreateTemp(dir, "."+Prefix+p.name+".install-*")
	if err != nil {
		return "", err
	}
	done := false
	defer func() {
		if !done {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(p.data); err != nil {
		return "", err
	}
	if err := tmp.Chmod(0o755); err != nil {
		return "", err
	}
	if err := tmp.Sync(); err != nil {
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Rename(tmp.Name(), dest); err != nil {
		return "", err
	}
	done = true
	return dest, nil
}

// A Release is a plugin release fetched from a path or an https URL, with
// the SHA256SUMS that vouches for it. Everything in it is untrusted until
// Verify says otherwise, and the archive is not parsed before.
type Release struct{ r *release }

// FetchRelease reads source (a path or an https URL; a redirect must stay
// on https, see HTTPSOnly) and its checksum file: sums if given, else
// SHA256SUMS beside the source.
func FetchRelease(ctx context.Context, client *http.Client, source, sums string) (*Release, error) {
	r, err := fetchRelease(ctx, client, source, sums)
	if err != nil {
		return nil, err
	}
	return &Release{r: r}, nil
}

// Name is the file name of the source, as SHA256SUMS lists it.
func (r *Release) Name() string { return r.r.name }

// HasSums says a checksum file was found; only a bare plugin binary may
// install without one.
func (r *Release) HasSums() bool { return r.r.sums != nil }

// Verify checks the release against its checksum file and returns its
// sha256.
func (r *Release) Verify() (string, error) {
	_, isBinary := releasePluginName(r.r.name)
	return r.r.verify(isBinary)
}

// Plugin takes the one plugin binary out of a verified release.
func (r *Release) Plugin() (*PluginFile, error) {
	p, err := extractPlugin(r.r)
	if err != nil {
		return nil, err
	}
	return &PluginFile{p: p}, nil
}

// A PluginFile is the plugin binary taken out of a release.
type PluginFile struct{ p *pluginFile }

// Name is the provider's name: terok-provider-NAME.
func (p *PluginFile) Name() string { return p.p.name }

// Place writes the binary into dir, atomically, executable, and returns
// where.
func (p *PluginFile) Place(dir string) (string, error) { return placePlugin(dir, p.p) }

// HTTPSOnly is a CheckRedirect that refuses a redirect off https.
func HTTPSOnly(req *http.Request, via []*http.Request) error { return httpsOnly(req, via) }

// ChecksumsName is the checksum file's name beside a release.
const ChecksumsName = checksumsName
