package web

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/plan"
	"kexuan/scoring"
	"kexuan/wordcount"
)

// piecesView is the pieces page: one page of a filtered list.
type piecesView struct {
	Heading     string
	Pieces      []*domain.Piece
	States      []domain.PieceState
	State       string // the filters as given
	Department  string
	Query       string
	Channel     string
	Theme       string
	From, To    string
	Departments []domain.DepartmentRef // to filter by; none for one department's users
	Plan        *plan.Plan             // its channels and themes, to filter by
	Pager       pager
	Total       int    // how many pieces the filter holds
	Export      string // the workbook of what the filter shows
}

func (s *Server) piecesPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	f, pq, err := pieceList(r, s.App.Zone(r.Context()))
	if err != nil {
		return err
	}
	pg, err := s.App.Pieces(r.Context(), c.user, f, pq)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	v := piecesView{Heading: "稿件", Pieces: pg.Items, States: domain.States, Pager: pagerOf(r, pg),
		State: q.Get("state"), Department: q.Get("department"), Query: f.Title, Channel: f.Channel, Theme: f.Theme, From: q.Get("from"), To: q.Get("to")}
	if v.Plan, err = s.App.Plan(r.Context(), 0); err != nil {
		return err
	}
	if v.Total, err = s.App.CountPieces(r.Context(), c.user, f); err != nil {
		return err
	}
	v.Pager.Total = v.Total
	eq := r.URL.Query()
	eq.Del("cursor")
	eq.Del("limit")
	v.Export = "/pieces/export.xlsx"
	if e := eq.Encode(); e != "" {
		v.Export += "?" + e
	}
	if c.user.DepartmentName != "" {
		v.Heading = c.user.DepartmentName + "的稿件"
	}
	if !c.user.Role.InDepartment() {
		if v.Departments, err = s.App.VisibleDepartments(r.Context(), c.user); err != nil {
			return err
		}
	}
	s.render(w, r, c, "pieces", "稿件", v)
	return nil
}

var actionNames = map[string]string{"create": "起草", "edit": "修改", "submit": "报送审核", "approve": "审核通过",
	"return": "退回", "adopt": "登记采用", "verify": "核实", "words": "修改计分字数", "adoption_delete": "删除采用记录"}

// pieceView is a piece's page: the piece, its history, and what the user
// may do to it (the same domain.Allow that app checks).
type pieceView struct {
	Detail        *app.PieceDetail
	AttachError   string // a refused upload, shown on the upload form
	Can           domain.Actions
	Themes        []string
	Channels      []string
	AdoptChannels []plan.Channel // the channels the user may record an appearance in
	AdoptCounts   bool           // whether such a record counts at once
	VerifiedCats  string
	DefaultDate   string
	ChanNames     map[string]string
	ActionNames   map[string]string
	Adopt         adoptForm        // what the adoption form shows: the last try when it was refused
	Points        map[int64]string // each adoption record's points under the plan
	Plan          *plan.Plan
	Checks        []checkJSON // the quality gate's findings, while it is written or reviewed
	SubmitError   string      // a refused submission (what the plan forbids)
}

// adoptForm is the adoption form's input, kept when it is refused so that
// nothing typed is lost, with the error and the field it names.
type adoptForm struct {
	Channel, Date, Outlet, Issue, Reason, Words string
	Error, Field                                string
	FileAgain                                   string // a file chosen with a refused form, to choose again
}

func (s *Server) piecePage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.showPiece(w, r, c, id, nil, nil)
}

// showPiece renders a piece's page; form is a refused adoption form and
// attach a refused upload, each shown on its own form (status 422).
func (s *Server) showPiece(w http.ResponseWriter, r *http.Request, c *reqCtx, id int64, form *adoptForm, attach *domain.Error) error {
	return s.showPieceRefused(w, r, c, id, form, attach, nil)
}

