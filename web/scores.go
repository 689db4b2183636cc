package web

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/plan"
	"kexuan/report"
	"kexuan/scoring"
)

func (s *Server) home(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	switch {
	case c.user.Role == domain.Office || c.user.Role.InDepartment():
		return s.monthPage(w, r, c) // 本月: what is due, what waits
	case c.user.Role.Can(domain.PermScore):
		return s.dashboard(w, r, c)
	}
	where := "/admin/users"
	if c.user.Role.Can(domain.PermAudit) {
		where = "/admin/audit"
	}
	http.Redirect(w, r, where, http.StatusSeeOther)
	return nil
}

func asOfParam(r *http.Request) (plan.Date, error) {
	v := r.URL.Query().Get("as_of")
	if v == "" {
		return plan.Date{}, nil
	}
	d, err := plan.ParseDate(v)
	if err != nil {
		return plan.Date{}, &domain.Error{Code: domain.EInvalid, Field: "as_of", Message: err.Error()}
	}
	return d, nil
}

// planParam is the plan of ?year= (the current year's, or the newest, when
// none is given).
func (s *Server) planParam(r *http.Request) (*plan.Plan, error) {
	year, err := yearParam(r)
	if err != nil {
		return nil, err
	}
	return s.App.Plan(r.Context(), year)
}

func yearParam(r *http.Request) (int, error) {
	v := r.URL.Query().Get("year")
	if v == "" {
		return 0, nil
	}
	y, err := strconv.Atoi(v)
	if err != nil || y < 2000 || y > 2999 {
		return 0, &domain.Error{Code: domain.EInvalid, Field: "year", Message: "年度不对"}
	}
	return y, nil
}

// reportFor reads ?year= and ?as_of= and computes that assessment.
func (s *Server) reportFor(r *http.Request) (*plan.Plan, *scoring.Result, error) {
	year, asOf, err := yearAsOf(r)
	if err != nil {
		return nil, nil, err
	}
	return s.App.Report(r.Context(), year, asOf)
}

func yearAsOf(r *http.Request) (int, plan.Date, error) {
	year, err := yearParam(r)
	if err != nil {
		return 0, plan.Date{}, err
	}
	asOf, err := asOfParam(r)
	return year, asOf, err
}

// dashboardView is the bureau's overview of a year.
type dashboardView struct {
	Plan      *plan.Plan
	Result    *scoring.Result
	Rows      []scoring.Department // by rank, or in the plan's order
	PlanOrder bool
	Targets   []*plan.Category
	Chart     map[string][]any
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p, res, err := s.reportFor(r)
	if err != nil {
		return err
	}
	v := dashboardView{Plan: p, Result: res, Targets: p.CategoriesOf(plan.KindTarget),
		PlanOrder: r.URL.Query().Get("order") == "plan", Rows: slices.Clone(res.Departments)}
	if !v.PlanOrder {
		slices.SortStableFunc(v.Rows, func(a, b scoring.Department) int { return a.Rank - b.Rank })
	}
	// The chart in the table's order.
	chart := map[string][]any{}
	for _, d := range v.Rows {
		chart["names"] = append(chart["names"], d.Name)
		chart["totals"] = append(chart["totals"], d.Total)
		chart["tasks"] = append(chart["tasks"], d.TaskScore)
		chart["bonus"] = append(chart["bonus"], d.Bonus)
		chart["deductions"] = append(chart["deductions"], -d.Deduction)
	}
	v.Chart = chart
	s.render(w, r, c, "dashboard", "考核总览", v)
	return nil
}

type quotaRow struct {
	Month string
	Cells []scoring.QuotaMonth
}

// departmentView is one department's score and recent pieces.
type departmentView struct {
	Plan      *plan.Plan
	Dept      *scoring.Department
	Focus     string
	AsOf      string
	Targets   []*plan.Category
	Bonuses   []*plan.Category
	Gaps      map[string]float64
	Quotas    bool
	QuotaCats []*plan.Category
	QuotaRows []quotaRow
	Pieces    []*domain.Piece
	// Commissions are its open 约稿 (shown until a piece answers them).
	Commissions []*app.CommissionView
}

