package web

import (
	"net/http"
	"strings"

	"kexuan/domain"
	"kexuan/textcheck"
)

// checkJSON is one finding of the quality gate: at (a character offset in
// the answer's text: the title, a line break, the body's plain text) and
// length say where; suggestion, when fix, replaces that span.
type checkJSON struct {
	Kind       string `json:"kind"`
	Severity   string `json:"severity"`
	Message    string `json:"message"`
	At         int    `json:"at"`
	Length     int    `json:"length"`
	Suggestion string `json:"suggestion"`
	Fix        bool   `json:"fix"`
}

func toChecksJSON(cs []textcheck.Check) []checkJSON {
	out := make([]checkJSON, 0, len(cs))
	for _, c := range cs {
		out = append(out, checkJSON{c.Kind, c.Severity, c.Message, c.At, c.Length, c.Suggestion, c.Fix})
	}
	return out
}

// apiChecks: POST /api/v1/checks {"title","body","channel"} (or "channels":
// […]; "piece_id" checks by that piece's year's plan) →
// {"checks":[{"kind","severity","message","at","length","suggestion","fix"}],"text","similar":[{"id","title","department","similarity"}]}:
// what the quality gate sees, as the editor shows it while one types.
func (s *Server) apiChecks(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		Title    string   `json:"title"`
		Body     string   `json:"body"`
		Channel  string   `json:"channel"`
		Channels []string `json:"channels"`
		PieceID  int64    `json:"piece_id"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	channels := in.Channels
	if ch := strings.TrimSpace(in.Channel); ch != "" {
		channels = append(channels, ch)
	}
	cs, text, err := s.App.CheckText(r.Context(), c.actor, in.PieceID, in.Title, in.Body, channels)
	if err != nil {
		return err
	}
	sims, err := s.App.SimilarWhileWriting(r.Context(), c.actor, in.PieceID, in.Body)
	if err != nil {
		return err
	}
	similar := []similarJSON{}
	for _, sp := range sims {
		similar = append(similar, similarJSON{sp.ID, sp.Title, sp.Department, sp.Similarity})
	}
	writeJSON(w, http.StatusOK, map[string]any{"checks": toChecksJSON(cs), "text": text, "similar": similar})
	return nil
}

// pieceChecks are the findings shown on a piece's page while it is still
// being written or reviewed — by the in-charge leader or the chief —
// (nothing once it is approved).
func (s *Server) pieceChecks(r *http.Request, p *domain.Piece) []checkJSON {
	if p.State.Published() {
		return nil
	}
	cs, err := s.App.PieceChecks(r.Context(), p)
	if err != nil {
		s.Log.Error("piece checks", "piece", p.ID, "err", err)
		return nil
	}
	return toChecksJSON(cs)
}
