package web

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"kexuan/app"
	"kexuan/domain"
)

// enterprisesView is the enterprise register: a page of it, its filters,
// and the form to add one (kept with its error when refused).
type enterprisesView struct {
	Items    []*domain.Enterprise
	F        domain.EnterpriseFilter
	Parks    []string
	CanWrite bool
	Form     app.EnterpriseInput
	Error    string
	Field    string
	Pager    pager
	Revealed *revealedPhone
	Query    url.Values // the page's filters and cursor, kept by a reveal
}

// revealedPhone is an enterprise contact's phone shown whole, once.
type revealedPhone struct {
	ID    int64
	Name  string
	Phone string
}

func enterpriseFilter(r *http.Request) domain.EnterpriseFilter {
	q := r.URL.Query()
	return domain.EnterpriseFilter{Text: q.Get("q"), Park: q.Get("park")}
}

func (s *Server) enterprisesPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.showEnterprises(w, r, c, app.EnterpriseInput{}, nil)
}

// revealEnterprisePhone: POST /enterprises/{id}/reveal shows the list with
// that contact's whole phone (audited).
func (s *Server) revealEnterprisePhone(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := s.App.RevealEnterprisePhone(r.Context(), c.actor, id)
	if err != nil {
		return err
	}
	e, err := s.App.Enterprise(r.Context(), c.user, id)
	if err != nil {
		return err
	}
	c.revealed = &revealedPhone{ID: id, Name: e.Name, Phone: v.Value}
	return s.showEnterprises(w, r, c, app.EnterpriseInput{}, nil)
}

// apiRevealEnterprisePhone: POST /api/v1/enterprises/{id}/reveal → {"field":"phone","value"}.
func (s *Server) apiRevealEnterprisePhone(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := s.App.RevealEnterprisePhone(r.Context(), c.actor, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) showEnterprises(w http.ResponseWriter, r *http.Request, c *reqCtx, form app.EnterpriseInput, refused *domain.Error) error {
	pq, err := pageQuery(r)
	if err != nil {
		return err
	}
	f := enterpriseFilter(r)
	pg, err := s.App.Enterprises(r.Context(), c.user, f, pq)
	if err != nil {
		return err
	}
	parks, err := s.App.Parks(r.Context())
	if err != nil {
		return err
	}
	v := enterprisesView{Items: pg.Items, F: f, Parks: parks, CanWrite: c.user.Role.Can(domain.PermFieldWrite), Form: form, Pager: pagerOf(r, pg),
		Revealed: c.revealed, Query: r.URL.Query()}
	if refused != nil {
		v.Error, v.Field = refused.Message, refused.Field
		w.WriteHeader(httpStatus(refused.Code))
	}
	s.render(w, r, c, "enterprises", "企业名录", v)
	return nil
}

func enterpriseInput(r *http.Request) app.EnterpriseInput {
	return app.EnterpriseInput{Name: r.PostFormValue("name"), CreditCode: r.PostFormValue("credit_code"), Park: r.PostFormValue("park"),
		Address: r.PostFormValue("address"), Contact: r.PostFormValue("contact"), Industry: r.PostFormValue("industry"),
		Phone: r.PostFormValue("phone")}
}

func (s *Server) createEnterprise(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	in := enterpriseInput(r)
	e, err := s.App.CreateEnterprise(r.Context(), c.actor, in)
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) && (de.Code == domain.EInvalid || de.Code == domain.EConflict) {
			return s.showEnterprises(w, r, c, in, de)
		}
		return err
	}
	s.redirect(w, r, "/enterprises?q="+url.QueryEscape(e.CreditCode), "已登记："+e.Name)
	return nil
}

func enterpriseJSON(e *domain.Enterprise) map[string]any {
	return map[string]any{"id": e.ID, "name": e.Name, "credit_code": e.CreditCode, "park": e.Park, "address": e.Address,
		"contact": e.Contact, "phone": e.Phone, "industry": e.Industry}
}

// apiEnterprises: GET /api/v1/enterprises?q=&park=&limit=&cursor= →
// {"enterprises":[…],"next_cursor","prev_cursor"}.
func (s *Server) apiEnterprises(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	pq, err := pageQuery(r)
	if err != nil {
		return err
	}
	pg, err := s.App.Enterprises(r.Context(), c.user, enterpriseFilter(r), pq)
	if err != nil {
		return err
	}
	out := []map[string]any{}
	for _, e := range pg.Items {
		out = append(out, enterpriseJSON(e))
	}
	writeJSON(w, http.StatusOK, map[string]any{"enterprises": out, "next_cursor": cursorJSON(pg.Next), "prev_cursor": cursorJSON(pg.Prev)})
	return nil
}

// apiCreateEnterprise: POST /api/v1/enterprises
// {"name","credit_code","park","address","contact","industry"} → 201; a bad
// code → 422 naming credit_code; a known code → 409 naming the enterprise.
func (s *Server) apiCreateEnterprise(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		Name       string `json:"name"`
		CreditCode string `json:"credit_code"`
		Park       string `json:"park"`
		Address    string `json:"address"`
		Contact    string `json:"contact"`
		Industry   string `json:"industry"`
		Phone      string `json:"phone"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	e, err := s.App.CreateEnterprise(r.Context(), c.actor, app.EnterpriseInput(in))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, enterpriseJSON(e))
	return nil
}

// exportEnterprises: the register (as filtered) as an A4 workbook.
func (s *Server) exportEnterprises(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	doc, err := s.App.ExportEnterprises(r.Context(), c.actor, enterpriseFilter(r))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	setAttachment(w, "企业名录.xlsx")
	w.Write(doc)
	return nil
}

// exportList: GET /export/lists/{kind}?year= — visits, activities, reaches,
// policies, commissions as a workbook (what the user may see).
func (s *Server) exportList(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	year, err := yearParam(r)
	if err != nil {
		return err
	}
	kind := r.PathValue("kind")
	names := map[string]string{"visits": "走访记录", "activities": "主要形式活动", "reaches": "科技政策进百企", "policies": "科技政策库", "commissions": "约稿"}
	name, ok := names[kind]
	if !ok {
		return &domain.Error{Code: domain.ENotFound, Message: "没有找到"}
	}
	doc, err := s.App.ExportList(r.Context(), c.actor, kind, year)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	setAttachment(w, name+".xlsx")
	w.Write(doc)
	return nil
}

// revealLink is the reveal form's action for enterprise id: the list's own
// filters and cursor kept, so the page that comes back is the one left.
func (v enterprisesView) RevealLink(id int64) template.URL {
	return linkWith("/enterprises/"+strconv.FormatInt(id, 10)+"/reveal", v.Query)
}
