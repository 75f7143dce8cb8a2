package store

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	vault "github.com/hashicorp/vault/api"

	"github.com/terok-ai/terok-auth/core/names"
	"github.com/terok-ai/terok-auth/core/remedy"
)

func readAnswer(t testing.TB, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "openbao-v2.6.2", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func decodeBody(body string) (entry, error) {
	sec, err := vault.ParseSecret(strings.NewReader(body))
	if err != nil {
		return entry{}, err
	}
	return decodeEntry(sec)
}

func TestDecodeEntry(t *testing.T) {
	kvAnswer := readAnswer(t, "kv-read.json")
	e, err := decodeBody(kvAnswer)
	if err != nil || e.version != 2 || e.writtenBy != "box (terok v1)" || e.cred.Type != "oauth" ||
		e.cred.Get("access_token") != "at-secret-value" {
		t.Fatalf("decode = %+v, %v", e, err)
	}
	if exp, ok := e.cred.ExpiresAt(); !ok || exp.Unix() != 1767225600 {
		t.Errorf("expires_at = %v %v", exp, ok)
	}
	for _, tc := range []struct {
		name, body string
		version    int    // of a nil error
		err        string // "" for no error
	}{
		{"current version deleted (real)", readAnswer(t, "kv-read-deleted.json"), 2, ""},
		{"empty answer", `{}`, 0, ""},
		{"no data", `{"data":null}`, 0, ""},
		{"current version deleted", `{"data":{"data":null,"metadata":{"version":4,"deletion_time":"2026-01-01T00:00:00Z"}}}`, 4, ""},
		{"data not an object", `{"data":{"data":"a string","metadata":{"version":1}}}`, 1, ""},
		{"data an array", `{"data":{"data":[1,2],"metadata":{"version":1}}}`, 1, ""},
		{"no type", `{"data":{"data":{"key":"k"},"metadata":{"version":1}}}`, 0, `no string "type"`},
		{"type not a string", `{"data":{"data":{"type":7,"key":"k"},"metadata":{"version":1}}}`, 0, `no string "type"`},
		{"empty type", `{"data":{"data":{"type":"","key":"k"},"metadata":{"version":1}}}`, 0, "no type"},
		{"no fields", `{"data":{"data":{"type":"api_key"},"metadata":{"version":1}}}`, 0, "no fields"},
		{"only empty fields", `{"data":{"data":{"type":"api_key","key":""},"metadata":{"version":1}}}`, 0, "no fields"},
		{"no metadata", `{"data":{"data":{"type":"api_key","key":"k"}}}`, 0, "no version"},
		{"metadata not an object", `{"data":{"data":{"type":"api_key","key":"k"},"metadata":"v1"}}`, 0, "no version"},
		{"version zero", `{"data":{"data":{"type":"api_key","key":"k"},"metadata":{"version":0}}}`, 0, "no version"},
		{"version negative", `{"data":{"data":{"type":"api_key","key":"k"},"metadata":{"version":-2}}}`, 0, "no version"},
		{"version fractional", `{"data":{"data":{"type":"api_key","key":"k"},"metadata":{"version":1.5}}}`, 0, "no version"},
		{"version huge", `{"data":{"data":{"type":"api_key","key":"k"},"metadata":{"version":1e400}}}`, 0, "no version"},
		{"version a word", `{"data":{"data":{"type":"api_key","key":"k"},"metadata":{"version":"three"}}}`, 0, "no version"},
		{"version as a string", `{"data":{"data":{"type":"api_key","key":"k"},"metadata":{"version":"2"}}}`, 2, ""},
		{"custom metadata wrong types", `{"data":{"data":{"type":"api_key","key":"k"},"metadata":{"version":1,"custom_metadata":{"terok_host":5,"terok_version_written":[1]}}}}`, 1, ""},
		{"custom metadata not an object", `{"data":{"data":{"type":"api_key","key":"k"},"metadata":{"version":1,"custom_metadata":"x"}}}`, 1, ""},
		{"nested fields kept", `{"data":{"data":{"type":"oauth","access_token":"a","scopes":["x",{"y":null}]},"metadata":{"version":1}}}`, 1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := decodeBody(tc.body)
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("error %v", err)
			case tc.err != "" && (err == nil || !strings.Contains(remedy.Text(err), tc.err)):
				t.Fatalf("error %v, want %q", err, tc.err)
			case tc.err == "" && e.version != tc.version:
				t.Errorf("version %d, want %d", e.version, tc.version)
			}
			if err == nil && e.raw != "" && e.cred.Validate() != nil {
				t.Errorf("an invalid credential decoded: %v", e.cred)
			}
		})
	}
	// What a misbehaving server sends is never echoed into an error.
	_, err = decodeBody(`{"data":{"data":{"type":"api_key","key":"s3cr3t-value"},"metadata":{"version":"s3cr3t-value"}}}`)
	if err == nil || strings.Contains(remedy.Text(err), "s3cr3t") {
		t.Errorf("error = %v", err)
	}
	// Who wrote it only for the version the metadata names.
	if e, _ := decodeBody(strings.Replace(kvAnswer, `"terok_version_written":"2"`, `"terok_version_written":"1"`, 1)); e.writtenBy != "" {
		t.Errorf("writer of another version: %q", e.writtenBy)
	}
}

