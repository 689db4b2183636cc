package web

import (
	"encoding/json"
	"net/http"
	"time"

	"kexuan/app"
	"kexuan/domain"
)

// periodView is a closed period: its frozen figures and the corrections
// made since.
type periodView struct {
	*app.PeriodDetail
	CanReopen  bool
	DeptNames  map[string]string
	FieldNames map[string]string
}

func (s *Server) periodPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	d, err := s.App.Period(r.Context(), c.actor, r.PathValue("period"))
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, x := range d.Report.Departments {
		names[x.Code] = x.Name
	}
	s.render(w, r, c, "period", "结账 "+d.Period.Period, periodView{PeriodDetail: d, CanReopen: c.user.Role == domain.Chief,
		DeptNames: names, FieldNames: domain.CorrectionFieldNames})
	return nil
}

func (s *Server) closePeriod(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	per, err := s.App.ClosePeriod(r.Context(), c.actor, r.PostFormValue("period"), r.PostFormValue("reason"))
	if err != nil {
		return err
	}
	s.redirect(w, r, "/periods/"+per.Period, per.Period+" 已结账")
	return nil
}

func (s *Server) reopenPeriod(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	period := r.PathValue("period")
	if err := s.App.ReopenPeriod(r.Context(), c.actor, period, r.PostFormValue("reason")); err != nil {
		return err
	}
	s.redirect(w, r, "/month?month="+period, period+" 已重新打开")
	return nil
}

// apiPeriod: GET /api/v1/periods/{period} → what `kexuan period show`
// prints: {"period","closed_at","closed_by","snapshot","corrections":[…]}.
func (s *Server) apiPeriod(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	d, err := s.App.Period(r.Context(), c.actor, r.PathValue("period"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, periodJSON(d))
	return nil
}

// apiClosePeriod: POST /api/v1/periods {"period","reason"} → 201 the period.
func (s *Server) apiClosePeriod(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		Period string `json:"period"`
		Reason string `json:"reason"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	per, err := s.App.ClosePeriod(r.Context(), c.actor, in.Period, in.Reason)
	if err != nil {
		return err
	}
	d, err := app.ClosedDetail(c.actor, per, nil)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, periodJSON(d))
	return nil
}

// apiReopenPeriod: POST /api/v1/periods/{period}/reopen {"reason"}.
func (s *Server) apiReopenPeriod(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := s.App.ReopenPeriod(r.Context(), c.actor, r.PathValue("period"), in.Reason); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"period": r.PathValue("period"), "reopened": true})
	return nil
}

func periodJSON(d *app.PeriodDetail) map[string]any {
	type correction struct {
		Department string    `json:"department"`
		Field      string    `json:"field"`
		Before     float64   `json:"before"`
		After      float64   `json:"after"`
		Reason     string    `json:"reason"`
		At         time.Time `json:"at"`
		By         string    `json:"by"`
	}
	cs := []correction{}
	for _, c := range d.Corrections {
		cs = append(cs, correction{c.Department, c.Field, c.Before, c.After, c.Reason, c.At, c.ByName})
	}
	return map[string]any{"period": d.Period.Period, "closed_at": d.ClosedAt, "closed_by": d.ClosedName,
		"snapshot": json.RawMessage(d.Snapshot), "corrections": cs}
}
