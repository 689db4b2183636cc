package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"kexuan/domain"
	"kexuan/plan"
	"kexuan/report"
	"kexuan/richtext"
	"kexuan/store"
)

// journalForm is the plan's form that makes the journal (its lead
// department's leaders review the issues): the form whose title names it.
func journalForm(pl *plan.Plan) *plan.Form {
	for i := range pl.Forms {
		if pl.Journal.Name != "" && strings.Contains(pl.Forms[i].Title, pl.Journal.Name) {
			return &pl.Forms[i]
		}
	}
	return nil
}

// mayEditJournal: the office composes issues.
func mayEditJournal(u *domain.User) bool { return u.Role.Can(domain.PermVerify) }

// mayReviewJournal: a leader of the journal's lead department (the office's
// leader), or the chief.
func mayReviewJournal(u *domain.User, pl *plan.Plan) bool {
	if u.Role == domain.Chief {
		return true
	}
	if u.Role != domain.Leader {
		return false
	}
	f := journalForm(pl)
	if f == nil {
		return false
	}
	for _, d := range f.Lead {
		if slices.Contains(u.Leads, d) {
			return true
		}
	}
	return false
}

// mayReadIssue: published issues are for everyone; drafts for those who
// compose and review them.
func mayReadIssue(u *domain.User, pl *plan.Plan, j *domain.JournalIssue) bool {
	if !u.Role.Can(domain.PermFieldRead) {
		return false
	}
	return j.State == domain.JournalPublished || mayEditJournal(u) || mayReviewJournal(u, pl)
}

// numberKeys: an issue's number within its year.
var numberKeys = keyCodec[int]{
	encode: func(n int) string { return strconv.Itoa(n) },
	decode: func(s string) (int, bool) {
		n, err := strconv.Atoi(s)
		return n, err == nil && n > 0
	},
}

// JournalIssuePage is a page of a year's issues the user may read (drafts
// for those who compose or review issues, mayReadIssue), by number.
func (a *App) JournalIssuePage(ctx context.Context, u *domain.User, year int, pq PageQuery) (*Page[*domain.JournalIssue], error) {
	if !u.Role.Can(domain.PermFieldRead) {
		return nil, forbidden("无权查看")
	}
	pl, err := a.Plan(ctx, year)
	if err != nil {
		return nil, err
	}
	drafts := mayEditJournal(u) || mayReviewJournal(u, pl)
	q := a.DB.Q()
	return paginate(pq, numberKeys, func(j *domain.JournalIssue) int { return j.Number },
		func(from *int, back bool, n int) ([]*domain.JournalIssue, error) {
			return q.IssuePage(ctx, pl.Year, !drafts, from, back, n)
		})
}

// NextIssueNumber is the number a new issue of the year takes by default.
func (a *App) NextIssueNumber(ctx context.Context, year int) (int, error) {
	n, err := a.DB.Q().LastIssueNumber(ctx, year)
	return n + 1, err
}

// IssueDetail is an issue with what the user may do to it.
type IssueDetail struct {
	*domain.JournalIssue
	Plan      *plan.Plan
	CanEdit   bool // compose: a draft, by the office
	CanReview bool // approve or send back: an issue in review, by its reviewer
}

// Section names an item's section.
func (d *IssueDetail) Section(i int) string {
	if i >= 0 && i < len(d.Plan.Journal.Sections) {
		return d.Plan.Journal.Sections[i]
	}
	return ""
}

// JournalIssue returns an issue the user may read.
func (a *App) JournalIssue(ctx context.Context, u *domain.User, id int64) (*IssueDetail, error) {
	j, err := a.DB.Q().Issue(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	return a.issueDetail(ctx, u, j)
}

func (a *App) issueDetail(ctx context.Context, u *domain.User, j *domain.JournalIssue) (*IssueDetail, error) {
	pl, err := a.Plan(ctx, j.Year)
	if err != nil {
		return nil, err
	}
	if !mayReadIssue(u, pl, j) {
		return nil, errNotFound
	}
	return &IssueDetail{JournalIssue: j, Plan: pl, CanEdit: j.State == domain.JournalDraft && mayEditJournal(u),
		CanReview: j.State == domain.JournalReview && mayReviewJournal(u, pl)}, nil
}

// IssueInput opens an issue.
type IssueInput struct {
	Number int
	Date   string
	Editor string
}

// CreateIssue opens a new issue (the office), its number unique in the year.
func (a *App) CreateIssue(ctx context.Context, act *Actor, in IssueInput) (_ *domain.JournalIssue, err error) {
	defer a.refused(ctx, act, "journal_create", "journal", &err)
	if !mayEditJournal(act.User) {
		return nil, forbidden("只有办公室可以编辑内刊")
	}
	day, err := plan.ParseDate(strings.TrimSpace(in.Date))
	if err != nil {
		return nil, invalid("date", "%v", err)
	}
	if _, err := a.Plan(ctx, day.Year); err != nil {
		return nil, invalid("date", "%d 年没有考核方案", day.Year)
	}
	if in.Number < 1 || in.Number > 999 {
		return nil, invalid("number", "期号应为正整数")
	}
	if err := checkText("editor", &in.Editor, 64); err != nil {
		return nil, err
	}
	if in.Editor == "" {
		in.Editor = act.DisplayName
	}
	j := &domain.JournalIssue{Year: day.Year, Number: in.Number, Day: day, Editor: in.Editor, CreatedBy: act.ID}
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		if err := q.AddIssue(ctx, j); err != nil {
			if errors.Is(err, store.ErrDuplicate) {
				return &domain.Error{Code: domain.EConflict, Field: "number", Message: fmt.Sprintf("%d年第%d期已经有了", j.Year, j.Number)}
			}
			return err
		}
		return a.audit(ctx, q, act, "journal_create", fmt.Sprintf("journal:%d", j.ID), domain.AuditOK, fmt.Sprintf("%d年第%d期", j.Year, j.Number))
	})
	if err != nil {
		return nil, err
	}
	return j, nil
}

