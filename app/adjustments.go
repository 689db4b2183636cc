package app

import (
	"context"
	"errors"
	"fmt"
	"math"

	"kexuan/domain"
	"kexuan/plan"
	"kexuan/scoring"
	"kexuan/store"
)

// MaxAdjustment bounds one adjustment's points either way.
const MaxAdjustment = 100

// AdjustmentInput is a 加减分 the office records.
type AdjustmentInput struct {
	Department string
	Date       string
	Points     float64 // ±, a multiple of 0.5
	Category   string  // a category of the plan, or "" (其他)
	Reason     string
}

// RecordAdjustment records a manual 加减分 (the office only): it counts in
// every report from its date, as its own ledger line with its reason. It
// cannot be edited or deleted, only undone by ReverseAdjustment.
func (a *App) RecordAdjustment(ctx context.Context, act *Actor, in AdjustmentInput) (_ *domain.Adjustment, err error) {
	defer a.refused(ctx, act, "adjustment_record", "department:"+domain.Clip(in.Department, 40), &err)
	if !act.Role.Can(domain.PermAdjust) {
		return nil, forbidden("只有办公室可以加减分")
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
	if pl.Department(in.Department) == nil {
		return nil, invalid("department", "%d 年方案中没有科室 %q", day.Year, in.Department)
	}
	if in.Category != "" && pl.Category(in.Category) == nil {
		return nil, invalid("category", "%d 年方案中没有类别 %q", day.Year, in.Category)
	}
	if in.Points == 0 || math.IsNaN(in.Points) || math.Abs(in.Points) > MaxAdjustment || in.Points*2 != math.Round(in.Points*2) {
		return nil, invalid("points", "分值应为 0.5 的整数倍，不为零，绝对值不超过 %d", MaxAdjustment)
	}
	if err := checkText("reason", &in.Reason, MaxReason); err != nil {
		return nil, err
	}
	if in.Reason == "" {
		return nil, invalid("reason", "加减分需写明理由")
	}
	adj := &domain.Adjustment{Department: in.Department, Day: day, Points: in.Points, Category: in.Category, Reason: in.Reason, CreatedBy: act.ID}
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		touched, err := a.touchClosed(ctx, q, day, in.Reason)
		if err != nil {
			return err
		}
		if err := q.AddAdjustment(ctx, adj); err != nil {
			return err
		}
		if err := a.recordCorrections(ctx, q, act, touched, in.Reason); err != nil {
			return err
		}
		return a.audit(ctx, q, act, "adjustment_record", fmt.Sprintf("adjustment:%d", adj.ID), domain.AuditOK,
			fmt.Sprintf("%s %s %s分 %s：%s", in.Department, day, scoring.Format(in.Points), categoryLabel(pl, in.Category), in.Reason))
	})
	if err != nil {
		return nil, err
	}
	return a.adjustment(ctx, adj.ID)
}

// ReverseAdjustment undoes an adjustment with a counter-adjustment of the
// opposite points, on the same day and category, with its own reason; an
// adjustment is reversed at most once, and a reversal is not reversed.
func (a *App) ReverseAdjustment(ctx context.Context, act *Actor, id int64, reason string) (_ *domain.Adjustment, err error) {
	defer a.refused(ctx, act, "adjustment_reverse", fmt.Sprintf("adjustment:%d", id), &err)
	if !act.Role.Can(domain.PermAdjust) {
		return nil, forbidden("只有办公室可以加减分")
	}
	if err := checkText("reason", &reason, MaxReason); err != nil {
		return nil, err
	}
	if reason == "" {
		return nil, invalid("reason", "冲销需写明理由")
	}
	var rev *domain.Adjustment
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		orig, err := q.Adjustment(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return errNotFound
		}
		if err != nil {
			return err
		}
		switch {
		case orig.Reverses != 0:
			return conflict("这是一笔冲销，不能再冲销")
		case orig.ReversedBy != 0:
			return conflict("这笔加减分已冲销过")
		}
		rev = &domain.Adjustment{Department: orig.Department, Day: orig.Day, Points: -orig.Points, Category: orig.Category,
			Reason: fmt.Sprintf("冲销第 %d 笔：%s", orig.ID, reason), Reverses: orig.ID, CreatedBy: act.ID}
		touched, err := a.touchClosed(ctx, q, orig.Day, reason)
		if err != nil {
			return err
		}
		if err := q.AddAdjustment(ctx, rev); err != nil {
			if errors.Is(err, store.ErrDuplicate) {
				return conflict("这笔加减分已冲销过")
			}
			return err
		}
		if err := a.recordCorrections(ctx, q, act, touched, rev.Reason); err != nil {
			return err
		}
		return a.audit(ctx, q, act, "adjustment_reverse", fmt.Sprintf("adjustment:%d", rev.ID), domain.AuditOK,
			fmt.Sprintf("撤销加减分 %d（%s分）：%s", orig.ID, scoring.Format(orig.Points), reason))
	})
	if err != nil {
		return nil, err
	}
	return a.adjustment(ctx, rev.ID)
}

func (a *App) adjustment(ctx context.Context, id int64) (*domain.Adjustment, error) {
	adj, err := a.DB.Q().Adjustment(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNotFound
	}
	return adj, err
}

// Adjustments lists one page of a year's adjustments, newest first: every
// department's for the office and the bureau's leaders, their own for a
// department's users.
func (a *App) Adjustments(ctx context.Context, act *Actor, year int, dept string, pq PageQuery) (_ *Page[*domain.Adjustment], err error) {
	defer a.refused(ctx, act, "adjustment_list", fmt.Sprintf("year:%d", year), &err)
	if !act.Role.Can(domain.PermScore) {
		return nil, forbidden("无权查看加减分")
	}
	if act.Role.InDepartment() {
		if dept != "" && dept != act.Department {
			return nil, forbidden("只能查看本科室的加减分")
		}
		dept = act.Department
	}
	q := a.DB.Q()
	return paginate(pq, idKeys, func(x *domain.Adjustment) int64 { return x.ID }, func(from *int64, back bool, n int) ([]*domain.Adjustment, error) {
		var id int64
		if from != nil {
			id = *from
		}
		return q.Adjustments(ctx, year, dept, id, back, n)
	})
}

func categoryLabel(p *plan.Plan, code string) string {
	if c := p.Category(code); c != nil {
		return c.Label()
	}
	return "其他"
}
