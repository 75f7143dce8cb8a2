//go:build unix

package baotest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Without a server binary anywhere, the tests fail saying how to get one.
func TestFindSaysHowToGetBao(t *testing.T) {
	none := func(string) (string, error) { return "", errors.New("not on PATH") }
	noEnv := func(string) string { return "" }
	for name, tc := range map[string]struct {
		getenv func(string) string
		shared string
	}{
		"empty shared dir":           {noEnv, t.TempDir()},
		"no repository root":         {noEnv, ""},
		"TEROK_TEST_OPENBAO missing": {func(string) string { return "/nonexistent/bao" }, t.TempDir()},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := find(none, tc.getenv, tc.shared)
			if err == nil {
				t.Fatal("found a server binary where there is none")
			}
			for _, want := range []string{"PATH", "TEROK_TEST_OPENBAO", "../shared/tools/openbao/"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the message lacks %q:\n%v", want, err)
				}
			}
		})
	}
	t.Run("PATH first, then TEROK_TEST_OPENBAO", func(t *testing.T) {
		bin := filepath.Join(t.TempDir(), "bao")
		if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		env := func(k string) string { return map[string]string{"TEROK_TEST_OPENBAO": bin}[k] }
		if p, err := find(func(n string) (string, error) { return "/usr/bin/" + n, nil }, env, ""); err != nil || p != "/usr/bin/bao" {
			t.Errorf("PATH: %q %v", p, err)
		}
		if p, err := find(none, env, ""); err != nil || p != bin {
			t.Errorf("TEROK_TEST_OPENBAO: %q %v", p, err)
		}
	})
}

// The server is found, started, answers, and stops.
func TestStartStop(t *testing.T) {
	if testing.Short() {
		t.Skip("needs a real OpenBao server (run make test)")
	}
	s := Start(t)
	if out := s.Bao(t, "", "status", "-format=json"); !strings.Contains(out, `"sealed": false`) {
		t.Errorf("bao status:\n%s", out)
	}
	s.Stop()
	if _, err := s.TryBao("", nil, "status"); err == nil {
		t.Error("the server still answers after Stop")
	}
	s.Stop() // twice is fine
}
