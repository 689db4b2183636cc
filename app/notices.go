package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"kexuan/domain"
	"kexuan/plan"
	"kexuan/scoring"
	"kexuan/store"
)

// notify tells the users in who (never the actor) about something, in the
// transaction of the change it is about: a notice on the page, an e-mail to
// those who asked for them, and a message to the group robot of dept (when
// the notice is about a department and it has one) — queued in the outbox.
func (a *App) notify(ctx context.Context, q *store.Q, act *Actor, who []int64, dept, kind, text, link string) error {
	return a.notifyAbout(ctx, q, act, who, dept, kind, text, link, "")
}

// notifyAbout is notify for an event whose readers the office follows
// (about: remind:…, commission:N; see Reads).
func (a *App) notifyAbout(ctx context.Context, q *store.Q, act *Actor, who []int64, dept, kind, text, link, about string) error {
	text = domain.Clip(text, 300)
	var told []int64
	for _, id := range who {
		if act != nil && act.User != nil && id == act.ID || slices.Contains(told, id) {
			continue // not the actor, and each person once
		}
		if err := q.AddNotice(ctx, &domain.Notice{UserID: id, Kind: kind, Text: text, Link: link, About: about}); err != nil {
			return err
		}
		told = append(told, id)
	}
	if len(told) == 0 {
		return nil
	}
	return a.enqueue(ctx, q, told, dept, kind, text, link)
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
	case domain.StateApproved:
		return a.notify(ctx, q, act, []int64{p.AuthorID}, p.Department, domain.NoticeApproved, fmt.Sprintf("《%s》已审核通过%s", p.Title, optional(comment)), link)
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
		who, err := departmentPeople(ctx, q, dept)
		if err != nil {
			return err
		}
		if len(who) == 0 {
			return conflict("%s没有信息员或负责人账户，无人可催", d.Name)
		}
		// At most once a department a day, however many clicks (each would
		// send its mails and robot messages).
		today := a.Today(pl.Location())
		if mine, err := q.ClaimRun(ctx, "remind:"+dept+":"+today.String(), a.Now().UTC().Format(time.RFC3339)); err != nil {
			return err
		} else if !mine {
			return conflict("今天已向%s催报过，明天可再催", d.Name)
		}
		sent = len(who)
		about := fmt.Sprintf("remind:%s:%d", dept, a.Now().UnixNano())
		if err := a.notifyAbout(ctx, q, act, who, dept, domain.NoticeRemind, "办公室催报："+text, "/departments/"+dept, about); err != nil {
			return err
		}
		return a.audit(ctx, q, act, "remind", "department:"+dept, domain.AuditOK, fmt.Sprintf("%d 人：%s", len(who), text))
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

// ReadNoticesAt marks read what a user was told about a page, as the user
// opens it (link: the page's path and query).
func (a *App) ReadNoticesAt(ctx context.Context, u *domain.User, link string) error {
	if u == nil || link == "" || len(link) > 300 {
		return nil
	}
	_, err := a.DB.Q().ReadNoticesAt(ctx, u.ID, link)
	return err
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

// RemindDue tells each department, once a month, when the month enters the
// plan's warning days with quota items still missing (its reporters and
// head, and its robot). Run by the outbox's loop; safe to call often.
func (a *App) RemindDue(ctx context.Context) (sent int, err error) {
	mv, err := a.month(ctx, nil, plan.Month{})
	if err != nil || mv.Over || mv.DaysLeft > mv.WarningDays || mv.Today.Before(mv.Month.First()) {
		return 0, err
	}
	for _, d := range mv.Departments {
		var short []string
		for _, q := range d.Quotas {
			if q.Required > 0 && q.Missing > 0 {
				short = append(short, fmt.Sprintf("%s还差 %d 条", q.Category.Name, q.Missing))
			}
		}
		if d.VisitsRequired > d.Visits {
			short = append(short, fmt.Sprintf("走访还差 %d 次", d.VisitsRequired-d.Visits))
		}
		if len(short) == 0 {
			continue
		}
		key := "quota_reminded:" + d.Code + ":" + mv.Month.String()
		err := a.DB.InTx(ctx, func(q *store.Q) error {
			// The run is claimed with its effects: of several servers,
			// exactly one tells the department.
			if mine, err := q.ClaimRun(ctx, key, mv.Today.String()); err != nil || !mine {
				return err
			}
			who, err := departmentPeople(ctx, q, d.Code)
			if err != nil {
				return err
			}
			text := fmt.Sprintf("%s 月度报送：%s，%s 截止", mv.Month, strings.Join(short, "，"), mv.Month.Last())
			if err := a.notify(ctx, q, nil, who, d.Code, domain.NoticeQuota, text, "/month?month="+mv.Month.String()); err != nil {
				return err
			}
			sent++
			return nil
		})
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// noticeClosed tells each department with deductions in a closed month
// what they were (its reporters and head, and its robot).
func (a *App) noticeClosed(ctx context.Context, q *store.Q, act *Actor, per *domain.Period, res *scoring.Result) error {
	pl, err := a.planIn(ctx, q, per.Year)
	if err != nil {
		return err
	}
	for _, d := range res.Departments {
		var lines []string
		for _, qm := range d.Quotas {
			if qm.Month == per.Period && qm.Status == scoring.QuotaMissed {
				name := qm.Category
				if c := pl.Category(qm.Category); c != nil {
					name = c.Name
				}
				lines = append(lines, fmt.Sprintf("%s少报 %d 条，扣 %s 分", name, qm.Missing, scoring.Format(qm.Deduction)))
			}
		}
		if len(lines) == 0 {
			continue
		}
		who, err := departmentPeople(ctx, q, d.Code)
		if err != nil {
			return err
		}
		text := fmt.Sprintf("%s 已结账：%s", per.Period, strings.Join(lines, "；"))
		if err := a.notify(ctx, q, act, who, d.Code, domain.NoticeClosed, text, "/periods/"+per.Period); err != nil {
			return err
		}
	}
	return nil
}

// departmentPeople are the active reporters and head of a department: who
// a 催报, a quota reminder or a closed month's deductions are for.
func departmentPeople(ctx context.Context, q *store.Q, dept string) ([]int64, error) {
	var who []int64
	for _, role := range []domain.Role{domain.Reporter, domain.Head} {
		ids, err := q.Recipients(ctx, role, dept)
		if err != nil {
			return nil, err
		}
		who = append(who, ids...)
	}
	return who, nil
}

// LastReminds is, for each department, how many of the people its latest
// 催报 told have read it (none: not in the map); for the office.
func (a *App) LastReminds(ctx context.Context, u *domain.User, depts []string) (map[string]domain.Reads, error) {
	out := map[string]domain.Reads{}
	if !u.Role.Can(domain.PermVerify) {
		return out, nil
	}
	q := a.DB.Q()
	var abouts []string
	byAbout := map[string]string{}
	for _, d := range depts {
		about, err := q.LatestAbout(ctx, "remind:"+d+":")
		if err != nil {
			return nil, err
		}
		if about != "" {
			abouts = append(abouts, about)
			byAbout[about] = d
		}
	}
	reads, err := q.NoticeReads(ctx, abouts)
	if err != nil {
		return nil, err
	}
	for about, r := range reads {
		out[byAbout[about]] = r
	}
	return out, nil
}
