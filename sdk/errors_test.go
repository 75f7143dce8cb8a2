package sdk_test

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/sdk"
	"github.com/terok-ai/terok-auth/sdk/host"
)

// notWire are the sdk's exported errors that no provider sends, so they
// are not sentinels. None today: the host's spec check errors
// (ErrUnsafeRunArg, ErrBadImage) are in package sdk/host.
var notWire = []string{}

// TestSentinelsListsEveryError fails when an exported Err… variable is added
// to the sdk package without going into Sentinels (or notWire): the wire and
// the host read that one list, so a sentinel missing from it would reach
// the host as a broken plugin.
func TestSentinelsListsEveryError(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var declared []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.VAR {
				continue
			}
			for _, s := range g.Specs {
				for _, n := range s.(*ast.ValueSpec).Names {
					if strings.HasPrefix(n.Name, "Err") && n.IsExported() {
						declared = append(declared, n.Name)
					}
				}
			}
		}
	}
	byName := map[string]error{
		"ErrInvalidKey": sdk.ErrInvalidKey, "ErrNothingCaptured": sdk.ErrNothingCaptured,
		"ErrUnsupportedMode": sdk.ErrUnsupportedMode, "ErrUnimplemented": sdk.ErrUnimplemented,
	}
	for _, name := range declared {
		if slices.Contains(notWire, name) {
			continue
		}
		e, ok := byName[name]
		if !ok {
			t.Errorf("sdk.%s is new: add it to sdk.Sentinels (and to byName here), or to notWire if no provider returns it", name)
			continue
		}
		if !slices.Contains(sdk.Sentinels(), e) {
			t.Errorf("sdk.%s is not in sdk.Sentinels()", name)
		}
	}
	if got, want := len(sdk.Sentinels()), len(declared)-len(notWire); got != want {
		t.Errorf("sdk.Sentinels() has %d errors, the package declares %d sentinels: %v", got, want, declared)
	}
}

func TestIsProviderError(t *testing.T) {
	for _, s := range sdk.Sentinels() {
		if !sdk.IsProviderError(fmt.Errorf("capture x: %w", s)) {
			t.Errorf("IsProviderError(wrapped %v) = false", s)
		}
	}
	for _, err := range []error{nil, errors.New("invalid key"), host.ErrBadImage, host.ErrUnsafeRunArg} {
		if sdk.IsProviderError(err) {
			t.Errorf("IsProviderError(%v) = true", err)
		}
	}
	l := sdk.Sentinels()
	l[0] = nil
	if sdk.Sentinels()[0] == nil {
		t.Error("Sentinels returns a slice its caller can change for everyone")
	}
}
