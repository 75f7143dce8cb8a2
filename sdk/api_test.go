package sdk_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestSDKDependencies: what a third party imports must not drag in the
// host (core/), the CLI (cobra) or the keyring.
func TestSDKDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "./...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.Contains(dep, "spf13/cobra") || strings.Contains(dep, "zalando/go-keyring") ||
			strings.HasPrefix(dep, "github.com/terok-ai/terok-auth/core") {
			t.Errorf("sdk depends on %s", dep)
		}
	}
}

// TestNoProtocolTypesInTheAPI walks every exported declaration of sdk/...
// and fails when one mentions a protobuf, gRPC or internal type: the wire
// must stay an implementation detail.
func TestNoProtocolTypesInTheAPI(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	more, _ := filepath.Glob("*/*.go")
	checked := 0
	for _, path := range append(files, more...) {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		imports := map[string]string{}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			name := filepath.Base(p)
			if imp.Name != nil {
				name = imp.Name.Name
			}
			imports[name] = p
		}
		forbidden := func(n ast.Node, where string) {
			ast.Inspect(n, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if id, ok := sel.X.(*ast.Ident); ok {
					p := imports[id.Name]
					if strings.Contains(p, "protobuf") || strings.Contains(p, "google.golang.org/grpc") || strings.Contains(p, "/internal/") {
						t.Errorf("%s: exported %s mentions %s.%s (%s)", path, where, id.Name, sel.Sel.Name, p)
					}
				}
				return true
			})
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Name.IsExported() && (d.Recv == nil || exportedRecv(d.Recv)) {
					forbidden(d.Type, d.Name.Name)
					checked++
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if s.Name.IsExported() {
							forbidden(s.Type, s.Name.Name)
							checked++
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() && s.Type != nil {
								forbidden(s.Type, n.Name)
							}
						}
					}
				}
			}
		}
	}
	if checked < 20 {
		t.Errorf("only %d exported declarations checked; is the walk broken?", checked)
	}
}

func exportedRecv(r *ast.FieldList) bool {
	t := r.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	id, ok := t.(*ast.Ident)
	return ok && id.IsExported()
}
