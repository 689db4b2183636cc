package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"kexuan/domain"
	"kexuan/plan"
	"kexuan/store"
)

// Adoptions: where an approved piece appeared, recorded, verified,
// corrected and removed.

// MayRecord reports whether a role may record an appearance in a category
// of the plan, and whether the record counts at once (false: it waits for
// the office's verification). The plan says who records each category
// (recorded_by): the office records its own categories and may record the
// departments' ones directly; departments record theirs.
func MayRecord(role domain.Role, c *plan.Category) (allowed, counted bool) {
	switch {
	case c == nil:
		return false, false
	case role == domain.Office:
		return true, true
	case role.InDepartment() && c.RecordedBy == plan.RecordedByDepartment:
		return true, false
	}
	return false, false
}

// AdoptionInput is one appearance of a piece.
type AdoptionInput struct {
	Channel  string
	Date     string
	Outlet   string
	Issue    string // issue number or URL
	Words    *int   // nil: the piece's 字数
	Evidence int64  // an attachment of the piece (outside coverage)
	// A file uploaded with the record as its evidence (a screenshot, a
	// scan): stored on the piece, whatever its state, and linked here.
	EvidenceName string
	EvidenceData []byte
	// Reason is required when the record falls in a closed period (it is
	// then listed as a correction against the period's snapshot).
	Reason string
}

