package yamlprov

import (
	"strings"
	"testing"
)

// A YAML provider cannot declare the setup_token mode: it would store the
// token as an api_key, which is what the mode exists to avoid.
func TestSetupTokenModeIsForPlugins(t *testing.T) {
	_, err := Load("x.yaml", []byte("name: x\nlabel: X\nmodes: [setup_token]\n"))
	if err == nil || !strings.Contains(err.Error(), "setup_token") || !strings.Contains(err.Error(), "plugins") {
		t.Errorf("err = %v, want the mode refused as one for plugins", err)
	}
}
