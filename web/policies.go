package web

import (
	"net/http"
	"strconv"

	"kexuan/app"
	"kexuan/domain"
)

// policiesView is 科技政策进百企: the campaign's progress, the policy
// library, and the forms to add a policy (the office) and to record an
// enterprise reached.
type policiesView struct {
	Campaign    *app.Campaign
	Policies    []*domain.Policy // every one, for the reach form
	Library     []*domain.Policy // the table's page
	Pager       pager
	Levels      []domain.PolicyLevel
	Enterprises []*domain.Enterprise
	CanAdd      bool // the office keeps the library
	CanReach    bool
	Departments []domain.DepartmentRef // the office chooses one
	PolicyForm  app.PolicyInput
	ReachForm   app.ReachInput
	Error       string
	Field       string
	Today       string
}

// Percent is the campaign's progress as a width (0–100).
func (v policiesView) Percent(n int) int {
	if v.Campaign == nil || v.Campaign.Target == 0 {
		return 0
	}
	return min(100, n*100/v.Campaign.Target)
}

// Chosen says whether the reach form chose a policy.
func (v policiesView) Chosen(id int64) bool {
	for _, x := range v.ReachForm.PolicyIDs {
		if x == id {
			return true
		}
	}
	return false
}

func (s *Server) policiesPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.showPolicies(w, r, c, nil, nil, nil)
}

func (s *Server) showPolicies(w http.ResponseWriter, r *http.Request, c *reqCtx, pf *app.PolicyInput, rf *app.ReachInput, refused *domain.Error) error {
	year, err := yearParam(r)
	if err != nil {
		return err
	}
	camp, err := s.App.PolicyCampaign(r.Context(), c.user, year)
	if err != nil {
		return err
	}
	ps, err := s.App.Policies(r.Context(), c.user)
	if err != nil {
		return err
	}
	pl, err := s.App.Plan(r.Context(), camp.Year)
	if err != nil {
		return err
	}
	pq, err := pageQuery(r)
	if err != nil {
		return err
	}
	lib, err := s.App.PolicyPage(r.Context(), c.user, pq)
	if err != nil {
		return err
	}
	v := policiesView{Campaign: camp, Policies: ps, Library: lib.Items, Pager: pagerOf(r, lib), Levels: domain.PolicyLevels, CanAdd: c.user.Role.Can(domain.PermVerify),
		CanReach: c.user.Role.Can(domain.PermFieldWrite), Today: s.App.Today(pl.Location()).String()}
	if v.Today > pl.End().String() {
		v.Today = pl.End().String()
	}
	v.ReachForm.Date = v.Today
	if pf != nil {
		v.PolicyForm = *pf
	}
	if rf != nil {
		v.ReachForm = *rf
	}
	if v.CanReach {
		ents, err := s.App.Enterprises(r.Context(), c.user, domain.EnterpriseFilter{}, app.PageQuery{Limit: app.MaxPage})
		if err != nil {
			return err
		}
		v.Enterprises = ents.Items
		if !c.user.Role.InDepartment() {
			if v.Departments, err = s.App.VisibleDepartments(r.Context(), c.user); err != nil {
				return err
			}
		}
	}
	if refused != nil {
		v.Error, v.Field = refused.Message, refused.Field
		w.WriteHeader(httpStatus(refused.Code))
	}
	s.render(w, r, c, "policies", "科技政策进百企", v)
	return nil
}

func (s *Server) addPolicy(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	in := app.PolicyInput{Level: r.PostFormValue("level"), Issuer: r.PostFormValue("issuer"), DocNumber: r.PostFormValue("doc_number"),
		Title: r.PostFormValue("title"), Issued: r.PostFormValue("issued"), Summary: r.PostFormValue("summary"), Link: r.PostFormValue("link"),
		Repealed: r.PostFormValue("repealed") != ""}
	if _, err := s.App.AddPolicy(r.Context(), c.actor, in); err != nil {
		if e := domain.ErrorOf(err); e.Code == domain.EInvalid {
			return s.showPolicies(w, r, c, &in, nil, e)
		}
		return err
	}
	s.redirect(w, r, "/policies", "已录入政策："+in.Title)
	return nil
}