// RecordAdoption records where an approved piece appeared. The office
// records the categories the plan gives it (counted at once); departments record outside
// coverage and quota items, which count once the office verifies them.
func (a *App) RecordAdoption(ctx context.Context, act *Actor, id int64, in AdoptionInput) (_ *domain.Adoption, err error) {
	defer a.refused(ctx, act, "adoption_record", pieceObj(id), &err)
	if !act.Role.Can(domain.PermAdopt) {
		return nil, forbidden("无权登记采用")
	}
	day, err := plan.ParseDate(in.Date)
	if err != nil {
		return nil, invalid("date", "%v", err)
	}
	pl, err := a.Plan(ctx, day.Year)
	if err != nil {
		return nil, invalid("date", "%d 年没有考核方案", day.Year)
	}
	if day.After(a.Today(pl.Location())) {
		return nil, invalid("date", "日期不能晚于今天")
	}
	ch := pl.Channel(in.Channel)
	if ch == nil {
		return nil, invalid("channel", "未知渠道 %q", in.Channel)
	}
	allowed, counted := MayRecord(act.Role, pl.Category(ch.Category))
	if !allowed {
		return nil, forbidden("%s无权登记“%s”的采用", act.Role.Name(), ch.Name)
	}
	if err := checkText("outlet", &in.Outlet, MaxOutlet); err != nil {
		return nil, err
	}
	if err := checkText("issue", &in.Issue, MaxIssue); err != nil {
		return nil, err
	}
	var evidence *domain.Attachment
	if in.EvidenceData != nil {
		if evidence, err = newAttachment(act, id, in.EvidenceName, in.EvidenceData); err != nil {
			return nil, err
		}
	}
	if ch.OutletRequired && in.Outlet == "" {
		return nil, invalid("outlet", "%s需写明刊发媒体", ch.Name)
	}
	if act.Role.InDepartment() && pl.Category(ch.Category).Kind == plan.KindBonus && in.Evidence == 0 && evidence == nil && in.Issue == "" {
		return nil, invalid("evidence", "外部媒体报道需附佐证材料（截图或扫描件），或填写期号/网址，供办公室核实")
	}
	if in.Words != nil && (*in.Words < 0 || *in.Words > 1_000_000) {
		return nil, invalid("words", "字数不合理")
	}
	var rec *domain.Adoption
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		p, err := a.piece(ctx, q, act.User, id)
		if err != nil {
			return err
		}
		if err := domain.Allow(act.User, p, domain.ActAdopt); err != nil {
			return err
		}
		switch {
		case evidence != nil:
			if err := q.AddAttachment(ctx, evidence); err != nil {
				return err
			}
			if err := a.audit(ctx, q, act, "attachment_add", pieceObj(p.ID), domain.AuditOK,
				fmt.Sprintf("采用记录的佐证材料：%s（%s，%d 字节）", evidence.Name, evidence.ContentType, evidence.Size)); err != nil {
				return err
			}
			in.Evidence = evidence.ID
		case in.Evidence != 0:
			att, err := q.Attachment(ctx, in.Evidence)
			if err != nil || att.PieceID != p.ID {
				return invalid("evidence", "佐证材料须是本稿件的附件")
			}
		}
		if approved, ok, err := approvalDay(ctx, q, p.ID, pl.Location()); err != nil {
			return err
		} else if ok && day.Before(approved) {
			return invalid("date", "采用日期 %s 早于稿件审核通过的 %s：请核对日期", day, approved)
		}
		words := p.Words
		if in.Words != nil {
			words = *in.Words
		}
		if words > p.Words && strings.TrimSpace(in.Reason) == "" {
			return invalid("words", "登记的字数 %d 多于稿件本身的 %d 字：请核对，确是刊发时增补的请写明理由", words, p.Words)
		}
		rec = &domain.Adoption{PieceID: p.ID, Department: p.Department, Channel: ch.Code, Day: day, Title: p.Title,
			Outlet: in.Outlet, Issue: in.Issue, Words: words, Counted: counted, RecordedBy: act.ID, EvidenceID: in.Evidence}
		rec.RecordedName = act.DisplayName
		if counted {
			rec.VerifiedBy = act.ID
		}
		var touched []*domain.Period
		if counted {
			if touched, err = a.touchClosed(ctx, q, day, in.Reason); err != nil {
				return err
			}
		}
		if err := q.AddAdoption(ctx, rec); err != nil {
			if errors.Is(err, store.ErrDuplicate) {
				return conflict("这条采用已登记过（同一渠道、日期、媒体）")
			}
			return err
		}
		// 已采用 means a counted record: a record waiting for the office's
		// verification leaves the piece 已审核 until it is verified.
		to := p.State
		if counted {
			to = domain.AdoptedTo(p.State, 1)
		}
		if to != p.State {
			if err := q.SetPieceState(ctx, p.ID, p.State, to); err != nil {
				return conflict("稿件状态已变化，请刷新")
			}
		}
		note := fmt.Sprintf("%s %s %s 字数%d", ch.Name, day, in.Outlet, words)
		if in.Reason != "" {
			note += "（" + strings.TrimSpace(in.Reason) + "）"
		}
		if !counted {
			note += "（待办公室核实）"
		}
		if err := q.AddEvent(ctx, &domain.Event{PieceID: p.ID, ActorID: act.ID, Action: "adopt", FromState: p.State, ToState: to, Comment: note}); err != nil {
			return err
		}
		if err := a.recordCorrections(ctx, q, act, touched, in.Reason); err != nil {
			return err
		}
		if counted && p.AuthorID != 0 {
			if err := a.notify(ctx, q, act, []int64{p.AuthorID}, p.Department, domain.NoticeAdopted,
				fmt.Sprintf("《%s》被%s采用（%s），计分", p.Title, ch.Name, day), fmt.Sprintf("/pieces/%d", p.ID)); err != nil {
				return err
			}
		}
		if !counted {
			who, err := q.Recipients(ctx, domain.Office, "")
			if err != nil {
				return err
			}
			if err := a.notify(ctx, q, act, who, "", domain.NoticeVerify, fmt.Sprintf("%s登记了《%s》的%s，待核实", p.DepartmentName, p.Title, ch.Name), "/verify"); err != nil {
				return err
			}
		}
		return a.audit(ctx, q, act, "adoption_record", fmt.Sprintf("publication:%d", rec.ID), domain.AuditOK, pieceObj(p.ID)+" "+note)
	})
	return rec, err
}

