package inject

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/terok-ai/terok-auth/core/names"
)

// Formats Format writes.
var Formats = []string{"shell", "dotenv", "env-file", "json"}

// EnvFileMaxLine is the longest NAME=value line podman's and docker's
// --env-file read: both read the file with a bufio.Scanner, whose default
// buffer (64 KiB) holds a line and its newline.
const EnvFileMaxLine = 64*1024 - 1

// ErrNeedsFiles means a provider's credential is used through files,
// which exist only while `terok auth exec` runs a command.
type ErrNeedsFiles struct{ Providers []names.Provider }

func (e *ErrNeedsFiles) Error() string {
	return fmt.Sprintf("%s take their credentials from files in a private directory, which exist only while a command runs; "+
		"use: terok auth exec %s -- COMMAND", strings.Join(names.Strings(e.Providers), ", "), strings.Join(names.Strings(e.Providers), ","))
}

// ErrCannotCarry means a format's consumers cannot read a value back as
// it is, so the value is not written at all rather than written mangled.
// The message names the variable, never its value.
type ErrCannotCarry struct {
	Format, Name string
	// Why says what in the value the consumers cannot carry.
	Why string
	// Use names the formats that carry the value.
	Use []string
}

func (e *ErrCannotCarry) Error() string {
	msg := fmt.Sprintf("--format %s cannot carry the value of %s: it %s", e.Format, e.Name, e.Why)
	switch n := len(e.Use); n {
	case 0:
	case 1:
		msg += "; use --format " + e.Use[0]
	default:
		msg += "; use --format " + strings.Join(e.Use[:n-1], ", ") + " or " + e.Use[n-1]
	}
	return msg
}

// Format writes the plan's variables for a consumer:
//
//   - shell: export NAME='value' lines for eval or . in any POSIX shell
//     (dash, bash); it carries every byte but NUL;
//   - dotenv: NAME=value lines that godotenv and python-dotenv (with its
//     default interpolation) both read back as written: single-quoted
//     where that works, else double-quoted with \ " and line breaks
//     escaped, else bare; a value no quoting carries through both is
//     refused;
//   - env-file: NAME=value lines taken literally, for podman's and
//     docker's --env-file; a value with a line break is refused;
//   - json: one object of name to value.
//
// No format writes a NUL byte, which no environment variable can hold, or
// text that is not UTF-8 where its consumer reads UTF-8. A plan with
// private files cannot be written: there is no directory to point at once
// terok has exited.
func (p *Plan) Format(format string) (string, error) {
	if len(p.Dirs) > 0 {
		return "", &ErrNeedsFiles{Providers: p.FileInjections()}
	}
	if format == "" {
		format = "shell"
	}
	if !slices.Contains(Formats, format) {
		return "", fmt.Errorf("unknown format %q: choose %s", format, strings.Join(Formats, ", "))
	}
	var b strings.Builder
	for _, k := range p.Names() {
		if err := carries(format, k, p.Env[k]); err != nil {
			return "", err
		}
	}
	switch format {
	case "shell":
		for _, k := range p.Names() {
			fmt.Fprintf(&b, "export %s=%s\n", k, ShellQuote(p.Env[k]))
		}
	case "dotenv":
		for _, k := range p.Names() {
			fmt.Fprintf(&b, "%s=%s\n", k, dotenvQuote(p.Env[k]))
		}
	case "env-file":
		for _, k := range p.Names() {
			fmt.Fprintf(&b, "%s=%s\n", k, p.Env[k])
		}
	case "json":
		data, err := json.MarshalIndent(p.Env, "", "  ")
		if err != nil {
			return "", err
		}
		b.Write(data)
		b.WriteByte('\n')
	}
	return b.String(), nil
}

// carries refuses a value the format's consumers cannot read back as it
// is, naming the formats that can.
func carries(format, name, v string) error {
	why := whyNot(format, name, v)
	if why == "" {
		return nil
	}
	var use []string
	for _, f := range Formats {
		if f != format && whyNot(f, name, v) == "" {
			use = append(use, f)
		}
	}
	return &ErrCannotCarry{Format: format, Name: name, Why: why, Use: use}
}

