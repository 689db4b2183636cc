package store

import (
	"context"
	"fmt"
	"strings"
)

// auditTitleSQL is, per kind of audited object, how to read the title of
// several at once: the object's own name beside its id in the audit trail.
var auditTitleSQL = map[string]string{
	"piece":          `SELECT id, title FROM pieces WHERE id IN (%s)`,
	"publication":    `SELECT id, title FROM publications WHERE id IN (%s)`,
	"user":           `SELECT id, display_name || '（' || username || '）' FROM users WHERE id IN (%s)`,
	"enterprise":     `SELECT id, name FROM enterprises WHERE id IN (%s)`,
	"policy":         `SELECT id, title FROM policies WHERE id IN (%s)`,
	"commission":     `SELECT id, title FROM commissions WHERE id IN (%s)`,
	"calendar_event": `SELECT id, title FROM calendar_events WHERE id IN (%s)`,
	"journal":        `SELECT id, CAST(year AS TEXT) || '年第' || CAST(number AS TEXT) || '期' FROM journal_issues WHERE id IN (%s)`,
	"visit":          `SELECT v.id, v.day || ' ' || d.name FROM visits v JOIN departments d ON d.id = v.department_id WHERE v.id IN (%s)`,
	"adjustment":     `SELECT a.id, a.day || ' ' || d.name FROM adjustments a JOIN departments d ON d.id = a.department_id WHERE a.id IN (%s)`,
}

// AuditTitles reads the titles of audited objects, given by kind and id
// ("piece" → [12, 40]); an object deleted since keeps no title.
func (q *Q) AuditTitles(ctx context.Context, ids map[string][]int64) (map[string]map[int64]string, error) {
	out := map[string]map[int64]string{}
	for kind, list := range ids {
		sqlText, ok := auditTitleSQL[kind]
		if !ok || len(list) == 0 {
			continue
		}
		args := make([]any, len(list))
		marks := make([]string, len(list))
		for i, id := range list {
			args[i], marks[i] = id, fmt.Sprintf("$%d", i+1)
		}
		rows, err := q.c.QueryContext(ctx, fmt.Sprintf(sqlText, strings.Join(marks, ", ")), args...)
		if err != nil {
			return nil, fmt.Errorf("audit titles of %s: %w", kind, err)
		}
		m := map[int64]string{}
		for rows.Next() {
			var id int64
			var title string
			if err := rows.Scan(&id, &title); err != nil {
				rows.Close()
				return nil, err
			}
			m[id] = title
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		out[kind] = m
	}
	return out, nil
}
