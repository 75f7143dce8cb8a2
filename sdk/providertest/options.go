package providertest

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/terok-ai/terok-auth/sdk"
)

// Option gives the suite what it cannot make up: inputs that should
// succeed. Without them only the failure paths of AcceptKey and Capture are
// checked, and the suite says so in the test log.
type Option func(*config)

type config struct {
	keys     []string
	captures []sample
	errs     []error
}

type sample struct {
	name  string
	mode  sdk.Mode
	files map[string][]byte
}

// WithKey gives a key AcceptKey must take. The suite checks the credential
// and key file paths it returns, and that the key never appears in the
// provider's logs.
func WithKey(key string) Option {
	return func(c *config) { c.keys = append(c.keys, key) }
}

// WithCapture gives files (as a CaptureRequest carries them) from which
// Capture in mode must capture a credential. The suite checks the
// credential's expiry, the state file paths, that a refresh token in the
// files is kept, and that no captured secret appears in the logs.
func WithCapture(mode sdk.Mode, files map[string][]byte) Option {
	return func(c *config) {
		c.captures = append(c.captures, sample{name: fmt.Sprintf("sample %d", len(c.captures)+1), mode: mode, files: files})
	}
}

// WithGolden uses every case of a CaptureGolden directory whose want.json
// expects a credential as a WithCapture sample for mode.
func WithGolden(mode sdk.Mode, dir string) Option {
	return func(c *config) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			c.errs = append(c.errs, fmt.Errorf("WithGolden: %w", err))
			return
		}
		for _, e := range entries {
			if !e.IsDir() {
				continue
			}
			caseDir := filepath.Join(dir, e.Name())
			want, err := readGolden(filepath.Join(caseDir, "want.json"))
			if err != nil {
				c.errs = append(c.errs, fmt.Errorf("WithGolden: %w", err))
				continue
			}
			if want.Error != "" {
				continue
			}
			files, err := ReadFiles(filepath.Join(caseDir, "files"))
			if err != nil {
				c.errs = append(c.errs, fmt.Errorf("WithGolden: %w", err))
				continue
			}
			c.captures = append(c.captures, sample{name: e.Name(), mode: mode, files: files})
		}
	}
}

func newConfig(opts []Option) *config {
	c := &config{}
	for _, o := range opts {
		o(c)
	}
	return c
}
