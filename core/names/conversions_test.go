package names_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/core/names"
)

const importPath = "github.com/terok-ai/terok-auth/core/names"

// TestNoUncheckedConversions holds the package's promise: outside it and
// outside tests, a Provider or a Set is made only by Parse, by decoding, or
// from a constant that is a valid name, never by converting a string that
// came from somewhere. It reads the code, so it sees conversions written
// out (under any name the package is imported as, a dot import too), not
// ones through reflect or a generic function; none of those exist.
func TestNoUncheckedConversions(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	skip := map[string]bool{filepath.Join(root, "sdk"): true, filepath.Join(root, "core", "names"): true}
	fset := token.NewFileSet()
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if skip[path] || d.Name() == ".git" || d.Name() == "testdata" || d.Name() == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		local, dot := map[string]bool{}, false
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p != importPath {
				continue
			}
			switch {
			case imp.Name == nil:
				local["names"] = true
			case imp.Name.Name == ".":
				dot = true
			case imp.Name.Name != "_":
				local[imp.Name.Name] = true
			}
		}
		if len(local) == 0 && !dot {
			return nil
		}
		checked++
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 1 {
				return true
			}
			var typ string
			switch fun := call.Fun.(type) {
			case *ast.SelectorExpr:
				if x, ok := fun.X.(*ast.Ident); ok && local[x.Name] {
					typ = fun.Sel.Name
				}
			case *ast.Ident:
				if dot {
					typ = fun.Name
				}
			}
			if typ != "Provider" && typ != "Set" {
				return true
			}
			where := fset.Position(call.Pos())
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				t.Errorf("%s: names.%s(...) converts a value that was not checked; use names.Parse%s", where, typ, typ)
				return true
			}
			v, _ := strconv.Unquote(lit.Value)
			_, perr := names.ParseProvider(v)
			if typ == "Set" {
				_, perr = names.ParseSet(v)
			}
			if err := perr; err != nil {
				t.Errorf("%s: names.%s(%s) is not a valid name: %v", where, typ, lit.Value, err)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 10 {
		t.Fatalf("only %d files import package names: is the walk looking in the right place (%s)?", checked, root)
	}
}