// whyNot says what in v the format's consumers cannot carry, or "".
func whyNot(format, name, v string) string {
	if strings.IndexByte(v, 0) >= 0 {
		return "holds a NUL byte, which no environment variable can hold"
	}
	switch format {
	case "dotenv":
		if !utf8.ValidString(v) {
			return "is not UTF-8 text, which python-dotenv reads"
		}
		if pythonDotenvVariable.MatchString(v) {
			return "holds ${…}, which python-dotenv expands in every quoting, with no escape"
		}
		if dotenvSingle(v) || dotenvDouble(v) || dotenvBare(v) {
			return ""
		}
		if strings.Contains(v, "$") {
			// Single quotes are out, and inside double quotes godotenv
			// expands $ unless it is written \$, which python-dotenv keeps.
			return `holds $ together with ', \ or a carriage return, which no quoting carries through both godotenv and python-dotenv`
		}
		// Double quotes are out: godotenv ends a double-quoted value at the
		// first " not after a \, so a value ending in \ (written "…\\")
		// runs on into the next line, where a provider's value could
		// smuggle a variable of its own (LD_PRELOAD=…); and it trims every
		// " at the value's end.
		return `ends in \ or ", which godotenv does not read back in double quotes, and holds what neither ` +
			`single quotes (', \, CR) nor a bare value (a space at either end, a control character, #, a quote, text beyond ASCII) can hold`
	case "env-file":
		if strings.ContainsAny(v, "\n\r") {
			return "holds a line break, and --env-file reads one variable a line"
		}
		if !utf8.ValidString(v) {
			return "is not UTF-8 text, which docker refuses in an env file and podman does not pass on as written"
		}
		if strings.HasPrefix(v, `"`) || strings.HasPrefix(v, "'") {
			// Some podman releases read NAME="…" in an env file as quoting.
			return "starts with a quote, which some podman releases read as quoting"
		}
		if len(name)+1+len(v) > EnvFileMaxLine {
			return fmt.Sprintf("makes a line longer than --env-file reads (%d bytes)", EnvFileMaxLine)
		}
	case "json":
		if !utf8.ValidString(v) {
			return "is not UTF-8 text, which JSON cannot hold as it is"
		}
	}
	return ""
}

// ShellQuote quotes s for a POSIX shell: inside single quotes nothing is
// special but the single quote itself, which closes the quotes, is
// written escaped, and reopens them.
func ShellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// pythonDotenvVariable is what python-dotenv (0.21, variables.py
// _posix_variable) expands in a value, single-quoted or not, when it
// interpolates, as load_dotenv and dotenv_values do by default.
var pythonDotenvVariable = regexp.MustCompile(`\$\{[^}:]*(:-[^}]*)?\}`)

// dotenvSingle: the value may go in single quotes. godotenv (v1.5.1,
// parser.go extractVarValue) takes a single-quoted value as it is, up to
// the first ' not after a \; python-dotenv (0.21, parser.py) turns \\ and
// \' into \ and ' there, and reads the file in text mode, where a raw CR
// becomes a newline.
func dotenvSingle(v string) bool {
	return !strings.ContainsAny(v, `'\`+"\r")
}

// dotenvDouble: the value may go in double quotes, escaped by dotenvQuote.
// Both parsers turn \\ \" \n and \r back; godotenv expands $ there unless
// it is written \$, which python-dotenv does not unescape, so $ cannot go
// in double quotes. A value ending in \ or " is not read back by godotenv
// (see carries).
func dotenvDouble(v string) bool {
	return !strings.Contains(v, "$") && !strings.HasSuffix(v, `\`) && !strings.HasSuffix(v, `"`)
}

// dotenvBare: the value may go unquoted. Both parsers read an unquoted
// value to the end of the line, trim spaces at its ends and cut a " #"
// comment, and do no unescaping; godotenv expands $ and a leading quote
// starts a quoted value. Printable ASCII with no quote, # or $, and no
// space at either end, is read back as it is.
func dotenvBare(v string) bool {
	if v == "" || v[0] == ' ' || v[len(v)-1] == ' ' {
		return false // single quotes take ""
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' || c > '~' || strings.IndexByte(`"'#$`, c) >= 0 {
			return false
		}
	}
	return true
}

// dotenvQuote writes s in the first quoting of dotenvSingle, dotenvDouble
// and dotenvBare that carries it; carries has refused a value none does.
func dotenvQuote(s string) string {
	switch {
	case dotenvSingle(s):
		return "'" + s + "'"
	case !dotenvDouble(s) && dotenvBare(s):
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
