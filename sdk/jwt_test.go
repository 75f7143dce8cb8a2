package sdk

import (
	"encoding/base64"
	"testing"
)

func TestJWTExpiry(t *testing.T) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, tc := range []struct {
		token string
		want  int64
		ok    bool
	}{
		{"h." + enc(`{"exp":1767225600}`) + ".s", 1767225600, true},
		{"h." + enc(`{"exp":1767225600}`) + "==.s", 1767225600, true},
		{"h." + enc(`{}`) + ".s", 0, false},
		{"h." + enc(`{"exp":-1}`) + ".s", 0, false},
		{"h." + enc(`{"exp":1e300}`) + ".s", 0, false},
		{"h." + enc(`{"exp":"soon"}`) + ".s", 0, false},
		{"h.!!!.s", 0, false},
		{"only.two", 0, false},
		{"", 0, false},
	} {
		if got, ok := JWTExpiry(tc.token); got != tc.want || ok != tc.ok {
			t.Errorf("JWTExpiry(%q) = %d, %v; want %d, %v", tc.token, got, ok, tc.want, tc.ok)
		}
	}
}