func (s *Server) departmentPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	code := r.PathValue("code")
	p, res, err := s.reportFor(r)
	if err != nil {
		return err
	}
	var dept *scoring.Department
	for i := range res.Departments {
		if res.Departments[i].Code == code {
			dept = &res.Departments[i]
		}
	}
	pd := p.Department(code)
	if dept == nil || pd == nil {
		return &domain.Error{Code: domain.ENotFound, Message: "没有这个科室"}
	}
	gaps := map[string]float64{}
	for k, cs := range dept.Categories {
		gaps[k] = cs.Raw - cs.Target
	}
	quotaCats := []*plan.Category{}
	for _, qc := range p.CategoriesOf(plan.KindQuota) {
		if pd.Quotas[qc.Code] > 0 {
			quotaCats = append(quotaCats, qc)
		}
	}
	var rows []quotaRow
	for _, m := range p.QuotaMonths() {
		row := quotaRow{Month: m.String()}
		for _, qc := range quotaCats {
			cell := scoring.QuotaMonth{}
			for _, q := range dept.Quotas {
				if q.Month == row.Month && q.Category == qc.Code {
					cell = q
				}
			}
			row.Cells = append(row.Cells, cell)
		}
		rows = append(rows, row)
	}
	var pieces []*domain.Piece
	if c.user.Role.Can(domain.PermPieceRead) {
		if pieces, err = s.App.DepartmentPieces(r.Context(), c.user, code, 15); err != nil {
			return err
		}
	}
	var openCommissions []*app.CommissionView
	if pg, err := s.App.Commissions(r.Context(), c.user, app.CommissionFilter{Open: true, Department: code}, app.PageQuery{Limit: app.MaxPage}); err == nil {
		openCommissions = pg.Items
	} else if domain.ErrorOf(err).Code != domain.EForbidden {
		return err
	}
	s.render(w, r, c, "department", dept.Name, departmentView{Plan: p, Dept: dept, Focus: pd.Focus, AsOf: res.AsOf,
		Targets: p.CategoriesOf(plan.KindTarget), Bonuses: p.CategoriesOf(plan.KindBonus), Gaps: gaps,
		Quotas: len(quotaCats) > 0, QuotaCats: quotaCats, QuotaRows: rows, Pieces: pieces, Commissions: openCommissions})
	return nil
}

var kindNames = map[string]string{scoring.LinePoints: "得分", scoring.LineCap: "封顶", scoring.LineBonus: "加分",
	scoring.LineBonusCap: "加分封顶", scoring.LineQuota: "月度报送", scoring.LineDeduction: "扣分", scoring.LineAdjust: "加减分"}

func ledgerQuery(r *http.Request) app.LedgerQuery {
	q := r.URL.Query()
	lq := app.LedgerQuery{Category: q.Get("category"), Kind: q.Get("kind"), Cursor: q.Get("cursor")}
	if n, err := strconv.Atoi(q.Get("limit")); err == nil {
		lq.Limit = n
	}
	return lq
}

// ledgerRow is a ledger line as the page shows it, its names and numbers
// resolved once in Go rather than looked up cell by cell in the template.
type ledgerRow struct {
	Kind, KindName, Category, Channel, When, Title, Count, Words, Points, Rule string
	// The record behind a line of one publication: its piece, its evidence.
	Ref, PieceID, EvidenceID int64
	IssueURL                 string
}

func ledgerRows(lines []scoring.Line, kinds, cats, chans map[string]string) []ledgerRow {
	out := make([]ledgerRow, len(lines))
	for i, l := range lines {
		r := ledgerRow{Kind: l.Kind, KindName: kinds[l.Kind], Category: cats[l.Category], Channel: chans[l.Channel],
			When: l.Date, Title: l.Title, Points: scoring.Format(l.Points), Rule: l.Rule, Ref: l.Ref}
		if r.When == "" {
			r.When = l.Month
		}
		if l.Outlet != "" {
			r.Title += "（" + l.Outlet + "）"
		}
		if l.Count != 0 {
			r.Count = strconv.Itoa(l.Count)
		}
		if l.Words != 0 {
			r.Words = strconv.Itoa(l.Words)
		}
		out[i] = r
	}
	return out
}

// ledgerView is one page of a department's ledger.
type ledgerView struct {
	*app.LedgerPage
	SummaryRows, LineRows []ledgerRow
	Next, Prev            string // links, "" at the ends
	AsOf                  string
	Filter                string
	KindNames             map[string]string
	CatNames              map[string]string
	ChanNames             map[string]string
	CanExport             bool // the export links are shown (app.CanExportLedger)
}

func (s *Server) ledgerPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	year, asOf, err := yearAsOf(r)
	if err != nil {
		return err
	}
	lq := ledgerQuery(r)
	pg, err := s.App.Ledger(r.Context(), c.actor, year, asOf, r.PathValue("code"), lq)
	if err != nil {
		return err
	}
	catNames, chanNames := names(pg.Plan)
	filter := ""
	if lq.Category != "" {
		filter = catNames[lq.Category]
	} else if lq.Kind != "" {
		filter = map[string]string{"bonus": "加分", "deduction": "扣分", "task": "任务得分", "adjustment": "加减分"}[lq.Kind]
	}
	// Links to the other pages keep the filters and the date.
	link := func(cursor string) string {
		if cursor == "" {
			return ""
		}
		v := r.URL.Query()
		v.Set("cursor", cursor)
		return "/ledger/" + pg.Dept.Code + "?" + v.Encode()
	}
	rows := ledgerRows(pg.Lines, kindNames, catNames, chanNames)
	var refs []int64
	for _, l := range rows {
		if l.Ref != 0 {
			refs = append(refs, l.Ref)
		}
	}
	recs, err := s.App.LedgerSources(r.Context(), c.user, refs)
	if err != nil {
		return err
	}
	for i := range rows {
		if rec := recs[rows[i].Ref]; rec != nil {
			rows[i].PieceID, rows[i].EvidenceID = rec.PieceID, rec.EvidenceID
			if u := webURL(rec.Issue); u != "" {
				rows[i].IssueURL = u
			}
		}
	}
	s.render(w, r, c, "ledger", "积分台账", ledgerView{LedgerPage: pg, Next: link(pg.Next), Prev: link(pg.Prev), AsOf: pg.AsOf.String(),
		SummaryRows: ledgerRows(pg.Summary, kindNames, catNames, chanNames), LineRows: rows,
		Filter: filter, KindNames: kindNames, CatNames: catNames, ChanNames: chanNames, CanExport: app.CanExportLedger(c.user, pg.Dept.Code)})
	return nil
}

