package app

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"kexuan/domain"
	"kexuan/store"
)

// notify tells the users in who (never the actor) about something, in the
// transaction of the change it is about: a notice on the page, an e-mail to
// those who asked for them, and a message to the group robot of dept (when
// the notice is about a department and it has one) — queued in the outbox.
func (a *App) notify(ctx context.Context, q *store.Q, act *Actor, who []int64, dept, kind, text, link string) error {
	text = domain.Clip(text, 300)
	var told []int64
	for _, id := range who {
		if act != nil && act.User != nil && id == act.ID {
			continue
		}
		if err := q.AddNotice(ctx, &domain.Notice{UserID: id, Kind: kind, Text: text, Link: link}); err != nil {
			return err
		}
		told = append(told, id)
	}
	if len(told) == 0 {
		return nil
	}
	return a.enqueue(ctx, q, told, dept, text, link)
}

// noticesAfter tells whoever the piece's move concerns: its reviewers when
// it waits for them, its author when it came back.
func (a *App) noticesAfter(ctx context.Context, q *store.Q, act *Actor, p *domain.Piece, to domain.PieceState, comment string) error {
	link := fmt.Sprintf("/pieces/%d", p.ID)
	if p.State == domain.StateSubmitted || p.State == domain.StateLeaderApproved {
		// Reviewed: the notices that asked for this review are settled.
		if err := q.SettleNotices(ctx, domain.NoticeReview, link); err != nil {
			return err
		}
	}
	switch to {
	case domain.StateSubmitted:
		who, err := q.Recipients(ctx, domain.Leader, p.Department)
		if err != nil {
			return err
		}
		return a.notify(ctx, q, act, who, "", domain.NoticeReview, fmt.Sprintf("%s报送了《%s》，待您审核", p.DepartmentName, p.Title), link)
	case domain.StateLeaderApproved:
		who, err := q.Recipients(ctx, domain.Chief, "")
		if err != nil {
			return err
		}
		return a.notify(ctx, q, act, who, "", domain.NoticeReview, fmt.Sprintf("重大事项《%s》（%s）经分管局领导审核，待您审定", p.Title, p.DepartmentName), link)
	case domain.StateReturned:
		return a.notify(ctx, q, act, []int64{p.AuthorID}, p.Department, domain.NoticeReturned, fmt.Sprintf("《%s》被退回：%s", p.Title, comment), link)
	}
	return nil
}

// Remind sends a 催报 from the office to a department's reporters and head.
func (a *App) Remind(ctx context.Context, act *Actor, dept, text string) (sent int, err error) {
	defer a.refused(ctx, act, "remind", "department:"+domain.Clip(dept, 40), &err)
	if !act.Role.Can(domain.PermVerify) {
		return 0, forbidden("只有办公室可以催报")
	}
	pl, err := a.Plan(ctx, 0)
	if err != nil {
		return 0, err
	}
	d := pl.Department(dept)
	if d == nil {
		return 0, invalid("department", "方案中没有科室 %q", dept)
	}
	if err := checkText("text", &text, MaxComment); err != nil {
		return 0, err
	}
	if text == "" {
		text = "请按时报送本月信息"
	}
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		var who []int64
		for _, role := range []domain.Role{domain.Reporter, domain.Head} {
			ids, err := q.Recipients(ctx, role, dept)
			if err != nil {
				return err
			}
			who = append(who, ids...)
		}
		if len(who) == 0 {
			return conflict("%s没有信息员或负责人账户，无人可催", d.Name)
		}
		sent = len(who)
		if err := a.notify(ctx, q, act, who, dept, domain.NoticeRemind, "办公室催报："+text, "/departments/"+dept); err != nil {
			return err
		}
		return a.audit(ctx, q, act, "remind", "department:"+dept, domain.AuditOK, fmt.Sprintf("%d recipients: %s", len(who), text))
	})
	return sent, err
}

// NoticePage is one page of a user's notices with their unread count.
type NoticePage struct {
	*Page[*domain.Notice]
	Unread int
}

// Notices lists the actor's own notices, newest first.
func (a *App) Notices(ctx context.Context, act *Actor, pq PageQuery) (*NoticePage, error) {
	q := a.DB.Q()
	pg, err := paginate(pq, idKeys, func(n *domain.Notice) int64 { return n.ID }, func(from *int64, back bool, n int) ([]*domain.Notice, error) {
		var id int64
		if from != nil {
			id = *from
		}
		return q.Notices(ctx, act.ID, id, back, n)
	})
	if err != nil {
		return nil, err
	}
	unread, err := q.UnreadNotices(ctx, act.ID)
	if err != nil {
		return nil, err
	}
	return &NoticePage{Page: pg, Unread: unread}, nil
}

// UnreadNotices counts the user's unread notices (the header's badge).
func (a *App) UnreadNotices(ctx context.Context, u *domain.User) (int, error) {
	return a.DB.Q().UnreadNotices(ctx, u.ID)
}

// ReadNotice marks one of the actor's notices read (another user's is not
// found).
func (a *App) ReadNotice(ctx context.Context, act *Actor, id int64) (*domain.Notice, error) {
	q := a.DB.Q()
	if err := q.ReadNotice(ctx, act.ID, id); errors.Is(err, store.ErrNotFound) {
		return nil, errNotFound
	} else if err != nil {
		return nil, err
	}
	ns, err := q.Notices(ctx, act.ID, id+1, false, 1)
	if err != nil {
		return nil, err
	}
	if i := slices.IndexFunc(ns, func(n *domain.Notice) bool { return n.ID == id }); i >= 0 {
		return ns[i], nil
	}
	return nil, errNotFound
}

// ReadAllNotices marks all of the actor's notices read.
func (a *App) ReadAllNotices(ctx context.Context, act *Actor) (int64, error) {
	return a.DB.Q().ReadAllNotices(ctx, act.ID)
}