// ItemInput is an item for an issue: an approved piece, or outside material.
type ItemInput struct {
	Section int
	PieceID int64
	Title   string
	Source  string
	Body    string
}

// editIssue runs f on a draft issue the actor may compose, audited.
func (a *App) editIssue(ctx context.Context, act *Actor, id int64, action string, f func(q *store.Q, j *domain.JournalIssue, pl *plan.Plan) (string, error)) (err error) {
	defer a.refused(ctx, act, action, fmt.Sprintf("journal:%d", id), &err)
	if !mayEditJournal(act.User) {
		return forbidden("只有办公室可以编辑内刊")
	}
	return a.DB.InTx(ctx, func(q *store.Q) error {
		j, err := q.Issue(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return errNotFound
		}
		if err != nil {
			return err
		}
		if j.State != domain.JournalDraft {
			return conflict("这一期已送审或已印发，不能再修改")
		}
		pl, err := a.planIn(ctx, q, j.Year)
		if err != nil {
			return err
		}
		note, err := f(q, j, pl)
		if err != nil {
			return err
		}
		return a.audit(ctx, q, act, action, fmt.Sprintf("journal:%d", id), domain.AuditOK, note)
	})
}

// AddJournalItem adds an approved piece (its title, department and text)
// or outside material to a section of a draft issue.
func (a *App) AddJournalItem(ctx context.Context, act *Actor, id int64, in ItemInput) error {
	return a.editIssue(ctx, act, id, "journal_item", func(q *store.Q, j *domain.JournalIssue, pl *plan.Plan) (string, error) {
		if in.Section < 0 || in.Section >= len(pl.Journal.Sections) {
			return "", invalid("section", "请选择版块")
		}
		it := &domain.JournalItem{IssueID: id, Section: in.Section}
		if in.PieceID != 0 {
			p, err := a.piece(ctx, q, act.User, in.PieceID)
			if err != nil {
				return "", invalid("piece_id", "没有这篇稿件")
			}
			if p.State != domain.StateApproved && p.State != domain.StateAdopted {
				return "", invalid("piece_id", "只有审核通过的稿件可以编入")
			}
			it.PieceID, it.Title, it.Source, it.Body = p.ID, p.Title, p.DepartmentName, p.Body
		} else {
			for _, f := range []struct {
				name  string
				v     *string
				limit int
			}{{"title", &in.Title, MaxTitle}, {"source", &in.Source, 100}} {
				if err := checkText(f.name, f.v, f.limit); err != nil {
					return "", err
				}
			}
			if in.Title == "" {
				return "", invalid("title", "请写明标题，或选择一篇稿件")
			}
			body, err := richtext.Sanitize(in.Body)
			if err != nil {
				return "", invalid("body", "%v", err)
			}
			if strings.TrimSpace(richtext.Text(body)) == "" {
				return "", invalid("body", "正文为空")
			}
			it.Title, it.Source, it.Body = in.Title, in.Source, body
		}
		if err := q.AddItem(ctx, it); err != nil {
			return "", err
		}
		return fmt.Sprintf("%s：%s", pl.Journal.Sections[in.Section], it.Title), nil
	})
}

// MoveJournalItem moves an item up or down within its section.
func (a *App) MoveJournalItem(ctx context.Context, act *Actor, id, item int64, up bool) error {
	return a.editIssue(ctx, act, id, "journal_item", func(q *store.Q, j *domain.JournalIssue, pl *plan.Plan) (string, error) {
		if err := q.MoveItem(ctx, id, item, up); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return "", errNotFound
			}
			return "", err
		}
		return fmt.Sprintf("调整顺序 item:%d", item), nil
	})
}

