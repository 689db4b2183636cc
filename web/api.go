package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/report"
	"kexuan/scoring"
	"kexuan/store"
)

// decode reads a JSON body into v: unknown fields and wrong types are a 422
// that names the field; anything after the object is refused; a body over
// the route's limit (set in serve) is a 413.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // an empty body: every field zero
		}
		if err := bodyError(err); domain.ErrorOf(err).Code == domain.ETooLarge {
			return err
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return &domain.Error{Code: domain.EInvalid, Field: te.Field, Message: fmt.Sprintf("类型不对：应为 %s", te.Type)}
		}
		if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return &domain.Error{Code: domain.EInvalid, Field: strings.Trim(f, `"`), Message: "未知字段"}
		}
		return &domain.Error{Code: domain.EInvalid, Field: "body", Message: "JSON 格式不对：" + err.Error()}
	}
	var extra json.RawMessage
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
		return nil
	case err != nil:
		if err := bodyError(err); domain.ErrorOf(err).Code == domain.ETooLarge {
			return err
		}
	}
	return &domain.Error{Code: domain.EInvalid, Field: "body", Message: "JSON 对象之后还有多余内容"}
}

type userJSON struct {
	ID                 int64    `json:"id"`
	Username           string   `json:"username"`
	DisplayName        string   `json:"display_name"`
	Role               string   `json:"role"`
	Department         string   `json:"department,omitempty"`
	Leads              []string `json:"leads,omitempty"`
	MustChangePassword bool     `json:"must_change_password"`
}

func toUserJSON(u *domain.User) userJSON {
	return userJSON{u.ID, u.Username, u.DisplayName, u.Role, u.Department, u.Leads, u.MustChangePassword}
}

func (s *Server) apiLogin(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	token, u, err := s.App.Login(r.Context(), in.Username, in.Password, clientIP(r))
	if err != nil {
		return err
	}
	s.setSession(w, token)
	writeJSON(w, http.StatusOK, map[string]any{"user": toUserJSON(u)})
	return nil
}

func (s *Server) apiLogout(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := s.App.Logout(r.Context(), c.actor, c.token); err != nil {
		return err
	}
	s.clearSession(w)
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
	return nil
}

// apiPassword changes one's own password: {"old_password","new_password"}.
// Other sessions end; this one stays (and may do everything again when the
// change was required).
func (s *Server) apiPassword(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		Old string `json:"old_password"`
		New string `json:"new_password"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := s.App.ChangePassword(r.Context(), c.actor, c.token, in.Old, in.New); err != nil {
		if domain.ErrorOf(err).Code == domain.EUnauthorized {
			s.clearSession(w)
		}
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
	return nil
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	writeJSON(w, http.StatusOK, toUserJSON(c.user))
	return nil
}

type pieceJSON struct {
	ID         int64     `json:"id"`
	Title      string    `json:"title"`
	Body       string    `json:"body"`
	Department string    `json:"department"`
	Author     string    `json:"author"`
	Themes     []int     `json:"themes"`
	Channels   []string  `json:"channels"`
	Major      bool      `json:"major"`
	State      string    `json:"state"`
	Words      int       `json:"words"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	History    []any     `json:"history,omitempty"`
	Adoptions  []any     `json:"adoptions,omitempty"`
}

