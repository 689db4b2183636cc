package web

import (
	"html/template"
	"kexuan/app"
	"kexuan/domain"
	"kexuan/plan"
	"net/http"
	"strings"
	"time"
)

// auditView is the audit log page.
type auditView struct {
	Entries  []*domain.AuditEntry
	F        domain.AuditFilter
	From, To string            // the dates as given
	Export   template.URL      // the export link, with the page's filters
	Objects  map[string]string // each entry's object, said in Chinese
	Verified bool
	Report   *app.AuditReport
	Pager    pager
}

// auditFilter reads the audit log's filters; from and to are days in the
// plan's time zone, both included.
func auditFilter(r *http.Request, loc *time.Location) (domain.AuditFilter, error) {
	q := r.URL.Query()
	f := domain.AuditFilter{Action: domain.AuditAction(strings.TrimSpace(q.Get("action"))), Username: q.Get("username"), Object: domain.AuditObject(q.Get("object")), Result: q.Get("result")}
	for _, b := range []struct {
		name string
		at   *time.Time
		next int
	}{{"from", &f.From, 0}, {"to", &f.Until, 1}} {
		v := q.Get(b.name)
		if v == "" {
			continue
		}
		d, err := plan.ParseDate(v)
		if err != nil {
			return f, domain.Invalid(b.name, "日期 %q 不对，应为 YYYY-MM-DD", v)
		}
		*b.at = time.Date(d.Year, time.Month(d.Month), d.Day+b.next, 0, 0, 0, 0, loc)
	}
	if !f.From.IsZero() && !f.Until.IsZero() && !f.From.Before(f.Until) {
		return f, domain.Invalid("to", "结束日期早于开始日期")
	}
	return f, nil
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	pq, err := pageQuery(r)
	if err != nil {
		return err
	}
	f, err := auditFilter(r, s.App.Zone(r.Context()))
	if err != nil {
		return err
	}
	pg, err := s.App.AuditLog(r.Context(), c.actor, f, pq)
	if err != nil {
		return err
	}
	filters := r.URL.Query()
	filters.Del("cursor")
	filters.Del("verify")
	objects, err := s.App.AuditLabels(r.Context(), pg.Items)
	if err != nil {
		return err
	}
	v := auditView{Objects: objects, Entries: pg.Items, F: f, Pager: pagerOf(r, pg), From: filters.Get("from"), To: filters.Get("to"), Export: linkWith("/admin/audit/export.csv", filters)}
	// The chain is read whole to verify it: on demand, not on every view.
	if v.Verified = r.URL.Query().Get("verify") != ""; v.Verified {
		if v.Report, err = s.App.VerifyAudit(r.Context(), c.actor); err != nil {
			return err
		}
	}
	s.render(w, r, c, "audit", "审计日志", v)
	return nil
}

// apiAudit: GET /api/v1/audit?action=&username=&object=&result=&limit=&cursor=
// → {"entries":[…],"next_cursor","prev_cursor"} (null at the ends).
func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	pq, err := pageQuery(r)
	if err != nil {
		return err
	}
	f, err := auditFilter(r, s.App.Zone(r.Context()))
	if err != nil {
		return err
	}
	pg, err := s.App.AuditLog(r.Context(), c.actor, f, pq)
	if err != nil {
		return err
	}
	objects, err := s.App.AuditLabels(r.Context(), pg.Items)
	if err != nil {
		return err
	}
	out := []map[string]any{}
	for _, e := range pg.Items {
		out = append(out, map[string]any{"id": e.ID, "at": e.At.Format(time.RFC3339), "username": e.Username, "role": e.Role, "address": e.Address,
			"action": e.Action, "action_name": domain.AuditActionName(e.Action), "object": e.Object, "object_name": objects[e.Object],
			"result": e.Result, "reason": e.Reason})
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": out, "next_cursor": cursorJSON(pg.Next), "prev_cursor": cursorJSON(pg.Prev)})
	return nil
}

// exportAudit: GET /admin/audit/export.csv with the page's filters.
func (s *Server) exportAudit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	zone := s.App.Zone(r.Context())
	f, err := auditFilter(r, zone)
	if err != nil {
		return err
	}
	doc, err := s.App.ExportAudit(r.Context(), c.actor, f, zone)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	setAttachment(w, "审计日志-"+s.App.Now().In(zone).Format("20060102")+".csv")
	w.Write(doc)
	return nil
}
