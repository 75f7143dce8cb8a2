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
// came from somewhere. It reads the code, without types: it sees
// conversions written out (under any name the package is imported as, a
// dot import too, in parentheses), and constants in a conversion, a var
// or const of the type, or a slice or map literal of it. It does not see a
// constant handed straight to a parameter or struct field of the type, nor
// a conversion through reflect or a generic function; the first are
// literals in the code for review to read, and none of the others exist.
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
		// namesType says which of the two types e names, if either.
		namesType := func(e ast.Expr) string {
			for {
				p, ok := e.(*ast.ParenExpr)
				if !ok {
					break
				}
				e = p.X
			}
			switch e := e.(type) {
			case *ast.SelectorExpr:
				if x, ok := e.X.(*ast.Ident); ok && local[x.Name] {
					return e.Sel.Name
				}
			case *ast.Ident:
				if dot {
					return e.Name
				}
			}
			return ""
		}
		// literal checks a constant given to a names type.
		literal := func(typ string, e ast.Expr) {
			lit, ok := e.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return
			}
			v, _ := strconv.Unquote(lit.Value)
			_, err := names.ParseProvider(v)
			if typ == "Set" {
				_, err = names.ParseSet(v)
			}
			if err != nil {
				t.Errorf("%s: names.%s %s is not a valid name: %v", fset.Position(lit.Pos()), typ, lit.Value, err)
			}
		}
		isNames := func(typ string) bool { return typ == "Provider" || typ == "Set" }
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if typ := namesType(n.Fun); isNames(typ) && len(n.Args) == 1 {
					if _, ok := n.Args[0].(*ast.BasicLit); !ok {
						t.Errorf("%s: names.%s(...) converts a value that was not checked; use names.Parse%s", fset.Position(n.Pos()), typ, typ)
					}
					literal(typ, n.Args[0])
				}
			case *ast.ValueSpec:
				if typ := namesType(n.Type); isNames(typ) {
					for _, v := range n.Values {
						literal(typ, v)
					}
				}
			case *ast.CompositeLit:
				switch lt := n.Type.(type) {
				case *ast.ArrayType:
					if typ := namesType(lt.Elt); isNames(typ) {
						for _, e := range n.Elts {
							literal(typ, e)
						}
					}
				case *ast.MapType:
					kt, vt := namesType(lt.Key), namesType(lt.Value)
					for _, e := range n.Elts {
						if kv, ok := e.(*ast.KeyValueExpr); ok {
							if isNames(kt) {
								literal(kt, kv.Key)
							}
							if isNames(vt) {
								literal(vt, kv.Value)
							}
						}
					}
				}
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
