package web

import (
	"net/http"

	"kexuan/domain"
)

// reviewsView is a reviewer's queue.
type reviewsView struct {
	Pieces      []*domain.Piece
	Rule        string
	Department  string
	Query       string
	Departments []domain.DepartmentRef
	Pager       pager
}

func (s *Server) reviewsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	f, pq, err := pieceList(r, s.App.Zone(r.Context()))
	if err != nil {
		return err
	}
	pg, err := s.App.ReviewQueue(r.Context(), c.user, f, pq)
	if err != nil {
		return err
	}
	p, err := s.App.Plan(r.Context(), 0)
	if err != nil {
		return err
	}
	depts, err := s.App.VisibleDepartments(r.Context(), c.user)
	if err != nil {
		return err
	}
	s.render(w, r, c, "reviews", "待我审核", reviewsView{Pieces: pg.Items, Rule: p.Review.Text, Pager: pagerOf(r, pg),
		Department: r.URL.Query().Get("department"), Query: f.Title, Departments: depts})
	return nil
}

func (s *Server) approvePiece(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := s.App.Approve(r.Context(), c.actor, id, r.PostFormValue("comment"))
	if err != nil {
		return err
	}
	msg := "审核通过"
	if p.State == domain.StateLeaderApproved {
		msg = "已通过，转主要领导或新闻发言人审核"
	}
	s.redirect(w, r, "/reviews", msg)
	return nil
}

func (s *Server) returnPiece(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := s.App.Return(r.Context(), c.actor, id, r.PostFormValue("comment")); err != nil {
		return err
	}
	s.redirect(w, r, "/reviews", "已退回")
	return nil
}

func (s *Server) apiApprove(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.apiTransition(w, r, c, func(id int64, comment string) (*domain.Piece, error) {
		return s.App.Approve(r.Context(), c.actor, id, comment)
	})
}

func (s *Server) apiReturn(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.apiTransition(w, r, c, func(id int64, comment string) (*domain.Piece, error) {
		return s.App.Return(r.Context(), c.actor, id, comment)
	})
}

// apiReviews: GET /api/v1/reviews?department=&q=&limit=&cursor=
func (s *Server) apiReviews(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	f, pq, err := pieceList(r, s.App.Zone(r.Context()))
	if err != nil {
		return err
	}
	pg, err := s.App.ReviewQueue(r.Context(), c.user, f, pq)
	if err != nil {
		return err
	}
	writePieces(w, pg)
	return nil
}
