package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"kexuan/domain"
	"kexuan/plan"
	"kexuan/store"
)

// fieldRecord checks what every record of the plan's field work shares (a
// visit, an enterprise reached): the actor may record it, a department's
// people only for their own department (which it fills in), the office for
// any; a date in a plan year, not in the future. It returns the day and
// that year's plan. what names the record in refusals.
func (a *App) fieldRecord(ctx context.Context, act *Actor, dept *string, date, what string) (plan.Date, *plan.Plan, error) {
	if !act.Role.Can(domain.PermFieldWrite) {
		return plan.Date{}, nil, forbidden("无权登记%s", what)
	}
	if act.Role.InDepartment() {
		if *dept != "" && *dept != act.Department {
			return plan.Date{}, nil, forbidden("只能登记本科室的%s", what)
		}
		*dept = act.Department
	}
	day, err := plan.ParseDate(strings.TrimSpace(date))
	if err != nil {
		return plan.Date{}, nil, invalid("date", "%v", err)
	}
	pl, err := a.Plan(ctx, day.Year)
	if err != nil {
		return plan.Date{}, nil, invalid("date", "%d 年没有考核方案", day.Year)
	}
	if pl.Department(*dept) == nil {
		return plan.Date{}, nil, invalid("department", "请选择科室")
	}
	if day.After(a.Today(pl.Location())) {
		return plan.Date{}, nil, invalid("date", "%s日期不能晚于今天", what)
	}
	return day, pl, nil
}

// VisitInput is a visit as recorded.
type VisitInput struct {
	Date          string
	Department    string // the office names it; a department's people record their own
	People        []string
	EnterpriseIDs []int64
	Park          string
	Needs         string
	Problems      string
	Highlights    string
	FollowUp      string
}

// Limits on a visit's text, in characters.
const (
	MaxVisitText   = 2000
	MaxVisitPeople = 20
	MaxVisited     = 50
)

// RecordVisit records a visit: a department's reporters and head record
// their own department's, the office any department's; at least one
// enterprise or a park; not in the future. Audited.
func (a *App) RecordVisit(ctx context.Context, act *Actor, in VisitInput) (_ *domain.Visit, err error) {
	defer a.refused(ctx, act, "visit_record", "visits", &err)
	day, pl, err := a.fieldRecord(ctx, act, &in.Department, in.Date, "走访")
	if err != nil {
		return nil, err
	}
	var people []string
	for _, p := range in.People {
		if p = strings.TrimSpace(p); p != "" {
			if err := checkText("people", &p, 32); err != nil {
				return nil, err
			}
			people = append(people, p)
		}
	}
	if len(people) == 0 {
		return nil, invalid("people", "请写明走访人员")
	}
	if len(people) > MaxVisitPeople {
		return nil, invalid("people", "走访人员最多 %d 人", MaxVisitPeople)
	}
	for _, f := range []struct {
		name  string
		v     *string
		limit int
	}{{"park", &in.Park, MaxPark}, {"needs", &in.Needs, MaxVisitText}, {"problems", &in.Problems, MaxVisitText},
		{"highlights", &in.Highlights, MaxVisitText}, {"follow_up", &in.FollowUp, MaxVisitText}} {
		if err := checkText(f.name, f.v, f.limit); err != nil {
			return nil, err
		}
	}
	ids := slices.Compact(slices.Sorted(slices.Values(in.EnterpriseIDs)))
	if len(ids) == 0 && in.Park == "" {
		return nil, invalid("enterprise_ids", "请选择走访的企业，或写明园区")
	}
	if len(ids) > MaxVisited {
		return nil, invalid("enterprise_ids", "一次走访最多登记 %d 家企业", MaxVisited)
	}
	v := &domain.Visit{Department: in.Department, Day: day, People: people, Park: in.Park, Needs: in.Needs, Problems: in.Problems,
		Highlights: in.Highlights, FollowUp: in.FollowUp, CreatedBy: act.ID}
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		for _, id := range ids {
			e, err := q.Enterprise(ctx, id)
			if errors.Is(err, store.ErrNotFound) {
				return invalid("enterprise_ids", "没有编号为 %d 的企业", id)
			}
			if err != nil {
				return err
			}
			v.Enterprises = append(v.Enterprises, e)
		}
		if err := q.AddVisit(ctx, v); err != nil {
			return err
		}
		names := make([]string, 0, len(v.Enterprises)+1)
		for _, e := range v.Enterprises {
			names = append(names, e.Name)
		}
		if v.Park != "" {
			names = append(names, v.Park)
		}
		return a.audit(ctx, q, act, "visit_record", fmt.Sprintf("visit:%d", v.ID), domain.AuditOK,
			fmt.Sprintf("%s %s 走访 %s", pl.Department(v.Department).Name, v.Day, strings.Join(names, "、")))
	})
	if err != nil {
		return nil, err
	}
	v.DeptName = pl.Department(v.Department).Name
	return v, nil
}

