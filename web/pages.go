package web

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/plan"
	"kexuan/report"
	"kexuan/scoring"
	"kexuan/store"
	"kexuan/wordcount"
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := s.App.Healthy(r.Context()); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

const loginCSRFCookie = "kexuan_login_csrf"

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if c.user != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	s.renderLogin(w, r, c, "", "")
	return nil
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, c *reqCtx, username, msg string) {
	token := app.NewToken()
	http.SetCookie(w, &http.Cookie{Name: loginCSRFCookie, Value: token, Path: "/login", HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	next := safeNext(r.FormValue("next"))
	s.render(w, r, c, "login", map[string]any{"Title": "登录", "CSRF": token, "Error": msg, "Username": username, "Next": next})
}

func (s *Server) loginPost(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	username := r.PostFormValue("username")
	token, u, err := s.App.Login(r.Context(), username, r.PostFormValue("password"), clientIP(r))
	if err != nil {
		e := domain.ErrorOf(err)
		if e.Code == domain.EInternal {
			return err
		}
		w.WriteHeader(app.Status(e.Code))
		s.renderLogin(w, r, c, username, e.Message)
		return nil
	}
	s.setSession(w, token)
	next := safeNext(r.PostFormValue("next"))
	if u.MustChangePassword {
		next = "/password"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
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

// formError is the message of a field error, for the form shown again.
func formError(err error) (string, bool) {
	if e := domain.ErrorOf(err); err != nil && e.Code == domain.EInvalid {
		return e.Message, true
	}
	return "", false
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
	s.render(w, r, c, "password", map[string]any{"Title": "修改密码"})
	return nil
}

func (s *Server) passwordPost(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	err := s.App.ChangePassword(r.Context(), c.actor, c.token, r.PostFormValue("old_password"), r.PostFormValue("new_password"))
	if domain.ErrorOf(err).Code == domain.EUnauthorized {
		s.clearSession(w)
		s.redirect(w, r, "/login", domain.ErrorOf(err).Message)
		return nil
	}
	if msg, ok := formError(err); ok {
		w.WriteHeader(http.StatusUnprocessableEntity)
		s.render(w, r, c, "password", map[string]any{"Title": "修改密码", "Error": msg})
		return nil
	}
	if err != nil {
		return err
	}
	s.redirect(w, r, "/", "密码已修改")
	return nil
}

func (s *Server) home(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if c.user.Role.Can(domain.PermScore) {
		return s.dashboard(w, r, c)
	}
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
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

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p, res, err := s.reportFor(r)
	if err != nil {
		return err
	}
	chart := map[string][]any{}
	for _, d := range res.Departments {
		chart["names"] = append(chart["names"], d.Name)
		chart["totals"] = append(chart["totals"], d.Total)
		chart["tasks"] = append(chart["tasks"], d.TaskScore)
		chart["bonus"] = append(chart["bonus"], d.Bonus)
		chart["deductions"] = append(chart["deductions"], -d.Deduction)
	}
	s.render(w, r, c, "dashboard", map[string]any{"Title": "考核总览", "Plan": p, "Result": res,
		"Targets": p.CategoriesOf(plan.KindTarget), "Chart": chart})
	return nil
}

type quotaRow struct {
	Month string
	Cells []scoring.QuotaMonth
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
	s.render(w, r, c, "department", map[string]any{"Title": dept.Name, "Plan": p, "Dept": dept, "Focus": pd.Focus, "AsOf": res.AsOf,
		"Targets": p.CategoriesOf(plan.KindTarget), "Bonuses": p.CategoriesOf(plan.KindBonus), "Gaps": gaps,
		"Quotas": len(quotaCats) > 0, "QuotaCats": quotaCats, "QuotaRows": rows, "Pieces": pieces})
	return nil
}

var kindNames = map[string]string{scoring.LinePoints: "得分", scoring.LineCap: "封顶", scoring.LineBonus: "加分",
	scoring.LineBonusCap: "加分封顶", scoring.LineQuota: "月度报送", scoring.LineDeduction: "扣分"}

func ledgerQuery(r *http.Request) app.LedgerQuery {
	q := r.URL.Query()
	lq := app.LedgerQuery{Category: q.Get("category"), Kind: q.Get("kind"), Cursor: q.Get("cursor")}
	if n, err := strconv.Atoi(q.Get("limit")); err == nil {
		lq.Limit = n
	}
	return lq
}

func (s *Server) ledgerPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	year, asOf, err := yearAsOf(r)
	if err != nil {
		return err
	}
	lq := ledgerQuery(r)
	pg, err := s.App.Ledger(r.Context(), year, asOf, r.PathValue("code"), lq)
	if err != nil {
		return err
	}
	catNames, chanNames := names(pg.Plan)
	filter := ""
	if lq.Category != "" {
		filter = catNames[lq.Category]
	} else if lq.Kind != "" {
		filter = map[string]string{"bonus": "加分", "deduction": "扣分", "task": "任务得分"}[lq.Kind]
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
	s.render(w, r, c, "ledger", map[string]any{"Title": "积分台账", "Dept": pg.Dept, "Summary": pg.Summary, "Lines": pg.Lines,
		"Total": pg.Total, "FirstPage": pg.FirstPage, "Next": link(pg.Next), "Prev": link(pg.Prev), "AsOf": pg.AsOf.String(),
		"Filter": filter, "KindNames": kindNames, "CatNames": catNames, "ChanNames": chanNames})
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
	doc, res, err := s.App.Export(r.Context(), c.actor, year, asOf, "report.xlsx", report.XLSX)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "考核表-" + res.AsOf + ".xlsx"}))
	_, err = w.Write(doc)
	return err
}

var stateFilters = []struct{ Code, Name string }{
	{domain.StateDraft, "草稿"}, {domain.StateSubmitted, "待审核"}, {domain.StateLeaderApproved, "待主要领导审核"},
	{domain.StateReturned, "退回"}, {domain.StateApproved, "已审核"}, {domain.StateAdopted, "已采用"},
}

func (s *Server) piecesPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	state := r.URL.Query().Get("state")
	var states []string
	if state != "" {
		if _, ok := state.Name(); !ok {
			return &domain.Error{Code: domain.EInvalid, Field: "state", Message: "状态不对"}
		}
		states = []string{state}
	}
	ps, err := s.App.Pieces(r.Context(), c.user, states)
	if err != nil {
		return err
	}
	heading := "稿件"
	if c.user.DepartmentName != "" {
		heading = c.user.DepartmentName + "的稿件"
	}
	s.render(w, r, c, "pieces", map[string]any{"Title": "稿件", "Heading": heading, "Pieces": ps, "States": stateFilters, "State": state})
	return nil
}

