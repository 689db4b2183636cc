package app

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"kexuan/domain"
	"kexuan/plan"
	"kexuan/report"
	"kexuan/scoring"
	"kexuan/store"
)

// correctionFields are the figures of a department compared with a closed
// period's snapshot.
var correctionFields = []string{"task_score", "bonus", "deduction", "adjustment", "total", "rank"}

func figures(d *scoring.Department) map[string]float64 {
	return map[string]float64{"task_score": d.TaskScore, "bonus": d.Bonus, "deduction": d.Deduction,
		"adjustment": d.Adjustment, "total": d.Total, "rank": float64(d.Rank)}
}

// ParsePeriod reads "2017-03" (a month) or "2017" (a year) and returns its
// year and last day.
func ParsePeriod(s string) (year int, last plan.Date, err error) {
	if m, err := plan.ParseMonth(s); err == nil {
		return m.Year, m.Last(), nil
	}
	if y, err := strconv.Atoi(s); err == nil && y >= 2000 && y <= 2999 && len(s) == 4 {
		return y, plan.Date{Year: y, Month: 12, Day: 31}, nil
	}
	return 0, plan.Date{}, invalid("period", "结账期 %q 不对：应为月份 2017-03 或年度 2017", s)
}

// scoreIn computes a plan year's report as of a day inside a transaction,
// so that a change and what it does to a closed period are one.
func scoreIn(ctx context.Context, q *store.Q, p *plan.Plan, asOf plan.Date, ledger bool) (*scoring.Result, error) {
	entries, err := q.Entries(ctx, p, asOf)
	if err != nil {
		return nil, err
	}
	adj, err := q.ScoreAdjustments(ctx, p, asOf)
	if err != nil {
		return nil, err
	}
	return scoring.Score(p, asOf, entries, scoring.Options{Adjustments: adj, NoLedger: !ledger}), nil
}

// ClosePeriod closes a month ("2017-03") or a year ("2017") once it is over:
// the report as of its last day, ledger included, is frozen as its snapshot.
// The office, or the command line (act nil); audited.
func (a *App) ClosePeriod(ctx context.Context, act *Actor, period, reason string) (_ *domain.Period, err error) {
	if act != nil {
		defer a.refused(ctx, act, "period_close", "period:"+domain.Clip(period, 20), &err)
		if !act.Role.Can(domain.PermAdjust) {
			return nil, forbidden("只有办公室可以结账")
		}
	}
	year, last, err := ParsePeriod(period)
	if err != nil {
		return nil, err
	}
	pl, err := a.Plan(ctx, year)
	if err != nil {
		return nil, invalid("period", "%d 年没有考核方案", year)
	}
	if !a.Today(pl.Location()).After(last) {
		return nil, invalid("period", "%s 尚未结束，不能结账", period)
	}
	if err := checkText("reason", &reason, MaxReason); err != nil {
		return nil, err
	}
	per := &domain.Period{Period: period, Year: year, LastDay: last, Reason: reason}
	if act != nil {
		per.ClosedBy, per.ClosedName = act.ID, act.DisplayName
	} else {
		per.ClosedName = "命令行"
	}
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		res, err := scoreIn(ctx, q, pl, last, true)
		if err != nil {
			return err
		}
		var b bytes.Buffer
		if err := report.JSON(&b, res); err != nil {
			return err
		}
		per.Snapshot = b.String()
		if err := q.ClosePeriod(ctx, per); err != nil {
			if errors.Is(err, store.ErrDuplicate) {
				return conflict("%s 已经结账", period)
			}
			return err
		}
		if _, err := plan.ParseMonth(period); err == nil {
			if err := a.noticeClosed(ctx, q, act, per, res); err != nil {
				return err
			}
		}
		return a.audit(ctx, q, act, "period_close", "period:"+period, domain.AuditOK, reason)
	})
	return per, err
}

// ReopenPeriod reopens a closed period: the chief only, with a reason;
// audited. Its snapshot and corrections stay on record.
func (a *App) ReopenPeriod(ctx context.Context, act *Actor, period, reason string) (err error) {
	defer a.refused(ctx, act, "period_reopen", "period:"+domain.Clip(period, 20), &err)
	if act.Role != domain.Chief {
		return forbidden("只有主要领导可以重新打开已结账的期间")
	}
	if err := checkText("reason", &reason, MaxReason); err != nil {
		return err
	}
	if reason == "" {
		return invalid("reason", "重新打开需写明理由")
	}
	return a.DB.InTx(ctx, func(q *store.Q) error {
		per, err := q.ClosedPeriod(ctx, period)
		if errors.Is(err, store.ErrNotFound) {
			return conflict("%s 没有结账", period)
		}
		if err != nil {
			return err
		}
		if err := q.ReopenPeriod(ctx, per.ID, act.ID, reason); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return conflict("%s 已被他人重新打开", period)
			}
			return err
		}
		return a.audit(ctx, q, act, "period_reopen", "period:"+period, domain.AuditOK, reason)
	})
}

