package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strconv"

	"kexuan/domain"
	"kexuan/plan"
	"kexuan/scoring"
)

// AddAdjustment records a 加减分 and moves the score version (reports are
// recomputed). ErrDuplicate when a.Reverses was already reversed.
func (q *Q) AddAdjustment(ctx context.Context, a *domain.Adjustment) error {
	dept, err := q.departmentID(ctx, a.Department)
	if err != nil {
		return wrap("科室 "+a.Department, err)
	}
	halves := math.Round(a.Points * 2)
	if halves == 0 || halves != a.Points*2 {
		return fmt.Errorf("adjustment of %v points: not a non-zero multiple of 0.5", a.Points)
	}
	var reverses sql.NullInt64
	if a.Reverses != 0 {
		reverses = sql.NullInt64{Int64: a.Reverses, Valid: true}
	}
	ts := q.now()
	id, err := insertID(ctx, q, `INSERT INTO adjustments (department_id, day, half_points, category, reason, reverses, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, dept, a.Day.String(), int64(halves), a.Category, a.Reason, reverses, a.CreatedBy, ts)
	if err != nil {
		if isUnique(err) {
			return ErrDuplicate
		}
		return err
	}
	a.ID, a.CreatedAt = id, ParseTime(ts)
	return q.exec(ctx, `UPDATE score_version SET v = v + 1`)
}

func (q *Q) adjustmentSelect() string {
	return `SELECT a.id, d.code, d.name, ` + q.d.dayAs("a.day") + `, a.half_points, a.category, a.reason,
		COALESCE(a.reverses, 0), COALESCE((SELECT r.id FROM adjustments r WHERE r.reverses = a.id), 0),
		COALESCE(a.created_by, 0), COALESCE(u.display_name, ''), a.created_at
		FROM adjustments a JOIN departments d ON d.id = a.department_id LEFT JOIN users u ON u.id = a.created_by`
}

func scanAdjustments(rows *sql.Rows) ([]*domain.Adjustment, error) {
	defer rows.Close()
	var out []*domain.Adjustment
	for rows.Next() {
		var a domain.Adjustment
		var day, created string
		var halves int64
		if err := rows.Scan(&a.ID, &a.Department, &a.DepartmentName, &day, &halves, &a.Category, &a.Reason, &a.Reverses, &a.ReversedBy,
			&a.CreatedBy, &a.CreatedByName, &created); err != nil {
			return nil, err
		}
		var err error
		if a.Day, err = plan.ParseDate(day); err != nil {
			return nil, fmt.Errorf("adjustment %d: %w", a.ID, err)
		}
		a.Points = float64(halves) / 2
		a.CreatedAt = ParseTime(created)
		out = append(out, &a)
	}
	return out, rows.Err()
}

// Adjustment returns one adjustment.
func (q *Q) Adjustment(ctx context.Context, id int64) (*domain.Adjustment, error) {
	rows, err := q.c.QueryContext(ctx, q.adjustmentSelect()+` WHERE a.id = $1`, id)
	if err != nil {
		return nil, err
	}
	as, err := scanAdjustments(rows)
	if err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return nil, ErrNotFound
	}
	return as[0], nil
}

// Adjustments lists at most limit adjustments of a year (one department
// when dept is set), newest first, older than the id from (newer when back).
func (q *Q) Adjustments(ctx context.Context, year int, dept string, from int64, back bool, limit int) ([]*domain.Adjustment, error) {
	var w filter
	w.add("a.day >= ? AND a.day <= ?", plan.Date{Year: year, Month: 1, Day: 1}.String(), plan.Date{Year: year, Month: 12, Day: 31}.String())
	if dept != "" {
		w.add("d.code = ?", dept)
	}
	order := " ORDER BY a.id DESC"
	if from != 0 {
		op := "<"
		if back {
			op, order = ">", " ORDER BY a.id ASC"
		}
		w.add("a.id "+op+" ?", from)
	}
	rows, err := q.c.QueryContext(ctx, q.adjustmentSelect()+w.sql()+order+" LIMIT "+strconv.Itoa(limit), w.args...)
	if err != nil {
		return nil, err
	}
	out, err := scanAdjustments(rows)
	if back {
		slices.Reverse(out)
	}
	return out, err
}

// ScoreAdjustments are a plan year's adjustments up to asOf, as the engine
// takes them.
func (s *DB) ScoreAdjustments(ctx context.Context, p *plan.Plan, asOf plan.Date) ([]scoring.Adjustment, error) {
	return s.Q().ScoreAdjustments(ctx, p, asOf)
}

// ScoreAdjustments is DB.ScoreAdjustments inside a transaction (or not).
func (q *Q) ScoreAdjustments(ctx context.Context, p *plan.Plan, asOf plan.Date) ([]scoring.Adjustment, error) {
	last := lastDay(p, asOf)
	rows, err := q.c.QueryContext(ctx, `SELECT a.id, d.code, `+q.d.dayAs("a.day")+`, a.half_points, a.category, a.reason
		FROM adjustments a JOIN departments d ON d.id = a.department_id WHERE a.day >= $1 AND a.day <= $2 ORDER BY a.day, a.id`,
		p.Start().String(), last.String())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []scoring.Adjustment
	for rows.Next() {
		var a scoring.Adjustment
		var day string
		var halves int64
		if err := rows.Scan(&a.Ref, &a.Department, &day, &halves, &a.Category, &a.Reason); err != nil {
			return nil, err
		}
		if a.Date, err = plan.ParseDate(day); err != nil {
			return nil, fmt.Errorf("adjustment %d: %w", a.Ref, err)
		}
		a.Points = float64(halves) / 2
		out = append(out, a)
	}
	return out, rows.Err()
}
