package sdk_test

import (
	"bytes"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// surfacePackages are the SDK's public packages: what a provider author
// imports. Widening any of them is a reviewed decision: the test below
// fails until testdata/surface.txt is updated with it (TEROK_UPDATE_GOLDEN=1).
//
// Package host is not listed: it is terok's own (the handshake, the plugin
// sets, TLS, and the host's rules for what a provider may answer), no
// provider imports it, and the host's needs may change it in any minor
// release. Listing it would make every tightening of a rule look like a
// change to the provider contract, which is what moving the rules there
// undid.
var surfacePackages = []string{".", "plugin", "providertest", "secret"}

// TestExportedSurface lists every exported declaration of the SDK's
// public packages, go doc style, and compares the list with
// testdata/surface.txt.
func TestExportedSurface(t *testing.T) {
	var lines []string
	for _, dir := range surfacePackages {
		lines = append(lines, surfaceOf(t, dir)...)
	}
	got := strings.Join(lines, "\n") + "\n"
	golden := filepath.Join("testdata", "surface.txt")
	if os.Getenv("TEROK_UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (write it with TEROK_UPDATE_GOLDEN=1 go test -run TestExportedSurface)", err)
	}
	if got != string(want) {
		t.Errorf("the SDK's exported surface changed; if that is meant, say so in docs/plugin-guide.md's upgrade notes "+
			"and update %s with TEROK_UPDATE_GOLDEN=1 go test -run TestExportedSurface\n%s", golden, lineDiff(string(want), got))
	}
}

// surfaceOf is one package's exported declarations, one per line, sorted.
func surfaceOf(t *testing.T, dir string) []string {
	t.Helper()
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, dir, func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for name, pkg := range pkgs {
		if name == "main" {
			continue
		}
		d := doc.New(pkg, dir, 0)
		prefix := d.Name + "."
		node := func(n any) string {
			var b bytes.Buffer
			if err := (&printer.Config{Mode: printer.RawFormat}).Fprint(&b, fset, n); err != nil {
				t.Fatal(err)
			}
			return strings.Join(strings.Fields(b.String()), " ")
		}
		values := func(vs []*doc.Value, kind string) {
			for _, v := range vs {
				for _, n := range v.Names {
					if ast.IsExported(n) {
						lines = append(lines, kind+" "+prefix+n)
					}
				}
			}
		}
		funcs := func(fs []*doc.Func) {
			for _, f := range fs {
				if !ast.IsExported(f.Name) {
					continue
				}
				name := prefix + f.Name
				if f.Decl.Recv != nil {
					recv := node(f.Decl.Recv.List[0].Type)
					ptr := strings.HasPrefix(recv, "*")
					recv = prefix + strings.TrimPrefix(recv, "*")
					if ptr {
						recv = "*" + recv
					}
					name = "(" + recv + ") " + f.Name
				}
				lines = append(lines, "func "+name+strings.TrimPrefix(node(f.Decl.Type), "func"))
			}
		}
		values(d.Consts, "const")
		values(d.Vars, "var")
		funcs(d.Funcs)
		for _, ty := range d.Types {
			if !ast.IsExported(ty.Name) {
				continue
			}
			for _, spec := range ty.Decl.Specs {
				ts, ok := spec.(*ast.TypeSpec)
				if !ok || ts.Name.Name != ty.Name {
					continue
				}
				lines = append(lines, "type "+prefix+ty.Name+" "+typeShape(node, ts.Type))
			}
			values(ty.Consts, "const")
			values(ty.Vars, "var")
			funcs(ty.Funcs)
			funcs(ty.Methods)
		}
	}
	sort.Strings(lines)
	return lines
}

// typeShape is a type's exported shape: a struct's exported fields, an
// interface's methods, else the type itself.
func typeShape(node func(any) string, e ast.Expr) string {
	switch x := e.(type) {
	case *ast.StructType:
		var fields []string
		for _, f := range x.Fields.List {
			typ := node(f.Type)
			if len(f.Names) == 0 {
				fields = append(fields, typ) // embedded
				continue
			}
			for _, n := range f.Names {
				if ast.IsExported(n.Name) {
					fields = append(fields, n.Name+" "+typ)
				}
			}
		}
		return "struct{ " + strings.Join(fields, "; ") + " }"
	case *ast.InterfaceType:
		var methods []string
		for _, m := range x.Methods.List {
			if len(m.Names) == 0 {
				methods = append(methods, node(m.Type))
				continue
			}
			methods = append(methods, m.Names[0].Name+strings.TrimPrefix(node(m.Type), "func"))
		}
		return "interface{ " + strings.Join(methods, "; ") + " }"
	}
	return node(e)
}

// lineDiff shows the lines only one side has.
func lineDiff(want, got string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	w, g := in(want), in(got)
	var b strings.Builder
	for _, l := range strings.Split(want, "\n") {
		if !g[l] {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if !w[l] {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}
