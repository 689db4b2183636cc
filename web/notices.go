package web

import (
	"net/http"
	"strconv"
	"time"

	"kexuan/domain"
)

// noticesView is the user's notices page.
type noticesView struct {
	Notices []*domain.Notice
	Unread  int
	Pager   pager
}

func (s *Server) noticesPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	pq, err := pageQuery(r)
	if err != nil {
		return err
	}
	pg, err := s.App.Notices(r.Context(), c.actor, pq)
	if err != nil {
		return err
	}
	s.render(w, r, c, "notices", "通知", noticesView{Notices: pg.Items, Unread: pg.Unread, Pager: pagerOf(r, pg.Page)})
	return nil
}

// readNotice marks a notice read and goes where it points.
func (s *Server) readNotice(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	n, err := s.App.ReadNotice(r.Context(), c.actor, id)
	if err != nil {
		return err
	}
	to := safeNext(n.Link)
	if n.Link == "" {
		to = "/notices"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

func (s *Server) readAllNotices(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if _, err := s.App.ReadAllNotices(r.Context(), c.actor); err != nil {
		return err
	}
	s.redirect(w, r, "/notices", "已全部标为已读")
	return nil
}

type noticeJSON struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	Text      string    `json:"text"`
	Link      string    `json:"link"`
	CreatedAt time.Time `json:"created_at"`
	Read      bool      `json:"read"`
}

// apiNotices: GET /api/v1/notices?cursor= →
// {"notices":[{"id","kind","text","link","created_at","read"}],"unread":N,"next_cursor"}
func (s *Server) apiNotices(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	pq, err := pageQuery(r)
	if err != nil {
		return err
	}
	pg, err := s.App.Notices(r.Context(), c.actor, pq)
	if err != nil {
		return err
	}
	out := make([]noticeJSON, len(pg.Items))
	for i, n := range pg.Items {
		out[i] = noticeJSON{n.ID, n.Kind, n.Text, n.Link, n.CreatedAt, n.Read}
	}
	writeJSON(w, http.StatusOK, map[string]any{"notices": out, "unread": pg.Unread, "next_cursor": cursorJSON(pg.Next), "prev_cursor": cursorJSON(pg.Prev)})
	return nil
}

// apiReadNotice: POST /api/v1/notices/{id}/read → the notice.
func (s *Server) apiReadNotice(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	n, err := s.App.ReadNotice(r.Context(), c.actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, noticeJSON{n.ID, n.Kind, n.Text, n.Link, n.CreatedAt, n.Read})
	return nil
}

// apiReadAllNotices: POST /api/v1/notices/read-all → {"read":N}
func (s *Server) apiReadAllNotices(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	n, err := s.App.ReadAllNotices(r.Context(), c.actor)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"read": n})
	return nil
}

// remind: the office's 催报 button on a department's page.
func (s *Server) remind(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	code := r.PathValue("code")
	n, err := s.App.Remind(r.Context(), c.actor, code, r.PostFormValue("text"))
	if e := domain.ErrorOf(err); err != nil && e.Code == domain.EConflict {
		s.redirect(w, r, "/month", e.Message) // told once today already: back to the month, saying so
		return nil
	}
	if err != nil {
		return err
	}
	s.redirect(w, r, "/departments/"+code, "已催报，通知 "+strconv.Itoa(n)+" 人")
	return nil
}

// apiRemind: POST /api/v1/departments/{code}/remind {"text"} → {"sent":N}
func (s *Server) apiRemind(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		Text string `json:"text"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	n, err := s.App.Remind(r.Context(), c.actor, r.PathValue("code"), in.Text)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"sent": n})
	return nil
}
