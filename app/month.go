package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"kexuan/domain"
	"kexuan/plan"
	"kexuan/scoring"
	"kexuan/store"
)

// Month statuses, by the plan's rules.
const (
	StatusGreen = "green" // done (verified)
	StatusAmber = "amber" // on the way: time left, or recorded and waiting for the office
	StatusRed   = "red"   // within the plan's warning days and short, or the month closed short
)

// MonthQuota is one quota category of one department in a month.
type MonthQuota struct {
	Category *plan.Category
	Required int // items the plan asks for
	Verified int // counted (the office's or verified records)
	Pending  int // recorded, waiting for the office
	Missing  int // still to record
	Status   string
}

// MonthDept is a department's month: quotas, what waits, the pace to its
// year targets.
type MonthDept struct {
	Code, Name    string
	Quotas        []MonthQuota
	Reviews       int      // its pieces waiting for review
	Verifications int      // its records waiting for the office
	Pace          []string // how to close each year target's gap with the fewest pieces
	Status        string   // the worst of its quotas and visits
	// Visits this month against the plan's visits_per_month (0 required:
	// the plan asks none of this department).
	Visits, VisitsRequired int
	VisitStatus            string
}

// MonthView is 本月: every department (or the actor's own) in one month.
type MonthView struct {
	Plan        *plan.Plan
	Month       plan.Month
	Today       plan.Date
	DaysLeft    int // days of the month left, today included; 0 once it is over
	Over        bool
	WarningDays int
	Closed      *domain.Period // nil while the month is open
	Departments []MonthDept
}

// Month is 本月 for a month of a plan year (zero: the current month): what
// is due per department, what waits for review and verification, and the
// pace to the year's targets. Department users see their own department.
func (a *App) Month(ctx context.Context, act *Actor, m plan.Month) (_ *MonthView, err error) {
	defer a.refused(ctx, act, "month_read", "month:"+m.String(), &err)
	if !act.Role.Can(domain.PermScore) {
		return nil, forbidden("无权查看")
	}
	return a.month(ctx, act.User, m)
}

// month is Month for a user (nil: every department, as the office sees it).
func (a *App) month(ctx context.Context, u *domain.User, m plan.Month) (_ *MonthView, err error) {
	pl, err := a.Plan(ctx, m.Year)
	if err != nil {
		return nil, err
	}
	today := a.Today(pl.Location())
	if m.Year == 0 {
		m = today.MonthOf()
		if m.Year != pl.Year {
			m = pl.End().MonthOf()
		}
	}
	if m.Year != pl.Year || m.Month < 1 || m.Month > 12 {
		return nil, invalid("month", "%s 不在 %d 年方案之内", m, pl.Year)
	}
	asOf := today
	if asOf.After(m.Last()) {
		asOf = m.Last()
	}
	v := &MonthView{Plan: pl, Month: m, Today: today, Over: today.After(m.Last()), WarningDays: pl.Reminders.WarningDays}
	if !v.Over && !today.Before(m.First()) {
		v.DaysLeft = m.Last().Day - today.Day + 1
	} else if today.Before(m.First()) {
		v.DaysLeft = m.Last().Day
	}
	_, res, err := a.Report(ctx, pl.Year, asOf)
	if err != nil {
		return nil, err
	}
	q := a.DB.Q()
	if v.Closed, err = q.ClosedPeriod(ctx, m.String()); errors.Is(err, store.ErrNotFound) {
		v.Closed = nil
	} else if err != nil {
		return nil, err
	}
	pending, err := q.PendingByDepartment(ctx, m.First(), m.Last())
	if err != nil {
		return nil, err
	}
	allPending, err := q.PendingByDepartment(ctx, plan.Date{}, plan.Date{})
	if err != nil {
		return nil, err
	}
	reviews, err := q.PiecesWaiting(ctx, []domain.PieceState{domain.StateSubmitted, domain.StateLeaderApproved})
	if err != nil {
		return nil, err
	}
	visits, err := q.VisitCounts(ctx, m.First(), m.Last())
	if err != nil {
		return nil, err
	}
	visitsOwed := visitsRequired(pl)
	for i := range res.Departments {
		d := &res.Departments[i]
		if u != nil && u.Role.InDepartment() && d.Code != u.Department {
			continue
		}
		pd := pl.Department(d.Code)
		md := MonthDept{Code: d.Code, Name: d.Name, Reviews: reviews[d.Code], Status: StatusGreen}
		for _, n := range allPending[d.Code] {
			md.Verifications += n
		}
		for _, c := range pl.CategoriesOf(plan.KindQuota) {
			need := pd.Quotas[c.Code]
			if need == 0 {
				md.Quotas = append(md.Quotas, MonthQuota{Category: c}) // not asked of this department
				continue
			}
			mq := MonthQuota{Category: c, Required: need}
			for _, qm := range d.Quotas {
				if qm.Category == c.Code && qm.Month == m.String() {
					mq.Verified = qm.Reported
				}
			}
			for _, ch := range pl.Channels {
				if ch.Category == c.Code {
					mq.Pending += pending[d.Code][ch.Code]
				}
			}
			mq.Missing = max(0, need-mq.Verified-mq.Pending)
			switch {
			case mq.Verified >= need:
				mq.Status = StatusGreen
			case v.Over:
				mq.Status = StatusRed
			case mq.Missing == 0:
				mq.Status = StatusAmber // all recorded, some waiting for the office
			case v.DaysLeft <= v.WarningDays:
				mq.Status = StatusRed
			default:
				mq.Status = StatusAmber
			}
			md.Quotas = append(md.Quotas, mq)
			md.Status = worse(md.Status, mq.Status)
		}
		if need := visitsOwed[d.Code]; need > 0 {
			md.Visits, md.VisitsRequired = visits[d.Code][m.String()], need
			switch {
			case md.Visits >= need:
				md.VisitStatus = StatusGreen
			case v.Over || v.DaysLeft <= v.WarningDays:
				md.VisitStatus = StatusRed
			default:
				md.VisitStatus = StatusAmber
			}
			md.Status = worse(md.Status, md.VisitStatus)
		}
		md.Pace = pace(pl, d)
		v.Departments = append(v.Departments, md)
	}
	return v, nil
}

