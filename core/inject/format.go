package inject

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/terok-ai/terok-auth/core/names"
)

// Formats Format writes.
var Formats = []string{"shell", "dotenv", "json"}

// ErrNeedsFiles means a provider's credential is used through files,
// which exist only while `terok auth exec` runs a command.
type ErrNeedsFiles struct{ Providers []names.Provider }

func (e *ErrNeedsFiles) Error() string {
	return fmt.Sprintf("%s take their credentials from files in a private directory, which exist only while a command runs; "+
		"use: terok auth exec %s -- COMMAND", strings.Join(names.Strings(e.Providers), ", "), strings.Join(names.Strings(e.Providers), ","))
}

// Format writes the plan's variables for a consumer:
//
//   - shell: export NAME='value' lines for eval in any POSIX shell;
//   - dotenv: NAME="value" lines, with \ " $ and newlines escaped, as
//     dotenv parsers read them; a value they cannot read back (one that
//     ends in \ or ") is refused;
//   - json: one object of name to value.
//
// A plan with private files cannot be written: there is no directory to
// point at once terok has exited.
func (p *Plan) Format(format string) (string, error) {
	if len(p.Dirs) > 0 {
		return "", &ErrNeedsFiles{Providers: p.FileInjections()}
	}
	var b strings.Builder
	switch format {
	case "shell", "":
		for _, k := range p.Names() {
			fmt.Fprintf(&b, "export %s=%s\n", k, ShellQuote(p.Env[k]))
		}
	case "dotenv":
		for _, k := range p.Names() {
			if err := dotenvCarries(k, p.Env[k]); err != nil {
				return "", err
			}
			fmt.Fprintf(&b, "%s=%s\n", k, dotenvQuote(p.Env[k]))
		}
	case "json":
		data, err := json.MarshalIndent(p.Env, "", "  ")
		if err != nil {
			return "", err
		}
		b.Write(data)
		b.WriteByte('\n')
	default:
		return "", fmt.Errorf("unknown format %q: choose %s", format, strings.Join(Formats, ", "))
	}
	return b.String(), nil
}

// ShellQuote quotes s for a POSIX shell: inside single quotes nothing is
// special but the single quote itself, which closes the quotes, is
// written escaped, and reopens them.
func ShellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// dotenvCarries refuses a value dotenv parsers cannot read back. godotenv
// (v1.5.1, parser.go extractVarValue) ends a double-quoted value at the
// first quote not preceded by a backslash, so a value ending in \ (written
// "…\\") runs on into the next line, where a provider's value could
// smuggle a variable of its own (LD_PRELOAD=…); and it trims every quote at
// the value's ends, so a value ending in " loses it.
func dotenvCarries(name, v string) error {
	if strings.HasSuffix(v, `\`) || strings.HasSuffix(v, `"`) {
		return fmt.Errorf("the value of %s ends in %q, which dotenv parsers do not read back as written "+
			"(it would run into the next line); use --format shell or --format json", name, v[len(v)-1:])
	}
	return nil
}

// dotenvQuote writes s in double quotes, escaping what dotenv parsers
// treat specially there: backslash, the quote, $ (variable expansion) and
// line breaks.
func dotenvQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '$':
			b.WriteString(`\$`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
