package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"

	"kexuan/app"
	"kexuan/domain"
)

// Requests of systems: Authorization: Bearer TOKEN acts as the token's
// account with the token's scopes, on the API only (a page is refused); a
// POST with Idempotency-Key is done once and its first answer repeated.

// tokenRequest authenticates a token and checks that it may call the route.
func (s *Server) tokenRequest(r *http.Request, c *reqCtx, token string) error {
	rt := c.route
	u, t, err := s.App.AuthenticateToken(r.Context(), token)
	if err != nil {
		return err
	}
	c.user, c.apiToken = u, t
	c.actor = &app.Actor{User: u, Address: clientIP(r)}
	if !rt.API {
		return &domain.Error{Code: domain.EForbidden, Message: "接口令牌只能调用 /api/v1/ 接口，不能打开页面"}
	}
	me := rt.Method == http.MethodGet && rt.Path == "/api/v1/me"
	if !me && (rt.Perm == domain.PermNone || !t.Grants(rt.Perm)) {
		why := "此接口令牌的权限范围不含 " + string(rt.Perm)
		if rt.Perm == domain.PermNone {
			why = "接口令牌不能调用账户自己的接口（" + rt.Path + "）"
		}
		s.App.AuditDenied(r.Context(), c.actor, "route", rt.Method+" "+rt.Path, why)
		return &domain.Error{Code: domain.EForbidden, Message: why}
	}
	return nil
}

// serveToken runs a token's request: JSON only for writes, and a POST's
// Idempotency-Key honoured.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if isWrite(r.Method) {
		if err := s.checkCSRF(r, c); err != nil {
			s.fail(w, r, c, err)
			return
		}
	}
	s.runIdempotent(w, r, c)
}

// runIdempotent runs the route's handler; a POST with Idempotency-Key
// (from a token or a session) is done once: a repeat within a day gets the
// first answer (Idempotent-Replayed: true), the same key on another
// request is refused, and a repeat while the first is being done is told
// to wait (409).
func (s *Server) runIdempotent(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	key := r.Header.Get("Idempotency-Key")
	if key == "" || r.Method != http.MethodPost || !c.route.API || c.user == nil {
		if err := c.route.handler(w, r, c); err != nil {
			s.fail(w, r, c, err)
		}
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s.fail(w, r, c, bodyError(err))
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	sum := sha256.Sum256(body)
	request := r.Method + " " + r.URL.RequestURI() + " " + hex.EncodeToString(sum[:])
	first, err := s.App.ClaimIdempotencyKey(r.Context(), c.user.ID, key, request)
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	if first != nil {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Idempotent-Replayed", "true")
		w.WriteHeader(first.Status)
		io.WriteString(w, first.Body)
		return
	}
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	if err := c.route.handler(rec, r, c); err != nil {
		s.fail(rec, r, c, err)
	}
	status := rec.status
	if status >= 500 {
		status = 0 // not an answer to keep: it may be sent again
	}
	if err := s.App.FinishIdempotencyKey(r.Context(), c.user.ID, key, status, rec.body.String()); err != nil {
		s.Log.Error("idempotency key", "err", err)
	}
}

// recorder passes an answer through and keeps a copy of it.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

// tokensView is the system administrator's page of API tokens: the list,
// the form for a new one, and a new token shown once.
type tokensView struct {
	Tokens   []*domain.APIToken
	Scopes   []string
	Issued   string // the token just issued (shown this once)
	Name     string
	Picked   map[string]bool
	Expires  string
	Error    string
	Field    string
	CanWrite bool
}

func (s *Server) tokensPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.renderTokens(w, r, c, tokensView{})
}

func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, c *reqCtx, v tokensView) error {
	ts, err := s.App.Tokens(r.Context(), c.actor)
	if err != nil {
		return err
	}
	v.Tokens, v.Scopes, v.CanWrite = ts, domain.ScopeNames, c.user.Role.Can(domain.PermUsers)
	if v.Picked == nil {
		v.Picked = map[string]bool{}
	}
	s.render(w, r, c, "tokens", "接口令牌", v)
	return nil
}

// addToken: POST /admin/tokens — the new token is shown on the answer, once.
func (s *Server) addToken(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	in := app.TokenInput{Name: r.PostFormValue("name"), Scopes: r.PostForm["scope"], Expires: r.PostFormValue("expires")}
	token, _, err := s.App.AddToken(r.Context(), c.actor, in)
	v := tokensView{Name: in.Name, Expires: in.Expires, Picked: map[string]bool{}}
	for _, sc := range in.Scopes {
		v.Picked[sc] = true
	}
	if msg, ok := formError(err); ok {
		v.Error, v.Field = msg, domain.ErrorOf(err).Field
		w.WriteHeader(http.StatusUnprocessableEntity)
		return s.renderTokens(w, r, c, v)
	}
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.renderTokens(w, r, c, tokensView{Issued: token, Name: in.Name})
}

// revokeToken: POST /admin/tokens/{name}/revoke.
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := s.App.RevokeToken(r.Context(), c.actor, r.PathValue("name")); err != nil {
		return err
	}
	s.redirect(w, r, "/admin/tokens", "令牌已吊销")
	return nil
}
