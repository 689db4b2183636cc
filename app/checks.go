package app

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"kexuan/domain"
	"kexuan/plan"
	"kexuan/richtext"
	"kexuan/store"
	"kexuan/textcheck"
	"kexuan/wordcount"
)

// The quality gate (textcheck) as the writer, the submission and the
// reviewer meet it: the findings of a title and body by the plan the piece
// is written under.

// MaxCheckTitle bounds a title sent to be checked, in characters.
const MaxCheckTitle = 200

// CheckText checks a title and body (as the editor holds it) by this
// year's plan (a piece's own year's, when pieceID is one), for the channels
// the piece is meant for: for those who write pieces. It returns the
// findings and the text their offsets count in.
func (a *App) CheckText(ctx context.Context, act *Actor, pieceID int64, title, body string, channels []string) ([]textcheck.Check, string, error) {
	if !act.Role.Can(domain.PermPieceWrite) {
		return nil, "", forbidden("无权检查稿件")
	}
	if len([]rune(title)) > MaxCheckTitle {
		return nil, "", invalid("title", "标题过长")
	}
	if len(body) > MaxBody {
		return nil, "", invalid("body", "正文过长")
	}
	// A piece being edited is checked by its own year's plan.
	pl, err := a.PlanForPiece(ctx, act.User, pieceID)
	if err != nil {
		return nil, "", err
	}
	for _, c := range channels {
		if pl.Channel(c) == nil {
			return nil, "", invalid("channel", "没有渠道 %s", c)
		}
	}
	in := checkInput(title, body, channels)
	return textcheck.Run(pl, in), in.Joined(), nil
}

func checkInput(title, body string, channels []string) textcheck.Input {
	return textcheck.Input{Title: strings.TrimSpace(title), Text: richtext.Text(body), Words: wordcount.CountHTML(body), Channels: channels}
}

func runChecks(pl *plan.Plan, title, body string, channels []string) []textcheck.Check {
	return textcheck.Run(pl, checkInput(title, body, channels))
}

// PieceChecks are the findings on a piece as stored, by its year's plan:
// shown to its writers and its reviewers (whoever may see the piece).
func (a *App) PieceChecks(ctx context.Context, p *domain.Piece) ([]textcheck.Check, error) {
	pl, err := a.PlanOfPiece(ctx, p)
	if err != nil {
		return nil, err
	}
	return runChecks(pl, p.Title, p.Body, p.Channels), nil
}

// blockingChecks refuses a submission that holds what the plan forbids,
// naming each word and where it is.
func blockingChecks(pl *plan.Plan, p *domain.Piece) error {
	bl := textcheck.Blocking(runChecks(pl, p.Title, p.Body, p.Channels))
	if len(bl) == 0 {
		return nil
	}
	msgs := make([]string, 0, len(bl))
	for _, c := range bl {
		msgs = append(msgs, c.Message)
	}
	msg := strings.Join(msgs, "；")
	if len(bl) > 3 {
		msg = strings.Join(msgs[:3], "；") + fmt.Sprintf("；等 %d 处", len(bl))
	}
	return invalid("body", "%s", msg)
}

// SimilarShown is another piece found similar to one, as its reader may
// see it: in full with what differs when the reader may see that piece,
// else only its department and how similar it is.
type SimilarShown struct {
	store.SimilarPiece
	Visible bool
	Changes []richtext.Change // from the other piece's text to this one's (Visible only)
}

// findSimilar indexes a submitted piece's text and records the pieces of
// its year at least textcheck.Similar like it (character 5-gram Jaccard),
// found through their MinHash bands and measured exactly. The year's
// submissions take turns at it, so that two at once find each other.
func findSimilar(ctx context.Context, q *store.Q, year int, p *domain.Piece) error {
	if err := q.LockSimilar(ctx, year); err != nil {
		return err
	}
	found, bands, err := similarIn(ctx, q, year, p.ID, p.Body)
	if err != nil {
		return err
	}
	if err := q.SetPieceBands(ctx, p.ID, year, bands); err != nil {
		return err
	}
	return q.SetSimilar(ctx, p.ID, found)
}

