package yamlprov

import (
	"encoding/json"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// TestJSONSchemaMatchesTheLoader keeps docs/provider.schema.json in step
// with the fields Load knows, object by object.
func TestJSONSchemaMatchesTheLoader(t *testing.T) {
	data, err := os.ReadFile("../../docs/provider.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Properties map[string]json.RawMessage `json:"properties"`
		Defs       map[string]struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatal(err)
	}
	sub := func(name string) map[string]json.RawMessage {
		var s struct {
			Properties map[string]json.RawMessage `json:"properties"`
		}
		_ = json.Unmarshal(schema.Properties[name], &s)
		return s.Properties
	}
	for _, c := range []struct {
		what   string
		schema map[string]json.RawMessage
		typ    reflect.Type
	}{
		{"file", schema.Properties, reflect.TypeOf(File{})},
		{"key", sub("key"), reflect.TypeOf(KeySpec{})},
		{"auth_key", sub("auth_key"), reflect.TypeOf(AuthKey{})},
		{"capture rule", schema.Defs["captureRule"].Properties, reflect.TypeOf(CaptureRule{})},
		{"inject", schema.Defs["injectSpec"].Properties, reflect.TypeOf(InjectSpec{})},
		{"refresh", schema.Defs["refreshSpec"].Properties, reflect.TypeOf(RefreshSpec{})},
		{"proxy", schema.Defs["proxySpec"].Properties, reflect.TypeOf(ProxySpec{})},
	} {
		var inSchema, inGo []string
		for k := range c.schema {
			inSchema = append(inSchema, k)
		}
		for i := 0; i < c.typ.NumField(); i++ {
			inGo = append(inGo, c.typ.Field(i).Tag.Get("yaml"))
		}
		sort.Strings(inSchema)
		sort.Strings(inGo)
		if strings.Join(inSchema, ",") != strings.Join(inGo, ",") {
			t.Errorf("%s: schema has %v, the loader %v", c.what, inSchema, inGo)
		}
	}
}
