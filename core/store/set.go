package store

import "github.com/terok-ai/terok-auth/core/usage"

// Set is a credential set's name, checked: a value of this type came
// through ParseSet (or is DefaultSet), so the code it reaches does not
// check it again.
type Set string

// ParseSet checks a credential set named on the command line; a bad one
// is a usage error.
func ParseSet(s string) (Set, error) {
	if !ValidSet(s) {
		return "", usage.Errorf("invalid --set %q: use letters, digits, '.', '_' and '-'", s)
	}
	return Set(s), nil
}