// PeriodDetail is a closed period with its snapshot and corrections.
type PeriodDetail struct {
	*domain.Period
	Report      *scoring.Result
	Corrections []*domain.Correction
}

// Period returns a closed period (PermScore).
func (a *App) Period(ctx context.Context, act *Actor, period string) (*PeriodDetail, error) {
	if act != nil && !act.Role.Can(domain.PermScore) {
		return nil, forbidden("无权查看")
	}
	if _, _, err := ParsePeriod(period); err != nil {
		return nil, err
	}
	q := a.DB.Q()
	per, err := q.ClosedPeriod(ctx, period)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	corrections, err := q.Corrections(ctx, per.ID)
	if err != nil {
		return nil, err
	}
	return ClosedDetail(act, per, corrections)
}

// ClosedDetail is a period's detail as act may see it, from the period as
// closed (ClosePeriod's answer: a period just closed may be reopened by
// someone else before it is read again) and its corrections.
func ClosedDetail(act *Actor, per *domain.Period, corrections []*domain.Correction) (*PeriodDetail, error) {
	d := &PeriodDetail{Period: per, Report: &scoring.Result{}, Corrections: corrections}
	if err := json.Unmarshal([]byte(per.Snapshot), d.Report); err != nil {
		return nil, fmt.Errorf("period %s: snapshot: %w", per.Period, err)
	}
	if act != nil {
		// Totals for everyone; ledgers and the corrections' reasons for
		// those who may see the department's detail (visibility.go).
		d.Report = VisibleResult(act.User, d.Report)
		d.Corrections = visibleCorrections(act.User, d.Corrections)
	}
	return d, nil
}

// touchClosed returns the closed periods a change dated day alters (those
// of its year ending on or after it); the change then needs a reason.
func (a *App) touchClosed(ctx context.Context, q *store.Q, day plan.Date, reason string) ([]*domain.Period, error) {
	ps, err := q.ClosedPeriods(ctx, day.Year, day)
	if err != nil || len(ps) == 0 {
		return nil, err
	}
	if reason == "" {
		return nil, invalid("reason", "%s 已结账：改动结账期内的记录需写明理由，改动将作为更正列出", ps[0].Period)
	}
	return ps, nil
}

// recordCorrections compares each touched period's figures, recomputed in
// the change's transaction, with its snapshot as corrected so far, and
// records every difference as a correction with the change's reason.
func (a *App) recordCorrections(ctx context.Context, q *store.Q, act *Actor, ps []*domain.Period, reason string) error {
	_, err := a.correct(ctx, q, act, ps, reason)
	return err
}

// Corrected is a correction and the period it corrects.
type Corrected struct {
	Period         string // "2017-03", "2017"
	DepartmentName string
	*domain.Correction
}

// String says it as the command line prints it: 2017-03 高新科 总分 12.5 → 13.
func (c Corrected) String() string {
	return fmt.Sprintf("%s %s %s %s → %s", c.Period, cmp.Or(c.DepartmentName, c.Department), cmp.Or(domain.CorrectionFieldNames[c.Field], c.Field),
		strconv.FormatFloat(c.Before, 'f', -1, 64), strconv.FormatFloat(c.After, 'f', -1, 64))
}

// correct is recordCorrections, returning what it recorded.
func (a *App) correct(ctx context.Context, q *store.Q, act *Actor, ps []*domain.Period, reason string) (out []Corrected, err error) {
	for _, per := range ps {
		pl, err := a.planIn(ctx, q, per.Year)
		if err != nil {
			return nil, err
		}
		var snap scoring.Result
		if err := json.Unmarshal([]byte(per.Snapshot), &snap); err != nil {
			return nil, fmt.Errorf("period %s: snapshot: %w", per.Period, err)
		}
		current := map[string]map[string]float64{}
		for i := range snap.Departments {
			current[snap.Departments[i].Code] = figures(&snap.Departments[i])
		}
		prior, err := q.Corrections(ctx, per.ID)
		if err != nil {
			return nil, err
		}
		for _, c := range prior {
			if current[c.Department] == nil {
				current[c.Department] = map[string]float64{}
			}
			current[c.Department][c.Field] = c.After
		}
		now, err := scoreIn(ctx, q, pl, per.LastDay, false)
		if err != nil {
			return nil, err
		}
		for i := range now.Departments {
			d := &now.Departments[i]
			after := figures(d)
			for _, f := range correctionFields {
				before := current[d.Code][f]
				if before == after[f] {
					continue
				}
				c := &domain.Correction{PeriodID: per.ID, Department: d.Code, Field: f, Before: before, After: after[f], Reason: reason}
				if act != nil && act.User != nil {
					c.ByUser, c.ByName = act.ID, act.DisplayName
				} else {
					c.ByName = "命令行"
				}
				if err := q.AddCorrection(ctx, c); err != nil {
					return nil, err
				}
				out = append(out, Corrected{Period: per.Period, DepartmentName: d.Name, Correction: c})
			}
		}
	}
	return out, nil
}
