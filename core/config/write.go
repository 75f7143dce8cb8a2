package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"

	"github.com/terok-ai/terok-auth/core/safefile"
)

// SetInFile sets one setting in the config file at path, keeping the rest
// of it (other settings, comments) as it was, and creates the file if
// there is none. A file that does not parse is left alone: the user fixes
// it first, rather than lose what it held.
func SetInFile(ctx context.Context, path, key, value string) error {
	var setting *Setting
	for i := range settings {
		if settings[i].Key == key {
			setting = &settings[i]
		}
	}
	if setting == nil {
		return fmt.Errorf("unknown setting %q (known: %s)", key, knownKeys())
	}
	if setting.validate != nil {
		if err := setting.validate(value); err != nil {
			return fmt.Errorf("%s %q %w", key, value, err)
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return safefile.Locked(ctx, path, func() error {
		data, err := safefile.ReadFile(path, maxFileSize)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if _, err := Parse(path, data); err != nil {
			return fmt.Errorf("the config file has errors, so it was not changed; fix them first: %w", err)
		}
		var doc yaml.Node
		if len(bytes.TrimSpace(data)) > 0 {
			if err := yaml.Unmarshal(data, &doc); err != nil {
				return err
			}
		}
		if doc.Kind == 0 {
			doc = yaml.Node{Kind: yaml.DocumentNode}
		}
		if len(doc.Content) == 0 || doc.Content[0].Tag == "!!null" {
			doc.Content = []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}
		}
		root := doc.Content[0]
		v := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value}
		found := false
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value == key {
				v.HeadComment, v.LineComment = root.Content[i+1].HeadComment, root.Content[i+1].LineComment
				root.Content[i+1], found = v, true
			}
		}
		if !found {
			root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
		}
		var out bytes.Buffer
		enc := yaml.NewEncoder(&out)
		enc.SetIndent(2)
		if err := enc.Encode(&doc); err != nil {
			return err
		}
		got, err := Parse(path, out.Bytes())
		if err != nil {
			return fmt.Errorf("could not write %s = %q into %s (%w); it was not changed", key, value, path, err)
		}
		if got[key] != value {
			return fmt.Errorf("could not write %s = %q into %s; it was not changed", key, value, path)
		}
		return safefile.WriteFile(path, out.Bytes(), 0o600)
	})
}
