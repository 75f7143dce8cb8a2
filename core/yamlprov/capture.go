package yamlprov

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/terok-ai/terok-auth/sdk"
)

// Formats are the file formats capture rules read.
var Formats = []string{"json", "yaml", "dotenv", "ini", "text"}

// segment is one step of a path: a key, or * for any key.
type segment struct {
	key      string
	wildcard bool
}

// parsePath reads a field path: keys separated by dots, [a.b] for a key
// holding dots, * for any key. "$key" (the key * matched) and "." (the
// whole of a text file) are special and have no segments.
func parsePath(p string) ([]segment, error) {
	if p == "" {
		return nil, errors.New("empty path")
	}
	if p == "$key" || p == "." {
		return nil, nil
	}
	var segs []segment
	for rest := p; ; {
		var key string
		if strings.HasPrefix(rest, "[") {
			end := strings.Index(rest, "]")
			if end < 0 {
				return nil, fmt.Errorf("path %q: [ without ]", p)
			}
			key, rest = rest[1:end], rest[end+1:]
			if key == "" {
				return nil, fmt.Errorf("path %q: empty []", p)
			}
			if rest != "" && !strings.HasPrefix(rest, ".") {
				return nil, fmt.Errorf("path %q: expected . after ]", p)
			}
			rest = strings.TrimPrefix(rest, ".")
			segs = append(segs, segment{key: key})
			if rest == "" {
				return segs, nil
			}
			continue
		}
		key, tail, more := strings.Cut(rest, ".")
		if key == "" {
			return nil, fmt.Errorf("path %q: empty key", p)
		}
		if strings.ContainsAny(key, "[]") {
			return nil, fmt.Errorf("path %q: [ and ] must enclose a whole key", p)
		}
		segs = append(segs, segment{key: key, wildcard: key == "*"})
		if !more {
			return segs, nil
		}
		if tail == "" {
			return nil, fmt.Errorf("path %q: ends with a dot", p)
		}
		rest = tail
	}
}

// parseDoc reads a captured file into a tree of map[string]any, []any and
// scalars (a string for text).
func parseDoc(format string, data []byte) (any, error) {
	switch format {
	case "json":
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("not valid JSON: %w", err)
		}
		return v, nil
	case "yaml":
		var n yaml.Node
		if err := yaml.Unmarshal(data, &n); err != nil {
			return nil, fmt.Errorf("not valid YAML: %w", err)
		}
		if hasAlias(&n, 0) {
			return nil, errors.New("YAML anchors and aliases are not read")
		}
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("not valid YAML: %w", err)
		}
		return v, nil
	case "dotenv":
		return parseDotenv(data)
	case "ini":
		return parseINI(data)
	case "text":
		return strings.TrimSpace(string(data)), nil
	}
	return nil, fmt.Errorf("unknown format %q", format)
}

// hasAlias reports aliases, which could make a small captured file expand
// without bound; a credentials file has no use for them.
func hasAlias(n *yaml.Node, depth int) bool {
	if n.Kind == yaml.AliasNode || depth > 100 {
		return true
	}
	for _, c := range n.Content {
		if hasAlias(c, depth+1) {
			return true
		}
	}
	return false
}

func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
		return v[1 : len(v)-1]
	}
	return v
}

func parseDotenv(data []byte) (any, error) {
	out := map[string]any{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("line %d is not KEY=VALUE", n)
		}
		v = strings.TrimSpace(v)
		if !strings.HasPrefix(v, `"`) && !strings.HasPrefix(v, "'") {
			if i := strings.Index(v, " #"); i >= 0 {
				v = strings.TrimSpace(v[:i])
			}
		}
		out[strings.TrimSpace(k)] = unquote(v)
	}
	return out, sc.Err()
}

// parseINI reads [section] headers and key = value (or key: value) lines;
// keys before any section are at the top level.
func parseINI(data []byte) (any, error) {
	out := map[string]any{}
	cur := out
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			if !strings.HasSuffix(line, "]") {
				return nil, fmt.Errorf("line %d: section header without ]", n)
			}
			name := strings.TrimSpace(line[1 : len(line)-1])
			sec, ok := out[name].(map[string]any)
			if !ok {
				sec = map[string]any{}
				out[name] = sec
			}
			cur = sec
			continue
		}
		i := strings.IndexAny(line, "=:")
		if i <= 0 {
			return nil, fmt.Errorf("line %d is not key = value", n)
		}
		cur[strings.TrimSpace(line[:i])] = unquote(strings.TrimSpace(line[i+1:]))
	}
	return out, sc.Err()
}

