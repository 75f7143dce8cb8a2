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
// and the audit path holds no query and no whole stand-in.
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
