package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"kexuan/domain"
	"kexuan/plan"
)

// VisitKey is a position in a visit list (newest day first, then id).
type VisitKey struct {
	Day string
	ID  int64
}

// AddVisit stores a visit and the enterprises visited.
func (q *Q) AddVisit(ctx context.Context, v *domain.Visit) error {
	dept, err := q.departmentID(ctx, v.Department)
	if err != nil {
		return err
	}
	ts := q.now()
	id, err := insertID(ctx, q, `INSERT INTO visits (department_id, day, people, park, needs, problems, highlights, follow_up, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		dept, v.Day.String(), strings.Join(v.People, "\n"), v.Park, v.Needs, v.Problems, v.Highlights, v.FollowUp, v.CreatedBy, ts)
	if err != nil {
		return err
	}
	for _, e := range v.Enterprises {
		if _, err := q.c.ExecContext(ctx, `INSERT INTO visit_enterprises (visit_id, enterprise_id) VALUES ($1, $2)`, id, e.ID); err != nil {
			return err
		}
	}
	v.ID, v.CreatedAt = id, ParseTime(ts)
	return nil
}

func (q *Q) visitSelect() string {
	return fmt.Sprintf(`SELECT v.id, d.code, d.name, %s, v.people, v.park, v.needs, v.problems, v.highlights, v.follow_up, v.created_by,
		COALESCE(u.display_name, ''), v.created_at
		FROM visits v JOIN departments d ON d.id = v.department_id LEFT JOIN users u ON u.id = v.created_by`, q.d.dayAs("v.day"))
}

// Visits lists at most limit visits matching f, newest first, after a key
// (before it when back), with the enterprises of each.
func (q *Q) Visits(ctx context.Context, f domain.VisitFilter, from *VisitKey, back bool, limit int) ([]*domain.Visit, error) {
	var w filter
	if f.Departments != nil {
		if len(f.Departments) == 0 {
			return nil, nil
		}
		w.in("d.code", f.Departments, false)
	}
	if f.From != (plan.Date{}) {
		w.add("v.day >= ?", f.From.String())
	}
	if f.To != (plan.Date{}) {
		w.add("v.day <= ?", f.To.String())
	}
	order := " ORDER BY v.day DESC, v.id DESC"
	if from != nil {
		op := "<"
		if back {
			op, order = ">", " ORDER BY v.day ASC, v.id ASC"
		}
		w.add("(v.day "+op+" ? OR v.day = ? AND v.id "+op+" ?)", from.Day, from.Day, from.ID)
	}
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	rows, err := q.c.QueryContext(ctx, q.visitSelect()+w.sql()+order+" LIMIT "+strconv.Itoa(limit), w.args...)
	if err != nil {
		return nil, err
	}
	var out []*domain.Visit
	for rows.Next() {
		var v domain.Visit
		var day, people, created string
		if err := rows.Scan(&v.ID, &v.Department, &v.DeptName, &day, &people, &v.Park, &v.Needs, &v.Problems, &v.Highlights, &v.FollowUp,
			&v.CreatedBy, &v.CreatedName, &created); err != nil {
			rows.Close()
			return nil, err
		}
		if v.Day, err = plan.ParseDate(day); err != nil {
			rows.Close()
			return nil, err
		}
		if people != "" {
			v.People = strings.Split(people, "\n")
		}
		v.CreatedAt = ParseTime(created)
		out = append(out, &v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if back {
		slices.Reverse(out)
	}
	return out, q.visitEnterprises(ctx, out)
}

// visitEnterprises fills the enterprises of visits, in one query.
func (q *Q) visitEnterprises(ctx context.Context, vs []*domain.Visit) error {
	if len(vs) == 0 {
		return nil
	}
	byID := map[int64]*domain.Visit{}
	var w filter
	ph := make([]string, len(vs))
	for i, v := range vs {
		byID[v.ID] = v
		ph[i] = w.arg(v.ID)
	}
	w.where = append(w.where, "x.visit_id IN ("+strings.Join(ph, ",")+")")
	rows, err := q.c.QueryContext(ctx, `SELECT x.visit_id, e.id, e.name, e.credit_code FROM visit_enterprises x JOIN enterprises e ON e.id = x.enterprise_id`+
		w.sql()+` ORDER BY x.visit_id, e.name`, w.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var vid int64
		var e domain.Enterprise
		if err := rows.Scan(&vid, &e.ID, &e.Name, &e.CreditCode); err != nil {
			return err
		}
		byID[vid].Enterprises = append(byID[vid].Enterprises, &e)
	}
	return rows.Err()
}

// VisitCounts counts visits per department code and month ("2017-03")
// within days.
func (q *Q) VisitCounts(ctx context.Context, from, to plan.Date) (map[string]map[string]int, error) {
	month := "substr(v.day, 1, 7)"
	if q.d == postgresDialect {
		month = "to_char(v.day, 'YYYY-MM')"
	}
	rows, err := q.c.QueryContext(ctx, `SELECT d.code, `+month+`, count(*) FROM visits v JOIN departments d ON d.id = v.department_id
		WHERE v.day >= $1 AND v.day <= $2 GROUP BY d.code, `+month, from.String(), to.String())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string]int{}
	for rows.Next() {
		var code, m string
		var n int
		if err := rows.Scan(&code, &m, &n); err != nil {
			return nil, err
		}
		if out[code] == nil {
			out[code] = map[string]int{}
		}
		out[code][m] = n
	}
	return out, rows.Err()
}
