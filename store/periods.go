package store

import (
	"context"
	"database/sql"

	"kexuan/domain"
	"kexuan/plan"
)

const periodColumns = `id, period, year, last_day, closed_at, COALESCE(closed_by, 0), closed_name, reason, snapshot,
	COALESCE(reopened_at, ''), COALESCE(reopened_by, 0), reopen_reason`

func scanPeriods(rows *sql.Rows) ([]*domain.Period, error) {
	defer rows.Close()
	var out []*domain.Period
	for rows.Next() {
		var p domain.Period
		var last, closed, reopened string
		if err := rows.Scan(&p.ID, &p.Period, &p.Year, &last, &closed, &p.ClosedBy, &p.ClosedName, &p.Reason, &p.Snapshot,
			&reopened, &p.ReopenedBy, &p.ReopenReason); err != nil {
			return nil, err
		}
		var err error
		if p.LastDay, err = plan.ParseDate(last); err != nil {
			return nil, err
		}
		p.ClosedAt = ParseTime(closed)
		if reopened != "" {
			p.ReopenedAt = ParseTime(reopened)
		}
		out = append(out, &p)
	}
	return out, rows.Err()
}

// ClosePeriod stores a closed period; ErrDuplicate when it is closed already.
func (q *Q) ClosePeriod(ctx context.Context, p *domain.Period) error {
	ts := q.now()
	id, err := insertID(ctx, q, `INSERT INTO periods (period, year, last_day, closed_at, closed_by, closed_name, reason, snapshot)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, p.Period, p.Year, p.LastDay.String(), ts, nullID(p.ClosedBy), p.ClosedName, p.Reason, p.Snapshot)
	if err != nil {
		if isUnique(err) {
			return ErrDuplicate
		}
		return err
	}
	p.ID, p.ClosedAt = id, ParseTime(ts)
	return nil
}

// ReopenPeriod stamps a closed period reopened; ErrConflict when it is not
// closed.
func (q *Q) ReopenPeriod(ctx context.Context, id, by int64, reason string) error {
	return q.execOne(ctx, ErrConflict, `UPDATE periods SET reopened_at = $1, reopened_by = $2, reopen_reason = $3 WHERE id = $4 AND reopened_at IS NULL`,
		q.now(), by, reason, id)
}

// ClosedPeriod returns the closed (not reopened) period of that name.
func (q *Q) ClosedPeriod(ctx context.Context, period string) (*domain.Period, error) {
	rows, err := q.c.QueryContext(ctx, `SELECT `+periodColumns+` FROM periods WHERE period = $1 AND reopened_at IS NULL`, period)
	if err != nil {
		return nil, err
	}
	ps, err := scanPeriods(rows)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, ErrNotFound
	}
	return ps[0], nil
}

// ClosedPeriods lists a year's closed periods whose last day is on or after
// day (those a change dated day touches), by last day.
func (q *Q) ClosedPeriods(ctx context.Context, year int, day plan.Date) ([]*domain.Period, error) {
	rows, err := q.c.QueryContext(ctx, `SELECT `+periodColumns+` FROM periods WHERE year = $1 AND last_day >= $2 AND reopened_at IS NULL ORDER BY last_day, id`,
		year, day.String())
	if err != nil {
		return nil, err
	}
	return scanPeriods(rows)
}

// AddCorrection records a change to a closed period's figure.
func (q *Q) AddCorrection(ctx context.Context, c *domain.Correction) error {
	ts := q.now()
	id, err := insertID(ctx, q, `INSERT INTO corrections (period_id, department, field, before, after, reason, at, by_user, by_name)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, c.PeriodID, c.Department, c.Field, c.Before, c.After, c.Reason, ts, nullID(c.ByUser), c.ByName)
	c.ID, c.At = id, ParseTime(ts)
	return err
}

// Corrections lists a period's corrections in the order they were made.
func (q *Q) Corrections(ctx context.Context, periodID int64) ([]*domain.Correction, error) {
	rows, err := q.c.QueryContext(ctx, `SELECT id, period_id, department, field, before, after, reason, at, COALESCE(by_user, 0), by_name
		FROM corrections WHERE period_id = $1 ORDER BY id`, periodID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*domain.Correction
	for rows.Next() {
		var c domain.Correction
		var at string
		if err := rows.Scan(&c.ID, &c.PeriodID, &c.Department, &c.Field, &c.Before, &c.After, &c.Reason, &at, &c.ByUser, &c.ByName); err != nil {
			return nil, err
		}
		c.At = ParseTime(at)
		out = append(out, &c)
	}
	return out, rows.Err()
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// ClosedThrough gives, per year, the last day of its latest closed period.
func (s *DB) ClosedThrough(ctx context.Context) (map[int]plan.Date, error) {
	return s.Q().ClosedThrough(ctx)
}

// ClosedThrough is DB.ClosedThrough, in q's transaction.
func (q *Q) ClosedThrough(ctx context.Context) (map[int]plan.Date, error) {
	rows, err := q.c.QueryContext(ctx, `SELECT year, max(last_day) FROM periods WHERE reopened_at IS NULL GROUP BY year`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int]plan.Date{}
	for rows.Next() {
		var y int
		var last string
		if err := rows.Scan(&y, &last); err != nil {
			return nil, err
		}
		d, err := plan.ParseDate(last)
		if err != nil {
			return nil, err
		}
		out[y] = d
	}
	return out, rows.Err()
}
