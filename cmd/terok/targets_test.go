package main

import (
	"strings"
	"testing"
)

// Names, sets and projects are checked once, where the command line is
// read, with the same message from every command.
func TestBadTargetsAreUsageErrors(t *testing.T) {
	env := isolated(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"auth", "--set", "a/b"}, `invalid --set "a/b": use letters, digits, '.', '_' and '-'`},
		{[]string{"auth", "--project", "../x"}, `invalid --project "../x": use letters, digits, '.', '_' and '-'`},
		{[]string{"auth", "login", "gh", "--project", "a b", "--with-key"}, `invalid --project "a b"`},
		{[]string{"auth", "login", "gh", "--set", "../x", "--with-key"}, `invalid --set "../x"`},
		{[]string{"auth", "status", "gh", "--set", "a b"}, `invalid --set "a b"`},
		{[]string{"auth", "token", "GH"}, `invalid provider name "GH"`},
		{[]string{"auth", "login", "gh", "--mode", "sso", "--with-key"}, `unknown mode "sso": choose api-key, oauth, device or setup-token`},
	} {
		code, _, stderr := run(t, env, tt.args...)
		if code != exitUsage || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tt.args, code, stderr, tt.want)
		}
	}
}