// departmentRecorded names the categories departments record and the office
// verifies, as the plan says.
func departmentRecorded(p *plan.Plan) string {
	var out []string
	for _, cat := range p.Categories {
		if cat.RecordedBy == plan.RecordedByDepartment {
			out = append(out, cat.Name)
		}
	}
	return strings.Join(out, "、")
}

func names(p *plan.Plan) (cats, chans map[string]string) {
	cats, chans = map[string]string{}, map[string]string{}
	for _, c := range p.Categories {
		cats[c.Code] = c.Label()
	}
	for _, c := range p.Channels {
		chans[c.Code] = c.Name
	}
	return
}

func (s *Server) exportXLSX(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	year, asOf, err := yearAsOf(r)
	if err != nil {
		return err
	}
	doc, res, err := s.App.Export(r.Context(), c.actor, year, asOf, report.XLSXEncoder)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	setAttachment(w, "考核表-"+res.AsOf+".xlsx")
	_, err = w.Write(doc)
	return err
}

// apiReport answers exactly what `kexuan report --format json` prints.
func (s *Server) apiReport(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	_, res, err := s.reportFor(r)
	if err != nil {
		return err
	}
	// Every department's totals; the ledgers of those the user may see
	// (app.VisibleResult). The whole result's encoding is kept for those
	// who see it all.
	var doc []byte
	if app.SeesAllDetail(c.user) {
		doc, err = s.reportJSON.get(res)
	} else {
		var b bytes.Buffer
		err = report.JSON(&b, app.VisibleResult(c.user, res))
		doc = b.Bytes()
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, err = w.Write(doc)
	return err
}

// encodedReports keeps the JSON of the last few results app.Report
// returned: app keeps a result until a score changes and hands out the same
// value meanwhile, so its encoding (indented, as the CLI prints it) is done
// once per change, not once per request.
type encodedReports struct {
	mu   sync.Mutex
	docs []encodedReport
}

type encodedReport struct {
	res *scoring.Result
	doc []byte
}

const maxEncodedReports = 8

func (c *encodedReports) get(res *scoring.Result) ([]byte, error) {
	c.mu.Lock()
	for _, e := range c.docs {
		if e.res == res {
			c.mu.Unlock()
			return e.doc, nil
		}
	}
	c.mu.Unlock()
	var b bytes.Buffer
	if err := report.JSON(&b, res); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.docs = append(c.docs, encodedReport{res, b.Bytes()})
	if len(c.docs) > maxEncodedReports {
		c.docs = c.docs[1:]
	}
	return b.Bytes(), nil
}

// apiLedger is one page of a department's ledger:
// ?year=&as_of=&category=&kind=&limit=&cursor= →
// {"department":{…},"as_of","summary":[…],"lines":[…],"total":N,"next_cursor","prev_cursor"}
// (cursors null at the ends).
func (s *Server) apiLedger(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	year, asOf, err := yearAsOf(r)
	if err != nil {
		return err
	}
	pg, err := s.App.Ledger(r.Context(), c.actor, year, asOf, r.PathValue("code"), ledgerQuery(r))
	if err != nil {
		return err
	}
	cursor := func(c string) *string {
		if c == "" {
			return nil
		}
		return &c
	}
	d := *pg.Dept
	d.Ledger = nil
	lines := pg.Lines
	if lines == nil {
		lines = []scoring.Line{}
	}
	summary := pg.Summary
	if summary == nil {
		summary = []scoring.Line{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"department": d, "as_of": pg.AsOf.String(), "summary": summary, "lines": lines,
		"total": pg.Total, "next_cursor": cursor(pg.Next), "prev_cursor": cursor(pg.Prev)})
	return nil
}

// exportLedger: GET /ledger/{code}/export?format=xlsx|csv&year=&as_of= —
// the department's whole ledger, each publication with its title.
func (s *Server) exportLedger(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	year, asOf, err := yearAsOf(r)
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "xlsx"
	}
	enc, err := report.Find(report.LedgerEncoders, format)
	if err != nil {
		return domain.Invalid("format", "%v", err)
	}
	doc, res, err := s.App.ExportLedger(r.Context(), c.actor, year, asOf, r.PathValue("code"), enc)
	if err != nil {
		return err
	}
	name := res.Departments[0].Name + "积分台账-" + res.AsOf + enc.Ext()
	w.Header().Set("Content-Type", enc.ContentType())
	setAttachment(w, name)
	_, err = w.Write(doc)
	return err
}