// RemoveJournalItem takes an item out of a draft issue.
func (a *App) RemoveJournalItem(ctx context.Context, act *Actor, id, item int64) error {
	return a.editIssue(ctx, act, id, "journal_item", func(q *store.Q, j *domain.JournalIssue, pl *plan.Plan) (string, error) {
		if err := q.RemoveItem(ctx, id, item); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return "", errNotFound
			}
			return "", err
		}
		return fmt.Sprintf("移除 item:%d", item), nil
	})
}

// SubmitIssue sends a draft with at least one item for review.
func (a *App) SubmitIssue(ctx context.Context, act *Actor, id int64) error {
	return a.editIssue(ctx, act, id, "journal_submit", func(q *store.Q, j *domain.JournalIssue, pl *plan.Plan) (string, error) {
		if len(j.Items) == 0 {
			return "", invalid("items", "这一期还没有文章")
		}
		if err := q.SetIssueState(ctx, id, domain.JournalDraft, domain.JournalReview, act.ID, ""); err != nil {
			return "", conflict("这一期的状态已变化，请刷新")
		}
		// Its reviewers hear of it: the leaders over the journal's lead
		// department, or the chief.
		var who []int64
		if f := journalForm(pl); f != nil {
			for _, d := range f.Lead {
				ids, err := q.Recipients(ctx, domain.Leader, d)
				if err != nil {
					return "", err
				}
				who = append(who, ids...)
			}
		}
		if len(who) == 0 {
			ids, err := q.Recipients(ctx, domain.Chief, "")
			if err != nil {
				return "", err
			}
			who = ids
		}
		if err := a.notify(ctx, q, act, who, "", domain.NoticeReview, fmt.Sprintf("《%s》%d年第%d期送审，待您审核", pl.Journal.Name, j.Year, j.Number),
			fmt.Sprintf("/journal/%d", id)); err != nil {
			return "", err
		}
		return fmt.Sprintf("%d年第%d期送审", j.Year, j.Number), nil
	})
}

// ReviewIssue publishes an issue in review (印发), or sends it back to the
// office with a comment.
func (a *App) ReviewIssue(ctx context.Context, act *Actor, id int64, approve bool, comment string) (err error) {
	defer a.refused(ctx, act, "journal_review", fmt.Sprintf("journal:%d", id), &err)
	if err := checkText("comment", &comment, MaxComment); err != nil {
		return err
	}
	if !approve && comment == "" {
		return invalid("comment", "退回须写明意见")
	}
	return a.DB.InTx(ctx, func(q *store.Q) error {
		j, err := q.Issue(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return errNotFound
		}
		if err != nil {
			return err
		}
		pl, err := a.planIn(ctx, q, j.Year)
		if err != nil {
			return err
		}
		if !mayReviewJournal(act.User, pl) {
			return forbidden("只有分管办公室的局领导可以审核《%s》", pl.Journal.Name)
		}
		to, verb := domain.JournalPublished, "印发"
		if !approve {
			to, verb = domain.JournalDraft, "退回"
		}
		if err := q.SetIssueState(ctx, id, domain.JournalReview, to, act.ID, comment); err != nil {
			return conflict("这一期不在待审核状态")
		}
		return a.audit(ctx, q, act, "journal_review", fmt.Sprintf("journal:%d", id), domain.AuditOK, fmt.Sprintf("%d年第%d期%s%s", j.Year, j.Number, verb, optional(comment)))
	})
}

// JournalDOCX writes an issue as a Word document (act nil: the command
// line, which names the issue as year and number).
func (a *App) JournalDOCX(ctx context.Context, act *Actor, year, number int) ([]byte, error) {
	j, err := a.DB.Q().IssueByNumber(ctx, year, number)
	if errors.Is(err, store.ErrNotFound) {
		return nil, invalid("issue", "没有 %d年第%d期", year, number)
	}
	if err != nil {
		return nil, err
	}
	pl, err := a.Plan(ctx, j.Year)
	if err != nil {
		return nil, err
	}
	if act != nil && !mayReadIssue(act.User, pl, j) {
		return nil, errNotFound
	}
	var buf bytes.Buffer
	if err := report.JournalDOCX(&buf, pl, j); err != nil {
		return nil, err
	}
	err = a.DB.InTx(context.WithoutCancel(ctx), func(q *store.Q) error {
		return a.audit(ctx, q, act, "export", fmt.Sprintf("journal:%d", j.ID), domain.AuditOK, fmt.Sprintf("%d年第%d期.docx", j.Year, j.Number))
	})
	return buf.Bytes(), err
}
