package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/plan"
	"kexuan/scoring"
)

// adjustmentsView is the 加减分 page: the year's adjustments and, for the
// office, the form to record one.
type adjustmentsView struct {
	Year        int
	Items       []*domain.Adjustment
	Plan        *plan.Plan
	Department  string
	CanAdjust   bool
	Today       string
	CatNames    map[string]string
	Form        app.AdjustmentInput
	FormPoints  string
	Error       string
	Pager       pager
	MaxAdjust   int
	PointsLabel func(float64) string
}

func (s *Server) adjustmentsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.renderAdjustments(w, r, c, app.AdjustmentInput{}, "", "")
}

func (s *Server) renderAdjustments(w http.ResponseWriter, r *http.Request, c *reqCtx, form app.AdjustmentInput, points, msg string) error {
	pl, err := s.planParam(r)
	if err != nil {
		return err
	}
	pq, err := pageQuery(r)
	if err != nil {
		return err
	}
	dept := r.URL.Query().Get("department")
	pg, err := s.App.Adjustments(r.Context(), c.actor, pl.Year, dept, pq)
	if err != nil {
		return err
	}
	catNames, _ := names(pl)
	today := s.App.Today(pl.Location())
	if today.After(pl.End()) {
		today = pl.End()
	}
	if form.Date == "" {
		form.Date = today.String()
	}
	if msg != "" {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	s.render(w, r, c, "adjustments", "加减分", adjustmentsView{Year: pl.Year, Items: pg.Items, Plan: pl, Department: dept,
		CanAdjust: c.user.Role.Can(domain.PermAdjust), Today: today.String(), CatNames: catNames, Form: form, FormPoints: points,
		Error: msg, Pager: pagerOf(r, pg), MaxAdjust: app.MaxAdjustment, PointsLabel: scoring.Format})
	return nil
}

func (s *Server) recordAdjustment(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	points := strings.TrimSpace(r.PostFormValue("points"))
	in := app.AdjustmentInput{Department: r.PostFormValue("department"), Date: r.PostFormValue("date"),
		Category: r.PostFormValue("category"), Reason: r.PostFormValue("reason")}
	var err error
	if in.Points, err = strconv.ParseFloat(points, 64); err != nil {
		return s.renderAdjustments(w, r, c, in, points, "分值须是数字，如 2、-1.5")
	}
	adj, err := s.App.RecordAdjustment(r.Context(), c.actor, in)
	if msg, ok := formError(err); ok {
		return s.renderAdjustments(w, r, c, in, points, msg)
	}
	if err != nil {
		return err
	}
	s.redirect(w, r, "/adjustments?year="+strconv.Itoa(adj.Day.Year), "已记录加减分 "+scoring.Format(adj.Points)+" 分")
	return nil
}

func (s *Server) reverseAdjustment(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rev, err := s.App.ReverseAdjustment(r.Context(), c.actor, id, r.PostFormValue("reason"))
	if err != nil {
		return err
	}
	s.redirect(w, r, "/adjustments?year="+strconv.Itoa(rev.Day.Year), "已冲销")
	return nil
}

type adjustmentJSON struct {
	ID         int64     `json:"id"`
	Department string    `json:"department"`
	Date       string    `json:"date"`
	Points     float64   `json:"points"`
	Category   string    `json:"category"`
	Reason     string    `json:"reason"`
	Reverses   *int64    `json:"reverses"`
	ReversedBy *int64    `json:"reversed_by"`
	CreatedBy  string    `json:"created_by"`
	CreatedAt  time.Time `json:"created_at"`
}

func toAdjustmentJSON(a *domain.Adjustment) adjustmentJSON {
	ref := func(id int64) *int64 {
		if id == 0 {
			return nil
		}
		return &id
	}
	return adjustmentJSON{ID: a.ID, Department: a.Department, Date: a.Day.String(), Points: a.Points, Category: a.Category, Reason: a.Reason,
		Reverses: ref(a.Reverses), ReversedBy: ref(a.ReversedBy), CreatedBy: a.CreatedByName, CreatedAt: a.CreatedAt}
}

// apiAdjustments: GET /api/v1/adjustments?year=&department=&limit=&cursor=
// → {"adjustments":[…],"next_cursor","prev_cursor"}
func (s *Server) apiAdjustments(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	pl, err := s.planParam(r)
	if err != nil {
		return err
	}
	pq, err := pageQuery(r)
	if err != nil {
		return err
	}
	pg, err := s.App.Adjustments(r.Context(), c.actor, pl.Year, r.URL.Query().Get("department"), pq)
	if err != nil {
		return err
	}
	out := make([]adjustmentJSON, len(pg.Items))
	for i, a := range pg.Items {
		out[i] = toAdjustmentJSON(a)
	}
	writeJSON(w, http.StatusOK, map[string]any{"adjustments": out, "next_cursor": cursorJSON(pg.Next), "prev_cursor": cursorJSON(pg.Prev)})
	return nil
}

// apiRecordAdjustment: POST /api/v1/adjustments
// {"department","date","points","category","reason"} → 201 the adjustment.
func (s *Server) apiRecordAdjustment(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		Department string  `json:"department"`
		Date       string  `json:"date"`
		Points     float64 `json:"points"`
		Category   string  `json:"category"`
		Reason     string  `json:"reason"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	adj, err := s.App.RecordAdjustment(r.Context(), c.actor, app.AdjustmentInput{Department: in.Department, Date: in.Date,
		Points: in.Points, Category: in.Category, Reason: in.Reason})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toAdjustmentJSON(adj))
	return nil
}

// apiReverseAdjustment: POST /api/v1/adjustments/{id}/reverse {"reason"}
// → 201 the counter-adjustment.
func (s *Server) apiReverseAdjustment(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	rev, err := s.App.ReverseAdjustment(r.Context(), c.actor, id, in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toAdjustmentJSON(rev))
	return nil
}
