package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"kexuan/report"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"kexuan/domain"
	"kexuan/richtext"
	"kexuan/store"
	"kexuan/wordcount"
)

// piece loads a piece the user may see (404 otherwise).
func (a *App) piece(ctx context.Context, q *store.Q, u *domain.User, id int64) (*domain.Piece, error) {
	p, err := q.Piece(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	if !domain.CanSee(u, p) {
		return nil, errNotFound
	}
	return p, nil
}

// Piece returns a piece the user may see.
func (a *App) Piece(ctx context.Context, u *domain.User, id int64) (*domain.Piece, error) {
	return a.piece(ctx, a.DB.Q(), u, id)
}

// PieceDetail is a piece with its history, files and adoptions.
type PieceDetail struct {
	*domain.Piece
	Events      []*domain.Event
	Attachments []*domain.Attachment
	Adoptions   []*domain.Adoption
	Removed     []*domain.RemovedAdoption // rejected or deleted records, with why
	// Instructions are the leaders' 批示 on the piece and on its records.
	Instructions []*domain.Instruction
	// Revision is what changed since the piece was last sent for review
	// (nil when it was sent once or never): the reviewer of a returned piece
	// sees it when it comes back.
	Revision *Revision
	// Similar are the pieces of its year found at least 80% like it when it
	// was submitted (textcheck), as the reader may see them.
	Similar []SimilarShown
}

// Revision compares a piece's last two submissions.
type Revision struct {
	Before, After *domain.PieceVersion
	Times         int // the last is the piece's n-th submission
	TitleChanged  bool
	Changes       []richtext.Change // the body's text, by character
}

// Returned is the review that sent a returned piece back (its comment is
// what the author must address); nil unless the piece is returned.
func (d *PieceDetail) Returned() *domain.Event {
	if d.State != domain.StateReturned {
		return nil
	}
	for i := len(d.Events) - 1; i >= 0; i-- {
		if d.Events[i].Action == string(domain.ActReturn) {
			return d.Events[i]
		}
	}
	return nil
}

// PieceDetail returns everything about a piece the user may see.
func (a *App) PieceDetail(ctx context.Context, u *domain.User, id int64) (*PieceDetail, error) {
	q := a.DB.Q()
	p, err := a.piece(ctx, q, u, id)
	if err != nil {
		return nil, err
	}
	d := &PieceDetail{Piece: p}
	if d.Events, err = q.Events(ctx, id); err != nil {
		return nil, err
	}
	if d.Attachments, err = q.Attachments(ctx, id); err != nil {
		return nil, err
	}
	if d.Adoptions, err = q.PieceAdoptions(ctx, id); err != nil {
		return nil, err
	}
	if d.Removed, err = q.PieceRemovals(ctx, id); err != nil {
		return nil, err
	}
	if d.Instructions, err = q.Instructions(ctx, fmt.Sprintf("piece:%d", id)); err != nil {
		return nil, err
	}
	for _, rec := range d.Adoptions {
		more, err := q.Instructions(ctx, fmt.Sprintf("publication:%d", rec.ID))
		if err != nil {
			return nil, err
		}
		d.Instructions = append(d.Instructions, more...)
	}
	if p.State != domain.StateDraft && p.State != domain.StateReturned {
		vs, err := q.LastVersions(ctx, id, 2)
		if err != nil {
			return nil, err
		}
		if len(vs) == 2 {
			n, err := q.CountVersions(ctx, id)
			if err != nil {
				return nil, err
			}
			d.Revision = &Revision{Before: vs[0], After: vs[1], Times: n, TitleChanged: vs[0].Title != vs[1].Title,
				Changes: richtext.Diff(richtext.Text(vs[0].Body), richtext.Text(vs[1].Body))}
		}
	}
	if d.Similar, err = similarShown(ctx, q, u, p); err != nil {
		return nil, err
	}
	return d, nil
}

// Pieces lists one page of the pieces a user may see that match f, newest
// change first. Visibility is part of the query, so a page is full whatever
// the actor may not see.
func (a *App) Pieces(ctx context.Context, u *domain.User, f domain.PieceFilter, pq PageQuery) (*Page[*domain.Piece], error) {
	if f.Theme != "" {
		p, err := a.Plan(ctx, 0)
		if err != nil {
			return nil, err
		}
		if p.Theme(f.Theme) == nil {
			return nil, invalid("theme", "%d 年的计划里没有宣传重点 %q", p.Year, f.Theme)
		}
	}
	f, ok := scope(u, f)
	if !ok {
		return &Page[*domain.Piece]{}, nil
	}
	q := a.DB.Q()
	return paginate(pq, pieceKeys, store.KeyOf, func(from *store.PieceKey, back bool, n int) ([]*domain.Piece, error) {
		return q.Pieces(ctx, f, from, back, n)
	})
}

// CountPieces is how many pieces a list with a filter holds for the user.
func (a *App) CountPieces(ctx context.Context, u *domain.User, f domain.PieceFilter) (int, error) {
	f, ok := scope(u, f)
	if !ok {
		return 0, nil
	}
	return a.DB.Q().CountPieces(ctx, f)
}

// ExportPieces writes the pieces a filter shows the user as a workbook
// (the list's filter, every page of it), audited.
func (a *App) ExportPieces(ctx context.Context, act *Actor, f domain.PieceFilter, describe string) (_ []byte, err error) {
	defer a.refused(ctx, act, "export", "pieces.xlsx", &err)
	f, ok := scope(act.User, f)
	pl, err := a.Plan(ctx, 0)
	if err != nil {
		return nil, err
	}
	l := &report.List{Title: "稿件清单" + optionalParen(describe), Author: pl.Bureau, Made: a.Now(),
		Heads:   []string{"编号", "标题", "科室", "作者", "状态", "字数", "宣传重点", "拟投渠道", "重大事项", "最后修改"},
		Widths:  []float64{8, 40, 14, 10, 10, 8, 24, 20, 8, 17},
		Numeric: []bool{true, false, false, false, false, true, false, false, false, false}}
	if ok {
		var from *store.PieceKey
		for {
			ps, err := a.DB.Q().Pieces(ctx, f, from, false, 1000)
			if err != nil {
				return nil, err
			}
			for _, p := range ps {
				ppl, err := a.PlanOfPiece(ctx, p)
				if err != nil {
					return nil, err
				}
				var themes, chans []string
				for _, c := range p.Themes {
					if t := ppl.Theme(c); t != nil {
						themes = append(themes, t.Label()+t.Title)
					}
				}
				for _, c := range p.Channels {
					if ch := ppl.Channel(c); ch != nil {
						chans = append(chans, ch.Name)
					}
				}
				major := ""
				if p.Major {
					major = "是"
				}
				l.Rows = append(l.Rows, []string{strconv.FormatInt(p.ID, 10), p.Title, p.DepartmentName, p.AuthorName, p.State.Name(), strconv.Itoa(p.Words),
					strings.Join(themes, "；"), strings.Join(chans, "、"), major, p.UpdatedAt.In(pl.Location()).Format("2006-01-02 15:04")})
			}
			if len(ps) < 1000 {
				break
			}
			k := store.KeyOf(ps[len(ps)-1])
			from = &k
		}
	}
	var buf bytes.Buffer
	if err := report.ListXLSX(&buf, l); err != nil {
		return nil, err
	}
	err = a.DB.InTx(context.WithoutCancel(ctx), func(q *store.Q) error {
		return a.audit(ctx, q, act, "export", "pieces.xlsx", domain.AuditOK, fmt.Sprintf("稿件清单 %d 篇%s", len(l.Rows), optionalParen(describe)))
	})
	return buf.Bytes(), err
}

func optionalParen(s string) string {
	if s == "" {
		return ""
	}
	return "（" + s + "）"
}

// DepartmentPieces lists the newest pieces of one department that the user
// may see.
func (a *App) DepartmentPieces(ctx context.Context, u *domain.User, dept string, limit int) ([]*domain.Piece, error) {
	pg, err := a.Pieces(ctx, u, domain.PieceFilter{Departments: []string{dept}}, PageQuery{Limit: limit})
	if err != nil {
		return nil, err
	}
	return pg.Items, nil
}

// scope narrows a filter to what the user may see (domain.CanSee, as
// conditions of the query); ok is false when that is nothing.
func scope(u *domain.User, f domain.PieceFilter) (_ domain.PieceFilter, ok bool) {
	var allowed []string // nil: every department
	switch u.Role {
	case domain.Reporter, domain.Head:
		allowed = []string{u.Department}
	case domain.Leader:
		allowed = slices.Clone(u.Leads)
		f.HideStates = append(slices.Clone(f.HideStates), domain.StateDraft)
	case domain.Chief, domain.Office:
		f.HideStates = append(slices.Clone(f.HideStates), domain.StateDraft)
	default:
		return f, false
	}
	if allowed != nil {
		if f.Departments != nil {
			allowed = slices.DeleteFunc(allowed, func(d string) bool { return !slices.Contains(f.Departments, d) })
		}
		f.Departments = allowed
	}
	return f, len(f.Departments) > 0 || f.Departments == nil
}

// Waiting is what the header shows a user beside the menu: how many pieces
// wait for their review, how many approved pieces wait for an adoption
// record, how many records wait for verification — each only for a role
// that does that work.
type Waiting struct {
	Review, Record, Verify int
}

// waitingTTL is how long a user's header counts are kept: a badge may lag
// a few seconds, every page need not count again.
const waitingTTL = 10 * time.Second

type waitingEntry struct {
	w  Waiting
	at time.Time
}

// WaitingFor counts what waits for u (kept for waitingTTL per user).
func (a *App) WaitingFor(ctx context.Context, u *domain.User) (Waiting, error) {
	now := time.Now()
	a.waitingMu.Lock()
	e, ok := a.waiting[u.ID]
	a.waitingMu.Unlock()
	if ok && now.Sub(e.at) < waitingTTL {
		return e.w, nil
	}
	w, err := a.countWaiting(ctx, u)
	if err != nil {
		return w, err
	}
	a.waitingMu.Lock()
	if a.waiting == nil || len(a.waiting) > 10000 {
		a.waiting = map[int64]waitingEntry{}
	}
	a.waiting[u.ID] = waitingEntry{w, now}
	a.waitingMu.Unlock()
	return w, nil
}

func (a *App) countWaiting(ctx context.Context, u *domain.User) (Waiting, error) {
	var w Waiting
	q := a.DB.Q()
	var review []domain.PieceState
	switch u.Role {
	case domain.Leader:
		review = []domain.PieceState{domain.StateSubmitted}
	case domain.Chief:
		review = []domain.PieceState{domain.StateLeaderApproved}
	}
	if review != nil {
		if f, ok := scope(u, domain.PieceFilter{States: review, NotAuthor: u.ID}); ok {
			n, err := q.CountPieces(ctx, f)
			if err != nil {
				return w, err
			}
			w.Review = n
		}
	}
	if u.Role.Can(domain.PermVerify) {
		n, err := q.CountPieces(ctx, domain.PieceFilter{States: []domain.PieceState{domain.StateApproved}})
		if err != nil {
			return w, err
		}
		w.Record = n
		if w.Verify, err = q.CountPendingAdoptions(ctx); err != nil {
			return w, err
		}
	}
	return w, nil
}

// ReviewQueue is what waits for this reviewer (never their own pieces),
// one page at a time; f may narrow it further (department, title).
func (a *App) ReviewQueue(ctx context.Context, u *domain.User, f domain.PieceFilter, pq PageQuery) (*Page[*domain.Piece], error) {
	switch u.Role {
	case domain.Leader:
		f.States = []domain.PieceState{domain.StateSubmitted}
	case domain.Chief:
		f.States = []domain.PieceState{domain.StateLeaderApproved}
	default:
		return &Page[*domain.Piece]{}, nil
	}
	f.NotAuthor = u.ID
	return a.Pieces(ctx, u, f, pq)
}

// PieceInput is what an author writes.
type PieceInput struct {
	Title      string
	Body       string   // HTML from the editor; sanitised here
	Department string   // for a new piece; must be the author's own
	Themes     []string // theme codes of the plan
	Channels   []string
	Major      bool
	Activity   int64 // the plan activity (主要形式) it reports, 0: none
}

// Limits on a piece and the free text around it, in characters (MaxBody
// and MaxAttachment in bytes).
const (
	MaxTitle      = 200
	MaxBody       = 2 << 20
	MaxAttachment = 10 << 20
	MaxComment    = 2000 // a review comment
	MaxReason     = 1000 // a reason: rejection, 字数 override
	MaxOutlet     = 100  // a newspaper or site name
	MaxIssue      = 500  // an issue number or URL
	MaxFileName   = 100
)

// checkText trims a free-text field, refuses what a document cannot hold
// (naming the character and where), and holds it to its limit. A field of
// only spaces and invisible characters (zero-width spaces, joiners) is
// empty: a reason made of them is no reason.
func checkText(field string, v *string, limit int) error {
	*v = strings.TrimSpace(*v)
	if what, at, bad := domain.ForbiddenChar(*v); bad {
		return invalid(field, "含有不允许的字符 %s（第 %d 个字）：请删去后再保存", what, at)
	}
	if domain.Blank(*v) {
		*v = ""
	}
	if n := utf8.RuneCountInString(*v); n > limit {
		return invalid(field, "最多 %d 个字（现有 %d 个）", limit, n)
	}
	return nil
}

// checkPiece checks a piece's fields against the plan it is written under
// (at: when the piece was first made; zero: a new one, this year's plan).
func (a *App) checkPiece(ctx context.Context, in *PieceInput, at time.Time) error {
	if utf8.RuneCountInString(strings.TrimSpace(in.Title)) > MaxTitle {
		return invalid("title", "标题最多 %d 个字", MaxTitle)
	}
	if err := checkText("title", &in.Title, MaxTitle); err != nil {
		return err
	}
	if in.Title == "" {
		return invalid("title", "标题不能为空")
	}
	if len(in.Body) > MaxBody {
		return invalid("body", "正文过长")
	}
	body, err := richtext.Sanitize(in.Body)
	if errors.Is(err, richtext.ErrTooDeep) {
		return invalid("body", "%v（最多 %d 层）", err, richtext.MaxDepth)
	}
	if err != nil {
		return err
	}
	if what, at, bad := domain.ForbiddenChar(body); bad {
		return invalid("body", "正文含有不允许的字符 %s（第 %d 个字附近）：请删去后再保存", what, at)
	}
	in.Body = body
	p, err := a.planOfTime(ctx, a.DB, at)
	if err != nil {
		return err
	}
	for _, t := range in.Themes {
		if p.Theme(t) == nil {
			return invalid("themes", "宣传重点 %q 不在%d年的计划里", t, p.Year)
		}
	}
	// in the plan's order, each once
	var themes []string
	for _, t := range p.Themes {
		if slices.Contains(in.Themes, t.Code) {
			themes = append(themes, t.Code)
		}
	}
	in.Themes = themes
	for _, c := range in.Channels {
		if p.Channel(c) == nil {
			return invalid("channels", "未知渠道 %q", c)
		}
	}
	slices.Sort(in.Channels)
	in.Channels = slices.Compact(in.Channels)
	return nil
}

// CreatePiece drafts a piece in the author's own department.
func (a *App) CreatePiece(ctx context.Context, act *Actor, in PieceInput) (_ *domain.Piece, err error) {
	defer a.refused(ctx, act, "piece_create", "department:"+in.Department, &err)
	if !act.Role.Can(domain.PermPieceWrite) {
		return nil, forbidden("只有信息员和科室负责人可以撰写稿件")
	}
	if in.Department == "" {
		in.Department = act.Department
	}
	if in.Department != act.Department {
		return nil, forbidden("只能为本科室撰写稿件")
	}
	if err := a.checkPiece(ctx, &in, time.Time{}); err != nil {
		return nil, err
	}
	p := &domain.Piece{Department: act.Department, AuthorID: act.ID, Title: in.Title, Body: in.Body,
		Words: wordcount.CountHTML(in.Body), Themes: in.Themes, Channels: in.Channels, Major: in.Major, State: domain.StateDraft}
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		if err := q.CreatePiece(ctx, p); err != nil {
			return err
		}
		if err := setActivity(ctx, q, p.ID, in.Activity); err != nil {
			return err
		}
		if err := q.AddEvent(ctx, &domain.Event{PieceID: p.ID, ActorID: act.ID, Action: "create", FromState: "", ToState: domain.StateDraft}); err != nil {
			return err
		}
		return a.audit(ctx, q, act, "piece_create", pieceObj(p.ID), domain.AuditOK, "")
	})
	if err != nil {
		return nil, err
	}
	return a.Piece(ctx, act.User, p.ID)
}

