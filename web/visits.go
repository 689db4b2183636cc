package web

import (
	"net/http"
	"strconv"
	"strings"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/plan"
)

// visitsView is the visits page: the year's board, a page of visits, and
// the form to record one (kept with its error when refused).
type visitsView struct {
	Board       *app.VisitBoard
	Items       []*domain.Visit
	Pager       pager
	CanWrite    bool
	Departments []plan.Department // the office chooses one
	Enterprises []*domain.Enterprise
	Form        app.VisitInput
	People      string
	Error       string
	Field       string
	Today       string
	Department  string // the list's filter
}

// visitStatus names a month's state on the board.
func (visitsView) StatusName(s string) string {
	return map[string]string{"met": "达标", "short": "不足", "open": "进行中"}[s]
}

// Has says whether the form chose an enterprise.
func (v visitsView) Has(id int64) bool {
	for _, x := range v.Form.EnterpriseIDs {
		if x == id {
			return true
		}
	}
	return false
}

func (s *Server) visitsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.showVisits(w, r, c, app.VisitInput{}, nil)
}

func (s *Server) showVisits(w http.ResponseWriter, r *http.Request, c *reqCtx, form app.VisitInput, refused *domain.Error) error {
	pl, err := s.planParam(r)
	if err != nil {
		return err
	}
	board, err := s.App.VisitSummary(r.Context(), c.user, pl.Year)
	if err != nil {
		return err
	}
	pq, err := pageQuery(r)
	if err != nil {
		return err
	}
	f := domain.VisitFilter{From: pl.Start(), To: pl.End()}
	dept := r.URL.Query().Get("department")
	if dept != "" {
		f.Departments = []string{dept}
	}
	pg, err := s.App.Visits(r.Context(), c.user, f, pq)
	if err != nil {
		return err
	}
	today := s.App.Today(pl.Location())
	if today.After(pl.End()) {
		today = pl.End()
	}
	v := visitsView{Board: board, Items: pg.Items, Pager: pagerOf(r, pg), CanWrite: c.user.Role.Can(domain.PermFieldWrite),
		Form: form, People: strings.Join(form.People, "、"), Today: today.String(), Department: dept}
	if v.Form.Date == "" {
		v.Form.Date = today.String()
	}
	if v.CanWrite {
		if !c.user.Role.InDepartment() {
			v.Departments = pl.Departments
		}
		// The enterprises to choose from (the register's first thousand by name).
		ents, err := s.App.Enterprises(r.Context(), c.user, domain.EnterpriseFilter{}, app.PageQuery{Limit: app.MaxPage})
		if err != nil {
			return err
		}
		v.Enterprises = ents.Items
	}
	if refused != nil {
		v.Error, v.Field = refused.Message, refused.Field
		w.WriteHeader(httpStatus(refused.Code))
	}
	s.render(w, r, c, "visits", "走访", v)
	return nil
}

// splitPeople reads names separated by 、，, or spaces.
func splitPeople(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("、，,;；\n\t ", r) })
}

func (s *Server) recordVisit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	in := app.VisitInput{Date: r.PostFormValue("date"), Department: r.PostFormValue("department"), People: splitPeople(r.PostFormValue("people")),
		Park: r.PostFormValue("park"), Needs: r.PostFormValue("needs"), Problems: r.PostFormValue("problems"),
		Highlights: r.PostFormValue("highlights"), FollowUp: r.PostFormValue("follow_up")}
	for _, v := range r.PostForm["enterprise_ids"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return s.showVisits(w, r, c, in, domain.ErrorOf(domain.Invalid("enterprise_ids", "企业编号不对")))
		}
		in.EnterpriseIDs = append(in.EnterpriseIDs, id)
	}
	v, err := s.App.RecordVisit(r.Context(), c.actor, in)
	if err != nil {
		if e := domain.ErrorOf(err); e.Code == domain.EInvalid {
			return s.showVisits(w, r, c, in, e)
		}
		return err
	}
	s.redirect(w, r, "/visits", "已登记 "+v.Day.String()+" 的走访")
	return nil
}

func visitJSON(v *domain.Visit) map[string]any {
	ents := []map[string]any{}
	for _, e := range v.Enterprises {
		ents = append(ents, map[string]any{"id": e.ID, "name": e.Name, "credit_code": e.CreditCode})
	}
	people := v.People
	if people == nil {
		people = []string{}
	}
	return map[string]any{"id": v.ID, "date": v.Day.String(), "department": v.Department, "people": people, "enterprises": ents,
		"park": v.Park, "needs": v.Needs, "problems": v.Problems, "highlights": v.Highlights, "follow_up": v.FollowUp, "recorded_by": v.CreatedName}
}

// apiRecordVisit: POST /api/v1/visits {"date","department","people":[…],
// "enterprise_ids":[…],"park","needs","problems","highlights","follow_up"} → 201.
func (s *Server) apiRecordVisit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		Date          string   `json:"date"`
		Department    string   `json:"department"`
		People        []string `json:"people"`
		EnterpriseIDs []int64  `json:"enterprise_ids"`
		Park          string   `json:"park"`
		Needs         string   `json:"needs"`
		Problems      string   `json:"problems"`
		Highlights    string   `json:"highlights"`
		FollowUp      string   `json:"follow_up"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := s.App.RecordVisit(r.Context(), c.actor, app.VisitInput(in))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, visitJSON(v))
	return nil
}

// apiVisits: GET /api/v1/visits?department=&limit=&cursor= → {"visits":[…],"next_cursor","prev_cursor"}.
func (s *Server) apiVisits(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	pq, err := pageQuery(r)
	if err != nil {
		return err
	}
	var f domain.VisitFilter
	if d := r.URL.Query().Get("department"); d != "" {
		f.Departments = []string{d}
	}
	pg, err := s.App.Visits(r.Context(), c.user, f, pq)
	if err != nil {
		return err
	}
	out := []map[string]any{}
	for _, v := range pg.Items {
		out = append(out, visitJSON(v))
	}
	writeJSON(w, http.StatusOK, map[string]any{"visits": out, "next_cursor": cursorJSON(pg.Next), "prev_cursor": cursorJSON(pg.Prev)})
	return nil
}

// apiVisitSummary: GET /api/v1/visits/summary?year=2017 →
// {"departments":[{"code","months":[{"month","visits","required","met"}]}]}.
func (s *Server) apiVisitSummary(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	year, err := yearParam(r)
	if err != nil {
		return err
	}
	b, err := s.App.VisitSummary(r.Context(), c.user, year)
	if err != nil {
		return err
	}
	rows := b.Rows
	if rows == nil {
		rows = []app.VisitBoardRow{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"year": b.Year, "required": b.Required, "departments": rows})
	return nil
}