// showPieceRefused is showPiece with a refused submission said at its button.
func (s *Server) showPieceRefused(w http.ResponseWriter, r *http.Request, c *reqCtx, id int64, form *adoptForm, attach, submit *domain.Error) error {
	d, err := s.App.PieceDetail(r.Context(), c.user, id)
	if err != nil {
		return err
	}
	p, err := s.App.PlanOfPiece(r.Context(), d.Piece)
	if err != nil {
		return err
	}
	_, chanNames := names(p)
	var themes, channels []string
	for _, code := range d.Themes {
		if t := p.Theme(code); t != nil {
			themes = append(themes, t.Label()+t.Title)
		} else {
			themes = append(themes, code+"（计划中已没有这个宣传重点）")
		}
	}
	for _, ch := range d.Channels {
		channels = append(channels, chanNames[ch])
	}
	adopt, counts := app.RecordableChannels(c.user, d.Piece, p)
	today := s.App.Today(p.Location())
	if today.After(p.End()) {
		today = p.End()
	}
	v := pieceView{Detail: d, Can: domain.ActionsOf(c.user, d.Piece), Themes: themes, Channels: channels,
		AdoptChannels: adopt, AdoptCounts: counts, VerifiedCats: departmentRecorded(p), DefaultDate: today.String(),
		ChanNames: chanNames, ActionNames: actionNames, Adopt: adoptForm{Date: today.String()}, Points: map[int64]string{}, Plan: p}
	// A new record's channel: the first the piece was written for that this
	// user may record, not the plan's first.
	for _, ch := range d.Channels {
		if slices.ContainsFunc(adopt, func(c plan.Channel) bool { return c.Code == ch }) {
			v.Adopt.Channel = ch
			break
		}
	}
	if form != nil {
		v.Adopt = *form
	}
	if attach != nil {
		v.AttachError = attach.Message
	}
	v.Checks = s.pieceChecks(r, d.Piece)
	if submit != nil {
		v.SubmitError = submit.Message
	}
	if form != nil || attach != nil || submit != nil {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	for _, a := range d.Adoptions {
		v.Points[a.ID] = recordPoints(p, a)
	}
	s.render(w, r, c, "piece", d.Title, v)
	return nil
}

// recordPoints says what one adoption record is worth under the plan: its
// channel's points (by 字数 tier where the channel has tiers), a monthly
// quota item, or nothing yet while it waits for verification. Caps apply to
// a department's year, so the ledger is where a capped record shows 0.
func recordPoints(p *plan.Plan, a *domain.Adoption) string {
	if !a.Counted {
		return "待核实"
	}
	ch := p.Channel(a.Channel)
	if ch == nil {
		return ""
	}
	cat := p.Category(ch.Category)
	if cat == nil {
		return ""
	}
	if cat.Kind == plan.KindQuota {
		return "计入月度报送"
	}
	unit, tier := ch.PointsFor(a.Words)
	if tier >= 0 {
		return scoring.Format(unit) + " 分（" + ch.TierLabel(tier) + "）"
	}
	return scoring.Format(unit) + " 分"
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, &domain.Error{Code: domain.ENotFound, Message: "没有找到"}
	}
	return id, nil
}

// pieceFormView is the form to write or revise a piece.
type pieceFormView struct {
	Returned   *domain.Event // the comment a returned piece came back with
	ID         int64         // 0: a new piece
	Form       app.PieceInput
	Plan       *plan.Plan
	Activities []*app.ActivityView // the year's, to say which one the piece reports
	Error      string
	Words      int
}

func (s *Server) pieceForm(w http.ResponseWriter, r *http.Request, c *reqCtx, id int64, in app.PieceInput, msg string) error {
	return s.pieceFormWith(w, r, c, id, in, msg, nil)
}

