package names_test

import (
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/core/names"
)

var goodHosts = []string{"github.com", "ghe.example.com", "gitlab.example.com:8443", "127.0.0.1:3000", "a", "x-y.z9"}

var badHosts = []string{
	"", "GitHub.com", "https://github.com", "github.com/", "github.com:", "github.com:0", "github.com:65536",
	"github.com:08", "github.com:1:2", "-a.com", "a-.com", "a..com", ".a", "a.", "[::1]:3000", "::1", "a b",
	"a\nb", "a\x00", "user@github.com", "a/b", "gh_x.com", strings.Repeat("a", 64) + ".com",
	strings.Repeat("a.", 130) + "a",
}

func TestParseHost(t *testing.T) {
	for _, s := range goodHosts {
		if h, err := names.ParseHost(s); err != nil || string(h) != s {
			t.Errorf("ParseHost(%q) = %q, %v; want it accepted", s, h, err)
		}
	}
	for _, s := range badHosts {
		if h, err := names.ParseHost(s); err == nil {
			t.Errorf("ParseHost(%q) = %q; want an error", s, h)
		} else if !strings.Contains(err.Error(), "not a URL") {
			t.Errorf("ParseHost(%q): %v; want the message to say what to give", s, err)
		}
	}
}

func TestSlots(t *testing.T) {
	gh := names.Provider("gh")
	if got := names.OnHost(gh, ""); got != gh || got.Base() != gh || got.Host() != "" {
		t.Errorf("OnHost(gh, \"\") = %q (%q, %q)", got, got.Base(), got.Host())
	}
	slot := names.OnHost(gh, "ghe.example.com:8443")
	if slot != "gh:ghe.example.com:8443" || slot.Base() != gh || slot.Host() != "ghe.example.com:8443" {
		t.Errorf("OnHost = %q (%q, %q)", slot, slot.Base(), slot.Host())
	}
	var back names.Provider
	if err := back.UnmarshalText([]byte(slot)); err != nil || back != slot {
		t.Errorf("UnmarshalText(%q) = %q, %v", slot, back, err)
	}
	for _, bad := range []string{"gh:", "gh:Bad", ":github.com", "gh:a/b", "gh:github.com@work", "Gh:github.com"} {
		if _, err := names.ParseSlot(bad); err == nil {
			t.Errorf("ParseSlot(%q) accepted", bad)
		}
		if err := back.UnmarshalText([]byte(bad)); err == nil {
			t.Errorf("UnmarshalText(%q) accepted", bad)
		}
	}
}

func TestParseTarget(t *testing.T) {
	for s, want := range map[string]names.Target{
		"claude":                      {Provider: "claude"},
		"claude@work":                 {Provider: "claude", Set: "work"},
		"gh:ghe.example.com":          {Provider: "gh:ghe.example.com"},
		"gh:ghe.example.com:8443@p.1": {Provider: "gh:ghe.example.com:8443", Set: "p.1"},
	} {
		if got, err := names.ParseTarget(s); err != nil || got != want {
			t.Errorf("ParseTarget(%q) = %+v, %v; want %+v", s, got, err, want)
		}
	}
	for _, bad := range []string{"", "@work", "claude@", "claude@-x", "claude@a@b", "gh:", "gh:Bad@work", "Claude", "claude@work/x", "gh@work:host"} {
		if got, err := names.ParseTarget(bad); err == nil {
			t.Errorf("ParseTarget(%q) = %+v; want an error", bad, got)
		}
	}
}

func FuzzParseTarget(f *testing.F) {
	for _, s := range append(append([]string{"gh:ghe.example.com@work", "claude@work"}, goodHosts...), badHosts...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if h, err := names.ParseHost(s); err == nil {
			if strings.ContainsAny(string(h), "/@ \n\x00[]ABCDEFGHIJKLMNOPQRSTUVWXYZ") || strings.Count(string(h), ":") > 1 {
				t.Errorf("ParseHost accepted %q", s)
			}
		}
		tg, err := names.ParseTarget(s)
		if err != nil {
			return
		}
		if strings.ContainsAny(string(tg.Provider), "@/ \n\x00") || tg.Provider.Base() == "" {
			t.Errorf("ParseTarget(%q) = %+v", s, tg)
		}
		if _, err := names.ParseSlot(string(tg.Provider)); err != nil {
			t.Errorf("ParseTarget(%q) gave slot %q that ParseSlot refuses: %v", s, tg.Provider, err)
		}
		if tg.Set != "" && !names.ValidSet(string(tg.Set)) {
			t.Errorf("ParseTarget(%q) gave set %q", s, tg.Set)
		}
	})
}