// PendingAdoptions lists one page of what waits for the office's
// verification, oldest first; dept narrows it to one department.
func (a *App) PendingAdoptions(ctx context.Context, act *Actor, dept string, pq PageQuery) (_ *Page[*domain.Adoption], err error) {
	defer a.refused(ctx, act, "adoption_pending", "verification queue", &err)
	if !act.Role.Can(domain.PermVerify) {
		return nil, forbidden("只有办公室可以核实")
	}
	q := a.DB.Q()
	return paginate(pq, idKeys, func(r *domain.Adoption) int64 { return r.ID }, func(from *int64, back bool, n int) ([]*domain.Adoption, error) {
		var id int64
		if from != nil {
			id = *from
		}
		return q.PendingAdoptions(ctx, dept, id, back, n)
	})
}

// Verify accepts (it counts from now on) or rejects (it is removed) a
// department's record.
func (a *App) Verify(ctx context.Context, act *Actor, id int64, accept bool, reason string) (err error) {
	defer a.refused(ctx, act, "adoption_verify", fmt.Sprintf("publication:%d", id), &err)
	if !act.Role.Can(domain.PermVerify) {
		return forbidden("只有办公室可以核实")
	}
	if err := checkText("reason", &reason, MaxReason); err != nil {
		return err
	}
	if !accept && reason == "" {
		return invalid("reason", "不予认定需写明理由")
	}
	return a.DB.InTx(ctx, func(q *store.Q) error {
		rec, err := adoption(ctx, q, id)
		if err != nil {
			return err
		}
		var touched []*domain.Period
		if accept {
			if touched, err = a.touchClosed(ctx, q, rec.Day, reason); err != nil {
				return err
			}
		}
		action := "adoption_verify"
		if accept {
			err = q.VerifyAdoption(ctx, id, act.ID)
		} else {
			action = "adoption_reject"
			_, err = q.RemoveAdoption(ctx, id, domain.RemovalRejected, reason, act.ID)
		}
		if errors.Is(err, store.ErrConflict) {
			return conflict("这条记录已经核实过")
		}
		if err != nil {
			return err
		}
		if rec.PieceID != 0 {
			verb := "核实通过"
			if !accept {
				verb = "不予认定"
			}
			if err := a.followAdoptions(ctx, q, act, rec, "verify", fmt.Sprintf("%s %s %s%s", verb, a.channelName(ctx, q, rec), rec.Day, optional(reason))); err != nil {
				return err
			}
		}
		if err := a.recordCorrections(ctx, q, act, touched, reason); err != nil {
			return err
		}
		if accept && rec.RecordedBy != 0 {
			link := ""
			if rec.PieceID != 0 {
				link = fmt.Sprintf("/pieces/%d", rec.PieceID)
			}
			if err := a.notify(ctx, q, act, []int64{rec.RecordedBy}, rec.Department, domain.NoticeAdopted,
				fmt.Sprintf("《%s》%s 的登记已认定，计分", rec.Title, rec.Day), link); err != nil {
				return err
			}
		}
		if !accept && rec.RecordedBy != 0 {
			link := ""
			if rec.PieceID != 0 {
				link = fmt.Sprintf("/pieces/%d", rec.PieceID)
			}
			if err := a.notify(ctx, q, act, []int64{rec.RecordedBy}, rec.Department, domain.NoticeRejected,
				fmt.Sprintf("《%s》%s 的登记未予认定：%s", rec.Title, rec.Day, reason), link); err != nil {
				return err
			}
		}
		return a.audit(ctx, q, act, action, fmt.Sprintf("publication:%d", id), domain.AuditOK, reason)
	})
}

