package sdk

import (
	"net/url"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/sdk/internal/rules"
)

func goodRenewal() Renewal {
	return Renewal{
		CredentialType: TypeOAuth, Endpoints: []string{"https://auth.example/oauth/token"},
		ClientID: "cid", Encoding: EncodingJSON, Headers: map[string]string{"User-Agent": "tool/1"},
	}
}

func TestRenewalValidate(t *testing.T) {
	if err := goodRenewal().Validate(false); err != nil {
		t.Fatalf("good declaration refused: %v", err)
	}
	tests := []struct {
		name   string
		change func(*Renewal)
		want   string
	}{
		{"no type", func(r *Renewal) { r.CredentialType = "" }, "no credential type"},
		{"no endpoint", func(r *Renewal) { r.Endpoints = nil }, "no token endpoint"},
		{"http", func(r *Renewal) { r.Endpoints = []string{"http://auth.example/token"} }, "not https"},
		{"loopback without override", func(r *Renewal) { r.Endpoints = []string{"http://127.0.0.1:9/token"} }, "only a test override"},
		{"file scheme", func(r *Renewal) { r.Endpoints = []string{"file:///etc/passwd"} }, "no host"},
		{"relative", func(r *Renewal) { r.Endpoints = []string{"/oauth/token"} }, "no host"},
		{"user info", func(r *Renewal) { r.Endpoints = []string{"https://u:p@auth.example/token"} }, "user info"},
		{"fragment", func(r *Renewal) { r.Endpoints = []string{"https://auth.example/token#x"} }, "fragment"},
		{"space", func(r *Renewal) { r.Endpoints = []string{"https://auth.example/to ken"} }, "white space"},
		{"twice", func(r *Renewal) { r.Endpoints = []string{"https://a.example/t", "https://a.example/t"} }, "listed twice"},
		{"too many", func(r *Renewal) {
			r.Endpoints = nil
			for i := 0; i < 9; i++ {
				r.Endpoints = append(r.Endpoints, "https://a.example/t"+strings.Repeat("x", i))
			}
		}, "at most 8"},
		{"encoding", func(r *Renewal) { r.Encoding = "xml" }, "form or json"},
		{"authorization header", func(r *Renewal) { r.Headers = map[string]string{"Authorization": "Bearer x"} }, "may not be declared"},
		{"cookie header", func(r *Renewal) { r.Headers = map[string]string{"Cookie": "a=b"} }, "may not be declared"},
		{"header injection", func(r *Renewal) { r.Headers = map[string]string{"User-Agent": "a\r\nX-Evil: 1"} }, "line break"},
		{"empty header", func(r *Renewal) { r.Headers = map[string]string{"User-Agent": ""} }, "empty"},
		{"bad header name", func(r *Renewal) { r.Headers = map[string]string{"User Agent": "x"} }, "not a header name"},
		{"client id newline", func(r *Renewal) { r.ClientID = "a\nb" }, "line break"},
		{"expiry format", func(r *Renewal) { r.Response.ExpiryTextFormat = "unix" }, "rfc3339 or rfc822"},
		{"bad field", func(r *Renewal) { r.Response.AccessToken = "a b" }, "not a field name"},
		{"secret expiry field", func(r *Renewal) { r.Response.ExpiryText = "refresh_token" }, "named as a secret"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := goodRenewal()
			tc.change(&r)
			err := r.Validate(false)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to say %q", err, tc.want)
			}
		})
	}
}

func TestRenewalLoopbackOnlyWhenAllowed(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:8080/t", "http://[::1]:1/t", "http://localhost:2/t"} {
		r := goodRenewal()
		r.Endpoints = []string{u}
		if err := r.Validate(true); err != nil {
			t.Errorf("%s refused with loopback allowed: %v", u, err)
		}
		if err := r.Validate(false); err == nil {
			t.Errorf("%s taken without loopback allowed", u)
		}
	}
	r := goodRenewal()
	r.Endpoints = []string{"http://10.0.0.1/t"}
	if r.Validate(true) == nil {
		t.Error("a non-loopback http endpoint was taken")
	}
}

func TestRenewalFieldDefaults(t *testing.T) {
	n := RenewalFields{RefreshToken: "rt"}.Names()
	if n.AccessToken != "access_token" || n.RefreshToken != "rt" || n.ExpiresIn != "expires_in" || n.IDToken != "" {
		t.Errorf("Names() = %+v", n)
	}
}

func FuzzRenewalEndpoint(f *testing.F) {
	for _, s := range []string{"https://a.example/t", "http://127.0.0.1:1/t", "http://[::1]/", "https://u@h/", "javascript:x", "https://h/#f", ""} {
		f.Add(s, "User-Agent", "v")
	}
	f.Fuzz(func(t *testing.T, u, header, value string) {
		r := goodRenewal()
		r.Endpoints = []string{u}
		r.Headers = map[string]string{header: value}
		if r.Validate(true) != nil {
			return
		}
		p, err := url.Parse(u)
		if err != nil || p.User != nil || p.Fragment != "" || strings.ContainsAny(u, "\r\n\x00 ") {
			t.Fatalf("endpoint %q was taken", u)
		}
		if p.Scheme != "https" && (p.Scheme != "http" || !rules.IsLoopbackHost(p.Hostname())) {
			t.Fatalf("endpoint %q, neither https nor loopback http, was taken", u)
		}
		if strings.ContainsAny(value, "\r\n") {
			t.Fatalf("header value %q with a line break was taken", value)
		}
	})
}
