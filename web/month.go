package web

import (
	"net/http"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/plan"
)

// monthView is 本月.
type monthView struct {
	*app.MonthView
	Months   []plan.Month // the plan year's months, to pick one
	Quotas   []*plan.Category
	Remind   bool                    // the office may send 催报
	Reminds  map[string]domain.Reads // each department's latest 催报: how many have read it
	Returned []*domain.Piece         // a department's pieces sent back, to revise
}

func (s *Server) monthPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var m plan.Month
	if v := r.URL.Query().Get("month"); v != "" {
		var err error
		if m, err = plan.ParseMonth(v); err != nil {
			return domain.Invalid("month", "月份不对，应为 2017-03 这样的格式")
		}
	}
	mv, err := s.App.Month(r.Context(), c.actor, m)
	if err != nil {
		return err
	}
	var months []plan.Month
	for mm := (plan.Month{Year: mv.Plan.Year, Month: 1}); mm.Year == mv.Plan.Year; mm = mm.Next() {
		months = append(months, mm)
	}
	v := monthView{MonthView: mv, Months: months, Quotas: mv.Plan.CategoriesOf(plan.KindQuota), Remind: c.user.Role.Can(domain.PermVerify)}
	if v.Remind {
		var codes []string
		for _, d := range mv.Plan.Departments {
			codes = append(codes, d.Code)
		}
		if v.Reminds, err = s.App.LastReminds(r.Context(), c.user, codes); err != nil {
			return err
		}
	}
	if c.user.Role.InDepartment() {
		pg, err := s.App.Pieces(r.Context(), c.user, domain.PieceFilter{States: []domain.PieceState{domain.StateReturned}}, app.PageQuery{Limit: 20})
		if err != nil {
			return err
		}
		v.Returned = pg.Items
	}
	s.render(w, r, c, "month", "本月", v)
	return nil
}
