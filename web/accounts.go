package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"kexuan/app"
	"kexuan/domain"
)

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if c.user != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	// Opened inside 企业微信 (its browser says wxwork): signed in by it at
	// once, unless the person asked for the password form.
	if strings.Contains(r.UserAgent(), "wxwork") && r.URL.Query().Get("password") == "" && s.App.WeComSignInOffered(r.Context()) {
		http.Redirect(w, r, "/login/wecom?next="+url.QueryEscape(safeNext(r.URL.Query().Get("next"))), http.StatusSeeOther)
		return nil
	}
	s.renderLogin(w, r, c, http.StatusOK, "", "")
	return nil
}

// loginView is the sign-in form.
type loginView struct {
	CSRF, Error, Username, Next string
	WeCom                       bool // 企业微信 sign-in is offered
}

// passwordView is the form to change one's password.
type passwordView struct {
	Error string
	Email string // the user's own, for the notices form
}

// passwordPageView is the password page with its notices form filled in.
func (s *Server) passwordPageView(c *reqCtx, msg string) passwordView {
	return passwordView{Error: msg, Email: s.App.OwnEmail(c.user)}
}

// renderLogin answers the sign-in form with status and a new form token:
// its cookie is set before the status line is written, or a browser that
// mistyped once could never send the form again.
func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, username, msg string) {
	token := app.NewToken()
	http.SetCookie(w, &http.Cookie{Name: loginCSRFCookie, Value: token, Path: s.cookiePath("/login"), HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	if status != http.StatusOK {
		w.WriteHeader(status)
	}
	next := safeNext(r.FormValue("next"))
	s.render(w, r, c, "login", "登录", loginView{CSRF: token, Error: msg, Username: username, Next: next, WeCom: s.App.WeComSignInOffered(r.Context())})
}

func (s *Server) loginPost(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	username := r.PostFormValue("username")
	token, u, err := s.App.Login(r.Context(), username, r.PostFormValue("password"), clientIP(r))
	if err != nil {
		e := domain.ErrorOf(err)
		if e.Code == domain.EInternal {
			return err
		}
		s.renderLogin(w, r, c, httpStatus(e.Code), username, e.Message)
		return nil
	}
	s.signedIn(w, r, token, u, r.PostFormValue("next"))
	return nil
}

// signedIn sets a new session's cookie and sends its holder on: to the
// second factor when the session waits for it, to the password page when
// the password must change, else to next (a local path).
func (s *Server) signedIn(w http.ResponseWriter, r *http.Request, token string, u *domain.User, next string) {
	s.setSession(w, token)
	next = safeNext(next)
	if _, sess, err := s.App.Authenticate(r.Context(), token); err == nil && sess.Stage != domain.StageFull {
		where := "/login/code"
		if sess.Stage == domain.StageEnrol {
			where = "/second-factor"
		}
		http.Redirect(w, r, where+"?next="+url.QueryEscape(next), http.StatusSeeOther)
		return
	}
	if u.MustChangePassword {
		next = "/password"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// safeNext returns where to go after signing in: a local path only — no
// control characters or backslashes, no scheme or host once parsed, not
// starting with "//" — or "/".
func safeNext(next string) string {
	if next == "" || len(next) > 2048 || next[0] != '/' || strings.HasPrefix(next, "//") ||
		strings.ContainsAny(next, "\\") || strings.ContainsFunc(next, unicode.IsControl) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return next
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := s.App.Logout(r.Context(), c.actor, c.token); err != nil {
		return err
	}
	s.clearSession(w)
	s.redirect(w, r, "/login", "已退出")
	return nil
}

func (s *Server) passwordPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	s.render(w, r, c, "password", "修改密码", s.passwordPageView(c, ""))
	return nil
}

func (s *Server) passwordPost(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if confirm, ok := r.PostForm["confirm_password"]; ok && confirm[0] != r.PostFormValue("new_password") {
		w.WriteHeader(http.StatusUnprocessableEntity)
		s.render(w, r, c, "password", "修改密码", s.passwordPageView(c, "两次输入的新密码不一致"))
		return nil
	}
	err := s.App.ChangePassword(r.Context(), c.actor, c.token, r.PostFormValue("old_password"), r.PostFormValue("new_password"))
	if s.sessionEnded(w, err) {
		s.redirect(w, r, "/login", domain.ErrorOf(err).Message)
		return nil
	}
	if msg, ok := formError(err); ok {
		w.WriteHeader(http.StatusUnprocessableEntity)
		s.render(w, r, c, "password", "修改密码", s.passwordPageView(c, msg))
		return nil
	}
	if err != nil {
		return err
	}
	s.redirect(w, r, "/", "密码已修改")
	return nil
}

// usersView is the accounts page.
type usersView struct {
	Users       []*domain.User
	F           domain.UserFilter
	Roles       []domain.Role
	Departments []domain.DepartmentRef
	Pager       pager
	Now         time.Time
}

// Locked reports whether an account is locked out now.
func (v usersView) Locked(u *domain.User) bool { return u.LockedUntil.After(v.Now) }

// DeptNames are the departments' names for a code (the code itself when unknown).
func (v usersView) DeptNames(codes []string) string {
	names := make([]string, 0, len(codes))
	for _, c := range codes {
		n := c
		for _, d := range v.Departments {
			if d.Code == c {
				n = d.Name
			}
		}
		names = append(names, n)
	}
	return strings.Join(names, "、")
}

func userFilter(r *http.Request) domain.UserFilter {
	q := r.URL.Query()
	return domain.UserFilter{Role: domain.Role(q.Get("role")), Department: q.Get("department"), Text: q.Get("q")}
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	pq, err := pageQuery(r)
	if err != nil {
		return err
	}
	f := userFilter(r)
	pg, err := s.App.Users(r.Context(), c.actor, f, pq)
	if err != nil {
		return err
	}
	depts, err := s.App.Departments(r.Context())
	if err != nil {
		return err
	}
	s.render(w, r, c, "users", "账户", usersView{Users: pg.Items, F: f, Roles: domain.Roles, Departments: depts, Pager: pagerOf(r, pg), Now: s.App.Now()})
	return nil
}

// userFormView is the form to create or change an account: the system
// administrator's part (name, department, contacts, disabled) and the
// security administrator's (role and leaders, unlocking, resets).
type userFormView struct {
	Edit      *domain.User
	Roles     []domain.Role // the roles the security administrator gives
	Depts     []domain.DepartmentRef
	Error     string
	Locked    bool
	Revealed  *app.Contact
	Phone     string           // masked
	Email     string           // masked
	CanData   bool             // the system administrator
	CanSecure bool             // the security administrator
	Link      *app.AccountLink // an activation or reset just made: where it went, or its code (once)
}

func (s *Server) userForm(w http.ResponseWriter, r *http.Request, c *reqCtx, u *domain.User, msg string) error {
	return s.renderUserForm(w, r, c, u, msg, nil)
}

// renderUserFormLink shows an account with the activation or reset just
// made for it.
func (s *Server) renderUserFormLink(w http.ResponseWriter, r *http.Request, c *reqCtx, u *domain.User, link *app.AccountLink) error {
	return s.renderUserFormWith(w, r, c, u, "", nil, link)
}

func (s *Server) renderUserForm(w http.ResponseWriter, r *http.Request, c *reqCtx, u *domain.User, msg string, revealed *app.Contact) error {
	return s.renderUserFormWith(w, r, c, u, msg, revealed, nil)
}

func (s *Server) renderUserFormWith(w http.ResponseWriter, r *http.Request, c *reqCtx, u *domain.User, msg string, revealed *app.Contact, link *app.AccountLink) error {
	depts, err := s.App.Departments(r.Context())
	if err != nil {
		return err
	}
	if msg != "" {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	masked := *u
	app.MaskedContacts(&masked)
	s.render(w, r, c, "user_form", "账户", userFormView{Edit: u, Roles: domain.WorkRoles, Depts: depts, Error: msg,
		Locked: u.LockedUntil.After(s.App.Now()), Revealed: revealed, Phone: masked.Phone, Email: masked.Email,
		CanData: c.user.Role.Can(domain.PermUsers), CanSecure: c.user.Role.Can(domain.PermSecurity), Link: link})
	return nil
}

func (s *Server) newUserPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if !c.user.Role.Can(domain.PermUsers) {
		return domain.Forbidden("只有系统管理员可以新建账户")
	}
	return s.userForm(w, r, c, &domain.User{Role: domain.Pending}, "")
}

func userInput(r *http.Request) app.UserInput {
	return app.UserInput{Username: r.PostFormValue("username"), DisplayName: r.PostFormValue("display_name"),
		Department: r.PostFormValue("department"), Password: r.PostFormValue("password"), Disabled: r.PostFormValue("disabled") != "",
		Email: r.PostFormValue("email"), Phone: r.PostFormValue("phone"), WeComUser: r.PostFormValue("wecom_user")}
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	in := userInput(r)
	in.Password = "" // the holder sets it with the activation
	u, link, err := s.App.CreateAccount(r.Context(), c.actor, in)
	if msg, ok := formError(err); ok {
		return s.userForm(w, r, c, &domain.User{Username: in.Username, DisplayName: in.DisplayName, Role: domain.Pending, Department: in.Department,
			Email: in.Email, Phone: in.Phone, WeComUser: in.WeComUser}, msg)
	}
	if err != nil {
		return err
	}
	u, err = s.App.User(r.Context(), c.actor, u.ID)
	if err != nil {
		return err
	}
	return s.renderUserFormLink(w, r, c, u, link)
}

func (s *Server) userPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := s.App.User(r.Context(), c.actor, id)
	if err != nil {
		return err
	}
	return s.userForm(w, r, c, u, "")
}

func (s *Server) updateUser(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	in := userInput(r)
	err = s.App.UpdateUser(r.Context(), c.actor, id, in)
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
	s.redirect(w, r, "/admin/users", "已保存")
	return nil
}

type userJSON struct {
	ID                 int64       `json:"id"`
	Username           string      `json:"username"`
	DisplayName        string      `json:"display_name"`
	Role               domain.Role `json:"role"`
	Department         string      `json:"department,omitempty"`
	Leads              []string    `json:"leads,omitempty"`
	MustChangePassword bool        `json:"must_change_password"`
}

func toUserJSON(u *domain.User) userJSON {
	return userJSON{u.ID, u.Username, u.DisplayName, u.Role, u.Department, u.Leads, u.MustChangePassword}
}

func (s *Server) apiLogin(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	token, u, err := s.App.Login(r.Context(), in.Username, in.Password, clientIP(r))
	if err != nil {
		return err
	}
	s.setSession(w, token)
	// What the session still needs: "" (nothing), "code" (POST
	// /api/v1/login/code) or "enrol" (POST /api/v1/second-factor/enrol).
	stage := ""
	if _, sess, err := s.App.Authenticate(r.Context(), token); err == nil {
		stage = string(sess.Stage)
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": toUserJSON(u), "second_factor": stage})
	return nil
}

func (s *Server) apiLogout(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := s.App.Logout(r.Context(), c.actor, c.token); err != nil {
		return err
	}
	s.clearSession(w)
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
	return nil
}

// apiPassword changes one's own password: {"old_password","new_password"}.
// Other sessions end; this one stays (and may do everything again when the
// change was required).
func (s *Server) apiPassword(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		Old string `json:"old_password"`
		New string `json:"new_password"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := s.App.ChangePassword(r.Context(), c.actor, c.token, in.Old, in.New); err != nil {
		s.sessionEnded(w, err)
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
	return nil
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	writeJSON(w, http.StatusOK, toUserJSON(c.user))
	return nil
}

// apiUsers: GET /api/v1/users?role=&department=&q=&limit=&cursor=
// → {"users":[…],"next_cursor","prev_cursor"} (null at the ends).
func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	pq, err := pageQuery(r)
	if err != nil {
		return err
	}
	pg, err := s.App.Users(r.Context(), c.actor, userFilter(r), pq)
	if err != nil {
		return err
	}
	out := make([]userJSON, len(pg.Items))
	for i, u := range pg.Items {
		out[i] = toUserJSON(u)
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": out, "next_cursor": cursorJSON(pg.Next), "prev_cursor": cursorJSON(pg.Prev)})
	return nil
}
