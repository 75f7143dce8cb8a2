package baotest

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Counter is a proxy in front of a real server that records every request
// it passes on, so a test can say how many calls a command cost.
type Counter struct {
	Addr string // http://127.0.0.1:PORT, to use in place of the server's

	mu   sync.Mutex
	reqs []string
}

// Count starts a counting proxy in front of the server at addr (an
// http:// address); it stops when the test ends.
func Count(t testing.TB, addr string) *Counter {
	t.Helper()
	target, err := url.Parse(addr)
	if err != nil {
		t.Fatal(err)
	}
	c := &Counter{}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		method := r.Method
		if method == http.MethodGet && r.URL.Query().Get("list") == "true" {
			method = "LIST" // the client's LIST is a GET with list=true
		}
		c.mu.Lock()
		c.reqs = append(c.reqs, method+" "+r.URL.Path)
		c.mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c.Addr = srv.URL
	return c
}

// Requests returns the requests so far ("GET /v1/secret/data/terok/a/b",
// "LIST /v1/secret/metadata/terok") whose path starts with /v1/+prefix,
// sorted; prefix "" is every request.
func (c *Counter) Requests(prefix string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, r := range c.reqs {
		_, path, _ := strings.Cut(r, " ")
		if strings.HasPrefix(path, "/v1/"+prefix) {
			out = append(out, r)
		}
	}
	slices.Sort(out)
	return out
}

// Reset forgets the requests so far.
func (c *Counter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reqs = nil
}