var actionNames = map[string]string{"create": "起草", "edit": "修改", "submit": "报送审核", "approve": "审核通过",
	"return": "退回", "adopt": "登记采用", "verify": "核实", "words": "修改计分字数"}

func (s *Server) piecePage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := s.App.PieceDetail(r.Context(), c.user, id)
	if err != nil {
		return err
	}
	p, err := s.App.Plan(r.Context(), 0)
	if err != nil {
		return err
	}
	_, chanNames := names(p)
	var themes, channels []string
	for _, t := range d.Themes {
		if t >= 1 && t <= len(p.Themes) {
			themes = append(themes, p.Themes[t-1].Title)
		}
	}
	for _, ch := range d.Channels {
		channels = append(channels, chanNames[ch])
	}
	canEdit := c.user.Role.Can(domain.PermPieceWrite) && d.Department == c.user.Department &&
		(d.State == domain.StateDraft || d.State == domain.StateReturned)
	canReview := c.user.Role.Can(domain.PermReview) && d.AuthorID != c.user.ID &&
		(c.user.Role == domain.Leader && d.State == domain.StateSubmitted && c.user.LeadsDept(d.Department) ||
			c.user.Role == domain.Chief && d.State == domain.StateLeaderApproved)
	var adopt []plan.Channel
	counts := false
	if d.State == domain.StateApproved || d.State == domain.StateAdopted {
		for _, ch := range p.Channels {
			if ok, counted := app.MayRecord(c.user.Role, p.Category(ch.Category)); ok && (!c.user.Role.InDepartment() || d.Department == c.user.Department) {
				adopt = append(adopt, ch)
				counts = counted
			}
		}
	}
	today := plan.DateOf(s.App.Now().In(p.Location()))
	if today.After(p.End()) {
		today = p.End()
	}
	s.render(w, r, c, "piece", map[string]any{"Title": d.Title, "Piece": d.Piece, "Detail": d, "Themes": themes, "Channels": channels,
		"CanEdit": canEdit, "CanReview": canReview, "AdoptChannels": adopt, "AdoptCounts": counts, "VerifiedCats": departmentRecorded(p), "DefaultDate": today.String(),
		"ChanNames": chanNames, "ActionNames": actionNames})
	return nil
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, &domain.Error{Code: domain.ENotFound, Message: "没有找到"}
	}
	return id, nil
}

func (s *Server) pieceForm(w http.ResponseWriter, r *http.Request, c *reqCtx, id int64, in app.PieceInput, msg string) error {
	p, err := s.App.Plan(r.Context(), 0)
	if err != nil {
		return err
	}
	if msg != "" {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	s.render(w, r, c, "piece_form", map[string]any{"Title": "撰写稿件", "ID": id, "Form": in, "Plan": p, "Error": msg, "Words": wordcount.CountHTML(in.Body)})
	return nil
}

func (s *Server) newPiecePage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.pieceForm(w, r, c, 0, app.PieceInput{}, "")
}

