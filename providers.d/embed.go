// Package providersd holds the YAML providers bundled into the terok
// binary. Each *.yaml file describes one provider; see
// docs/yaml-providers.md for the schema.
package providersd

import "embed"

// FS holds the bundled provider files.
//
//go:embed *.yaml
var FS embed.FS