// visitScope narrows a visit filter to what u may see: a department's
// people their own; leaders, the chief and the office all.
func visitScope(u *domain.User, f domain.VisitFilter) (domain.VisitFilter, error) {
	if !u.Role.Can(domain.PermFieldRead) {
		return f, forbidden("无权查看走访")
	}
	if u.Role.InDepartment() {
		if f.Departments != nil && !slices.Contains(f.Departments, u.Department) {
			f.Departments = []string{}
			return f, nil
		}
		f.Departments = []string{u.Department}
	}
	return f, nil
}

var visitKeys = keyCodec[store.VisitKey]{
	encode: func(k store.VisitKey) string { return k.Day + "," + strconv.FormatInt(k.ID, 10) },
	decode: func(s string) (store.VisitKey, bool) {
		day, id, ok := strings.Cut(s, ",")
		n, err := strconv.ParseInt(id, 10, 64)
		_, derr := plan.ParseDate(day)
		return store.VisitKey{Day: day, ID: n}, ok && err == nil && derr == nil && n > 0
	},
}

// Visits lists one page of the visits u may see, newest first.
func (a *App) Visits(ctx context.Context, u *domain.User, f domain.VisitFilter, pq PageQuery) (*Page[*domain.Visit], error) {
	f, err := visitScope(u, f)
	if err != nil {
		return nil, err
	}
	q := a.DB.Q()
	return paginate(pq, visitKeys, func(v *domain.Visit) store.VisitKey { return store.VisitKey{Day: v.Day.String(), ID: v.ID} },
		func(from *store.VisitKey, back bool, n int) ([]*domain.Visit, error) {
			return q.Visits(ctx, f, from, back, n)
		})
}

// VisitMonth is one department's visits in one month against the plan.
type VisitMonth struct {
	Month    string `json:"month"`
	Visits   int    `json:"visits"`
	Required int    `json:"required"`
	Met      bool   `json:"met"`
	Status   string `json:"status"` // met, short, open (the month is not over)
}

// VisitBoardRow is a department's year of visits.
type VisitBoardRow struct {
	Code   string       `json:"code"`
	Name   string       `json:"name"`
	Months []VisitMonth `json:"months"`
	Short  int          `json:"short_months"` // months over with fewer visits than required
}

// VisitBoard is the year's visits by department and month: the plan's
// forms that set visits_per_month name the departments that owe them.
type VisitBoard struct {
	Year     int
	Required int
	Form     string // the form's title (定期走访园区和企业)
	Rows     []VisitBoardRow
}

// VisitSummary builds the board of a plan year as of today: months before
// the current one are met or short; the current month is open until met.
func (a *App) VisitSummary(ctx context.Context, u *domain.User, year int) (*VisitBoard, error) {
	if !u.Role.Can(domain.PermFieldRead) {
		return nil, forbidden("无权查看走访")
	}
	pl, err := a.Plan(ctx, year)
	if err != nil {
		return nil, err
	}
	b := &VisitBoard{Year: pl.Year}
	required := visitsRequired(pl)
	for _, f := range pl.Forms {
		if f.VisitsPerMonth > 0 {
			b.Required, b.Form = f.VisitsPerMonth, f.Title
		}
	}
	counts, err := a.DB.Q().VisitCounts(ctx, pl.Start(), pl.End())
	if err != nil {
		return nil, err
	}
	today := a.Today(pl.Location())
	for _, d := range pl.Departments {
		if required[d.Code] == 0 {
			continue
		}
		if u.Role.InDepartment() && d.Code != u.Department {
			continue
		}
		row := VisitBoardRow{Code: d.Code, Name: d.Name}
		for m := 1; m <= 12; m++ {
			month := plan.Month{Year: pl.Year, Month: m}
			if month.First().After(today) {
				break
			}
			vm := VisitMonth{Month: month.String(), Visits: counts[d.Code][month.String()], Required: required[d.Code]}
			vm.Met = vm.Visits >= vm.Required
			switch {
			case vm.Met:
				vm.Status = "met"
			case month.Last().Before(today):
				vm.Status = "short"
				row.Short++
			default:
				vm.Status = "open"
			}
			row.Months = append(row.Months, vm)
		}
		b.Rows = append(b.Rows, row)
	}
	return b, nil
}
