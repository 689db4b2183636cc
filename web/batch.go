package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"kexuan/app"
	"kexuan/domain"
)

// batchJSON is a batch's answer: {"done":[ids],"refused":[{"id","error":{"code","message"}}]}.
func batchJSON(res *app.BatchResult) map[string]any {
	type refusal struct {
		ID    int64             `json:"id"`
		Error map[string]string `json:"error"`
	}
	refused := []refusal{}
	for _, r := range res.Refused {
		refused = append(refused, refusal{r.ID, map[string]string{"code": r.Error.Code, "message": r.Error.Message}})
	}
	return map[string]any{"done": res.Done, "refused": refused}
}

// apiApproveMany: POST /api/v1/reviews/approve {"ids":[…],"comment"}.
func (s *Server) apiApproveMany(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		IDs     []int64 `json:"ids"`
		Comment string  `json:"comment"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	res, err := s.App.ApproveMany(r.Context(), c.actor, in.IDs, in.Comment)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, batchJSON(res))
	return nil
}

// apiVerifyMany: POST /api/v1/adoptions/verify {"ids":[…]}.
func (s *Server) apiVerifyMany(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		IDs []int64 `json:"ids"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	res, err := s.App.VerifyMany(r.Context(), c.actor, in.IDs)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, batchJSON(res))
	return nil
}

// apiUnverify: POST /api/v1/adoptions/{id}/unverify {"reason"}.
func (s *Server) apiUnverify(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
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
	if err := s.App.Unverify(r.Context(), c.actor, id, in.Reason); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
	return nil
}

// formIDs reads the ticked ids of a batch form.
func formIDs(r *http.Request) ([]int64, error) {
	var ids []int64
	for _, v := range r.PostForm["ids"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return nil, domain.Invalid("ids", "所选项目不对")
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// batchFlash says what a batch did, naming what it could not do.
func batchFlash(verb string, res *app.BatchResult) string {
	msg := fmt.Sprintf("%s %d 项", verb, len(res.Done))
	if len(res.Refused) > 0 {
		var why []string
		for _, r := range res.Refused {
			why = append(why, fmt.Sprintf("第 %d 号：%s", r.ID, r.Error.Message))
		}
		msg += fmt.Sprintf("；%d 项未办：%s", len(res.Refused), strings.Join(why, "；"))
	}
	return msg
}

// approveMany: POST /reviews (ids, comment) — the ticked pieces approved.
func (s *Server) approveMany(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ids, err := formIDs(r)
	if err != nil {
		return err
	}
	res, err := s.App.ApproveMany(r.Context(), c.actor, ids, r.PostFormValue("comment"))
	if err != nil {
		return err
	}
	s.redirect(w, r, "/reviews", batchFlash("审核通过", res))
	return nil
}

// verifyMany: POST /verify (ids) — the ticked records 认定.
func (s *Server) verifyMany(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ids, err := formIDs(r)
	if err != nil {
		return err
	}
	res, err := s.App.VerifyMany(r.Context(), c.actor, ids)
	if err != nil {
		return err
	}
	back := "/verify"
	if d := r.PostFormValue("department"); d != "" {
		back += "?department=" + url.QueryEscape(d)
	}
	s.redirect(w, r, back, batchFlash("认定", res))
	return nil
}

// unverify: POST /adoptions/{id}/unverify (reason) — from the piece's page.
func (s *Server) unverify(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.App.Unverify(r.Context(), c.actor, id, r.PostFormValue("reason")); err != nil {
		return err
	}
	back := "/verify"
	if p, err := strconv.ParseInt(r.PostFormValue("piece"), 10, 64); err == nil && p > 0 {
		back = fmt.Sprintf("/pieces/%d", p)
	}
	s.redirect(w, r, back, "已撤销认定，记录重新待核实")
	return nil
}