func (s *Server) pieceFormWith(w http.ResponseWriter, r *http.Request, c *reqCtx, id int64, in app.PieceInput, msg string, returned *domain.Event) error {
	p, err := s.App.PlanForPiece(r.Context(), c.user, id)
	if err != nil {
		return err
	}
	if msg != "" {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	acts, err := s.App.Activities(r.Context(), c.user, p.Year)
	if err != nil {
		return err
	}
	s.render(w, r, c, "piece_form", "撰写稿件", pieceFormView{ID: id, Form: in, Plan: p, Activities: acts, Error: msg, Words: wordcount.CountHTML(in.Body), Returned: returned})
	return nil
}

func (s *Server) newPiecePage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.pieceForm(w, r, c, 0, app.PieceInput{}, "")
}

func pieceInput(r *http.Request) app.PieceInput {
	in := app.PieceInput{Title: r.PostFormValue("title"), Body: r.PostFormValue("body"), Major: r.PostFormValue("major") != ""}
	in.Themes = r.PostForm["themes"]
	in.Channels = r.PostForm["channels"]
	in.Activity, _ = strconv.ParseInt(r.PostFormValue("activity"), 10, 64)
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
	d, err := s.App.PieceDetail(r.Context(), c.user, id)
	if err != nil {
		return err
	}
	return s.pieceFormWith(w, r, c, id, app.PieceInput{Title: d.Title, Body: d.Body, Themes: d.Themes, Channels: d.Channels, Major: d.Major,
		Activity: d.ActivityID}, "", d.Returned())
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
	p, err := s.App.Submit(r.Context(), c.actor, id)
	if e := domain.ErrorOf(err); err != nil && e.Code == domain.EInvalid {
		// Refused for what it holds: said on the piece's page, beside the findings.
		return s.showPieceRefused(w, r, c, id, nil, nil, e)
	}
	if err != nil {
		return err
	}
	msg := "已报送，等待分管局领导审核"
	if n := len(s.pieceChecks(r, p)); n > 0 {
		msg += fmt.Sprintf("（检查还有 %d 处提示，审核人也会看到）", n)
	}
	s.redirect(w, r, "/pieces/"+strconv.FormatInt(id, 10), msg)
	return nil
}

func (s *Server) uploadAttachment(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	// A refused file is said on the piece's upload form, not on a page of
	// its own.
	refused := func(err error) error {
		if e := domain.ErrorOf(err); e.Code == domain.EInvalid || e.Code == domain.EUnsupported || e.Code == domain.ETooLarge {
			return s.showPiece(w, r, c, id, nil, e)
		}
		return err
	}
	name, data, err := formFile(r, "file")
	if err != nil {
		return refused(err)
	}
	if data == nil {
		return refused(&domain.Error{Code: domain.EInvalid, Field: "file", Message: "请选择文件"})
	}
	if _, err := s.App.AddAttachment(r.Context(), c.actor, id, name, data); err != nil {
		return refused(err)
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
	return sendFile(w, a.Name, a.ContentType, a.Data)
}

// sendFile answers with a stored file as a download.
func sendFile(w http.ResponseWriter, name, contentType string, data []byte) error {
	w.Header().Set("Content-Type", contentType)
	setAttachment(w, name)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, err := w.Write(data)
	return err
}

type pieceJSON struct {
	ID         int64             `json:"id"`
	Title      string            `json:"title"`
	Body       string            `json:"body"`
	Department string            `json:"department"`
	Author     string            `json:"author"`
	Themes     []string          `json:"themes"` // theme codes
	Channels   []string          `json:"channels"`
	Major      bool              `json:"major"`
	State      domain.PieceState `json:"state"`
	Words      int               `json:"words"`
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`
	History    []any             `json:"history,omitempty"`
	Adoptions  []any             `json:"adoptions,omitempty"`
	// Similar: the pieces of its year at least 80% like it (one piece's
	// answer only; a title the reader may not see is "").
	Similar []similarJSON `json:"similar,omitempty"`
}

type similarJSON struct {
	ID         int64   `json:"id"`
	Title      string  `json:"title"`
	Department string  `json:"department"`
	Similarity float64 `json:"similarity"`
}

func toPieceJSON(p *domain.Piece) pieceJSON {
	themes, channels := p.Themes, p.Channels
	if themes == nil {
		themes = []string{}
	}
	if channels == nil {
		channels = []string{}
	}
	return pieceJSON{ID: p.ID, Title: p.Title, Body: p.Body, Department: p.Department, Author: p.AuthorName, Themes: themes, Channels: channels,
		Major: p.Major, State: p.State, Words: p.Words, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

// writePieces answers a page of pieces: {"pieces":[…],"next_cursor","prev_cursor"}
// (cursors null at the ends).
func writePieces(w http.ResponseWriter, pg *app.Page[*domain.Piece]) {
	out := make([]pieceJSON, len(pg.Items))
	for i, p := range pg.Items {
		out[i] = toPieceJSON(p)
	}
	writeJSON(w, http.StatusOK, map[string]any{"pieces": out, "next_cursor": cursorJSON(pg.Next), "prev_cursor": cursorJSON(pg.Prev)})
}

func (s *Server) apiCreatePiece(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		Title      string     `json:"title"`
		Body       string     `json:"body"`
		Department string     `json:"department"`
		Themes     []planCode `json:"themes"`
		Channels   []string   `json:"channels"`
		Major      bool       `json:"major"`
		Activity   int64      `json:"activity"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	p, err := s.App.CreatePiece(r.Context(), c.actor, app.PieceInput{Title: in.Title, Body: in.Body, Department: in.Department,
		Themes: codeStrings(in.Themes), Channels: in.Channels, Major: in.Major, Activity: in.Activity})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toPieceJSON(p))
	return nil
}

