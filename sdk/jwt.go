package sdk

import (
	"encoding/base64"
	"encoding/json"
	"strings"
)

// JWTExpiry returns the exp claim of a JWT (an access or id token), in Unix
// seconds, without verifying the token: for telling when a credential
// expires, never for trusting it.
func JWTExpiry(token string) (int64, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return 0, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return 0, false
	}
	var claims struct {
		Exp float64 `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Exp <= 0 || claims.Exp > 1<<40 {
		return 0, false
	}
	return int64(claims.Exp), true
}
