package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"kexuan/domain"
	"kexuan/plan"
	"kexuan/store"
)

// Calendar is a plan year's dated entries as a user sees them: the days the
// plan ties activities to (4.26, 5.12 …), the dates the office set (科技活动周),
// each month's quota deadline (for a department's users, their own), and
// the periods closed.
func (a *App) Calendar(ctx context.Context, u *domain.User, year int) (*plan.Plan, []domain.CalendarEntry, error) {
	pl, err := a.Plan(ctx, year)
	if err != nil {
		return nil, nil, err
	}
	var out []domain.CalendarEntry
	for _, f := range pl.Forms {
		for _, md := range f.Dates {
			d, err := plan.ParseDate(fmt.Sprintf("%d-%s", pl.Year, md))
			if err != nil {
				return nil, nil, err
			}
			out = append(out, domain.CalendarEntry{UID: fmt.Sprintf("form-%d-%s", f.Number, d), Kind: "form", Title: f.Title,
				Note: f.Text, First: d, Last: d})
		}
	}
	q := a.DB.Q()
	events, err := q.CalendarEvents(ctx, pl.Year)
	if err != nil {
		return nil, nil, err
	}
	for _, e := range events {
		out = append(out, domain.CalendarEntry{UID: fmt.Sprintf("event-%d", e.ID), Kind: "event", Title: e.Title, Note: e.Note, First: e.FirstDay, Last: e.LastDay})
	}
	// Quota deadlines: the month's last day, for the categories asked of the
	// user's department (bureau-wide roles: every quota category).
	var cats []string
	for _, c := range pl.CategoriesOf(plan.KindQuota) {
		if d := pl.Department(u.Department); u.Role.InDepartment() && (d == nil || d.Quotas[c.Code] == 0) {
			continue
		}
		cats = append(cats, c.Label())
	}
	if len(cats) > 0 {
		for m := pl.QuotaFromMonth(); m.Year == pl.Year; m = m.Next() {
			out = append(out, domain.CalendarEntry{UID: "deadline-" + m.String(), Kind: "deadline", Title: m.String() + " 月度报送截止：" + strings.Join(cats, "、"),
				First: m.Last(), Last: m.Last(), Link: "/month?month=" + m.String()})
		}
	}
	closed, err := q.ClosedPeriods(ctx, pl.Year, pl.Start())
	if err != nil {
		return nil, nil, err
	}
	for _, per := range closed {
		out = append(out, domain.CalendarEntry{UID: "closed-" + per.Period, Kind: "closed", Title: per.Period + " 已结账",
			First: per.LastDay, Last: per.LastDay, Link: "/periods/" + per.Period})
	}
	slices.SortStableFunc(out, func(x, y domain.CalendarEntry) int { return x.First.Compare(y.First) })
	return pl, out, nil
}

// CalendarEventInput is a date range the office sets on the calendar.
type CalendarEventInput struct {
	Title, First, Last, Note string
}

// AddCalendarEvent sets a date on the plan's calendar (the office), e.g.
// this year's 科技活动周; audited.
func (a *App) AddCalendarEvent(ctx context.Context, act *Actor, in CalendarEventInput) (_ *domain.CalendarEvent, err error) {
	defer a.refused(ctx, act, "calendar_add", "calendar", &err)
	if !act.Role.Can(domain.PermVerify) {
		return nil, forbidden("只有办公室可以设置日历")
	}
	if err := checkText("title", &in.Title, 100); err != nil {
		return nil, err
	}
	if in.Title == "" {
		return nil, invalid("title", "名称不能为空")
	}
	if err := checkText("note", &in.Note, MaxComment); err != nil {
		return nil, err
	}
	first, err := plan.ParseDate(in.First)
	if err != nil {
		return nil, invalid("first", "%v", err)
	}
	last := first
	if in.Last != "" {
		if last, err = plan.ParseDate(in.Last); err != nil {
			return nil, invalid("last", "%v", err)
		}
	}
	if last.Before(first) || last.Year != first.Year {
		return nil, invalid("last", "结束日期应在开始日期之后、同一年内")
	}
	if _, err := a.Plan(ctx, first.Year); err != nil {
		return nil, invalid("first", "%d 年没有考核方案", first.Year)
	}
	e := &domain.CalendarEvent{Year: first.Year, Title: in.Title, FirstDay: first, LastDay: last, Note: in.Note, CreatedBy: act.ID}
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		if err := q.AddCalendarEvent(ctx, e); err != nil {
			return err
		}
		return a.audit(ctx, q, act, "calendar_add", fmt.Sprintf("calendar_event:%d", e.ID), domain.AuditOK, fmt.Sprintf("%s %s–%s", e.Title, first, last))
	})
	return e, err
}

// NewCalendarToken gives the actor a new secret for their ICS feed; the old
// one stops working. Audited (not the token).
func (a *App) NewCalendarToken(ctx context.Context, act *Actor) (string, error) {
	token := NewToken()
	err := a.DB.InTx(ctx, func(q *store.Q) error {
		if err := q.SetCalendarToken(ctx, act.ID, token); err != nil {
			return err
		}
		return a.audit(ctx, q, act, "calendar_token", fmt.Sprintf("user:%d", act.ID), domain.AuditOK, "新的日历订阅地址；旧地址作废")
	})
	return token, err
}

// CalendarFeed is the calendar of the user a feed token belongs to; a token
// that is not (or no longer) anyone's, or a disabled account's, is not found.
func (a *App) CalendarFeed(ctx context.Context, token string, year int) (*domain.User, *plan.Plan, []domain.CalendarEntry, error) {
	if len(token) < 20 || len(token) > 100 {
		return nil, nil, nil, errNotFound
	}
	u, err := a.DB.Q().CalendarTokenUser(ctx, token)
	if errors.Is(err, store.ErrNotFound) || err == nil && u.Disabled {
		return nil, nil, nil, errNotFound
	}
	if err != nil {
		return nil, nil, nil, err
	}
	pl, entries, err := a.Calendar(ctx, u, year)
	return u, pl, entries, err
}
