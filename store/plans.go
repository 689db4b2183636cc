package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"kexuan/plan"
)

// SavePlan stores a validated plan (replacing that year's plan, if any) and
// adds or renames its departments, in one transaction.
func (s *DB) SavePlan(ctx context.Context, p *plan.Plan, source []byte) error {
	return s.InTx(ctx, func(q *Q) error { return q.SavePlan(ctx, p, source) })
}

// SavePlan is DB.SavePlan inside a caller's transaction (with its audit row).
func (q *Q) SavePlan(ctx context.Context, p *plan.Plan, source []byte) error {
	if _, err := q.c.ExecContext(ctx, `
		INSERT INTO plans (year, document_number, title, source, loaded_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (year) DO UPDATE SET document_number = excluded.document_number, title = excluded.title,
			source = excluded.source, loaded_at = excluded.loaded_at`,
		p.Year, p.DocumentNumber, p.Title, string(source), q.wallc().UTC().Format(time.RFC3339Nano)); err != nil {
		return fmt.Errorf("保存方案：%w", err)
	}
	for _, d := range p.Departments {
		if _, err := q.c.ExecContext(ctx, `
			INSERT INTO departments (code, name) VALUES ($1, $2)
			ON CONFLICT (code) DO UPDATE SET name = excluded.name`, d.Code, d.Name); err != nil {
			return fmt.Errorf("保存科室 %s：%w", d.Code, err)
		}
	}
	// The year's tiers may have moved: its score aggregate is rebuilt.
	return q.RebuildYear(ctx, p)
}

// Plan returns the plan of a year. Plans are cached by (year, loaded_at):
// a page asks for the plan on nearly every request, and only the small
// stamp is read unless the plan was loaded or replaced since (by this
// server or another on the same PostgreSQL).
func (s *DB) Plan(ctx context.Context, year int) (*plan.Plan, error) {
	return s.planOn(ctx, s.sql, year)
}

// Plan is DB.Plan inside the caller's transaction (through its connection,
// never the pool's).
func (q *Q) Plan(ctx context.Context, year int) (*plan.Plan, error) {
	return q.db.planOn(ctx, q.c, year)
}

// Plans is DB.Plans inside the caller's transaction.
func (q *Q) Plans(ctx context.Context) ([]*plan.Plan, error) { return q.db.plansOn(ctx, q.c) }

func (s *DB) planOn(ctx context.Context, c conn, year int) (*plan.Plan, error) {
	var loaded string
	err := c.QueryRowContext(ctx, `SELECT loaded_at FROM plans WHERE year = $1`, year).Scan(&loaded)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%d 年没有考核方案：用 kexuan plan load 载入：%w", year, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	key := planKey{year, loaded}
	if p, ok := s.byStamp.Load(key); ok {
		return p.(*plan.Plan), nil
	}
	var src string
	if err := c.QueryRowContext(ctx, `SELECT source FROM plans WHERE year = $1 AND loaded_at = $2`, year, loaded).Scan(&src); err != nil {
		if errors.Is(err, sql.ErrNoRows) { // replaced in between: read it again
			return s.planOn(ctx, c, year)
		}
		return nil, err
	}
	p, err := s.parsePlan(year, src)
	if err != nil {
		return nil, err
	}
	s.byStamp.Store(key, p)
	return p, nil
}

type planKey struct {
	year   int
	loaded string
}

// Plans returns every stored plan, oldest year first, through the same
// (year, loaded_at) cache as Plan: only the stamps are read.
func (s *DB) Plans(ctx context.Context) ([]*plan.Plan, error) { return s.plansOn(ctx, s.sql) }

func (s *DB) plansOn(ctx context.Context, c conn) ([]*plan.Plan, error) {
	rows, err := c.QueryContext(ctx, `SELECT year, loaded_at FROM plans ORDER BY year`)
	if err != nil {
		return nil, err
	}
	var keys []planKey
	for rows.Next() {
		var k planKey
		if err := rows.Scan(&k.year, &k.loaded); err != nil {
			rows.Close()
			return nil, err
		}
		keys = append(keys, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// One query for every stamp; a plan is read whole only when its stamp
	// is new to this server.
	var out []*plan.Plan
	for _, k := range keys {
		if p, ok := s.byStamp.Load(k); ok {
			out = append(out, p.(*plan.Plan))
			continue
		}
		p, err := s.planOn(ctx, c, k.year)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// departmentIDs maps department codes to row ids.
func departmentIDs(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) (map[string]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, code FROM departments`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]int64{}
	for rows.Next() {
		var id int64
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			return nil, err
		}
		m[code] = id
	}
	return m, rows.Err()
}

// parsePlan parses a stored plan once per distinct text: pages ask for the
// plan on nearly every request. Keyed by the text itself, the cache stays
// right when another server (on PostgreSQL) loads a new plan. Plans are
// read-only once parsed, so the same value is shared.
func (s *DB) parsePlan(year int, src string) (*plan.Plan, error) {
	if p, ok := s.plans.Load(src); ok {
		return p.(*plan.Plan), nil
	}
	p, err := plan.Parse(fmt.Sprintf("db:plans/%d", year), []byte(src))
	if err != nil {
		return nil, err
	}
	s.plans.Store(src, p)
	return p, nil
}
