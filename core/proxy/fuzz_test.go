package proxy

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/terok-ai/terok-auth/core/grant"
)

// FuzzRequestHandling feeds made-up header values and paths to what the
// proxy does with a client's request: it must not panic; after the strip
// no header holds a stand-in; the stand-in found is one the headers hold;
// the audit path holds no query and no whole stand-in; and a declared
// extra value joins a client's list once, keeping every item it had.
func FuzzRequestHandling(f *testing.F) {
	s, _ := grant.NewStandIn()
	f.Add("Bearer "+s, "x-api-key", s, "/v1/messages?key="+s)
	f.Add("token "+s+","+s, "PRIVATE-TOKEN", "terok-sa-", "/api/v4/projects/a%2Fb")
	f.Add("", "X", "terok-sa-terok-sa-x", "/"+s+"/x?q")
	f.Fuzz(func(t *testing.T, auth, name, value, path string) {
		h := http.Header{}
		h.Set("Authorization", auth)
		if name != "" && !strings.ContainsAny(name, "\r\n:") {
			h[http.CanonicalHeaderKey(name)] = append(h[http.CanonicalHeaderKey(name)], value)
		}
		found, err := findStandIn(h)
		if err == nil {
			holds := false
			for _, vs := range h {
				for _, v := range vs {
					holds = holds || strings.Contains(v, found)
				}
			}
			if !holds || !strings.HasPrefix(found, grant.StandInPrefix) {
				t.Fatalf("found %q, which no header holds", found)
			}
		}
		joined := withListValue([]string{auth, value}, "oauth-2025-04-20")
		items := map[string]int{}
		for _, it := range strings.Split(joined, ",") {
			items[strings.ToLower(it)]++
			if it == "" || it != strings.TrimSpace(it) {
				t.Fatalf("withListValue(%q, %q) = %q: an empty or padded item", auth, value, joined)
			}
		}
		if items["oauth-2025-04-20"] < 1 {
			t.Fatalf("withListValue(%q, %q) = %q lacks the declared value", auth, value, joined)
		}
		for _, c := range []string{auth, value} {
			for _, it := range strings.Split(c, ",") {
				if it = strings.TrimSpace(it); it != "" && items[strings.ToLower(it)] == 0 {
					t.Fatalf("withListValue dropped %q: %q", it, joined)
				}
			}
		}
		stripStandIns(h)
		for k, vs := range h {
			for _, v := range vs {
				if strings.Contains(v, grant.StandInPrefix) {
					t.Fatalf("%s still holds a stand-in: %q", k, v)
				}
			}
		}
		u, err := url.ParseRequestURI(path)
		if err != nil {
			return
		}
		p := auditPath(&http.Request{URL: u})
		if strings.Contains(p, "?") && !strings.Contains(u.EscapedPath(), "?") {
			t.Fatalf("audit path %q holds the query", p)
		}
		for _, si := range standInsIn(u.EscapedPath()) {
			if len(si) > len(grant.StandInPrefix) && strings.Contains(p, si) {
				t.Fatalf("audit path %q holds a stand-in", p)
			}
		}
	})
}
