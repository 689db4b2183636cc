package web

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"strconv"

	"kexuan/app"
	"kexuan/domain"
)

// The second factor (TOTP and recovery codes), the security
// administrator's pages (the policy; roles, unlocking and resets on an
// account) and showing a whole personal value.

// codeView is the page that asks for the second factor.
type codeView struct {
	Error, Next string
}

func (s *Server) codePage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if c.session.Stage != domain.StageCode {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	s.render(w, r, c, "login_code", "验证码", codeView{Next: safeNext(r.FormValue("next"))})
	return nil
}

func (s *Server) codePost(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	token, err := s.App.SecondFactor(r.Context(), c.actor, c.session, c.token, r.PostFormValue("code"))
	if s.sessionEnded(w, err) {
		s.redirect(w, r, "/login", domain.ErrorOf(err).Message)
		return nil
	}
	if msg, ok := formError(err); ok {
		w.WriteHeader(http.StatusUnprocessableEntity)
		s.render(w, r, c, "login_code", "验证码", codeView{Error: msg, Next: safeNext(r.PostFormValue("next"))})
		return nil
	}
	if err != nil {
		return err
	}
	s.setSession(w, token) // a new session id once the second factor is given
	next := safeNext(r.PostFormValue("next"))
	if c.user.MustChangePassword {
		next = "/password"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// apiCode: POST /api/v1/login/code {"code"} completes a sign-in.
func (s *Server) apiCode(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		Code string `json:"code"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	token, err := s.App.SecondFactor(r.Context(), c.actor, c.session, c.token, in.Code)
	if err != nil {
		s.sessionEnded(w, err)
		return err
	}
	s.setSession(w, token) // a new session id once the second factor is given
	writeJSON(w, http.StatusOK, map[string]any{"user": toUserJSON(c.user)})
	return nil
}

// secondFactorView is the second factor's page: its state, the QR code to
// enrol, or the recovery codes just issued.
type secondFactorView struct {
	Enabled       bool
	Required      bool
	Left          int // recovery codes unused
	Enrolment     *app.Enrolment
	QR            template.URL
	RecoveryCodes []string
	Error         string
}

func (s *Server) secondFactorPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.renderSecondFactor(w, r, c, secondFactorView{})
}

func (s *Server) renderSecondFactor(w http.ResponseWriter, r *http.Request, c *reqCtx, v secondFactorView) error {
	v.Enabled = c.user.TOTPEnabled || v.RecoveryCodes != nil
	v.Required = c.session.Stage == domain.StageEnrol
	if v.Enabled {
		n, err := s.App.RecoveryCodesLeft(r.Context(), c.actor)
		if err != nil {
			return err
		}
		v.Left = n
	}
	if v.Enrolment != nil {
		v.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(v.Enrolment.QR))
	}
	if v.Error != "" {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	s.render(w, r, c, "second_factor", "第二因素", v)
	return nil
}

func (s *Server) enrolSecondFactor(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	e, err := s.App.EnrolSecondFactor(r.Context(), c.actor, r.PostFormValue("password"))
	if s.sessionEnded(w, err) {
		s.redirect(w, r, "/login", domain.ErrorOf(err).Message)
		return nil
	}
	if msg, ok := formError(err); ok {
		return s.renderSecondFactor(w, r, c, secondFactorView{Error: msg})
	}
	if err != nil {
		return err
	}
	return s.renderSecondFactor(w, r, c, secondFactorView{Enrolment: e})
}

func (s *Server) confirmSecondFactor(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	codes, token, err := s.App.ConfirmSecondFactor(r.Context(), c.actor, c.token, r.PostFormValue("code"))
	if msg, ok := formError(err); ok {
		return s.renderSecondFactor(w, r, c, secondFactorView{Error: msg + "。请重新生成二维码后再试。"})
	}
	if err != nil {
		return err
	}
	// A new session id at the privilege change; the page's forms carry
	// the new session's token.
	s.setSession(w, token)
	if _, sess, err := s.App.Authenticate(r.Context(), token); err == nil {
		c.session, c.token = sess, token
	}
	return s.renderSecondFactor(w, r, c, secondFactorView{RecoveryCodes: codes})
}

// apiEnrol: POST /api/v1/second-factor/enrol {"password"} → {"secret","url"}.
func (s *Server) apiEnrol(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		Password string `json:"password"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	e, err := s.App.EnrolSecondFactor(r.Context(), c.actor, in.Password)
	if err != nil {
		s.sessionEnded(w, err)
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"secret": e.Secret, "url": e.URL})
	return nil
}

// apiConfirm: POST /api/v1/second-factor/confirm {"code"} → {"recovery_codes":[…]}.
func (s *Server) apiConfirm(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		Code string `json:"code"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	codes, token, err := s.App.ConfirmSecondFactor(r.Context(), c.actor, c.token, in.Code)
	if err != nil {
		return err
	}
	s.setSession(w, token) // a new session id at the privilege change
	writeJSON(w, http.StatusOK, map[string]any{"recovery_codes": codes})
	return nil
}

// policyView is the security administrator's policy page.
type policyView struct {
	P     app.Policy
	Error string
}

func (s *Server) policyPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p, err := s.App.Policy(r.Context())
	if err != nil {
		return err
	}
	s.render(w, r, c, "policy", "安全策略", policyView{P: p})
	return nil
}

func (s *Server) savePolicy(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var ch app.PolicyChange
	sf := r.PostFormValue("second_factor")
	ch.SecondFactor = &sf
	for name, dst := range map[string]**int{"password_max_age_days": &ch.PasswordMaxAgeDays, "password_history": &ch.PasswordHistory,
		"lockout_failures": &ch.LockoutFailures, "lockout_minutes": &ch.LockoutMinutes} {
		n, err := strconv.Atoi(r.PostFormValue(name))
		if err != nil {
			return domain.Invalid(name, "%s 应为整数", name)
		}
		*dst = &n
	}
	_, err := s.App.SetPolicy(r.Context(), c.actor, ch)
	if msg, ok := formError(err); ok {
		p, err := s.App.Policy(r.Context())
		if err != nil {
			return err
		}
		w.WriteHeader(http.StatusUnprocessableEntity)
		s.render(w, r, c, "policy", "安全策略", policyView{P: p, Error: msg})
		return nil
	}
	if err != nil {
		return err
	}
	s.redirect(w, r, "/admin/security", "安全策略已保存")
	return nil
}

// apiPolicy: GET /api/v1/policy → the policy.
func (s *Server) apiPolicy(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p, err := s.App.Policy(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// apiSetPolicy: POST /api/v1/policy with the fields to change.
func (s *Server) apiSetPolicy(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		SecondFactor       *string `json:"second_factor"`
		PasswordMaxAgeDays *int    `json:"password_max_age_days"`
		PasswordHistory    *int    `json:"password_history"`
		LockoutFailures    *int    `json:"lockout_failures"`
		LockoutMinutes     *int    `json:"lockout_minutes"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	p, err := s.App.SetPolicy(r.Context(), c.actor, app.PolicyChange(in))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// securityAction runs one of the security administrator's actions on an
// account and goes back to it.
func (s *Server) securityAction(do func(r *http.Request, c *reqCtx, id int64) error, done string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		err = do(r, c, id)
		if msg, ok := formError(err); ok {
			u, err := s.App.User(r.Context(), c.actor, id)
			if err != nil {
				return err
			}
			return s.userForm(w, r, c, u, msg)
		}
		if err != nil {
			return err
		}
		s.redirect(w, r, "/admin/users/"+strconv.FormatInt(id, 10), done)
		return nil
	}
}

func (s *Server) registerSecurityRoutes() {
	s.add(Route{Method: "GET", Path: "/login/code", Stage: true, handler: s.codePage})
	s.add(Route{Method: "POST", Path: "/login/code", Stage: true, handler: s.codePost})
	s.add(Route{Method: "POST", Path: "/api/v1/login/code", Stage: true, handler: s.apiCode})
	s.add(Route{Method: "GET", Path: "/second-factor", Stage: true, handler: s.secondFactorPage})
	s.add(Route{Method: "POST", Path: "/second-factor/enrol", Stage: true, handler: s.enrolSecondFactor})
	s.add(Route{Method: "POST", Path: "/second-factor/confirm", Stage: true, handler: s.confirmSecondFactor})
	s.add(Route{Method: "POST", Path: "/api/v1/second-factor/enrol", Stage: true, handler: s.apiEnrol})
	s.add(Route{Method: "POST", Path: "/api/v1/second-factor/confirm", Stage: true, handler: s.apiConfirm})

	s.handle("GET", "/admin/security", domain.PermSecurity, s.policyPage)
	s.handle("POST", "/admin/security/policy", domain.PermSecurity, s.savePolicy)
	s.handle("GET", "/api/v1/policy", domain.PermSecurity, s.apiPolicy)
	s.handle("POST", "/api/v1/policy", domain.PermSecurity, s.apiSetPolicy)
	s.handle("POST", "/admin/users/{id}/role", domain.PermSecurity, s.securityAction(func(r *http.Request, c *reqCtx, id int64) error {
		return s.App.AssignRole(r.Context(), c.actor, id, domain.Role(r.PostFormValue("role")), r.PostForm["leads"])
	}, "角色已保存；该用户须重新登录"))
	s.handle("POST", "/admin/users/{id}/unlock", domain.PermSecurity, s.securityAction(func(r *http.Request, c *reqCtx, id int64) error {
		return s.App.Unlock(r.Context(), c.actor, id)
	}, "已解除锁定"))
	s.handle("POST", "/admin/users/{id}/second-factor/reset", domain.PermSecurity, s.securityAction(func(r *http.Request, c *reqCtx, id int64) error {
		return s.App.ResetSecondFactor(r.Context(), c.actor, id)
	}, "已重置第二因素：该用户下次登录时重新绑定"))
	s.handle("POST", "/admin/users/{id}/password", domain.PermSecurity, s.resetPassword)
	s.handle("POST", "/admin/users/{id}/reveal", domain.PermUsers, s.reveal)
	s.handle("POST", "/api/v1/users/{id}/reveal", domain.PermUsers, s.apiReveal)
}

// reveal shows an account's whole phone number or e-mail address, once,
// audited.
func (s *Server) reveal(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := s.App.RevealContact(r.Context(), c.actor, id, r.PostFormValue("field"))
	if err != nil {
		return err
	}
	u, err := s.App.User(r.Context(), c.actor, id)
	if err != nil {
		return err
	}
	return s.renderUserForm(w, r, c, u, "", v)
}

// apiReveal: POST /api/v1/users/{id}/reveal {"field":"phone"|"email"} → {"field","value"}.
func (s *Server) apiReveal(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Field string `json:"field"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := s.App.RevealContact(r.Context(), c.actor, id, in.Field)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// resetPassword: POST /admin/users/{id}/password — a reset the holder
// completes: the page says where the link went, or shows the one-time code
// once (never a password).
func (s *Server) resetPassword(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	link, err := s.App.ResetPassword(r.Context(), c.actor, id)
	u, uerr := s.App.User(r.Context(), c.actor, id)
	if uerr != nil {
		return uerr
	}
	if msg, ok := formError(err); ok {
		return s.userForm(w, r, c, u, msg)
	}
	if err != nil {
		return err
	}
	return s.renderUserFormLink(w, r, c, u, link)
}
