package gitcred

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	good := []struct {
		in   string
		want Request
	}{
		{"protocol=https\nhost=github.com\n\n", Request{Protocol: "https", Host: "github.com"}},
		{"protocol=https\nhost=GHE.example.com:8443\npath=o/r.git\nusername=me\n", Request{Protocol: "https", Host: "ghe.example.com:8443", Path: "o/r.git", Username: "me"}},
		{"protocol=https\r\nhost=github.com\r\n\r\n", Request{Protocol: "https", Host: "github.com"}},
		// What git 2.39 sends with capabilities and a www-authenticate header.
		{"capability[]=authtype\nprotocol=https\nhost=github.com\nwwwauth[]=Basic realm=\"x\"\nwwwauth[]=Bearer\n", Request{Protocol: "https", Host: "github.com"}},
		{"url=https://me@gitlab.example.com/g/p.git\n", Request{Protocol: "https", Host: "gitlab.example.com", Path: "g/p.git", Username: "me"}},
		{"protocol=https\nhost=github.com\n\nhost=evil.example\n", Request{Protocol: "https", Host: "github.com"}}, // after the blank line: not read
		{"protocol=https\nhost=github.com\npassword=old\n", Request{Protocol: "https", Host: "github.com"}},
	}
	for _, tc := range good {
		got, err := Parse(strings.NewReader(tc.in))
		if err != nil || *got != tc.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	bad := []string{
		"",
		"\n",
		"host=github.com\n",
		"protocol=https\n",
		"protocol=https\nhost=github.com\nhost=evil.example\n",
		"protocol=https\nprotocol=http\nhost=github.com\n",
		"protocol=https\nhost=github.com/evil\n",
		"protocol=https\nhost=git hub.com\n",
		"protocol=https\nhost=github.com\x00evil\n",
		"protocol=https\nhost=github.com\npath=a\x1bb\n",
		"protocol=HTTPS\nhost=github.com\n",
		"protocol=https\nhost=\n",
		"protocol=https\nnonsense\nhost=github.com\n",
		"=x\nprotocol=https\nhost=github.com\n",
		"protocol=https\nhost=github.com\nurl=https://evil.example/x\n",
		"protocol=http\nurl=https://github.com/x\n",
		"url=not a url\n",
		"url=github.com\n",
		"protocol=https\nhost=[::1]:443\n",
		"protocol=https\nhost=github.com:99999\n",
		"protocol=https\nhost=" + strings.Repeat("a", MaxRequest) + "\n",
	}
	for _, in := range bad {
		if got, err := Parse(strings.NewReader(in)); err == nil {
			t.Errorf("Parse(%q) = %+v; want an error", clip(in), got)
		} else if !errors.Is(err, ErrBadRequest) {
			t.Errorf("Parse(%q): %v; want ErrBadRequest", clip(in), err)
		}
	}
}

func TestWrite(t *testing.T) {
	var b bytes.Buffer
	if err := (Answer{Protocol: "https", Host: "github.com", Username: "x-access-token", Password: "gho_abc"}).Write(&b); err != nil {
		t.Fatal(err)
	}
	if want := "protocol=https\nhost=github.com\nusername=x-access-token\npassword=gho_abc\n"; b.String() != want {
		t.Errorf("Write = %q; want %q", b.String(), want)
	}
	for _, a := range []Answer{
		{Protocol: "https", Host: "github.com", Username: "u", Password: "tok\nhost=evil.example"},
		{Protocol: "https", Host: "github.com", Username: "u\n", Password: "tok"},
		{Protocol: "https", Host: "github.com", Username: "u", Password: ""},
		{Protocol: "https", Host: "github.com", Username: "u", Password: "a\x00b"},
	} {
		var b bytes.Buffer
		if err := a.Write(&b); err == nil || b.Len() != 0 {
			t.Errorf("Write(%q) = %q, %v; want nothing written and an error", a.Password, b.String(), err)
		} else if strings.Contains(err.Error(), "tok") {
			t.Errorf("the error repeats the secret: %v", err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"protocol=https\nhost=github.com\n\n", "url=https://u@h.example:8443/p\n", "protocol=https\nhost=a\x00\n", "x\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		req, err := Parse(strings.NewReader(s))
		if err != nil {
			if !errors.Is(err, ErrBadRequest) && !strings.Contains(err.Error(), "read the credential request") {
				t.Errorf("Parse(%q): %v is not ErrBadRequest", s, err)
			}
			return
		}
		for _, v := range []string{req.Protocol, string(req.Host), req.Path, req.Username} {
			if strings.ContainsFunc(v, isControl) {
				t.Errorf("Parse(%q) kept a control character: %+v", s, req)
			}
		}
		if req.Protocol != "file" && (req.Host == "" || strings.ContainsAny(string(req.Host), "/@ ")) {
			t.Errorf("Parse(%q) = %+v: a bad host", s, req)
		}
		// Whatever was parsed can be answered without breaking the format.
		var b bytes.Buffer
		if req.Host != "" {
			if err := (Answer{Protocol: req.Protocol, Host: req.Host, Username: "u", Password: "p"}).Write(&b); err != nil || strings.Count(b.String(), "\n") != 4 {
				t.Errorf("answer for %+v = %q, %v", req, b.String(), err)
			}
		}
	})
}
