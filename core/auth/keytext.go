package auth

import (
	"errors"
	"unicode/utf8"
)

// checkKeyText refuses a key that is not UTF-8 text. The provider would
// see it with its bad bytes replaced (the wire carries strings as UTF-8),
// and store a key that is not the one given; no vendor issues such keys,
// so it is a wrong paste or a wrong file.
func checkKeyText(key string) error {
	if !utf8.ValidString(key) {
		return errors.New("the key is not UTF-8 text (it holds bytes no vendor's key has: was the wrong file or clipboard pasted?)")
	}
	return nil
}
