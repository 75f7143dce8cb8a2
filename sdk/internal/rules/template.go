package rules

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// MaxTemplateLength bounds one template, so that a provider cannot make
// the host render something huge.
const MaxTemplateLength = 64 << 10

var injectFieldRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Part is a piece of an injection template (see sdk.Injection): literal
// Text, or a reference to a credential Field, Optional with ${field?},
// written as JSON with ${field|json}.
type Part struct {
	Text     string
	Field    string
	Optional bool
	JSON     bool
}

// ParseTemplate splits a template into parts, or says what is wrong.
func ParseTemplate(t string) ([]Part, error) {
	if len(t) > MaxTemplateLength {
		return nil, fmt.Errorf("template is %d bytes; at most %d", len(t), MaxTemplateLength)
	}
	var parts []Part
	var lit strings.Builder
	for i := 0; i < len(t); i++ {
		if t[i] != '$' {
			lit.WriteByte(t[i])
			continue
		}
		if i+1 < len(t) && t[i+1] == '$' {
			lit.WriteByte('$')
			i++
			continue
		}
		if i+1 >= len(t) || t[i+1] != '{' {
			if m := shellRefRE.FindStringSubmatch(t[i:]); m != nil {
				name := m[1] + m[2]
				return nil, fmt.Errorf("%s at byte %d is another syntax: terok's templates spell a credential field ${%s} (and a $ itself $$)", m[0], i, name)
			}
			return nil, fmt.Errorf("a lone $ at byte %d: write ${field} for a credential field or $$ for a $", i)
		}
		end := strings.IndexByte(t[i:], '}')
		if end < 0 {
			return nil, fmt.Errorf("${ at byte %d is not closed with }", i)
		}
		ref := t[i+2 : i+end]
		p := Part{}
		if name, filter, ok := strings.Cut(ref, "|"); ok {
			if filter != "json" {
				return nil, fmt.Errorf("unknown filter %q in ${%s}: the only filter is json", filter, ref)
			}
			p.JSON, ref = true, name
		}
		if strings.HasSuffix(ref, "?") {
			p.Optional, ref = true, strings.TrimSuffix(ref, "?")
		}
		if !injectFieldRE.MatchString(ref) {
			return nil, fmt.Errorf("${%s} does not name a credential field (letters, digits and '_')", t[i+2:i+end])
		}
		if ref == "type" {
			return nil, errors.New(`${type} is the credential's type, not a field`)
		}
		p.Field = ref
		if lit.Len() > 0 {
			parts = append(parts, Part{Text: lit.String()})
			lit.Reset()
		}
		parts = append(parts, p)
		i += end
	}
	if lit.Len() > 0 {
		parts = append(parts, Part{Text: lit.String()})
	}
	for _, p := range parts {
		if err := foreignTemplate(p.Text); err != nil {
			return nil, err
		}
	}
	return parts, nil
}

var (
	// shellRefRE is a shell's $name or $(name) where ${name} was meant.
	shellRefRE = regexp.MustCompile(`^\$(?:([A-Za-z_][A-Za-z0-9_]*)|\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\))`)
	// braceRE is a Go, Jinja or Mustache placeholder: {{key}}, {{ .key }}.
	braceRE = regexp.MustCompile(`\{\{\s*\.?\s*([A-Za-z_][A-Za-z0-9_]*)?[^{}]*\}\}`)
	// printfRE is a printf or Python placeholder: %s, %v, %q, %(key)s.
	// Digits are not taken as a width: %20s is a percent-encoded space.
	printfRE = regexp.MustCompile(`%(?:\(([A-Za-z_][A-Za-z0-9_]*)\))?[svq]`)
)

// foreignTemplate refuses literal text that is a placeholder in another
// template syntax: it would reach the tool as it is ({{key}} instead of
// the key), and the tool would fail without saying why.
func foreignTemplate(lit string) error {
	spell := func(name string) string {
		if name == "" || name == "type" {
			name = "key"
		}
		return "${" + name + "}"
	}
	if m := braceRE.FindStringSubmatch(lit); m != nil {
		return fmt.Errorf("%q is a placeholder of another template syntax, and would reach the tool as it is: terok's templates spell a credential field %s", m[0], spell(m[1]))
	}
	if m := printfRE.FindStringSubmatch(lit); m != nil {
		return fmt.Errorf("%q is a printf placeholder, and would reach the tool as it is: terok's templates spell a credential field %s (a %% elsewhere is fine)", m[0], spell(m[1]))
	}
	return nil
}

// CheckTemplate reports whether t is a valid injection template (see
// Injection), for checkers that report problems one by one.
func CheckTemplate(t string) error {
	_, err := ParseTemplate(t)
	return err
}
