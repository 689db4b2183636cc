package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"kexuan/domain"
	"kexuan/plan"
)

const policySelect = `SELECT id, level, issuer, doc_number, title, issued, summary, link, status, COALESCE(created_by, 0), created_at FROM policies`

func scanPolicy(row interface{ Scan(...any) error }) (*domain.Policy, error) {
	var p domain.Policy
	var level, issued, status, created string
	if err := row.Scan(&p.ID, &level, &p.Issuer, &p.DocNumber, &p.Title, &issued, &p.Summary, &p.Link, &status, &p.CreatedBy, &created); err != nil {
		return nil, err
	}
	d, err := plan.ParseDate(issued)
	if err != nil {
		return nil, err
	}
	p.Level, p.Issued, p.Repealed, p.CreatedAt = domain.PolicyLevel(level), d, status == "repealed", ParseTime(created)
	return &p, nil
}

// AddPolicy stores a policy of the library.
func (q *Q) AddPolicy(ctx context.Context, p *domain.Policy) error {
	status := "valid"
	if p.Repealed {
		status = "repealed"
	}
	var by sql.NullInt64
	if p.CreatedBy != 0 {
		by = sql.NullInt64{Int64: p.CreatedBy, Valid: true}
	}
	ts := q.now()
	id, err := insertID(ctx, q, `INSERT INTO policies (level, issuer, doc_number, title, issued, summary, link, status, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, string(p.Level), p.Issuer, p.DocNumber, p.Title, p.Issued.String(), p.Summary, p.Link, status, by, ts)
	p.ID, p.CreatedAt = id, ParseTime(ts)
	return err
}

// Policies lists the library by level (national first), then date.
func (q *Q) Policies(ctx context.Context) ([]*domain.Policy, error) {
	rows, err := q.c.QueryContext(ctx, policySelect+` ORDER BY `+policyRank+`, issued, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*domain.Policy
	for rows.Next() {
		p, err := scanPolicy(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PolicyKey is a policy's place in the library: level (national first),
// date of issue, id.
type PolicyKey struct {
	Rank   int
	Issued plan.Date
	ID     int64
}

const policyRank = `(CASE level WHEN 'national' THEN 1 WHEN 'provincial' THEN 2 WHEN 'city' THEN 3 ELSE 4 END)`

// KeyOfPolicy is p's key.
func KeyOfPolicy(p *domain.Policy) PolicyKey {
	rank := 4
	switch p.Level {
	case domain.LevelNational:
		rank = 1
	case domain.LevelProvincial:
		rank = 2
	case domain.LevelCity:
		rank = 3
	}
	return PolicyKey{Rank: rank, Issued: p.Issued, ID: p.ID}
}

// PolicyPage is up to limit policies after from in library order (before
// it when back; nil: from the start).
func (q *Q) PolicyPage(ctx context.Context, from *PolicyKey, back bool, limit int) ([]*domain.Policy, error) {
	var w filter
	order := " ORDER BY " + policyRank + ", issued, id"
	if from != nil {
		op := ">"
		if back {
			op, order = "<", " ORDER BY "+policyRank+" DESC, issued DESC, id DESC"
		}
		day := from.Issued.String()
		w.add("("+policyRank+" "+op+" ? OR "+policyRank+" = ? AND (issued "+op+" ? OR issued = ? AND id "+op+" ?))",
			from.Rank, from.Rank, day, day, from.ID)
	}
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	rows, err := q.c.QueryContext(ctx, policySelect+w.sql()+order+" LIMIT "+strconv.Itoa(limit), w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*domain.Policy
	for rows.Next() {
		p, err := scanPolicy(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if back {
		slices.Reverse(out)
	}
	return out, rows.Err()
}

// Policy returns one policy.
func (q *Q) Policy(ctx context.Context, id int64) (*domain.Policy, error) {
	p, err := scanPolicy(q.c.QueryRowContext(ctx, policySelect+` WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return p, err
}

// AddReach stores an enterprise reached and the policies explained.
func (q *Q) AddReach(ctx context.Context, r *domain.PolicyReach) error {
	dept, err := q.departmentID(ctx, r.Department)
	if err != nil {
		return err
	}
	ts := q.now()
	id, err := insertID(ctx, q, `INSERT INTO policy_reaches (enterprise_id, department_id, day, asked, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		r.Enterprise.ID, dept, r.Day.String(), r.Asked, r.CreatedBy, ts)
	if err != nil {
		return err
	}
	for _, p := range r.Policies {
		if _, err := q.c.ExecContext(ctx, `INSERT INTO policy_reach_items (reach_id, policy_id) VALUES ($1, $2)`, id, p.ID); err != nil {
			return err
		}
	}
	r.ID, r.CreatedAt = id, ParseTime(ts)
	return nil
}

// Reaches lists a year's reaches, newest first (at most limit), with their
// enterprises and policies.
func (q *Q) Reaches(ctx context.Context, from, to plan.Date, dept string, limit int) ([]*domain.PolicyReach, error) {
	day := q.d.dayAs("r.day")
	args := []any{from.String(), to.String()}
	where := "r.day >= $1 AND r.day <= $2"
	if dept != "" {
		args = append(args, dept)
		where += " AND d.code = $3"
	}
	rows, err := q.c.QueryContext(ctx, fmt.Sprintf(`SELECT r.id, d.code, d.name, %s, r.asked, r.created_by, COALESCE(u.display_name, ''), r.created_at,
		e.id, e.name, e.credit_code
		FROM policy_reaches r JOIN departments d ON d.id = r.department_id JOIN enterprises e ON e.id = r.enterprise_id
		LEFT JOIN users u ON u.id = r.created_by WHERE %s ORDER BY r.day DESC, r.id DESC LIMIT %d`, day, where, limit), args...)
	if err != nil {
		return nil, err
	}
	var out []*domain.PolicyReach
	byID := map[int64]*domain.PolicyReach{}
	for rows.Next() {
		r := &domain.PolicyReach{Enterprise: &domain.Enterprise{}}
		var d, created string
		if err := rows.Scan(&r.ID, &r.Department, &r.DeptName, &d, &r.Asked, &r.CreatedBy, &r.CreatedName, &created,
			&r.Enterprise.ID, &r.Enterprise.Name, &r.Enterprise.CreditCode); err != nil {
			rows.Close()
			return nil, err
		}
		if r.Day, err = plan.ParseDate(d); err != nil {
			rows.Close()
			return nil, err
		}
		r.CreatedAt = ParseTime(created)
		out = append(out, r)
		byID[r.ID] = r
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	var w filter
	ph := make([]string, 0, len(out))
	for _, r := range out {
		ph = append(ph, w.arg(r.ID))
	}
	rows, err = q.c.QueryContext(ctx, `SELECT i.reach_id, p.id, p.title, p.doc_number FROM policy_reach_items i JOIN policies p ON p.id = i.policy_id
		WHERE i.reach_id IN (`+strings.Join(ph, ",")+`) ORDER BY i.reach_id, p.id`, w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var rid int64
		var p domain.Policy
		if err := rows.Scan(&rid, &p.ID, &p.Title, &p.DocNumber); err != nil {
			return nil, err
		}
		byID[rid].Policies = append(byID[rid].Policies, &p)
	}
	return out, rows.Err()
}

// ReachProgress counts, within days, the distinct enterprises reached in
// all and per department code (an enterprise reached by two departments
// counts for each, once in all).
func (q *Q) ReachProgress(ctx context.Context, from, to plan.Date) (int, map[string]int, error) {
	var total int
	if err := q.c.QueryRowContext(ctx, `SELECT count(DISTINCT enterprise_id) FROM policy_reaches WHERE day >= $1 AND day <= $2`,
		from.String(), to.String()).Scan(&total); err != nil {
		return 0, nil, err
	}
	rows, err := q.c.QueryContext(ctx, `SELECT d.code, count(DISTINCT r.enterprise_id) FROM policy_reaches r JOIN departments d ON d.id = r.department_id
		WHERE r.day >= $1 AND r.day <= $2 GROUP BY d.code`, from.String(), to.String())
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	per := map[string]int{}
	for rows.Next() {
		var code string
		var n int
		if err := rows.Scan(&code, &n); err != nil {
			return 0, nil, err
		}
		per[code] = n
	}
	return total, per, rows.Err()
}