// DeleteAdoption takes a wrong record out of the score (the office only,
// with a reason): it is kept among the piece's removed records, the score
// follows in the same transaction (a closed month gets a correction), the
// piece goes back to 已通过 when no counted record is left, and the person
// who recorded it is told.
func (a *App) DeleteAdoption(ctx context.Context, act *Actor, id int64, reason string) (err error) {
	defer a.refused(ctx, act, "adoption_delete", fmt.Sprintf("publication:%d", id), &err)
	if !act.Role.Can(domain.PermVerify) {
		return forbidden("只有办公室可以删除采用记录")
	}
	if err := checkText("reason", &reason, MaxReason); err != nil {
		return err
	}
	if reason == "" {
		return invalid("reason", "删除采用记录需写明理由")
	}
	return a.DB.InTx(ctx, func(q *store.Q) error {
		rec, err := adoption(ctx, q, id)
		if err != nil {
			return err
		}
		var touched []*domain.Period
		if rec.Counted {
			if touched, err = a.touchClosed(ctx, q, rec.Day, reason); err != nil {
				return err
			}
		}
		if _, err := q.RemoveAdoption(ctx, id, domain.RemovalDeleted, reason, act.ID); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return conflict("这条记录已经变化，请刷新")
			}
			return err
		}
		if rec.PieceID != 0 {
			if err := a.followRemoval(ctx, q, act, rec, reason); err != nil {
				return err
			}
		}
		if err := a.recordCorrections(ctx, q, act, touched, reason); err != nil {
			return err
		}
		if rec.RecordedBy != 0 && rec.RecordedBy != act.ID {
			link := ""
			if rec.PieceID != 0 {
				link = fmt.Sprintf("/pieces/%d", rec.PieceID)
			}
			if err := a.notify(ctx, q, act, []int64{rec.RecordedBy}, rec.Department, domain.NoticeRejected,
				fmt.Sprintf("《%s》%s 的采用记录已被删除：%s", rec.Title, rec.Day, reason), link); err != nil {
				return err
			}
		}
		return a.audit(ctx, q, act, "adoption_delete", fmt.Sprintf("publication:%d", id), domain.AuditOK,
			fmt.Sprintf("《%s》%s %s：%s", rec.Title, a.channelName(ctx, q, rec), rec.Day, reason))
	})
}

// followRemoval moves a piece after one of its records was deleted, as
// followAdoptions does after a verification, with its own history line.
func (a *App) followRemoval(ctx context.Context, q *store.Q, act *Actor, rec *domain.Adoption, reason string) error {
	p, err := q.Piece(ctx, rec.PieceID)
	if err != nil {
		return err
	}
	n, err := q.CountedAdoptions(ctx, p.ID)
	if err != nil {
		return err
	}
	to := domain.AdoptedTo(p.State, n)
	if to != p.State {
		if err := q.SetPieceState(ctx, p.ID, p.State, to); err != nil {
			return conflict("稿件状态已变化，请刷新")
		}
	}
	return q.AddEvent(ctx, &domain.Event{PieceID: p.ID, ActorID: act.ID, Action: "adoption_delete", FromState: p.State, ToState: to,
		Comment: fmt.Sprintf("删除采用记录 %s %s%s", a.channelName(ctx, q, rec), rec.Day, optional(reason))})
}

// channelName is a record's channel as the plan of its year names it.
func (a *App) channelName(ctx context.Context, q *store.Q, rec *domain.Adoption) string {
	if pl, err := a.planIn(ctx, q, rec.Day.Year); err == nil && pl.Channel(rec.Channel) != nil {
		return pl.Channel(rec.Channel).Name
	}
	return rec.Channel
}

var allowedUploads = map[string]string{
	"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp", "application/pdf": ".pdf",
}

// followAdoptions moves a piece after the office verified, rejected or
// took back a verification of one of its records, so that 已采用 means at
// least one counted record: the first counted record moves an approved
// piece to adopted; when no counted record is left, an adopted piece goes
// back to approved. The piece's history gets the event (action, comment)
// either way.
func (a *App) followAdoptions(ctx context.Context, q *store.Q, act *Actor, rec *domain.Adoption, action, comment string) error {
	p, err := q.Piece(ctx, rec.PieceID)
	if err != nil {
		return err
	}
	n, err := q.CountedAdoptions(ctx, p.ID)
	if err != nil {
		return err
	}
	to := domain.AdoptedTo(p.State, n)
	if to != p.State {
		if err := q.SetPieceState(ctx, p.ID, p.State, to); err != nil {
			return conflict("稿件状态已变化，请刷新")
		}
	}
	return q.AddEvent(ctx, &domain.Event{PieceID: p.ID, ActorID: act.ID, Action: action, FromState: p.State, ToState: to, Comment: comment})
}

