package web

import (
	"net/http"
	"strconv"
	"strings"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/plan"
)

// commissionsView is 约稿: the commissions the user may see, the form to
// commission (the office, leaders, the chief), and a department's pieces to
// answer with.
type commissionsView struct {
	Items       []*app.CommissionView
	Plan        *plan.Plan
	CanAsk      bool
	Departments []domain.DepartmentRef
	Pieces      []*domain.Piece // the department's, to answer with
	Form        app.CommissionInput
	Error       string
	Field       string
	Today       string
	Pager       pager
}

func (s *Server) commissionsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.showCommissions(w, r, c, app.CommissionInput{}, nil)
}

func (s *Server) showCommissions(w http.ResponseWriter, r *http.Request, c *reqCtx, form app.CommissionInput, refused *domain.Error) error {
	pq, err := pageQuery(r)
	if err != nil {
		return err
	}
	pg, err := s.App.Commissions(r.Context(), c.user, app.CommissionFilter{}, pq)
	if err != nil {
		return err
	}
	pl, err := s.App.Plan(r.Context(), 0)
	if err != nil {
		return err
	}
	v := commissionsView{Items: pg.Items, Pager: pagerOf(r, pg), Plan: pl, CanAsk: c.user.Role == domain.Office || c.user.Role == domain.Chief || c.user.Role == domain.Leader,
		Form: form, Today: s.App.Today(pl.Location()).String()}
	if v.CanAsk {
		if v.Departments, err = s.App.VisibleDepartments(r.Context(), c.user); err != nil {
			return err
		}
	}
	if c.user.Role.InDepartment() {
		pg, err := s.App.Pieces(r.Context(), c.user, domain.PieceFilter{}, app.PageQuery{Limit: app.MaxPage})
		if err != nil {
			return err
		}
		v.Pieces = pg.Items
	}
	if refused != nil {
		v.Error, v.Field = refused.Message, refused.Field
		w.WriteHeader(httpStatus(refused.Code))
	}
	s.render(w, r, c, "commissions", "约稿", v)
	return nil
}

func (s *Server) createCommission(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	in := app.CommissionInput{Department: r.PostFormValue("department"), Title: r.PostFormValue("title"), Channel: r.PostFormValue("channel"),
		Due: r.PostFormValue("due"), Notes: r.PostFormValue("notes"), Theme: r.PostFormValue("theme")}
	if _, err := s.App.CreateCommission(r.Context(), c.actor, in); err != nil {
		if e := domain.ErrorOf(err); e.Code == domain.EInvalid {
			return s.showCommissions(w, r, c, in, e)
		}
		return err
	}
	s.redirect(w, r, "/commissions", "已约稿")
	return nil
}

func (s *Server) fulfilCommission(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	piece, _ := strconv.ParseInt(r.PostFormValue("piece_id"), 10, 64)
	if err := s.App.FulfilCommission(r.Context(), c.actor, id, piece); err != nil {
		if e := domain.ErrorOf(err); e.Code == domain.EInvalid {
			return s.showCommissions(w, r, c, app.CommissionInput{}, e)
		}
		return err
	}
	s.redirect(w, r, "/commissions", "已回应约稿")
	return nil
}

// apiCommissions: GET /api/v1/commissions?open=1&department=&limit=&cursor= →
// {"commissions":[{"id","department","title","due","overdue","piece_id"}],"next_cursor","prev_cursor"}.
func (s *Server) apiCommissions(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	pq, err := pageQuery(r)
	if err != nil {
		return err
	}
	pg, err := s.App.Commissions(r.Context(), c.user, app.CommissionFilter{Open: r.URL.Query().Get("open") != "", Department: r.URL.Query().Get("department")}, pq)
	if err != nil {
		return err
	}
	out := []map[string]any{}
	for _, cm := range pg.Items {
		out = append(out, map[string]any{"id": cm.ID, "department": cm.Department, "title": cm.Title, "theme": cm.Theme, "channel": cm.Channel,
			"due": cm.Due.String(), "notes": cm.Notes, "overdue": cm.Overdue, "piece_id": cm.PieceID})
	}
	writeJSON(w, http.StatusOK, map[string]any{"commissions": out, "next_cursor": cursorJSON(pg.Next), "prev_cursor": cursorJSON(pg.Prev)})
	return nil
}

// apiCreateCommission: POST /api/v1/commissions {"department","title","theme","channel","due","notes"} → 201.
func (s *Server) apiCreateCommission(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		Department string   `json:"department"`
		Title      string   `json:"title"`
		Theme      planCode `json:"theme"`
		Channel    string   `json:"channel"`
		Due        string   `json:"due"`
		Notes      string   `json:"notes"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	cm, err := s.App.CreateCommission(r.Context(), c.actor, app.CommissionInput{Department: in.Department, Title: in.Title,
		Theme: string(in.Theme), Channel: in.Channel, Due: in.Due, Notes: in.Notes})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": cm.ID, "department": cm.Department, "title": cm.Title, "due": cm.Due.String()})
	return nil
}

// instruct: POST /pieces/{id}/instructions, /activities/{id}/instructions,
// /adoptions/{id}/instructions — a leader's 批示.
func (s *Server) instruct(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		if _, err := s.App.AddInstruction(r.Context(), c.actor, kind, id, r.PostFormValue("text")); err != nil {
			return err
		}
		s.redirect(w, r, safeNext(r.PostFormValue("back")), "已批示")
		return nil
	}
}

// apiInstruct: POST /api/v1/instructions {"object":"piece:12","text"} → 201.
func (s *Server) apiInstruct(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		Object string `json:"object"`
		Text   string `json:"text"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	kind, idText, ok := strings.Cut(in.Object, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok || err != nil || id <= 0 {
		return domain.Invalid("object", "批示对象应写作 piece:ID、publication:ID 或 activity:ID")
	}
	ins, err := s.App.AddInstruction(r.Context(), c.actor, kind, id, in.Text)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": ins.ID, "object": ins.Object, "text": ins.Text})
	return nil
}