func pieceObj(id int64) string { return fmt.Sprintf("piece:%d", id) }

// editable loads a piece the actor may change: own department, draft or returned.
func (a *App) editable(ctx context.Context, q *store.Q, act *Actor, id int64) (*domain.Piece, error) {
	p, err := a.piece(ctx, q, act.User, id)
	if err != nil {
		return nil, err
	}
	if err := domain.Allow(act.User, p, domain.ActEdit); err != nil {
		return nil, err
	}
	return p, nil
}

// UpdatePiece changes a draft or a returned piece.
func (a *App) UpdatePiece(ctx context.Context, act *Actor, id int64, in PieceInput) (_ *domain.Piece, err error) {
	defer a.refused(ctx, act, "piece_edit", pieceObj(id), &err)
	in.Department = act.Department
	// The plan of the piece's own year: when it was made does not change,
	// so it is read before the transaction (which checks the rest again).
	var made time.Time
	if cur, err := a.DB.Q().Piece(ctx, id); err == nil {
		made = cur.CreatedAt
	}
	if err := a.checkPiece(ctx, &in, made); err != nil {
		return nil, err
	}
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		p, err := a.editable(ctx, q, act, id)
		if err != nil {
			return err
		}
		p.Title, p.Body, p.Words, p.Themes, p.Channels, p.Major = in.Title, in.Body, wordcount.CountHTML(in.Body), in.Themes, in.Channels, in.Major
		if err := q.UpdatePieceContent(ctx, p); err != nil {
			return err
		}
		if err := setActivity(ctx, q, id, in.Activity); err != nil {
			return err
		}
		if err := q.AddEvent(ctx, &domain.Event{PieceID: id, ActorID: act.ID, Action: "edit", FromState: p.State, ToState: p.State}); err != nil {
			return err
		}
		return a.audit(ctx, q, act, "piece_edit", pieceObj(id), domain.AuditOK, "")
	})
	if err != nil {
		return nil, err
	}
	return a.Piece(ctx, act.User, id)
}

