package host

import "testing"

// TestHandshakeIsACopy: a caller that changes the handshake it was given
// changes nothing for the next caller.
func TestHandshakeIsACopy(t *testing.T) {
	h := Handshake()
	want := h.MagicCookieValue
	h.MagicCookieValue = "changed by a caller"
	h.ProtocolVersion++
	if again := Handshake(); again.MagicCookieValue != want || again.ProtocolVersion == h.ProtocolVersion {
		t.Errorf("Handshake() = %+v after a caller changed its copy", again)
	}
}