// visitsRequired is the visits a month the plan's forms ask of each
// department (定期走访园区和企业: visits_per_month and its departments).
func visitsRequired(pl *plan.Plan) map[string]int {
	out := map[string]int{}
	for _, f := range pl.Forms {
		if f.VisitsPerMonth == 0 {
			continue
		}
		depts := f.Responsible
		if f.AllDepartments {
			depts = nil
			for _, d := range pl.Departments {
				depts = append(depts, d.Code)
			}
		}
		for _, d := range depts {
			out[d] = max(out[d], f.VisitsPerMonth)
		}
	}
	return out
}

func worse(a, b string) string {
	rank := map[string]int{StatusGreen: 0, StatusAmber: 1, StatusRed: 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// pace says, for each target category still short of its target, the
// fewest pieces that would close the gap: the best-scoring way first, then
// the next one (a tiered channel still 3 points short: one piece of 300 字 or more,
// or three of 100–299).
func pace(p *plan.Plan, d *scoring.Department) []string {
	var out []string
	for _, c := range p.CategoriesOf(plan.KindTarget) {
		cs := d.Categories[c.Code]
		gap := cs.Target - cs.Raw
		if gap <= 0 {
			continue
		}
		type way struct {
			points float64
			what   string
		}
		var ways []way
		for i := range p.Channels {
			ch := &p.Channels[i]
			if ch.Category != c.Code {
				continue
			}
			if ch.Points != nil && *ch.Points > 0 {
				ways = append(ways, way{*ch.Points, ch.Name})
			}
			for _, t := range ch.Tiers {
				if t.Points <= 0 {
					continue
				}
				var words string
				switch {
				case t.Max == nil:
					words = fmt.Sprintf("%d 字以上", t.Min)
				case t.Min == 0:
					words = fmt.Sprintf("%d 字以下", *t.Max+1)
				default:
					words = fmt.Sprintf("%d–%d 字", t.Min, *t.Max)
				}
				ways = append(ways, way{t.Points, ch.Name + " " + words})
			}
		}
		if len(ways) == 0 {
			continue
		}
		// The fewest pieces that close the gap, by the least demanding way
		// that needs no more than that; then the next way down.
		slices.SortStableFunc(ways, func(x, y way) int { return cmp.Compare(x.points, y.points) })
		count := func(w way) int { return int(math.Ceil(gap / w.points)) }
		fewest := count(ways[len(ways)-1])
		i := slices.IndexFunc(ways, func(w way) bool { return count(w) == fewest })
		opts := []string{fmt.Sprintf("%d 篇%s（每篇 %s 分）", fewest, ways[i].what, scoring.Format(ways[i].points))}
		if i > 0 {
			w := ways[i-1]
			opts = append(opts, fmt.Sprintf("%d 篇%s（每篇 %s 分）", count(w), w.what, scoring.Format(w.points)))
		}
		out = append(out, fmt.Sprintf("%s还差 %s 分：%s", c.Label(), scoring.Format(gap), strings.Join(opts, "，或 ")))
	}
	return out
}
