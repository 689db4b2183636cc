package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"kexuan/app"
	"kexuan/domain"
)

// 企业微信 sign-in (网页授权): /login/wecom sends the phone to 企业微信 with a
// state kept in a cookie of this browser; 企业微信 sends it back to
// /login/wecom/callback with a code, exchanged for the member id
// (app.SignInWeCom). The state binds the answer to the browser that asked.

const weComStateCookie = "kexuan_wecom_state"

func (s *Server) weComRoutes() {
	s.add(Route{Method: "GET", Path: "/login/wecom", Public: true, handler: s.weComStart})
	s.add(Route{Method: "GET", Path: "/login/wecom/callback", Public: true, handler: s.weComCallback})
	s.handle("POST", "/admin/delivery/wecom", domain.PermUsers, s.saveWeCom)
}

func (s *Server) weComStart(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if c.user != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	state := app.NewToken()
	to, err := s.App.WeComAuthorizeURL(r.Context(), s.absolute(r, "/login/wecom/callback"), state)
	if err != nil {
		return err
	}
	// Lax: the way back from 企业微信 is a top-level navigation.
	http.SetCookie(w, &http.Cookie{Name: weComStateCookie, Value: state + "|" + url.QueryEscape(safeNext(r.URL.Query().Get("next"))),
		Path: s.cookiePath("/login/wecom"), HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode, MaxAge: 600})
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

func (s *Server) weComCallback(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ck, err := r.Cookie(weComStateCookie)
	http.SetCookie(w, &http.Cookie{Name: weComStateCookie, Value: "", Path: s.cookiePath("/login/wecom"), MaxAge: -1})
	var state, next string
	if err == nil {
		state, next, _ = strings.Cut(ck.Value, "|")
		next, _ = url.QueryUnescape(next)
	}
	if state == "" || r.URL.Query().Get("state") != state {
		s.renderLogin(w, r, c, http.StatusForbidden, "", "企业微信登录已过期或不是从本页发起：请重新打开")
		return nil
	}
	token, u, err := s.App.SignInWeCom(r.Context(), r.URL.Query().Get("code"), clientIP(r))
	if err != nil {
		e := domain.ErrorOf(err)
		if e.Code == domain.EInternal {
			return err
		}
		s.renderLogin(w, r, c, httpStatus(e.Code), "", e.Message)
		return nil
	}
	s.signedIn(w, r, token, u, next)
	return nil
}

func (s *Server) saveWeCom(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	raw := strings.TrimSpace(r.PostFormValue("agent_id"))
	agent, _ := strconv.ParseInt(raw, 10, 64)
	if raw != "" && agent <= 0 {
		return s.renderDelivery(w, r, c, "应用的 AgentId 应为正整数")
	}
	in := app.WeComSettings{CorpID: r.PostFormValue("corp_id"), AgentID: agent, Secret: r.PostFormValue("secret")}
	if r.PostFormValue("off") != "" {
		in = app.WeComSettings{}
	}
	err := s.App.SetWeComSettings(r.Context(), c.actor, in)
	if msg, ok := formError(err); ok {
		return s.renderDelivery(w, r, c, msg)
	}
	if err != nil {
		return err
	}
	s.redirect(w, r, "/admin/delivery", "企业微信设置已保存")
	return nil
}
