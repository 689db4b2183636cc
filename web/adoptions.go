package web

import (
	"cmp"
	"io"
	"net/http"
	"strconv"
	"strings"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/plan"
	"kexuan/wordcount"
)

func (s *Server) words(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, err := io.WriteString(w, strconv.Itoa(wordcount.CountHTML(r.PostForm.Get("body"))))
	return err
}

func (s *Server) recordAdoption(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	in := app.AdoptionInput{Channel: r.PostFormValue("channel"), Date: r.PostFormValue("date"), Outlet: r.PostFormValue("outlet"), Issue: r.PostFormValue("issue"),
		Reason: r.PostFormValue("reason")}
	form := adoptForm{Channel: in.Channel, Date: in.Date, Outlet: in.Outlet, Issue: in.Issue, Reason: in.Reason, Words: r.PostFormValue("words")}
	// A refused form comes back with everything typed and the field named,
	// never as a dead end.
	refused := func(err error) error {
		e := domain.ErrorOf(err)
		if e.Code != domain.EInvalid && e.Code != domain.EConflict {
			return err
		}
		form.Error, form.Field = e.Message, e.Field
		return s.showPiece(w, r, c, id, &form, nil)
	}
	if v := strings.TrimSpace(form.Words); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return refused(domain.Invalid("words", "字数须是整数"))
		}
		in.Words = &n
	}
	if v := r.PostFormValue("evidence"); v != "" {
		if in.Evidence, err = strconv.ParseInt(v, 10, 64); err != nil {
			return refused(domain.Invalid("evidence", "佐证材料编号不对"))
		}
	}
	if in.EvidenceName, in.EvidenceData, err = formFile(r, "evidence_file"); err != nil {
		return refused(err)
	}
	// A browser cannot be given a file back: the form says which to choose again.
	form.FileAgain = in.EvidenceName
	rec, err := s.App.RecordAdoption(r.Context(), c.actor, id, in)
	if err != nil {
		return refused(err)
	}
	msg := "采用已登记"
	if !rec.Counted {
		msg = "已登记，待办公室核实后计分"
	}
	s.redirect(w, r, "/pieces/"+strconv.FormatInt(id, 10), msg)
	return nil
}

// verifyView is the office's verification queue.
type verifyView struct {
	Pending      []*domain.Adoption
	ChanNames    map[string]string
	DeptNames    map[string]string
	Departments  []plan.Department
	Department   string
	VerifiedCats string
	Pager        pager
	byYear       map[int]map[string]string // channel names of each year's plan
}

// ChanName names a record's channel as the plan of the record's year does.
func (v verifyView) ChanName(a *domain.Adoption) string {
	if n, ok := v.byYear[a.Day.Year][a.Channel]; ok {
		return n
	}
	return cmp.Or(v.ChanNames[a.Channel], a.Channel)
}

func (s *Server) verifyPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	pq, err := pageQuery(r)
	if err != nil {
		return err
	}
	dept := r.URL.Query().Get("department")
	pg, err := s.App.PendingAdoptions(r.Context(), c.actor, dept, pq)
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
	plans, err := s.App.Plans(r.Context())
	if err != nil {
		return err
	}
	byYear := map[int]map[string]string{}
	for _, pl := range plans {
		_, byYear[pl.Year] = names(pl)
	}
	s.render(w, r, c, "verify", "待核实", verifyView{Pending: pg.Items, ChanNames: chanNames, DeptNames: deptNames,
		Departments: p.Departments, Department: dept, VerifiedCats: departmentRecorded(p), Pager: pagerOf(r, pg), byYear: byYear})
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

// deleteAdoption takes a wrong record out of the score, with a reason.
func (s *Server) deleteAdoption(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.App.DeleteAdoption(r.Context(), c.actor, id, r.PostFormValue("reason")); err != nil {
		return err
	}
	back := "/verify"
	if p := r.PostFormValue("piece"); p != "" {
		if pid, err := strconv.ParseInt(p, 10, 64); err == nil {
			back = "/pieces/" + strconv.FormatInt(pid, 10)
		}
	}
	s.redirect(w, r, back, "采用记录已删除，得分已随之调整")
	return nil
}

func (s *Server) apiDeleteAdoption(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
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
	if err := s.App.DeleteAdoption(r.Context(), c.actor, id, in.Reason); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
	return nil
}

func adoptionJSON(a *domain.Adoption) map[string]any {
	return map[string]any{"id": a.ID, "piece_id": a.PieceID, "department": a.Department, "channel": a.Channel, "date": a.Day.String(),
		"outlet": a.Outlet, "issue": a.Issue, "words": a.Words, "counted": a.Counted, "recorded_by": a.RecordedName}
}

func (s *Server) apiRecordAdoption(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Channel  string `json:"channel"`
		Date     string `json:"date"`
		Outlet   string `json:"outlet"`
		Issue    string `json:"issue"`
		Words    *int   `json:"words"`
		Evidence int64  `json:"evidence"`
		Reason   string `json:"reason"` // required in a closed period
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	a, err := s.App.RecordAdoption(r.Context(), c.actor, id, app.AdoptionInput{Channel: in.Channel, Date: in.Date, Outlet: in.Outlet,
		Issue: in.Issue, Words: in.Words, Evidence: in.Evidence, Reason: in.Reason})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, adoptionJSON(a))
	return nil
}

// apiPending: GET /api/v1/adoptions/pending?department=&limit=&cursor=
// → {"adoptions":[…],"next_cursor","prev_cursor"}
func (s *Server) apiPending(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	pq, err := pageQuery(r)
	if err != nil {
		return err
	}
	pg, err := s.App.PendingAdoptions(r.Context(), c.actor, r.URL.Query().Get("department"), pq)
	if err != nil {
		return err
	}
	out := []map[string]any{}
	for _, a := range pg.Items {
		out = append(out, adoptionJSON(a))
	}
	writeJSON(w, http.StatusOK, map[string]any{"adoptions": out, "next_cursor": cursorJSON(pg.Next), "prev_cursor": cursorJSON(pg.Prev)})
	return nil
}

func (s *Server) apiVerify(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Accept bool   `json:"accept"`
		Reason string `json:"reason"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := s.App.Verify(r.Context(), c.actor, id, in.Accept, in.Reason); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
	return nil
}

func (s *Server) apiOverrideWords(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Words  *int   `json:"words"`
		Reason string `json:"reason"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Words == nil {
		return &domain.Error{Code: domain.EInvalid, Field: "words", Message: "缺少字数"}
	}
	if err := s.App.OverrideWords(r.Context(), c.actor, id, *in.Words, in.Reason); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
	return nil
}