// setActivity links a piece to the activity it reports (0: none).
func setActivity(ctx context.Context, q *store.Q, pieceID, activityID int64) error {
	if activityID != 0 {
		if _, err := q.Activity(ctx, activityID); errors.Is(err, store.ErrNotFound) {
			return invalid("activity", "没有这项活动")
		} else if err != nil {
			return err
		}
	}
	return q.SetPieceActivity(ctx, pieceID, activityID)
}

// transition moves a piece after check approves, with its event and audit row.
func (a *App) transition(ctx context.Context, act *Actor, id int64, action domain.Action, comment string,
	check func(q *store.Q, p *domain.Piece) (to domain.PieceState, err error)) (_ *domain.Piece, err error) {
	defer a.refused(ctx, act, "piece_"+string(action), pieceObj(id), &err)
	if err := checkText("comment", &comment, MaxComment); err != nil {
		return nil, err
	}
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		p, err := a.piece(ctx, q, act.User, id)
		if err != nil {
			return err
		}
		to, err := check(q, p)
		if err != nil {
			return err
		}
		if err := q.SetPieceState(ctx, id, p.State, to); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return conflict("稿件状态已变化，请刷新")
			}
			return err
		}
		if err := q.AddEvent(ctx, &domain.Event{PieceID: id, ActorID: act.ID, Action: string(action), FromState: p.State, ToState: to, Comment: comment}); err != nil {
			return err
		}
		if action == domain.ActSubmit {
			if err := q.AddVersion(ctx, p, act.ID); err != nil {
				return err
			}
		}
		if err := a.noticesAfter(ctx, q, act, p, to, comment); err != nil {
			return err
		}
		return a.audit(ctx, q, act, "piece_"+string(action), pieceObj(id), domain.AuditOK, p.State.Name()+" → "+to.Name()+optional(comment))
	})
	if err != nil {
		return nil, err
	}
	return a.Piece(ctx, act.User, id)
}

