package web

import (
	"net/http"

	"kexuan/app"
	"kexuan/domain"
)

// resetView is the page where an account's holder sets their own password
// with an activation or reset link (Token) or a one-time code.
type resetView struct {
	Token        string
	SecondFactor bool // the account has one: its code is asked for
	Username     string
	Error        string
}

func (s *Server) renderReset(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, v resetView) {
	token := app.NewToken()
	http.SetCookie(w, &http.Cookie{Name: loginCSRFCookie, Value: token, Path: s.cookiePath("/reset"), HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	if status != http.StatusOK {
		w.WriteHeader(status)
	}
	// The page has no session: its form carries the token of its cookie.
	c.formToken = token
	s.render(w, r, c, "reset", "设定密码", v)
}

// resetPage: GET /reset (a code) and GET /reset/{token} (a link).
func (s *Server) resetPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	v := resetView{Token: r.PathValue("token")}
	if v.Token != "" {
		needs, err := s.App.AccountTokenNeeds(r.Context(), v.Token)
		if e := domain.ErrorOf(err); err != nil && e.Code == domain.EInvalid {
			v.Token, v.Error = "", e.Message+"（也可以用一次性重置码）"
			s.renderReset(w, r, c, http.StatusNotFound, v)
			return nil
		} else if err != nil {
			return err
		}
		v.SecondFactor = needs
	}
	s.renderReset(w, r, c, http.StatusOK, v)
	return nil
}

// resetPost: POST /reset — the password set, then the sign-in page.
func (s *Server) resetPost(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	in := app.AccountTokenInput{Token: r.PostFormValue("token"), Username: r.PostFormValue("username"), Code: r.PostFormValue("code"),
		SecondFactor: r.PostFormValue("second_factor"), Password: r.PostFormValue("password"), Address: clientIP(r)}
	v := resetView{Token: in.Token, Username: in.Username}
	if in.Password != r.PostFormValue("confirm_password") {
		v.Error = "两次输入的新密码不一致"
		s.renderReset(w, r, c, http.StatusUnprocessableEntity, v)
		return nil
	}
	err := s.App.SetPasswordByToken(r.Context(), in)
	if msg, ok := formError(err); ok {
		v.Error = msg
		if in.Token != "" {
			v.SecondFactor, _ = s.App.AccountTokenNeeds(r.Context(), in.Token)
		}
		s.renderReset(w, r, c, httpStatus(domain.ErrorOf(err).Code), v)
		return nil
	}
	if err != nil {
		return err
	}
	s.redirect(w, r, "/login", "密码已设定，请用新密码登录")
	return nil
}

// apiReset: POST /api/v1/reset {"token"|("username","code"),"second_factor","password"} → 204.
func (s *Server) apiReset(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		Token        string `json:"token"`
		Username     string `json:"username"`
		Code         string `json:"code"`
		SecondFactor string `json:"second_factor"`
		Password     string `json:"password"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := s.App.SetPasswordByToken(r.Context(), app.AccountTokenInput{Token: in.Token, Username: in.Username, Code: in.Code,
		SecondFactor: in.SecondFactor, Password: in.Password, Address: clientIP(r)}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) resetRoutes() {
	s.add(Route{Method: "GET", Path: s.cookiePath("/reset"), Public: true, handler: s.resetPage})
	s.add(Route{Method: "GET", Path: "/reset/{token}", Public: true, handler: s.resetPage})
	s.add(Route{Method: "POST", Path: s.cookiePath("/reset"), Public: true, handler: s.resetPost})
	s.add(Route{Method: "POST", Path: "/api/v1/reset", Public: true, handler: s.apiReset})
}
