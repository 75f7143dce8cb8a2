package yamlprov

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// MaxFileSize bounds a provider file; a real one is a few hundred bytes.
const MaxFileSize = 256 << 10

// Error is one problem in a provider file, with where it is.
type Error struct {
	File         string
	Line, Column int
	Msg          string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}

// decoder decodes a YAML tree into a struct strictly, recording every
// problem with its position rather than stopping at the first, and the node
// of each field path for the checks that follow.
type decoder struct {
	file  string
	errs  []error
	nodes map[string]*yaml.Node
}

func (d *decoder) errorf(n *yaml.Node, format string, a ...any) {
	e := &Error{File: d.file, Msg: fmt.Sprintf(format, a...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	d.errs = append(d.errs, e)
}

// at returns the node recorded for a field path, for positions in checks.
func (d *decoder) at(path string) *yaml.Node { return d.nodes[path] }

var unmarshalerType = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()

func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	d.nodes[path] = n
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		d.errorf(n, "anchors and aliases are not supported in provider files; write the value out")
		return
	}
	if v.CanAddr() && v.Addr().Type().Implements(unmarshalerType) {
		if err := n.Decode(v.Addr().Interface()); err != nil {
			d.errorf(n, "%s: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(n, v.Elem(), path)
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.errorf(n, "%s: expected a list, got %s", path, kindName(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.decode(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
		v.Set(s)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			d.errorf(n, "%s: expected a mapping (key: value), got %s", path, kindName(n))
			return
		}
		m := reflect.MakeMap(v.Type())
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				d.errorf(k, "%s: keys must be plain strings", path)
				continue
			}
			if m.MapIndex(reflect.ValueOf(k.Value)).IsValid() {
				d.errorf(k, "%s: %q is given twice", path, k.Value)
				continue
			}
			elem := reflect.New(v.Type().Elem()).Elem()
			d.decode(val, elem, path+"."+k.Value)
			m.SetMapIndex(reflect.ValueOf(k.Value), elem)
		}
		v.Set(m)
	case reflect.String:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
			d.errorf(n, "%s: expected a string, got %s", path, kindName(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&b) != nil {
			d.errorf(n, "%s: expected true or false, got %s", path, kindName(n))
			return
		}
		v.SetBool(b)
	case reflect.Int:
		var i int
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&i) != nil {
			d.errorf(n, "%s: expected a whole number, got %s", path, kindName(n))
			return
		}
		v.SetInt(int64(i))
	default:
		d.errorf(n, "%s: cannot be decoded (a bug in terok)", path)
	}
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%s: expected a mapping (key: value), got %s", nonEmpty(path, "the file"), kindName(n))
		return
	}
	fields := map[string]int{}
	var known []string
	for i := 0; i < v.NumField(); i++ {
		tag := v.Type().Field(i).Tag.Get("yaml")
		fields[tag] = i
		known = append(known, tag)
	}
	sort.Strings(known)
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		idx, ok := fields[k.Value]
		switch {
		case k.Kind != yaml.ScalarNode:
			d.errorf(k, "keys must be plain strings")
		case !ok:
			d.errorf(k, "unknown key %q%s; expected one of: %s", k.Value, where(path), strings.Join(known, ", "))
		case seen[k.Value]:
			d.errorf(k, "%q is given twice%s", k.Value, where(path))
		default:
			seen[k.Value] = true
			d.decode(val, v.Field(idx), join(path, k.Value))
			if d.nodes[join(path, k.Value)+"#key"] == nil {
				d.nodes[join(path, k.Value)+"#key"] = k
			}
		}
	}
}

func where(path string) string {
	if path == "" {
		return ""
	}
	return " in " + path
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	switch n.Tag {
	case "!!str":
		return fmt.Sprintf("the string %q", n.Value)
	case "!!int":
		return fmt.Sprintf("the number %s", n.Value)
	case "!!float":
		return fmt.Sprintf("the number %s", n.Value)
	case "!!bool":
		return fmt.Sprintf("%s (a boolean)", n.Value)
	case "!!null":
		return "nothing (null)"
	}
	return fmt.Sprintf("%q", n.Value)
}

// parse decodes data, named file in messages, without checking it beyond
// its shape.
func parse(file string, data []byte) (*File, *decoder, error) {
	d := &decoder{file: file, nodes: map[string]*yaml.Node{}}
	if len(data) > MaxFileSize {
		return nil, d, &Error{File: file, Msg: fmt.Sprintf("the file is %d KiB; a provider file may be at most %d KiB", len(data)>>10, MaxFileSize>>10)}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, d, &Error{File: file, Msg: "the file is empty"}
		}
		return nil, d, yamlSyntaxError(file, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, d, &Error{File: file, Line: extra.Line, Column: extra.Column, Msg: "one provider per file: a second YAML document starts here"}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	f := &File{}
	d.decode(root, reflect.ValueOf(f).Elem(), "")
	return f, d, errors.Join(d.errs...)
}

// yamlSyntaxError turns yaml.v3's "yaml: line N: msg" into a positioned
// error.
func yamlSyntaxError(file string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var line int
	if n, _ := fmt.Sscanf(msg, "line %d:", &line); n == 1 {
		_, rest, _ := strings.Cut(msg, ": ")
		return &Error{File: file, Line: line, Column: 1, Msg: "YAML syntax: " + rest}
	}
	return &Error{File: file, Msg: "YAML syntax: " + msg}
}
