package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/richtext"
	"kexuan/scoring"
)

var pageNames = []string{"login", "password", "error", "dashboard", "department", "ledger", "pieces", "piece_form",
	"piece", "reviews", "verify", "users", "user_form", "audit", "adjustments", "notices", "month", "period", "calendar", "delivery", "enterprises", "visits", "activities", "activity", "policies", "journal", "issue", "issue_print", "commissions", "login_code", "second_factor", "policy", "reset", "documents", "tokens"}

var funcs = template.FuncMap{
	"num":        scoring.Format,
	"fixed":      func(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }, // a table column of points
	"percent":    func(x float64) string { return strconv.FormatFloat(x*100, 'f', 1, 64) + "%" },
	"stateName":  func(s any) string { return domain.PieceState(fmt.Sprint(s)).Name() },
	"roleName":   func(r any) string { return domain.Role(fmt.Sprint(r)).Name() },
	"actionName": domain.AuditActionName,
	"noticeKind": domain.NoticeKindName,
	// objectLabel says a searched object as it was typed in Chinese.
	"objectLabel": func(obj string) string { return domain.AuditObjectLabel(obj, "") },
	"resultName":  domain.AuditResultName,
	"resultNames": func() map[string]string {
		return map[string]string{domain.AuditOK: "成功", domain.AuditDenied: "拒绝", domain.AuditFailed: "失败"}
	},
	"datetime": func(loc *time.Location, t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(loc).Format("2006-01-02 15:04")
	},
	"pieceTable": func(ps []*domain.Piece, loc *time.Location) pieceTable { return pieceTable{ps, loc} },
	"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
	"join":    strings.Join,
	"neg":     func(x float64) float64 { return -x },
	"div":     func(x, y float64) float64 { return x / y },
	"list":    func(xs ...string) []string { return xs },
	"has":     slices.Contains[[]string],
	"webURL":  webURL,
	"changed": richtext.Changed,
	"can":     func(r domain.Role, p domain.Perm) bool { return r.Can(p) },
	"perm":    func(s string) domain.Perm { return domain.Perm(s) },
	"safeHTML": func(s string) template.HTML {
		return template.HTML(s) // only for bodies sanitised on save by richtext
	},
}

// pieceTable is the shared list of pieces with the zone its times are shown in.
type pieceTable struct {
	Pieces []*domain.Piece
	Zone   *time.Location
}

func (s *Server) parseTemplates() error {
	s.pages = map[string]*template.Template{}
	// A server's own: the base path its links begin with (web/basepath.go).
	own := template.FuncMap{
		"base": func() string { return s.base },
		// ledgerLink is text linked to a department's ledger (query: "" or
		// "?kind=…"), or the text alone for a user who may not see that
		// ledger (app.CanSeeDetail): no link leads to a refusal.
		"ledgerLink": func(u *domain.User, dept, query, text string) template.HTML {
			t := template.HTMLEscapeString(text)
			if !app.CanSeeDetail(u, dept) {
				return template.HTML(t)
			}
			return template.HTML(`<a href="` + template.HTMLEscapeString(s.base+"/ledger/"+url.PathEscape(dept)+query) + `">` + t + `</a>`)
		},
	}
	for _, name := range pageNames {
		t, err := template.New("layout.html").Funcs(funcs).Funcs(own).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return fmt.Errorf("template %s: %w", name, err)
		}
		s.pages[name] = t
	}
	return nil
}

// view is what every page gets.
type view struct {
	User  *domain.User
	CSRF  string
	Path  string
	Flash string
	Title string
	Zone  *time.Location // the current plan's time zone: times are shown in it
	// Unread is the user's unread notices, for the header's badge.
	Unread int
	// Waiting is what waits for the user's work, for the menu's badges;
	// LeadNames, a leader's departments for the header.
	Waiting   app.Waiting
	LeadNames string
	Data      any
}

const flashCookie = "kexuan_flash"

func (s *Server) flash(w http.ResponseWriter, msg string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(msg), Path: s.cookiePath("/"), HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode, MaxAge: 60})
}

// render executes a page with its typed view data.
func (s *Server) render(w http.ResponseWriter, r *http.Request, c *reqCtx, name, title string, data any) {
	t, ok := s.pages[name]
	if !ok {
		panic("no template " + name)
	}
	v := view{User: c.user, Path: r.URL.Path, Title: title, Data: data, Zone: s.App.Zone(r.Context())}
	if c.session != nil {
		v.CSRF = c.session.CSRFToken
		if c.session.Stage != domain.StageFull {
			// Half signed in: no menu until the second factor is given.
			v.User = nil
		}
	}
	if v.User != nil {
		// What the user was told about this page is read now it is open.
		if r.Method == http.MethodGet {
			if err := s.App.ReadNoticesAt(r.Context(), c.user, r.URL.RequestURI()); err != nil {
				s.Log.Error("notices read on opening", "err", err)
			}
		}
		n, err := s.App.UnreadNotices(r.Context(), c.user)
		if err != nil {
			s.Log.Error("unread notices", "err", err)
		}
		v.Unread = n
		if v.Waiting, err = s.App.WaitingFor(r.Context(), c.user); err != nil {
			s.Log.Error("waiting counts", "err", err)
		}
		if len(c.user.Leads) > 0 {
			if depts, err := s.App.VisibleDepartments(r.Context(), c.user); err == nil {
				names := make([]string, 0, len(depts))
				for _, d := range depts {
					names = append(names, d.Name)
				}
				v.LeadNames = strings.Join(names, "、")
			}
		}
	}
	if ck, err := r.Cookie(flashCookie); err == nil {
		v.Flash, _ = url.QueryUnescape(ck.Value)
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: s.cookiePath("/"), MaxAge: -1})
	}
	if l, ok := data.(loginView); ok && v.CSRF == "" {
		v.CSRF = l.CSRF // the sign-in form's token, before any session
	}
	if v.CSRF == "" && c.formToken != "" {
		v.CSRF = c.formToken // a form outside any session (setting a password)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		s.Log.Error("render", "template", name, "err", err)
		http.Error(w, "服务器内部错误", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	buf.WriteTo(w)
}

func (s *Server) redirect(w http.ResponseWriter, r *http.Request, to, flash string) {
	if flash != "" {
		s.flash(w, flash)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// webURL returns s as a link target when it is an http(s) address (an
// adoption record's 期号或网址), "" otherwise: the template escapes it, and
// no other scheme becomes a link.
func webURL(s string) string {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}
