package web

import (
	"net/http"
	"strings"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/plan"
	"kexuan/report"
)

// calendarView is the plan year's calendar page.
type calendarView struct {
	Plan     *plan.Plan
	Entries  []domain.CalendarEntry
	CanSet   bool
	FeedURL  string // shown once, after a new token was made
	Today    string
	Form     app.CalendarEventInput
	Error    string
	KindName map[string]string
}

var calendarKinds = map[string]string{"form": "宣传节点", "event": "活动", "deadline": "报送截止", "closed": "结账"}

func (s *Server) calendarPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.renderCalendar(w, r, c, "", app.CalendarEventInput{}, "")
}

func (s *Server) renderCalendar(w http.ResponseWriter, r *http.Request, c *reqCtx, feed string, form app.CalendarEventInput, msg string) error {
	year, err := yearParam(r)
	if err != nil {
		return err
	}
	pl, entries, err := s.App.Calendar(r.Context(), c.user, year)
	if err != nil {
		return err
	}
	if msg != "" {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	s.render(w, r, c, "calendar", "日历", calendarView{Plan: pl, Entries: entries, CanSet: c.user.Role.Can(domain.PermVerify), FeedURL: feed,
		Form: form, Error: msg, KindName: calendarKinds})
	return nil
}

func (s *Server) addCalendarEvent(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	in := app.CalendarEventInput{Title: r.PostFormValue("title"), First: r.PostFormValue("first"), Last: r.PostFormValue("last"), Note: r.PostFormValue("note")}
	_, err := s.App.AddCalendarEvent(r.Context(), c.actor, in)
	if msg, ok := formError(err); ok {
		return s.renderCalendar(w, r, c, "", in, msg)
	}
	if err != nil {
		return err
	}
	s.redirect(w, r, "/calendar", "已加入日历："+in.Title)
	return nil
}

// feedURL is the absolute address of a feed token.
func (s *Server) feedURL(r *http.Request, token string) string {
	return s.absolute(r, "/ics/"+token+".ics")
}

// newFeed makes a new ICS token from the page and shows its URL once.
func (s *Server) newFeed(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	token, err := s.App.NewCalendarToken(r.Context(), c.actor)
	if err != nil {
		return err
	}
	return s.renderCalendar(w, r, c, s.feedURL(r, token), app.CalendarEventInput{}, "")
}

// apiCalendarToken: POST /api/v1/calendar/token → {"url"}: a secret URL a
// calendar client subscribes to without a cookie; the previous one stops
// working.
func (s *Server) apiCalendarToken(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	token, err := s.App.NewCalendarToken(r.Context(), c.actor)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"url": s.feedURL(r, token)})
	return nil
}

// icsFeed: GET /ics/{file} — public, the token is the credential; 404 for
// one that is not (or no longer) anyone's.
func (s *Server) icsFeed(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	token, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	if !ok {
		return domain.ErrNotFound
	}
	year, err := yearParam(r)
	if err != nil {
		return err
	}
	u, pl, entries, err := s.App.CalendarFeed(r.Context(), token, year)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Cache-Control", "private, max-age=300")
	return report.ICS(w, pl, "科宣 · "+u.DisplayName, entries, s.App.Now(), func(p string) string { return s.absolute(r, p) })
}