func (s *Server) recordReach(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	in := app.ReachInput{Date: r.PostFormValue("date"), Department: r.PostFormValue("department"), Asked: r.PostFormValue("asked")}
	in.EnterpriseID, _ = strconv.ParseInt(r.PostFormValue("enterprise_id"), 10, 64)
	for _, v := range r.PostForm["policy_ids"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			in.PolicyIDs = append(in.PolicyIDs, id)
		}
	}
	if _, err := s.App.RecordReach(r.Context(), c.actor, in); err != nil {
		if e := domain.ErrorOf(err); e.Code == domain.EInvalid {
			return s.showPolicies(w, r, c, nil, &in, e)
		}
		return err
	}
	s.redirect(w, r, "/policies", "已登记")
	return nil
}

func (s *Server) booklet(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	year, err := yearParam(r)
	if err != nil {
		return err
	}
	doc, err := s.App.Booklet(r.Context(), c.actor, year)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
	setAttachment(w, "科技政策汇编.docx")
	w.Write(doc)
	return nil
}

func policyJSON(p *domain.Policy) map[string]any {
	status := "valid"
	if p.Repealed {
		status = "repealed"
	}
	return map[string]any{"id": p.ID, "level": p.Level, "issuer": p.Issuer, "doc_number": p.DocNumber, "title": p.Title,
		"issued": p.Issued.String(), "summary": p.Summary, "link": p.Link, "status": status}
}

// apiPolicies: GET /api/v1/policies?limit=&cursor= → {"policies":[…],"next_cursor","prev_cursor"}.
func (s *Server) apiPolicies(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	pq, err := pageQuery(r)
	if err != nil {
		return err
	}
	pg, err := s.App.PolicyPage(r.Context(), c.user, pq)
	if err != nil {
		return err
	}
	out := []map[string]any{}
	for _, p := range pg.Items {
		out = append(out, policyJSON(p))
	}
	writeJSON(w, http.StatusOK, map[string]any{"policies": out, "next_cursor": cursorJSON(pg.Next), "prev_cursor": cursorJSON(pg.Prev)})
	return nil
}

// apiAddPolicy: POST /api/v1/policies {"level","issuer","doc_number","title","issued","summary","link","status"} → 201.
func (s *Server) apiAddPolicy(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		Level     string `json:"level"`
		Issuer    string `json:"issuer"`
		DocNumber string `json:"doc_number"`
		Title     string `json:"title"`
		Issued    string `json:"issued"`
		Summary   string `json:"summary"`
		Link      string `json:"link"`
		Status    string `json:"status"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Status != "" && in.Status != "valid" && in.Status != "repealed" {
		return domain.Invalid("status", "状态应为 valid（有效）或 repealed（废止）")
	}
	p, err := s.App.AddPolicy(r.Context(), c.actor, app.PolicyInput{Level: in.Level, Issuer: in.Issuer, DocNumber: in.DocNumber, Title: in.Title,
		Issued: in.Issued, Summary: in.Summary, Link: in.Link, Repealed: in.Status == "repealed"})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, policyJSON(p))
	return nil
}

// apiRecordReach: POST /api/v1/policies/reaches {"date","department","enterprise_id","policy_ids":[…],"asked"} → 201.
func (s *Server) apiRecordReach(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		Date         string  `json:"date"`
		Department   string  `json:"department"`
		EnterpriseID int64   `json:"enterprise_id"`
		PolicyIDs    []int64 `json:"policy_ids"`
		Asked        string  `json:"asked"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	rc, err := s.App.RecordReach(r.Context(), c.actor, app.ReachInput(in))
	if err != nil {
		return err
	}
	ids := []int64{}
	for _, p := range rc.Policies {
		ids = append(ids, p.ID)
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": rc.ID, "date": rc.Day.String(), "department": rc.Department,
		"enterprise_id": rc.Enterprise.ID, "policy_ids": ids, "asked": rc.Asked})
	return nil
}

// apiCampaign: GET /api/v1/policies/campaign?year=2017 →
// {"year","target","reached","departments":[{"code","name","reached"}]}.
func (s *Server) apiCampaign(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	year, err := yearParam(r)
	if err != nil {
		return err
	}
	camp, err := s.App.PolicyCampaign(r.Context(), c.user, year)
	if err != nil {
		return err
	}
	depts := []map[string]any{}
	for _, d := range camp.PerDept {
		depts = append(depts, map[string]any{"code": d.Code, "name": d.Name, "reached": d.Reached})
	}
	writeJSON(w, http.StatusOK, map[string]any{"year": camp.Year, "target": camp.Target, "reached": camp.Reached, "departments": depts})
	return nil
}
