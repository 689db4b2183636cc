package web

import (
	"net/http"
	"strconv"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/plan"
)

// activitiesView is the year's activities (主要形式).
type activitiesView struct {
	Year       int
	Activities []*app.ActivityView
}

func (s *Server) activitiesPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	pl, err := s.planParam(r)
	if err != nil {
		return err
	}
	acts, err := s.App.Activities(r.Context(), c.user, pl.Year)
	if err != nil {
		return err
	}
	s.render(w, r, c, "activities", "活动", activitiesView{Year: pl.Year, Activities: acts})
	return nil
}

// activityView is one activity's page, with its form kept when refused.
type activityView struct {
	*app.ActivityDetail
	Pager    pager
	Statuses []domain.ActivityStatus
	Input    app.ActivityInput
	Error    string
	Field    string
}

func (s *Server) activityPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.showActivity(w, r, c, id, nil, nil)
}

func (s *Server) showActivity(w http.ResponseWriter, r *http.Request, c *reqCtx, id int64, form *app.ActivityInput, refused *domain.Error) error {
	pq, err := pageQuery(r)
	if err != nil {
		return err
	}
	d, err := s.App.Activity(r.Context(), c.user, id, pq)
	if err != nil {
		return err
	}
	v := activityView{ActivityDetail: d, Pager: pagerOf(r, d.ReportsPage), Statuses: []domain.ActivityStatus{domain.ActivityPlanned, domain.ActivityRunning, domain.ActivityDone},
		Input: app.ActivityInput{Status: string(d.Status), Summary: d.Summary}}
	if d.First != (plan.Date{}) {
		v.Input.First, v.Input.Last = d.First.String(), d.Last.String()
	}
	if form != nil {
		v.Input = *form
	}
	if refused != nil {
		v.Error, v.Field = refused.Message, refused.Field
		w.WriteHeader(httpStatus(refused.Code))
	}
	s.render(w, r, c, "activity", d.Form.Title, v)
	return nil
}

func (s *Server) updateActivity(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	in := app.ActivityInput{First: r.PostFormValue("first_day"), Last: r.PostFormValue("last_day"), Status: r.PostFormValue("status"), Summary: r.PostFormValue("summary")}
	if _, err := s.App.UpdateActivity(r.Context(), c.actor, id, in); err != nil {
		if e := domain.ErrorOf(err); e.Code == domain.EInvalid {
			return s.showActivity(w, r, c, id, &in, e)
		}
		return err
	}
	s.redirect(w, r, "/activities/"+strconv.FormatInt(id, 10), "已保存")
	return nil
}

func (s *Server) uploadActivityFile(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	name, data, err := formFile(r, "file")
	if err != nil {
		return err
	}
	if data == nil {
		return domain.Invalid("file", "请选择文件")
	}
	if _, err := s.App.AddActivityFile(r.Context(), c.actor, id, name, data); err != nil {
		if e := domain.ErrorOf(err); e.Code == domain.EInvalid {
			return s.showActivity(w, r, c, id, nil, e)
		}
		return err
	}
	s.redirect(w, r, "/activities/"+strconv.FormatInt(id, 10), "材料已上传")
	return nil
}

func (s *Server) activityFile(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f, err := s.App.ActivityFile(r.Context(), c.user, id)
	if err != nil {
		return err
	}
	return sendFile(w, f.Name, f.ContentType, f.Data)
}

// apiActivities: GET /api/v1/activities?year=2017 → {"year","activities":[{"id","form","title",
// "first_day","last_day","status","summary","lead","responsible","files","pieces","missing"}]}.
func (s *Server) apiActivities(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	year, err := yearParam(r)
	if err != nil {
		return err
	}
	pl, err := s.App.Plan(r.Context(), year)
	if err != nil {
		return err
	}
	acts, err := s.App.Activities(r.Context(), c.user, pl.Year)
	if err != nil {
		return err
	}
	out := []map[string]any{}
	for _, a := range acts {
		var first, last any
		if a.First != (plan.Date{}) {
			first, last = a.First.String(), a.Last.String()
		}
		missing := a.Missing
		if missing == nil {
			missing = []string{}
		}
		out = append(out, map[string]any{"id": a.ID, "form": a.Form.Number, "title": a.Form.Title, "first_day": first, "last_day": last,
			"status": a.Status, "summary": a.Summary, "lead": nonNil(a.Lead), "responsible": nonNil(a.Responsible), "files": a.Files,
			"pieces": a.Pieces, "missing": missing})
	}
	writeJSON(w, http.StatusOK, map[string]any{"year": pl.Year, "activities": out})
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