// OverrideWords sets the 字数 one publication is scored with, for the office,
// with a reason; the change is audited with the old and new count (SCORING.md:
// "may override it for one publication, with a reason").
func (a *App) OverrideWords(ctx context.Context, act *Actor, id int64, words int, reason string) (err error) {
	defer a.refused(ctx, act, "words_override", fmt.Sprintf("publication:%d", id), &err)
	if !act.Role.Can(domain.PermVerify) {
		return forbidden("只有办公室可以修改计分字数")
	}
	if err := checkText("reason", &reason, MaxReason); err != nil {
		return err
	}
	if reason == "" {
		return invalid("reason", "修改字数需写明理由")
	}
	if words < 0 || words > 1_000_000 {
		return invalid("words", "字数不合理")
	}
	return a.DB.InTx(ctx, func(q *store.Q) error {
		rec, err := adoption(ctx, q, id)
		if err != nil {
			return err
		}
		touched, err := a.touchClosed(ctx, q, rec.Day, reason)
		if err != nil {
			return err
		}
		if err := q.SetAdoptionWords(ctx, id, words); err != nil {
			return err
		}
		if err := a.recordCorrections(ctx, q, act, touched, reason); err != nil {
			return err
		}
		note := fmt.Sprintf("%s %s 字数 %d → %d", a.channelName(ctx, q, rec), rec.Day, rec.Words, words)
		if rec.PieceID != 0 {
			// The piece's history says the state it is in (approved while
			// its records wait for the office, adopted once one counts).
			p, err := q.Piece(ctx, rec.PieceID)
			if err != nil {
				return err
			}
			if err := q.AddEvent(ctx, &domain.Event{PieceID: rec.PieceID, ActorID: act.ID, Action: "words", FromState: p.State,
				ToState: p.State, Comment: note + optional(reason)}); err != nil {
				return err
			}
		}
		return a.audit(ctx, q, act, "words_override", fmt.Sprintf("publication:%d", id), domain.AuditOK, note+"；理由："+reason)
	})
}

// adoption loads a publication record (404 when there is none).
func adoption(ctx context.Context, q *store.Q, id int64) (*domain.Adoption, error) {
	rec, err := q.Adoption(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNotFound
	}
	return rec, err
}

// RecordableChannels lists the channels of the plan in which u may record an
// appearance of p now, and whether such a record counts at once (false: it
// waits for the office's verification).
func RecordableChannels(u *domain.User, p *domain.Piece, pl *plan.Plan) (chans []plan.Channel, counted bool) {
	if domain.Allow(u, p, domain.ActAdopt) != nil {
		return nil, false
	}
	for _, ch := range pl.Channels {
		if ok, c := MayRecord(u.Role, pl.Category(ch.Category)); ok {
			chans = append(chans, ch)
			counted = c
		}
	}
	return chans, counted
}

// LedgerSources are the records behind a page of ledger lines (their refs),
// for the lines to link to their piece and show their evidence: those of
// departments whose detail the user may see.
func (a *App) LedgerSources(ctx context.Context, u *domain.User, refs []int64) (map[int64]*domain.Adoption, error) {
	if len(refs) > MaxPage {
		refs = refs[:MaxPage]
	}
	recs, err := a.DB.Q().AdoptionsByID(ctx, refs)
	if err != nil {
		return nil, err
	}
	out := map[int64]*domain.Adoption{}
	for _, r := range recs {
		if CanSeeDetail(u, r.Department) {
			out[r.ID] = r
		}
	}
	return out, nil
}

// approvalDay is the day, on the plan's calendar in loc, a piece was last
// approved (moved to 已审核 by its review); ok is false for a piece with no
// such step in its history.
func approvalDay(ctx context.Context, q *store.Q, pieceID int64, loc *time.Location) (plan.Date, bool, error) {
	events, err := q.Events(ctx, pieceID)
	if err != nil {
		return plan.Date{}, false, err
	}
	for i := len(events) - 1; i >= 0; i-- {
		if e := events[i]; e.ToState == domain.StateApproved && e.FromState != domain.StateApproved && domain.Action(e.Action) == domain.ActApprove {
			return plan.DateOf(e.At.In(loc)), true, nil
		}
	}
	return plan.Date{}, false, nil
}
