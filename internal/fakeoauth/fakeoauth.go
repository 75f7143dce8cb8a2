// Package fakeoauth is a token endpoint for tests that behaves like the
// vendors' (OpenAI's, Anthropic's, GitLab's): it answers the OAuth 2
// refresh_token grant, rotates the refresh token on every use and refuses
// a used one with invalid_grant, as OpenAI refuses a reused token
// ("refresh_token_reused") and GitLab a revoked one. It can insist on a
// User-Agent, a client id and a body encoding, and be told to fail in each
// way a real endpoint fails.
package fakeoauth

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Failures the endpoint can be told to answer with, once each, in order.
const (
	Fail500       = "500"
	Fail429       = "429"
	FailNotJSON   = "notjson"
	FailHuge      = "huge"
	FailNoAccess  = "noaccess"
	FailHang      = "hang"
	FailRevoked   = "revoked" // 400 invalid_grant, whatever the token
	FailForbidden = "403"
)

// Server is the fake endpoint.
type Server struct {
	*httptest.Server

	// What a request must carry; "" accepts anything.
	UserAgent string
	ClientID  string
	Encoding  string // "form" or "json"
	// ExpiresIn is the lifetime of an issued access token (default 1h);
	// NoExpiresIn leaves it out of the answer.
	ExpiresIn   int
	NoExpiresIn bool
	// IDToken adds an id_token to the answer.
	IDToken bool
	// Delay holds each successful answer back that long, after the
	// refresh token is spent (as a vendor marks it used on receipt), so
	// that concurrent renewals overlap.
	Delay time.Duration

	mu       sync.Mutex
	live     string          // the one refresh token accepted
	used     map[string]bool // tokens already spent
	n        int
	posts    int
	failures []string
	hang     chan struct{}
}

// New starts an endpoint whose live refresh token is refreshToken.
func New(refreshToken string) *Server {
	s := &Server{live: refreshToken, used: map[string]bool{}, hang: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Close stops the server, releasing a hanging request first.
func (s *Server) Close() {
	s.mu.Lock()
	select {
	case <-s.hang:
	default:
		close(s.hang)
	}
	s.mu.Unlock()
	s.Server.Close()
}

// URL of the token endpoint.
func (s *Server) TokenURL() string { return s.URL + "/oauth/token" }

// FailNext queues failures, answered before any success.
func (s *Server) FailNext(f ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, f...)
}

// Posts is how many requests reached the endpoint.
func (s *Server) Posts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.posts
}

// Live is the refresh token the endpoint accepts now.
func (s *Server) Live() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.live
}

// Accepts reports whether refreshToken would be accepted now.
func (s *Server) Accepts(refreshToken string) bool { return s.Live() == refreshToken }

// AccessToken is the access token issued with the n-th refresh.
func AccessToken(n int) string { return fmt.Sprintf("at-fake-%d", n) }

// RefreshToken is the refresh token issued with the n-th refresh.
func RefreshToken(n int) string { return fmt.Sprintf("rt-fake-%d", n) }

func oauthErr(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.posts++
	var fail string
	if len(s.failures) > 0 {
		fail, s.failures = s.failures[0], s.failures[1:]
	}
	hang := s.hang
	s.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != "/oauth/token" {
		http.NotFound(w, r)
		return
	}
	switch fail {
	case Fail500:
		http.Error(w, "upstream broke", http.StatusInternalServerError)
		return
	case Fail429:
		w.Header().Set("Retry-After", "1")
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	case FailNotJSON:
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, "<html>maintenance</html>")
		return
	case FailHuge:
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{"access_token":"`+strings.Repeat("a", 1<<20)+`"}`)
		return
	case FailNoAccess:
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"token_type":"bearer","expires_in":3600}`)
		return
	case FailHang:
		select {
		case <-hang:
		case <-r.Context().Done():
		}
		return
	case FailRevoked:
		oauthErr(w, http.StatusBadRequest, "invalid_grant")
		return
	case FailForbidden:
		oauthErr(w, http.StatusForbidden, "access_denied")
		return
	}
	if s.UserAgent != "" && r.Header.Get("User-Agent") != s.UserAgent {
		// As Anthropic's endpoint turns away clients it does not know.
		oauthErr(w, http.StatusForbidden, "unknown_client")
		return
	}
	form, err := s.params(r)
	if err != nil {
		oauthErr(w, http.StatusBadRequest, "invalid_request")
		return
	}
	if form.Get("grant_type") != "refresh_token" {
		oauthErr(w, http.StatusBadRequest, "unsupported_grant_type")
		return
	}
	if s.ClientID != "" && form.Get("client_id") != s.ClientID {
		oauthErr(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	rt := form.Get("refresh_token")
	s.mu.Lock()
	if rt == "" || rt != s.live {
		reused := s.used[rt]
		s.mu.Unlock()
		code := "invalid_grant"
		if reused {
			code = "refresh_token_reused"
		}
		oauthErr(w, http.StatusBadRequest, code)
		return
	}
	s.used[rt] = true
	s.n++
	n := s.n
	s.live = RefreshToken(n)
	s.mu.Unlock()
	answer := map[string]any{"access_token": AccessToken(n), "refresh_token": RefreshToken(n), "token_type": "Bearer"}
	if !s.NoExpiresIn {
		exp := s.ExpiresIn
		if exp == 0 {
			exp = int(time.Hour / time.Second)
		}
		answer["expires_in"] = exp
	}
	if s.IDToken {
		answer["id_token"] = fmt.Sprintf("id-fake-%d", n)
	}
	if s.Delay > 0 {
		select {
		case <-time.After(s.Delay):
		case <-r.Context().Done():
		case <-hang:
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(answer)
}

func (s *Server) params(r *http.Request) (url.Values, error) {
	data, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if err != nil {
		return nil, err
	}
	ctype := r.Header.Get("Content-Type")
	switch {
	case s.Encoding == "json" || (s.Encoding == "" && strings.HasPrefix(ctype, "application/json")):
		if !strings.HasPrefix(ctype, "application/json") {
			return nil, fmt.Errorf("not JSON")
		}
		var m map[string]string
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, err
		}
		v := url.Values{}
		for k, x := range m {
			v.Set(k, x)
		}
		return v, nil
	default:
		if !strings.HasPrefix(ctype, "application/x-www-form-urlencoded") {
			return nil, fmt.Errorf("not a form")
		}
		return url.ParseQuery(string(data))
	}
}