// similarIn finds the pieces of a year (other than self) at least
// textcheck.Similar like body, and body's bands.
func similarIn(ctx context.Context, q *store.Q, year int, self int64, body string) (map[int64]float64, []uint64, error) {
	sh := textcheck.ShinglesOf(richtext.Text(body))
	bands := textcheck.BandsOf(sh)
	cands, err := q.BandCandidates(ctx, year, self, bands)
	if err != nil {
		return nil, nil, err
	}
	texts, err := q.PieceTexts(ctx, cands)
	if err != nil {
		return nil, nil, err
	}
	found := map[int64]float64{}
	for _, t := range texts {
		if s := textcheck.Jaccard(sh, textcheck.ShinglesOf(richtext.Text(t.Body))); s >= textcheck.Similar {
			found[t.ID] = math.Round(s*1000) / 1000
		}
	}
	return found, bands, nil
}

// SimilarPieces finds, without recording, the submitted pieces of a year
// at least 80% like a body (the check a submission makes; the bench times it).
func (a *App) SimilarPieces(ctx context.Context, year int, body string) (map[int64]float64, error) {
	found, _, err := similarIn(ctx, a.DB.Q(), year, 0, body)
	return found, err
}

// SimilarWhileWriting are the submitted pieces of the plan's year at least
// 80% like a body being written (other than the piece itself), as the
// writer may see them: the editor says so before the piece is sent.
func (a *App) SimilarWhileWriting(ctx context.Context, act *Actor, pieceID int64, body string) ([]store.SimilarPiece, error) {
	if !act.Role.Can(domain.PermPieceWrite) {
		return nil, forbidden("无权检查稿件")
	}
	pl, err := a.PlanForPiece(ctx, act.User, pieceID)
	if err != nil {
		return nil, err
	}
	q := a.DB.Q()
	found, _, err := similarIn(ctx, q, pl.Year, pieceID, body)
	if err != nil || len(found) == 0 {
		return nil, err
	}
	ids := make([]int64, 0, len(found))
	for id := range found {
		ids = append(ids, id)
	}
	texts, err := q.PieceTexts(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]store.SimilarPiece, 0, len(texts))
	for _, t := range texts {
		sp := store.SimilarPiece{ID: t.ID, Department: t.Department, DeptName: t.DeptName, Similarity: found[t.ID]}
		if CanSeeDetail(act.User, t.Department) {
			sp.Title = t.Title
		}
		out = append(out, sp)
	}
	slices.SortFunc(out, func(x, y store.SimilarPiece) int {
		return cmp.Or(cmp.Compare(y.Similarity, x.Similarity), cmp.Compare(x.ID, y.ID))
	})
	return out, nil
}

// similarShown are the pieces found similar to p, as u may see them.
func similarShown(ctx context.Context, q *store.Q, u *domain.User, p *domain.Piece) ([]SimilarShown, error) {
	sims, err := q.SimilarTo(ctx, p.ID)
	if err != nil || len(sims) == 0 {
		return nil, err
	}
	var ids []int64
	out := make([]SimilarShown, 0, len(sims))
	for _, s := range sims {
		v := CanSeeDetail(u, s.Department)
		if v {
			ids = append(ids, s.ID)
		} else {
			s.Title = ""
		}
		out = append(out, SimilarShown{SimilarPiece: s, Visible: v})
	}
	texts, err := q.PieceTexts(ctx, ids)
	if err != nil {
		return nil, err
	}
	mine := richtext.Text(p.Body)
	for _, t := range texts {
		for i := range out {
			if out[i].ID == t.ID {
				out[i].Changes = richtext.Diff(richtext.Text(t.Body), mine)
			}
		}
	}
	return out, nil
}