// apiPieces: GET /api/v1/pieces?state=&department=&q=&limit=&cursor=
func (s *Server) apiPieces(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	f, pq, err := pieceList(r, s.App.Zone(r.Context()))
	if err != nil {
		return err
	}
	pg, err := s.App.Pieces(r.Context(), c.user, f, pq)
	if err != nil {
		return err
	}
	writePieces(w, pg)
	return nil
}

func (s *Server) apiPiece(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := s.App.PieceDetail(r.Context(), c.user, id)
	if err != nil {
		return err
	}
	out := toPieceJSON(d.Piece)
	for _, e := range d.Events {
		out.History = append(out.History, map[string]any{"action": e.Action, "from": e.FromState, "to": e.ToState, "by": e.ActorName, "comment": e.Comment, "at": e.At})
	}
	for _, a := range d.Adoptions {
		out.Adoptions = append(out.Adoptions, adoptionJSON(a))
	}
	out.Similar = []similarJSON{}
	for _, sp := range d.Similar {
		out.Similar = append(out.Similar, similarJSON{sp.ID, sp.Title, sp.Department, sp.Similarity})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) apiTransition(w http.ResponseWriter, r *http.Request, c *reqCtx, do func(id int64, comment string) (*domain.Piece, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Comment string `json:"comment"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	p, err := do(id, in.Comment)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toPieceJSON(p))
	return nil
}

func (s *Server) apiSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.apiTransition(w, r, c, func(id int64, _ string) (*domain.Piece, error) { return s.App.Submit(r.Context(), c.actor, id) })
}

// exportPieces: GET /pieces/export.xlsx?… — the pieces the list's filter
// shows, every page of them, as a workbook.
func (s *Server) exportPieces(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	f, _, err := pieceList(r, s.App.Zone(r.Context()))
	if err != nil {
		return err
	}
	var what []string
	for _, k := range []string{"state", "department", "q", "channel", "theme", "from", "to"} {
		if v := r.URL.Query().Get(k); v != "" {
			what = append(what, k+"="+v)
		}
	}
	doc, err := s.App.ExportPieces(r.Context(), c.actor, f, strings.Join(what, " "))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	setAttachment(w, "稿件清单.xlsx")
	_, err = w.Write(doc)
	return err
}