func toPieceJSON(p *domain.Piece) pieceJSON {
	themes, channels := p.Themes, p.Channels
	if themes == nil {
		themes = []int{}
	}
	if channels == nil {
		channels = []string{}
	}
	return pieceJSON{ID: p.ID, Title: p.Title, Body: p.Body, Department: p.Department, Author: p.AuthorName, Themes: themes, Channels: channels,
		Major: p.Major, State: p.State, Words: p.Words, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

func writePieces(w http.ResponseWriter, ps []*domain.Piece) {
	out := make([]pieceJSON, len(ps))
	for i, p := range ps {
		out[i] = toPieceJSON(p)
	}
	writeJSON(w, http.StatusOK, map[string]any{"pieces": out})
}

func adoptionJSON(a *domain.Adoption) map[string]any {
	return map[string]any{"id": a.ID, "piece_id": a.PieceID, "department": a.Department, "channel": a.Channel, "date": a.Day.String(),
		"outlet": a.Outlet, "issue": a.Issue, "words": a.Words, "counted": a.Counted, "recorded_by": a.RecordedName}
}

func (s *Server) apiCreatePiece(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		Title      string   `json:"title"`
		Body       string   `json:"body"`
		Department string   `json:"department"`
		Themes     []int    `json:"themes"`
		Channels   []string `json:"channels"`
		Major      bool     `json:"major"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	p, err := s.App.CreatePiece(r.Context(), c.actor, app.PieceInput{Title: in.Title, Body: in.Body, Department: in.Department,
		Themes: in.Themes, Channels: in.Channels, Major: in.Major})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toPieceJSON(p))
	return nil
}

func (s *Server) apiPieces(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var states []string
	if st := r.URL.Query().Get("state"); st != "" {
		states = []string{st}
	}
	ps, err := s.App.Pieces(r.Context(), c.user, states)
	if err != nil {
		return err
	}
	writePieces(w, ps)
	return nil
}

func (s *Server) apiPiece(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := s.App.PieceDetail(r.Context(), c.user, id)
	if err != nil {
		return err
	}
	out := toPieceJSON(d.Piece)
	for _, e := range d.Events {
		out.History = append(out.History, map[string]any{"action": e.Action, "from": e.FromState, "to": e.ToState, "by": e.ActorName, "comment": e.Comment, "at": e.At})
	}
	for _, a := range d.Adoptions {
		out.Adoptions = append(out.Adoptions, adoptionJSON(a))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) apiTransition(w http.ResponseWriter, r *http.Request, c *reqCtx, do func(id int64, comment string) (*domain.Piece, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Comment string `json:"comment"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	p, err := do(id, in.Comment)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toPieceJSON(p))
	return nil
}

func (s *Server) apiSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.apiTransition(w, r, c, func(id int64, _ string) (*domain.Piece, error) { return s.App.Submit(r.Context(), c.actor, id) })
}

func (s *Server) apiApprove(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.apiTransition(w, r, c, func(id int64, comment string) (*domain.Piece, error) {
		return s.App.Approve(r.Context(), c.actor, id, comment)
	})
}

func (s *Server) apiReturn(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.apiTransition(w, r, c, func(id int64, comment string) (*domain.Piece, error) {
		return s.App.Return(r.Context(), c.actor, id, comment)
	})
}

func (s *Server) apiReviews(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ps, err := s.App.ReviewQueue(r.Context(), c.user)
	if err != nil {
		return err
	}
	writePieces(w, ps)
	return nil
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
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	a, err := s.App.RecordAdoption(r.Context(), c.actor, id, app.AdoptionInput{Channel: in.Channel, Date: in.Date, Outlet: in.Outlet,
		Issue: in.Issue, Words: in.Words, Evidence: in.Evidence})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, adoptionJSON(a))
	return nil
}

func (s *Server) apiPending(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	as, err := s.App.PendingAdoptions(r.Context(), c.actor)
	if err != nil {
		return err
	}
	out := []map[string]any{}
	for _, a := range as {
		out = append(out, adoptionJSON(a))
	}
	writeJSON(w, http.StatusOK, map[string]any{"adoptions": out})
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

// apiReport answers exactly what `kexuan report --format json` prints.
func (s *Server) apiReport(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	_, res, err := s.reportFor(r)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	return report.JSON(w, res)
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	q := r.URL.Query()
	entries, err := s.App.AuditLog(r.Context(), c.actor, store.AuditFilter{Action: q.Get("action"), Username: q.Get("username"), Object: q.Get("object")})
	if err != nil {
		return err
	}
	out := []map[string]any{}
	for _, e := range entries {
		out = append(out, map[string]any{"id": e.ID, "at": e.At.Format(time.RFC3339), "username": e.Username, "role": e.Role, "address": e.Address,
			"action": e.Action, "object": e.Object, "result": e.Result, "reason": e.Reason})
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": out})
	return nil
}

// apiLedger is one page of a department's ledger:
// ?year=&as_of=&category=&kind=&limit=&cursor= →
// {"department":{…},"as_of","summary":[…],"lines":[…],"total":N,"next_cursor","prev_cursor"}
// (cursors null at the ends).
func (s *Server) apiLedger(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	year, asOf, err := yearAsOf(r)
	if err != nil {
		return err
	}
	pg, err := s.App.Ledger(r.Context(), year, asOf, r.PathValue("code"), ledgerQuery(r))
	if err != nil {
		return err
	}
	cursor := func(c string) *string {
		if c == "" {
			return nil
		}
		return &c
	}
	d := *pg.Dept
	d.Ledger = nil
	lines := pg.Lines
	if lines == nil {
		lines = []scoring.Line{}
	}
	summary := pg.Summary
	if summary == nil {
		summary = []scoring.Line{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"department": d, "as_of": pg.AsOf.String(), "summary": summary, "lines": lines,
		"total": pg.Total, "next_cursor": cursor(pg.Next), "prev_cursor": cursor(pg.Prev)})
	return nil
}
