package web

import (
	"kexuan/domain"
	"net/http"
	"strings"
	"time"
)

// auditView is the audit log page.
type auditView struct {
	Entries  []*domain.AuditEntry
	F        domain.AuditFilter
	Verified bool
	Broken   int64
	Count    int
	Pager    pager
}

func auditFilter(r *http.Request) domain.AuditFilter {
	q := r.URL.Query()
	return domain.AuditFilter{Action: domain.AuditAction(strings.TrimSpace(q.Get("action"))), Username: q.Get("username"), Object: q.Get("object"), Result: q.Get("result")}
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	pq, err := pageQuery(r)
	if err != nil {
		return err
	}
	f := auditFilter(r)
	pg, err := s.App.AuditLog(r.Context(), c.actor, f, pq)
	if err != nil {
		return err
	}
	v := auditView{Entries: pg.Items, F: f, Pager: pagerOf(r, pg)}
	// The chain is read whole to verify it: on demand, not on every view.
	if v.Verified = r.URL.Query().Get("verify") != ""; v.Verified {
		if v.Broken, v.Count, err = s.App.VerifyAudit(r.Context(), c.actor); err != nil {
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
	pg, err := s.App.AuditLog(r.Context(), c.actor, auditFilter(r), pq)
	if err != nil {
		return err
	}
	out := []map[string]any{}
	for _, e := range pg.Items {
		out = append(out, map[string]any{"id": e.ID, "at": e.At.Format(time.RFC3339), "username": e.Username, "role": e.Role, "address": e.Address,
			"action": e.Action, "object": e.Object, "result": e.Result, "reason": e.Reason})
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": out, "next_cursor": cursorJSON(pg.Next), "prev_cursor": cursorJSON(pg.Prev)})
	return nil
}
