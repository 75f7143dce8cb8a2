package names_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/usage"
)

var (
	goodProviders = []string{"claude", "gh", "a", "mistral-vibe", "my_tool2", "x" + strings.Repeat("1", 62)}
	badProviders  = []string{"", "Claude", "1gh", "-gh", "_gh", "g h", "gh/x", "../x", "gh.x", "é", "gh\x00", "gh\n", "x" + strings.Repeat("1", 63)}
	goodSets      = []string{"default", "work", "a.b_c-9", "0", "Work", strings.Repeat("x", 64)}
	badSets       = []string{"", "a b", "a/b", "../x", ".hidden", "-x", "é", "a\x00b", "a\nb", strings.Repeat("x", 65)}
)

func TestParseProvider(t *testing.T) {
	for _, s := range goodProviders {
		if got, err := names.ParseProvider(s); err != nil || string(got) != s {
			t.Errorf("ParseProvider(%q) = %q, %v", s, got, err)
		}
	}
	for _, s := range badProviders {
		got, err := names.ParseProvider(s)
		if err == nil || got != "" || !usage.Is(err) {
			t.Errorf("ParseProvider(%q) = %q, %v; want a usage error", s, got, err)
			continue
		}
		if want := `invalid provider name "`; !strings.HasPrefix(err.Error(), want) {
			t.Errorf("ParseProvider(%q): %v, want it to start %s", s, err, want)
		}
	}
}

func TestParseProvidersStopsAtTheFirstBadName(t *testing.T) {
	got, err := names.ParseProviders([]string{"claude", "gh"})
	if err != nil || len(got) != 2 || got[0] != "claude" || got[1] != "gh" {
		t.Errorf("ParseProviders = %v, %v", got, err)
	}
	if got, err := names.ParseProviders([]string{"claude", "Bad", "gh"}); err == nil || got != nil || !strings.Contains(err.Error(), `"Bad"`) {
		t.Errorf("ParseProviders with a bad name = %v, %v", got, err)
	}
}

func TestParseSet(t *testing.T) {
	for _, s := range goodSets {
		if got, err := names.ParseSet(s); err != nil || string(got) != s {
			t.Errorf("ParseSet(%q) = %q, %v", s, got, err)
		}
	}
	for _, s := range badSets {
		got, err := names.ParseSet(s)
		if err == nil || got != "" || !usage.Is(err) {
			t.Errorf("ParseSet(%q) = %q, %v; want a usage error", s, got, err)
			continue
		}
		if want := `invalid --set "`; !strings.HasPrefix(err.Error(), want) {
			t.Errorf("ParseSet(%q): %v, want it to start %s", s, err, want)
		}
	}
}

// A name read back from a file is checked as one from the command line:
// a hand-edited or planted index cannot hand the store a name with a '/'.
func TestDecodingChecks(t *testing.T) {
	type entry struct {
		Set      names.Set      `json:"set"`
		Provider names.Provider `json:"provider"`
	}
	var e entry
	if err := json.Unmarshal([]byte(`{"set":"work","provider":"gh"}`), &e); err != nil || e.Set != "work" || e.Provider != "gh" {
		t.Errorf("good entry: %+v, %v", e, err)
	}
	for _, s := range badProviders {
		data, _ := json.Marshal(map[string]string{"set": "work", "provider": s})
		var e entry
		if err := json.Unmarshal(data, &e); err == nil {
			t.Errorf("provider %q decoded: %+v", s, e)
		}
	}
	for _, s := range badSets {
		data, _ := json.Marshal(map[string]string{"set": s, "provider": "gh"})
		var e entry
		if err := json.Unmarshal(data, &e); err == nil {
			t.Errorf("set %q decoded: %+v", s, e)
		}
	}
	// As a map key too.
	var m map[names.Provider]int
	if err := json.Unmarshal([]byte(`{"gh":1,"../x":2}`), &m); err == nil {
		t.Errorf("map with a bad key decoded: %v", m)
	}
}

func TestStrings(t *testing.T) {
	if got := names.Strings([]names.Provider{"a", "b"}); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Errorf("Strings = %v", got)
	}
	if got := names.Strings[names.Set](nil); len(got) != 0 {
		t.Errorf("Strings(nil) = %v", got)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range append(append(goodProviders, badProviders...), append(goodSets, badSets...)...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if p, err := names.ParseProvider(s); err == nil {
			if string(p) != s || strings.ContainsAny(s, "/.\x00 \n") || s == "" {
				t.Errorf("ParseProvider accepted %q", s)
			}
			var back names.Provider
			if err := back.UnmarshalText([]byte(s)); err != nil || back != p {
				t.Errorf("UnmarshalText(%q) disagrees with ParseProvider: %v", s, err)
			}
		}
		if set, err := names.ParseSet(s); err == nil {
			if string(set) != s || strings.ContainsAny(s, "/\x00 \n") || strings.HasPrefix(s, ".") || s == "" {
				t.Errorf("ParseSet accepted %q", s)
			}
		}
	})
}