func pieceInput(r *http.Request) app.PieceInput {
	in := app.PieceInput{Title: r.PostFormValue("title"), Body: r.PostFormValue("body"), Major: r.PostFormValue("major") != ""}
	for _, t := range r.PostForm["themes"] {
		if n, err := strconv.Atoi(t); err == nil {
			in.Themes = append(in.Themes, n)
		}
	}
	in.Channels = r.PostForm["channels"]
	return in
}

func (s *Server) createPiece(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	in := pieceInput(r)
	p, err := s.App.CreatePiece(r.Context(), c.actor, in)
	if msg, ok := formError(err); ok {
		return s.pieceForm(w, r, c, 0, in, msg)
	}
	if err != nil {
		return err
	}
	s.redirect(w, r, "/pieces/"+strconv.FormatInt(p.ID, 10), "草稿已保存")
	return nil
}

func (s *Server) editPiecePage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := s.App.Piece(r.Context(), c.user, id)
	if err != nil {
		return err
	}
	return s.pieceForm(w, r, c, id, app.PieceInput{Title: p.Title, Body: p.Body, Themes: p.Themes, Channels: p.Channels, Major: p.Major}, "")
}

func (s *Server) updatePiece(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	in := pieceInput(r)
	_, err = s.App.UpdatePiece(r.Context(), c.actor, id, in)
	if msg, ok := formError(err); ok {
		return s.pieceForm(w, r, c, id, in, msg)
	}
	if err != nil {
		return err
	}
	s.redirect(w, r, "/pieces/"+strconv.FormatInt(id, 10), "已保存")
	return nil
}

func (s *Server) submitPiece(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := s.App.Submit(r.Context(), c.actor, id); err != nil {
		return err
	}
	s.redirect(w, r, "/pieces/"+strconv.FormatInt(id, 10), "已报送，等待分管局领导审核")
	return nil
}

func (s *Server) words(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, err := io.WriteString(w, strconv.Itoa(wordcount.CountHTML(r.PostForm.Get("body"))))
	return err
}

func (s *Server) uploadAttachment(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	name, data, err := formFile(r, "file")
	if err != nil {
		return err
	}
	if data == nil {
		return &domain.Error{Code: domain.EInvalid, Field: "file", Message: "请选择文件"}
	}
	if _, err := s.App.AddAttachment(r.Context(), c.actor, id, name, data); err != nil {
		return err
	}
	s.redirect(w, r, "/pieces/"+strconv.FormatInt(id, 10), "附件已上传")
	return nil
}

// formFile reads an uploaded file of a parsed multipart form (nil data: none
// was sent).
func formFile(r *http.Request, field string) (string, []byte, error) {
	if r.MultipartForm == nil || len(r.MultipartForm.File[field]) == 0 {
		return "", nil, nil
	}
	hdr := r.MultipartForm.File[field][0]
	if hdr.Size > app.MaxAttachment {
		return "", nil, &domain.Error{Code: domain.EInvalid, Field: field, Message: fmt.Sprintf("文件过大：附件不能超过 %d MB", app.MaxAttachment>>20)}
	}
	f, err := hdr.Open()
	if err != nil {
		return "", nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, app.MaxAttachment+1))
	if err != nil {
		return "", nil, err
	}
	return hdr.Filename, data, nil
}

func (s *Server) attachment(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a, err := s.App.Attachment(r.Context(), c.user, id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", a.ContentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Name}))
	w.Header().Set("Content-Length", strconv.Itoa(len(a.Data)))
	_, err = w.Write(a.Data)
	return err
}

func (s *Server) reviewsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ps, err := s.App.ReviewQueue(r.Context(), c.user)
	if err != nil {
		return err
	}
	p, err := s.App.Plan(r.Context(), 0)
	if err != nil {
		return err
	}
	s.render(w, r, c, "reviews", map[string]any{"Title": "待我审核", "Pieces": ps, "Rule": p.Review.Text})
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

func (s *Server) recordAdoption(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	in := app.AdoptionInput{Channel: r.PostFormValue("channel"), Date: r.PostFormValue("date"), Outlet: r.PostFormValue("outlet"), Issue: r.PostFormValue("issue")}
	if v := strings.TrimSpace(r.PostFormValue("words")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return &domain.Error{Code: domain.EInvalid, Field: "words", Message: "字数须是整数"}
		}
		in.Words = &n
	}
	if v := r.PostFormValue("evidence"); v != "" {
		in.Evidence, _ = strconv.ParseInt(v, 10, 64)
	}
	if in.EvidenceName, in.EvidenceData, err = formFile(r, "evidence_file"); err != nil {
		return err
	}
	rec, err := s.App.RecordAdoption(r.Context(), c.actor, id, in)
	if err != nil {
		return err
	}
	msg := "采用已登记"
	if !rec.Counted {
		msg = "已登记，待办公室核实后计分"
	}
	s.redirect(w, r, "/pieces/"+strconv.FormatInt(id, 10), msg)
	return nil
}