// lookup follows segs in doc, with * replaced by key.
func lookup(doc any, segs []segment, key string) (any, bool) {
	cur := doc
	for _, s := range segs {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		k := s.key
		if s.wildcard {
			k = key
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// candidates lists the keys * can stand for: the keys of the map the first
// wildcard path leads to, prefer first, the rest sorted.
func candidates(doc any, segs []segment, prefer string) []string {
	var prefix []segment
	for _, s := range segs {
		if s.wildcard {
			break
		}
		prefix = append(prefix, s)
	}
	v, _ := lookup(doc, prefix, "")
	m, _ := v.(map[string]any)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if _, ok := m[prefer]; ok && prefer != "" {
		out := []string{prefer}
		for _, k := range keys {
			if k != prefer {
				out = append(out, k)
			}
		}
		return out
	}
	return keys
}

// scalar turns a found value into the string stored.
func scalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, x != ""
	case json.Number:
		return x.String(), true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

// apply evaluates rule against the files; it returns why when it yields
// nothing.
func (r *CaptureRule) apply(files map[string][]byte) (sdk.Credential, error) {
	data, ok := files[r.File]
	if !ok {
		return sdk.Credential{}, fmt.Errorf("%s: not found", r.File)
	}
	doc, err := parseDoc(r.Format, data)
	if err != nil {
		return sdk.Credential{}, fmt.Errorf("%s: %w", r.File, err)
	}
	names := make([]string, 0, len(r.Fields))
	for name := range r.Fields {
		names = append(names, name)
	}
	sort.Strings(names)
	paths := map[string][]segment{}
	var wild []segment
	var wildPath string
	for _, name := range names {
		segs, _ := parsePath(r.Fields[name]) // checked when the file was loaded
		paths[name] = segs
		for _, s := range segs {
			if s.wildcard && wild == nil {
				wild, wildPath = segs, r.Fields[name]
			}
		}
	}
	keys := []string{""}
	if wild != nil {
		if keys = candidates(doc, wild, r.Prefer); len(keys) == 0 {
			return sdk.Credential{}, fmt.Errorf("%s: no entries for the * in %s", r.File, wildPath)
		}
	}
	var lastErr error
	for _, key := range keys {
		cred, err := r.build(doc, names, paths, key)
		if err == nil {
			return cred, nil
		}
		lastErr = err
	}
	if r.Hint != "" {
		return sdk.Credential{}, fmt.Errorf("%s: %w. %s", r.File, lastErr, strings.TrimSpace(r.Hint))
	}
	return sdk.Credential{}, fmt.Errorf("%s: %w", r.File, lastErr)
}

func (r *CaptureRule) build(doc any, names []string, paths map[string][]segment, key string) (sdk.Credential, error) {
	fields := map[string]any{}
	for _, name := range names {
		p := r.Fields[name]
		var v any
		var found bool
		switch p {
		case "$key":
			v, found = key, key != ""
		case ".":
			v, found = doc, true
		default:
			v, found = lookup(doc, paths[name], key)
		}
		s, ok := scalar(v)
		if !found || !ok {
			if contains(r.Optional, name) {
				continue
			}
			if found {
				return sdk.Credential{}, fmt.Errorf("%s (for %s) is not a single non-empty value", p, name)
			}
			return sdk.Credential{}, fmt.Errorf("%s (for %s) is missing", p, name)
		}
		fields[name] = s
	}
	if r.ExpiresAt != nil {
		segs, _ := parsePath(r.ExpiresAt.Path)
		if v, ok := lookup(doc, segs, key); ok {
			exp, err := expiry(v, r.ExpiresAt.Unit)
			if err != nil {
				return sdk.Credential{}, fmt.Errorf("%s: %w", r.ExpiresAt.Path, err)
			}
			fields["expires_at"] = exp
		}
	}
	return sdk.Credential{Type: r.Type, Fields: fields}, nil
}

func expiry(v any, unit string) (int64, error) {
	if unit == "rfc822" {
		// glab's oauth2_expiry_date, as Go's time.RFC822 writes it.
		s, ok := v.(string)
		if !ok {
			return 0, errors.New("expected an RFC 822 time (02 Jan 06 15:04 MST)")
		}
		t, err := time.Parse(time.RFC822, s)
		if err != nil {
			return 0, fmt.Errorf("expected an RFC 822 time (02 Jan 06 15:04 MST): %w", err)
		}
		return t.Unix(), nil
	}
	if unit == "rfc3339" {
		s, ok := v.(string)
		if !ok {
			return 0, errors.New("expected an RFC 3339 time")
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return 0, fmt.Errorf("expected an RFC 3339 time: %w", err)
		}
		return t.Unix(), nil
	}
	s, ok := scalar(v)
	if !ok {
		return 0, errors.New("expected a number")
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f <= 0 {
		return 0, fmt.Errorf("expected a positive number, got %q", s)
	}
	if unit == "ms" {
		f /= 1000
	}
	if f > 1<<40 {
		return 0, fmt.Errorf("%s is not a plausible time in %s", s, unit)
	}
	return int64(f), nil
}

func contains(list []string, s string) bool {
	return slices.Contains(list, s)
}
