package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/plan"
)

// documentsView is the office's register of issued documents and the form
// that issues a period's 通报.
type documentsView struct {
	Year      int
	Documents []*domain.Document
	Periods   []bulletinPeriod // over, so a 通报 can be issued
	Form      bulletinForm
	Error     string
	Field     string
	// The year's close (年终结账): offered once the year is over.
	YearOver   bool
	YearClosed bool
}

type bulletinPeriod struct {
	Period, Label string
	Default       plan.Date // the 成文日期 it gets unless one is given
	Issued        *domain.Document
}

type bulletinForm struct {
	Period, Date, Number string
}

// documentsPage: GET /documents — 发文登记 and 印发通报 (months, quarters,
// the year), for the office.
func (s *Server) documentsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.showDocuments(w, r, c, bulletinForm{Period: r.URL.Query().Get("period")}, nil)
}

func (s *Server) showDocuments(w http.ResponseWriter, r *http.Request, c *reqCtx, form bulletinForm, refused *domain.Error) error {
	year := 0
	if y := r.URL.Query().Get("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < 2000 || n > 2999 {
			return domain.Invalid("year", "年度 %q 不对", y)
		}
		year = n
	}
	pl, err := s.App.Plan(r.Context(), year)
	if err != nil {
		return err
	}
	docs, err := s.App.Documents(r.Context(), c.user, pl.Year)
	if err != nil {
		return err
	}
	issued := map[string]*domain.Document{}
	for _, d := range docs {
		issued[d.Period] = d
	}
	today := s.App.Today(pl.Location())
	var periods []bulletinPeriod
	add := func(p string) {
		months, label, _, err := app.BulletinPeriod(p)
		if err != nil {
			return
		}
		last := months[len(months)-1].Last()
		if today.After(last) {
			periods = append(periods, bulletinPeriod{Period: p, Label: label, Default: app.FirstWorkingDay(last), Issued: issued[p]})
		}
	}
	for m := 1; m <= 12; m++ {
		add(plan.Month{Year: pl.Year, Month: m}.String())
		if m%3 == 0 {
			add(fmt.Sprintf("%dQ%d", pl.Year, m/3))
		}
	}
	add(strconv.Itoa(pl.Year))
	v := documentsView{Year: pl.Year, Documents: docs, Periods: periods, Form: form, YearOver: today.After(pl.End())}
	if v.YearOver {
		_, err := s.App.Period(r.Context(), c.actor, strconv.Itoa(pl.Year))
		switch {
		case err == nil:
			v.YearClosed = true
		case !errors.Is(err, domain.ErrNotFound):
			return err
		}
	}
	if refused != nil {
		v.Error, v.Field = refused.Message, refused.Field
		w.WriteHeader(httpStatus(refused.Code))
	}
	s.render(w, r, c, "documents", "发文登记", v)
	return nil
}

// issueBulletin: POST /bulletins {period, date, number} — issues the
// period's 通报 and answers the Word document; a refusal shows the form
// again with what is wrong.
func (s *Server) issueBulletin(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	form := bulletinForm{Period: r.PostFormValue("period"), Date: r.PostFormValue("date"), Number: strings.TrimSpace(r.PostFormValue("number"))}
	opt := app.BulletinOptions{Date: form.Date}
	if form.Number != "" {
		n, err := strconv.Atoi(form.Number)
		if err != nil {
			return s.showDocuments(w, r, c, form, domain.ErrorOf(domain.Invalid("number", "文号序号 %q 不对：应为数字", form.Number)))
		}
		opt.Number = n
	}
	doc, name, err := s.App.Bulletin(r.Context(), c.actor, form.Period, opt)
	if err != nil {
		if e := domain.ErrorOf(err); e.Code == domain.EInvalid || e.Code == domain.EConflict {
			return s.showDocuments(w, r, c, form, e)
		}
		return err
	}
	writeDocx(w, name, doc)
	return nil
}

// bulletin: GET /bulletins/{period} — a 通报 issued before, again, with its
// number and date; one not yet issued goes to the form that issues it.
func (s *Server) bulletin(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	period := r.PathValue("period")
	d, err := s.App.IssuedBulletin(r.Context(), c.user, period)
	if errors.Is(err, domain.ErrNotFound) {
		http.Redirect(w, r, "/documents?period="+url.QueryEscape(period), http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return err
	}
	doc, name, err := s.App.Bulletin(r.Context(), c.actor, d.Period, app.BulletinOptions{})
	if err != nil {
		return err
	}
	writeDocx(w, name, doc)
	return nil
}

func writeDocx(w http.ResponseWriter, name string, doc []byte) {
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
	setAttachment(w, name)
	_, _ = w.Write(doc)
}
