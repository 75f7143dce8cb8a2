package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestTemplateReflectionIsNotLinked keeps text/template's evaluator out of
// terok as make builds it (CGO_ENABLED=0, tag grpcnotrace). It looks
// methods up by name at run time, so wherever it is reachable the linker
// keeps every exported method of every type in the program: 3 MB of terok,
// which put the release binary over its 16 MB budget (make bench measures
// the size itself). It came from a cobra version template, the plugin
// template, and grpc's debug pages (html/template).
func TestTemplateReflectionIsNotLinked(t *testing.T) {
	if testing.Short() {
		t.Skip("links terok")
	}
	cmd := exec.Command("go", "build", "-tags", "grpcnotrace", "-ldflags=-dumpdep", "-o", os.DevNull, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%.2000s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "text/template.(*state).evalField ") {
			t.Fatal("text/template's evaluator is reachable in terok: its reflection keeps the linker from " +
				"dropping unused methods (+3 MB). Render text without text/template, and set no cobra " +
				"template (SetVersionTemplate, SetUsageTemplate, SetHelpTemplate). " +
				"go build -tags grpcnotrace -ldflags=-dumpdep ./cmd/terok shows who reaches it.")
		}
	}
}

func TestExpandPluginTemplate(t *testing.T) {
	fields := map[string]string{"Name": "acme", "Replace": ""}
	for _, tc := range []struct{ in, want, err string }{
		{in: "module [[.Name]]\n", want: "module acme\n"},
		{in: "go 1.24\n[[- if .Replace]]\n\nreplace x => [[.Replace]]\n[[- end]]\n", want: "go 1.24\n"},
		{in: "[[.Nope]]", err: "no field Nope"},
		{in: "[[ .Name ]]", err: "unexpanded"},
		{in: "[[- if .Name]]x", err: "unexpanded"},
	} {
		got, err := expand(tc.in, fields)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("expand(%q) = %q, %v; want an error with %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("expand(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	fields["Replace"] = "../sdk"
	got, _ := expand("go 1.24\n[[- if .Replace]]\n\nreplace x => [[.Replace]]\n[[- end]]\n", fields)
	if want := "go 1.24\n\nreplace x => ../sdk\n"; got != want {
		t.Errorf("with Replace: %q, want %q", got, want)
	}
}
