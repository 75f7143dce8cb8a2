package inject

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/joho/godotenv"

	"github.com/terok-ai/terok-auth/internal/envcorpus"
)

// One fuzz target per format of Format. Each writes A_TOKEN and B_TOKEN
// with the two fuzzed values and reads the output back: dotenv through
// godotenv itself, json through encoding/json, shell and env-file through
// a reader of the consumer's rules written here (a fuzz target cannot
// start a shell or podman per input). The real sh, bash and python-dotenv
// read the same seeds and these targets' corpora in consumers_test.go,
// and real podman in e2e.

func fuzzFormat(f *testing.F, format string, mayRefuse func(string) bool, read func(string) (map[string]string, error)) {
	for _, v := range envcorpus.Hostile {
		f.Add(v, "b")
		f.Add("a", v)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		plan := &Plan{Env: map[string]string{"A_TOKEN": a, "B_TOKEN": b}}
		out, err := plan.Format(format)
		if err != nil {
			var cc *ErrCannotCarry
			if !errors.As(err, &cc) {
				t.Fatalf("%q, %q: %v", a, b, err)
			}
			if v := plan.Env[cc.Name]; !mayRefuse(v) {
				t.Fatalf("%s refused %q, which its consumers carry: %v", format, v, err)
			}
			return
		}
		got, err := read(out)
		if err != nil {
			t.Fatalf("%q, %q written as %q, which does not read back: %v", a, b, out, err)
		}
		if !maps.Equal(got, plan.Env) {
			t.Fatalf("%q, %q written as %q, read back as %q", a, b, out, got)
		}
	})
}

func FuzzDotenvRoundTrip(f *testing.F) {
	fuzzFormat(f, "dotenv", dotenvMayRefuse, godotenv.Unmarshal)
}

func FuzzShellRoundTrip(f *testing.F) {
	fuzzFormat(f, "shell", carriesNoNUL, readPOSIXExports)
}

func FuzzEnvFileRoundTrip(f *testing.F) {
	fuzzFormat(f, "env-file", envFileMayRefuse, readEnvFile)
}

func FuzzJSONRoundTrip(f *testing.F) {
	fuzzFormat(f, "json", func(v string) bool { return carriesNoNUL(v) || !utf8.ValidString(v) }, func(s string) (map[string]string, error) {
		var m map[string]string
		err := json.Unmarshal([]byte(s), &m)
		return m, err
	})
}

// readPOSIXExports reads shell's output by the POSIX shell's quoting rules
// (XCU 2.2.2, 2.2.1): every statement is export NAME=WORD and a newline,
// WORD nothing but '…' (each byte inside as it is, up to the next ') and
// \' (a quote). Anything else, which a shell might expand or run, is an
// error.
func readPOSIXExports(s string) (map[string]string, error) {
	m := map[string]string{}
	for s != "" {
		rest, ok := strings.CutPrefix(s, "export ")
		if !ok {
			return nil, fmt.Errorf("a statement that is not export: %q", s)
		}
		name, word, ok := strings.Cut(rest, "=")
		if !ok || !isName(name) {
			return nil, fmt.Errorf("not a variable name: %q", rest)
		}
		var v strings.Builder
		for {
			switch {
			case strings.HasPrefix(word, "'"):
				end := strings.IndexByte(word[1:], '\'')
				if end < 0 {
					return nil, fmt.Errorf("unterminated quote: %q", word)
				}
				v.WriteString(word[1 : 1+end])
				word = word[2+end:]
				continue
			case strings.HasPrefix(word, `\'`):
				v.WriteByte('\'')
				word = word[2:]
				continue
			case strings.HasPrefix(word, "\n"):
				word = word[1:]
			default:
				return nil, fmt.Errorf("unquoted text in a word: %q", word)
			}
			break
		}
		if _, dup := m[name]; dup {
			return nil, fmt.Errorf("%s set twice", name)
		}
		m[name] = v.String()
		s = word
	}
	return m, nil
}

func isName(s string) bool {
	for i, c := range s {
		letter := c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
		if digit := c >= '0' && c <= '9'; !letter && (i == 0 || !digit) {
			return false
		}
	}
	return s != ""
}

// envFileMayRefuse: what podman's and docker's --env-file cannot carry.
// A NUL, a line break (one variable a line), text that is not UTF-8
// (docker refuses it), a line too long for the reader; and a value that
// starts with a quote, which some podman releases read as quoting.
func envFileMayRefuse(v string) bool {
	return carriesNoNUL(v) || strings.ContainsAny(v, "\r\n") || !utf8.ValidString(v) ||
		len(v) > EnvFileMaxLine-len("A_TOKEN=") || strings.HasPrefix(v, `"`) || strings.HasPrefix(v, "'")
}

// readEnvFile reads an env file by the rules of podman's (pkg/env/env.go
// ParseFile, v4.3 to v5) and docker's (cli opts/envfile.go) readers: a
// bufio.Scanner line at a time (which drops a CR before the newline),
// leading spaces and tabs trimmed, empty lines and # comments skipped,
// NAME=value split at the first =, the value taken as it is. Docker
// refuses a name with a space and text that is not UTF-8.
func readEnvFile(s string) (map[string]string, error) {
	m := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		line := strings.TrimLeft(sc.Text(), " \t")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !utf8.ValidString(line) {
			return nil, fmt.Errorf("not UTF-8: %q", line)
		}
		name, v, ok := strings.Cut(line, "=")
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, fmt.Errorf("not NAME=value: %q", line)
		}
		m[name] = v
	}
	return m, sc.Err()
}
