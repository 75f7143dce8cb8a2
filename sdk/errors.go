package sdk

import "errors"

// Sentinel errors that mean something to the host. Wrap them with %w and a
// message for the user; they are carried across the wire and matched with
// errors.Is on the host side.
var (
	// ErrInvalidKey: the key the user gave is not acceptable. The message
	// should say what is expected.
	ErrInvalidKey = errors.New("invalid key")

	// ErrNothingCaptured: the files from the login container hold no
	// credential (the user quit early, or the tool changed its format).
	ErrNothingCaptured = errors.New("nothing captured")

	// ErrUnsupportedMode: the provider does not support the mode it was
	// asked about.
	ErrUnsupportedMode = errors.New("unsupported mode")

	// ErrUnimplemented: the provider does not implement the method at all,
	// e.g. a plugin built against an older SDK. The host treats it as
	// "unsupported", not as a broken plugin.
	ErrUnimplemented = errors.New("not implemented by this provider")
)

// Sentinels returns every sentinel above, in a new slice. It is the one
// list: the wire maps each of them to a status and back, and the host takes
// each as the provider's answer, not as a broken plugin. A new sentinel goes
// here (a test finds one that does not).
func Sentinels() []error {
	return []error{ErrInvalidKey, ErrNothingCaptured, ErrUnsupportedMode, ErrUnimplemented}
}

// IsProviderError reports whether err wraps one of Sentinels: the provider
// answered, and the answer was no.
func IsProviderError(err error) bool {
	for _, s := range Sentinels() {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}