func (s *Server) verifyPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	pending, err := s.App.PendingAdoptions(r.Context(), c.actor)
	if err != nil {
		return err
	}
	p, err := s.App.Plan(r.Context(), 0)
	if err != nil {
		return err
	}
	_, chanNames := names(p)
	deptNames := map[string]string{}
	for _, d := range p.Departments {
		deptNames[d.Code] = d.Name
	}
	s.render(w, r, c, "verify", map[string]any{"Title": "待核实", "Pending": pending, "ChanNames": chanNames, "DeptNames": deptNames,
		"VerifiedCats": departmentRecorded(p)})
	return nil
}

func (s *Server) verifyPost(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	accept := r.PostFormValue("accept") != ""
	if err := s.App.Verify(r.Context(), c.actor, id, accept, r.PostFormValue("reason")); err != nil {
		return err
	}
	s.redirect(w, r, "/verify", map[bool]string{true: "已认定，计入得分", false: "已不予认定"}[accept])
	return nil
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	us, err := s.App.Users(r.Context(), c.actor)
	if err != nil {
		return err
	}
	s.render(w, r, c, "users", map[string]any{"Title": "账户", "Users": us})
	return nil
}

func (s *Server) userForm(w http.ResponseWriter, r *http.Request, c *reqCtx, u *domain.User, msg string) error {
	depts, err := s.App.Departments(r.Context())
	if err != nil {
		return err
	}
	if msg != "" {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	s.render(w, r, c, "user_form", map[string]any{"Title": "账户", "Edit": u, "Roles": domain.Roles, "Depts": depts, "Error": msg})
	return nil
}

func (s *Server) newUserPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.userForm(w, r, c, &domain.User{Role: domain.Reporter}, "")
}

func userInput(r *http.Request) app.UserInput {
	return app.UserInput{Username: r.PostFormValue("username"), DisplayName: r.PostFormValue("display_name"), Role: r.PostFormValue("role"),
		Department: r.PostFormValue("department"), Leads: r.PostForm["leads"], Password: r.PostFormValue("password"), Disabled: r.PostFormValue("disabled") != ""}
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	in := userInput(r)
	u, err := s.App.CreateUser(r.Context(), c.actor, in, true)
	if msg, ok := formError(err); ok {
		return s.userForm(w, r, c, &domain.User{Username: in.Username, DisplayName: in.DisplayName, Role: in.Role, Department: in.Department, Leads: in.Leads}, msg)
	}
	if err != nil {
		return err
	}
	s.redirect(w, r, "/admin/users", "已新建账户 "+u.Username)
	return nil
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

func (s *Server) resetPassword(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	err = s.App.ResetPassword(r.Context(), c.actor, id, r.PostFormValue("password"))
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
	s.redirect(w, r, "/admin/users", "密码已重置，用户下次登录须修改")
	return nil
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	q := r.URL.Query()
	f := store.AuditFilter{Action: q.Get("action"), Username: q.Get("username"), Object: q.Get("object")}
	entries, err := s.App.AuditLog(r.Context(), c.actor, f)
	if err != nil {
		return err
	}
	// The chain is read whole to verify it: on demand, not on every view.
	var broken int64
	var count int
	verified := q.Get("verify") != ""
	if verified {
		if broken, count, err = s.App.VerifyAudit(r.Context(), c.actor); err != nil {
			return err
		}
	}
	s.render(w, r, c, "audit", map[string]any{"Title": "审计日志", "Entries": entries, "F": f, "Verified": verified, "Broken": broken, "Count": count})
	return nil
}

func (s *Server) overrideWords(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	words, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("words")))
	if err != nil {
		return &domain.Error{Code: domain.EInvalid, Field: "words", Message: "字数须是整数"}
	}
	if err := s.App.OverrideWords(r.Context(), c.actor, id, words, r.PostFormValue("reason")); err != nil {
		return err
	}
	back := "/verify"
	if p := r.PostFormValue("piece"); p != "" {
		if pid, err := strconv.ParseInt(p, 10, 64); err == nil {
			back = "/pieces/" + strconv.FormatInt(pid, 10)
		}
	}
	s.redirect(w, r, back, "计分字数已修改")
	return nil
}