func optional(comment string) string {
	if comment == "" {
		return ""
	}
	return "；意见：" + comment
}

// Submit sends a draft or returned piece for review.
func (a *App) Submit(ctx context.Context, act *Actor, id int64) (*domain.Piece, error) {
	return a.transition(ctx, act, id, domain.ActSubmit, "", func(q *store.Q, p *domain.Piece) (domain.PieceState, error) {
		if err := domain.Allow(act.User, p, domain.ActSubmit); err != nil {
			return "", err
		}
		if strings.TrimSpace(p.Title) == "" || p.Words == 0 {
			return "", invalid("body", "正文为空，不能报送")
		}
		// The quality gate: what the plan forbids does not go.
		pl, err := a.planOfTime(ctx, q, p.CreatedAt)
		if err != nil {
			return "", err
		}
		if err := blockingChecks(pl, p); err != nil {
			return "", err
		}
		if err := findSimilar(ctx, q, pl.Year, p); err != nil {
			return "", err
		}
		to, _ := domain.Next(domain.ActSubmit, p.State)
		return to, nil
	})
}

// Approve passes a piece; a flagged 重大事项 goes on to the chief after the
// in-charge leader, as the plan's review rule says.
func (a *App) Approve(ctx context.Context, act *Actor, id int64, comment string) (*domain.Piece, error) {
	return a.transition(ctx, act, id, domain.ActApprove, strings.TrimSpace(comment), func(q *store.Q, p *domain.Piece) (domain.PieceState, error) {
		if err := domain.Allow(act.User, p, domain.ActApprove); err != nil {
			return "", err
		}
		// The review rule of the plan the piece was written under.
		pl, err := a.planOfTime(ctx, q, p.CreatedAt)
		if err != nil {
			return "", err
		}
		return domain.ApproveTo(act.Role, p, domain.Role(pl.Review.Major)), nil
	})
}

// Return sends a piece back to its department with a comment.
func (a *App) Return(ctx context.Context, act *Actor, id int64, comment string) (*domain.Piece, error) {
	comment = strings.TrimSpace(comment)
	if comment == "" {
		return nil, invalid("comment", "退回需写明意见")
	}
	return a.transition(ctx, act, id, domain.ActReturn, comment, func(q *store.Q, p *domain.Piece) (domain.PieceState, error) {
		if err := domain.Allow(act.User, p, domain.ActReturn); err != nil {
			return "", err
		}
		to, _ := domain.Next(domain.ActReturn, p.State)
		return to, nil
	})
}
