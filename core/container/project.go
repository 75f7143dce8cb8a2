package container

import "github.com/terok-ai/terok-auth/core/usage"

// Project is a project id, checked: a value of this type came through
// ParseProject, so the code it reaches does not check it again. "" is
// host-wide.
type Project string

// ParseProject checks a project id named on the command line; "" is
// host-wide, and a bad id is a usage error.
func ParseProject(s string) (Project, error) {
	if s != "" && !ValidProject(s) {
		return "", usage.Errorf("invalid --project %q: use letters, digits, '.', '_' and '-'", s)
	}
	return Project(s), nil
}
