// Package testwecom is a local fake of the 企业微信 endpoints kexuan calls:
// gettoken, message/send, auth/getuserinfo and the web authorisation page,
// answering as 企业微信 does (errcode and errmsg, 42001 for an expired
// token), so that the tests run against it.
package testwecom

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
)

// Fake is a running fake 企业微信; it stops when its test ends.
type Fake struct {
	URL            string
	CorpID, Secret string

	mu       sync.Mutex
	tokens   int               // access tokens issued
	valid    map[string]bool   // the tokens that work (a new one does not end the others)
	codes    map[string]string // web-authorisation code → member id
	as       string            // the member the authorisation page signs in next
	issued   int               // codes made
	messages []map[string]any
}

// Start runs a fake for the corporation corp with the application secret.
func Start(t testing.TB, corp, secret string) *Fake {
	t.Helper()
	f := &Fake{CorpID: corp, Secret: secret, codes: map[string]string{}, valid: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /cgi-bin/gettoken", f.getToken)
	mux.HandleFunc("POST /cgi-bin/message/send", f.send)
	mux.HandleFunc("GET /cgi-bin/auth/getuserinfo", f.userInfo)
	mux.HandleFunc("GET /connect/oauth2/authorize", f.authorize)
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	f.URL = ts.URL
	return f
}

func answer(w http.ResponseWriter, v map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func (f *Fake) getToken(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("corpid") != f.CorpID {
		answer(w, map[string]any{"errcode": 40013, "errmsg": "invalid corpid"})
		return
	}
	if q.Get("corpsecret") != f.Secret {
		answer(w, map[string]any{"errcode": 40001, "errmsg": "invalid credential"})
		return
	}
	f.mu.Lock()
	f.tokens++
	tok := "token-" + strconv.Itoa(f.tokens)
	f.valid[tok] = true
	f.mu.Unlock()
	answer(w, map[string]any{"errcode": 0, "errmsg": "ok", "access_token": tok, "expires_in": 7200})
}

// tokenOK answers 42001 for a token not issued or expired.
func (f *Fake) tokenOK(w http.ResponseWriter, r *http.Request) bool {
	f.mu.Lock()
	ok := f.valid[r.URL.Query().Get("access_token")]
	f.mu.Unlock()
	if !ok {
		answer(w, map[string]any{"errcode": 42001, "errmsg": "access_token expired"})
	}
	return ok
}

func (f *Fake) send(w http.ResponseWriter, r *http.Request) {
	if !f.tokenOK(w, r) {
		return
	}
	var msg map[string]any
	if err := json.NewDecoder(r.Body).Decode(&msg); err != nil {
		answer(w, map[string]any{"errcode": 47001, "errmsg": "data format error"})
		return
	}
	f.mu.Lock()
	f.messages = append(f.messages, msg)
	f.mu.Unlock()
	answer(w, map[string]any{"errcode": 0, "errmsg": "ok", "invaliduser": ""})
}

func (f *Fake) userInfo(w http.ResponseWriter, r *http.Request) {
	if !f.tokenOK(w, r) {
		return
	}
	f.mu.Lock()
	member, ok := f.codes[r.URL.Query().Get("code")]
	delete(f.codes, r.URL.Query().Get("code")) // a code is good once
	f.mu.Unlock()
	if !ok {
		answer(w, map[string]any{"errcode": 40029, "errmsg": "invalid code"})
		return
	}
	if member == "" {
		answer(w, map[string]any{"errcode": 0, "errmsg": "ok", "openid": "o-not-a-member"})
		return
	}
	answer(w, map[string]any{"errcode": 0, "errmsg": "ok", "userid": member})
}

// authorize is the page a phone is sent to: it sends it back to the
// redirect with a code for the member set by SignInAs.
func (f *Fake) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("appid") != f.CorpID || q.Get("response_type") != "code" || q.Get("scope") != "snsapi_base" || q.Get("agentid") == "" {
		http.Error(w, "bad authorisation request", http.StatusBadRequest)
		return
	}
	back, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || back.Host == "" {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.issued++
	code := "code-" + strconv.Itoa(f.issued)
	f.codes[code] = f.as
	f.mu.Unlock()
	v := back.Query()
	v.Set("code", code)
	v.Set("state", q.Get("state"))
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// SignInAs makes the authorisation page identify the member next ("" for
// someone outside the corporation).
func (f *Fake) SignInAs(member string) {
	f.mu.Lock()
	f.as = member
	f.mu.Unlock()
}

// Code makes a code that identifies member, as the page would.
func (f *Fake) Code(member string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.issued++
	code := "code-" + strconv.Itoa(f.issued)
	f.codes[code] = member
	return code
}

// Expire makes every access token issued so far refused (42001), as after
// their expiry.
func (f *Fake) Expire() {
	f.mu.Lock()
	clear(f.valid)
	f.mu.Unlock()
}

// Tokens is how many access tokens were issued.
func (f *Fake) Tokens() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokens
}

// Messages are the application messages received.
func (f *Fake) Messages() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any(nil), f.messages...)
}