func TestKeysOf(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`{"data":{"keys":["a/","b"]}}`, "[a/ b]"},
		{`{"data":{"keys":["a",3,null,{"x":1},["y"],"b/"]}}`, "[a b/]"},
		{`{"data":{"keys":"a"}}`, "[]"},
		{`{"data":{}}`, "[]"},
		{`{"data":null}`, "[]"},
		{`{}`, "[]"},
	} {
		sec, err := vault.ParseSecret(strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(keysOf(sec)); got != tc.want {
			t.Errorf("keysOf(%s) = %s, want %s", tc.body, got, tc.want)
		}
	}
}

// FuzzDecodeEntry: a KV v2 answer is untrusted input (any server, or
// anything between terok and it). Decoding never panics; what decodes is
// a valid credential at a positive version, and stores back as it came.
func FuzzDecodeEntry(f *testing.F) {
	f.Add([]byte(readAnswer(f, "kv-read.json")))
	f.Add([]byte(readAnswer(f, "kv-read-deleted.json")))
	f.Add([]byte(`{"data":{"data":{"type":"api_key","key":"k"},"metadata":{"version":1}}}`))
	f.Add([]byte(`{"data":{"data":null,"metadata":{"version":4}}}`))
	f.Add([]byte(`{"data":{"data":{"type":"oauth","expires_at":1.5e300,"x":[{}]},"metadata":{"version":"7","custom_metadata":{"terok_version_written":"7"}}}}`))
	f.Add([]byte(`{"data":{"keys":["a/","b",3]}}`))
	f.Add([]byte(readAnswer(f, "lease-held.json")))
	f.Add([]byte(`{"data":{"data":{"state":"held","pid":"-7","ttl_seconds":"-1e9"},"metadata":{"version":2,"created_time":"2026-12-02T13:43:39Z"}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		sec, err := vault.ParseSecret(bytes.NewReader(body))
		if err != nil || sec == nil {
			return
		}
		if l := decodeLease(sec); l.holder.PID < 0 || l.holder.TTL < 0 || l.holder.TTL > time.Hour { // a lease answer
			t.Fatalf("a lease of pid %d, ttl %s", l.holder.PID, l.holder.TTL)
		}
		for _, k := range keysOf(sec) { // a LIST answer
			if set, err := names.ParseSet(strings.TrimSuffix(k, "/")); err == nil && string(set) != strings.TrimSuffix(k, "/") {
				t.Fatalf("set %q parsed from key %q", set, k)
			}
		}
		e, err := decodeEntry(sec)
		if err != nil {
			return
		}
		if e.raw == "" {
			return
		}
		if e.version < 1 {
			t.Fatalf("decoded a credential at version %d", e.version)
		}
		if err := e.cred.Validate(); err != nil {
			t.Fatalf("decoded an invalid credential: %v", err)
		}
		// What was read can be written back (a copy, a CAS over it).
		if _, _, err := dataOf(e.cred); err != nil {
			t.Fatalf("cannot store what was read: %v", err)
		}
	})
}

func TestDecodeLease(t *testing.T) {
	held := readAnswer(t, "lease-held.json")
	sec, err := vault.ParseSecret(strings.NewReader(held))
	if err != nil {
		t.Fatal(err)
	}
	e := decodeLease(sec)
	if !e.held || e.version != 1 || e.holder.Host != "box" || e.holder.PID != 12384 || e.holder.TTL != 91*time.Second ||
		e.holder.Writer != "terok v1" || e.pidSpc != "00000000-1111-2222-3333-444444444444/pid:[4026531836]" ||
		e.created.Unix() != 1796219019 {
		t.Fatalf("decodeLease = %+v", e)
	}
	for _, tc := range []struct {
		name, body string
		held       bool
		version    int
	}{
		{"nothing there", `{"data":null}`, false, 0},
		{"released", `{"data":{"data":{"state":"released","host":"box"},"metadata":{"version":3}}}`, false, 3},
		{"soft-deleted", `{"data":{"data":null,"metadata":{"version":4,"deletion_time":"2026-12-02T13:43:39Z"}}}`, false, 4},
		// What cannot be read is held by someone unknown: its ttl (or
		// the taker's) decides, never an early takeover.
		{"no state", `{"data":{"data":{"host":"box"},"metadata":{"version":2}}}`, true, 2},
		{"odd state", `{"data":{"data":{"state":"RELEASED"},"metadata":{"version":2}}}`, true, 2},
		{"state not a string", `{"data":{"data":{"state":["released"]},"metadata":{"version":2}}}`, true, 2},
		{"pid and ttl not numbers", `{"data":{"data":{"state":"held","pid":"x","ttl_seconds":{}},"metadata":{"version":5,"created_time":"yesterday"}}}`, true, 5},
		{"a ttl beyond bounds", `{"data":{"data":{"state":"held","ttl_seconds":"99999999999999"},"metadata":{"version":6}}}`, true, 6},
		{"data not an object", `{"data":{"data":"held","metadata":{"version":2}}}`, false, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sec, err := vault.ParseSecret(strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			e := decodeLease(sec)
			if e.held != tc.held || e.version != tc.version || e.holder.PID < 0 || e.holder.TTL < 0 || e.holder.TTL > time.Hour {
				t.Errorf("decodeLease = %+v", e)
			}
		})
	}
}
