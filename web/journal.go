package web

import (
	"fmt"
	"net/http"
	"strconv"

	"kexuan/app"
	"kexuan/domain"
)

// journalListView is the year's issues and the form to open one.
type journalListView struct {
	Year    int
	Name    string
	Issues  []*domain.JournalIssue
	Pager   pager
	CanEdit bool
	Next    int    // the next number
	Today   string // the form's default date
	Error   string
}

func (s *Server) journalPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.showJournal(w, r, c, "")
}

func (s *Server) showJournal(w http.ResponseWriter, r *http.Request, c *reqCtx, msg string) error {
	pl, err := s.planParam(r)
	if err != nil {
		return err
	}
	pq, err := pageQuery(r)
	if err != nil {
		return err
	}
	pg, err := s.App.JournalIssuePage(r.Context(), c.user, pl.Year, pq)
	if err != nil {
		return err
	}
	v := journalListView{Year: pl.Year, Name: pl.Journal.Name, Issues: pg.Items, Pager: pagerOf(r, pg), CanEdit: c.user.Role.Can(domain.PermVerify), Error: msg}
	if v.Next, err = s.App.NextIssueNumber(r.Context(), pl.Year); err != nil {
		return err
	}
	today := s.App.Today(pl.Location())
	if today.After(pl.End()) {
		today = pl.End()
	}
	v.Today = today.String()
	if msg != "" {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	s.render(w, r, c, "journal", "《"+pl.Journal.Name+"》", v)
	return nil
}

func (s *Server) createIssue(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	n, _ := strconv.Atoi(r.PostFormValue("number"))
	j, err := s.App.CreateIssue(r.Context(), c.actor, app.IssueInput{Number: n, Date: r.PostFormValue("date"), Editor: r.PostFormValue("editor")})
	if err != nil {
		if e := domain.ErrorOf(err); e.Code == domain.EInvalid || e.Code == domain.EConflict {
			return s.showJournal(w, r, c, e.Message)
		}
		return err
	}
	s.redirect(w, r, fmt.Sprintf("/journal/%d", j.ID), "已新建一期")
	return nil
}

// issueView is an issue's page (and its print page).
type issueView struct {
	*app.IssueDetail
	Sections []string
	Pieces   []*domain.Piece // approved pieces to take in
	Error    string
}

// ItemsOf are an issue's items in a section.
func (v issueView) ItemsOf(section int) []*domain.JournalItem {
	var out []*domain.JournalItem
	for _, it := range v.Items {
		if it.Section == section {
			out = append(out, it)
		}
	}
	return out
}

func (s *Server) issuePage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.showIssue(w, r, c, id, "issue", "")
}

func (s *Server) issuePrint(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.showIssue(w, r, c, id, "issue_print", "")
}

func (s *Server) showIssue(w http.ResponseWriter, r *http.Request, c *reqCtx, id int64, page, msg string) error {
	d, err := s.App.JournalIssue(r.Context(), c.user, id)
	if err != nil {
		return err
	}
	v := issueView{IssueDetail: d, Sections: d.Plan.Journal.Sections, Error: msg}
	if d.CanEdit {
		pg, err := s.App.Pieces(r.Context(), c.user, domain.PieceFilter{States: []domain.PieceState{domain.StateApproved, domain.StateAdopted}}, app.PageQuery{Limit: app.MaxPage})
		if err != nil {
			return err
		}
		v.Pieces = pg.Items
	}
	if msg != "" {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	s.render(w, r, c, page, fmt.Sprintf("《%s》%d年第%d期", d.Plan.Journal.Name, d.Year, d.Number), v)
	return nil
}

// issueAction: POST /journal/{id}/{action} — add, move, remove, submit, review.
func (s *Server) issueAction(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	item, _ := strconv.ParseInt(r.PostFormValue("item"), 10, 64)
	ctx := r.Context()
	switch r.PathValue("action") {
	case "add":
		in := app.ItemInput{Title: r.PostFormValue("title"), Source: r.PostFormValue("source"), Body: r.PostFormValue("body")}
		in.Section, err = strconv.Atoi(r.PostFormValue("section"))
		if err != nil {
			in.Section = -1
		}
		in.PieceID, _ = strconv.ParseInt(r.PostFormValue("piece_id"), 10, 64)
		err = s.App.AddJournalItem(ctx, c.actor, id, in)
	case "up", "down":
		err = s.App.MoveJournalItem(ctx, c.actor, id, item, r.PathValue("action") == "up")
	case "remove":
		err = s.App.RemoveJournalItem(ctx, c.actor, id, item)
	case "submit":
		err = s.App.SubmitIssue(ctx, c.actor, id)
	case "publish", "return":
		err = s.App.ReviewIssue(ctx, c.actor, id, r.PathValue("action") == "publish", r.PostFormValue("comment"))
	default:
		return &domain.Error{Code: domain.ENotFound, Message: "没有找到"}
	}
	if err != nil {
		if e := domain.ErrorOf(err); e.Code == domain.EInvalid {
			return s.showIssue(w, r, c, id, "issue", e.Message)
		}
		return err
	}
	s.redirect(w, r, fmt.Sprintf("/journal/%d", id), "已保存")
	return nil
}

func (s *Server) issueDocx(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := s.App.JournalIssue(r.Context(), c.user, id)
	if err != nil {
		return err
	}
	doc, err := s.App.JournalDOCX(r.Context(), c.actor, d.Year, d.Number)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
	setAttachment(w, fmt.Sprintf("%s%d年第%d期.docx", d.Plan.Journal.Name, d.Year, d.Number))
	w.Write(doc)
	return nil
}

// apiJournal: GET /api/v1/journal?year=2017&limit=&cursor= → {"issues":[{"id","year","number","date","editor","state"}],"next_cursor","prev_cursor"}.
func (s *Server) apiJournal(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	year, err := yearParam(r)
	if err != nil {
		return err
	}
	pq, err := pageQuery(r)
	if err != nil {
		return err
	}
	pg, err := s.App.JournalIssuePage(r.Context(), c.user, year, pq)
	if err != nil {
		return err
	}
	out := []map[string]any{}
	for _, j := range pg.Items {
		out = append(out, map[string]any{"id": j.ID, "year": j.Year, "number": j.Number, "date": j.Day.String(), "editor": j.Editor, "state": j.State})
	}
	writeJSON(w, http.StatusOK, map[string]any{"issues": out, "next_cursor": cursorJSON(pg.Next), "prev_cursor": cursorJSON(pg.Prev)})
	return nil
}
