package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"

	"kexuan/domain"
)

// EnterpriseKey is a position in the enterprises list (by name, then id).
type EnterpriseKey struct {
	Name string
	ID   int64
}

// ErrCreditCodeTaken is returned when an enterprise with the credit code
// already exists; Existing says which.
type ErrCreditCodeTaken struct{ Existing *domain.Enterprise }

func (e *ErrCreditCodeTaken) Error() string { return "credit code taken by " + e.Existing.Name }

// ErrNameTaken is returned when an enterprise of the name is registered
// under another credit code; Existing says which.
type ErrNameTaken struct{ Existing *domain.Enterprise }

func (e *ErrNameTaken) Error() string { return "name taken by " + e.Existing.CreditCode }

const enterpriseSelect = `SELECT e.id, e.name, e.credit_code, COALESCE(k.name, ''), e.address, e.contact, e.phone, e.industry, COALESCE(e.created_by, 0), e.created_at
	FROM enterprises e LEFT JOIN parks k ON k.id = e.park_id`

func scanEnterprise(row interface{ Scan(...any) error }) (*domain.Enterprise, error) {
	var e domain.Enterprise
	var created string
	if err := row.Scan(&e.ID, &e.Name, &e.CreditCode, &e.Park, &e.Address, &e.Contact, &e.Phone, &e.Industry, &e.CreatedBy, &created); err != nil {
		return nil, err
	}
	e.CreatedAt = ParseTime(created)
	return &e, nil
}

// parkID finds a park by name, adding it when new ("" is no park).
func (q *Q) parkID(ctx context.Context, name string) (sql.NullInt64, error) {
	if name == "" {
		return sql.NullInt64{}, nil
	}
	var id int64
	err := q.c.QueryRowContext(ctx, `SELECT id FROM parks WHERE name = $1`, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		id, err = insertID(ctx, q, `INSERT INTO parks (name) VALUES ($1)`, name)
	}
	if err != nil {
		return sql.NullInt64{}, err
	}
	return sql.NullInt64{Int64: id, Valid: true}, nil
}

// AddEnterprise stores a new enterprise (its credit code already checked);
// a code already known gives *ErrCreditCodeTaken, a name known under
// another code *ErrNameTaken.
func (q *Q) AddEnterprise(ctx context.Context, e *domain.Enterprise) error {
	if old, err := q.EnterpriseByCode(ctx, e.CreditCode); err == nil {
		return &ErrCreditCodeTaken{Existing: old}
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	if old, err := scanEnterprise(q.c.QueryRowContext(ctx, enterpriseSelect+` WHERE e.name = $1 ORDER BY e.id LIMIT 1`, e.Name)); err == nil {
		return &ErrNameTaken{Existing: old}
	} else if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	park, err := q.parkID(ctx, e.Park)
	if err != nil {
		return err
	}
	var by sql.NullInt64
	if e.CreatedBy != 0 {
		by = sql.NullInt64{Int64: e.CreatedBy, Valid: true}
	}
	ts := q.now()
	id, err := insertID(ctx, q, `INSERT INTO enterprises (name, credit_code, park_id, address, contact, industry, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`, e.Name, e.CreditCode, park, e.Address, e.Contact, e.Industry, by, ts)
	if err != nil {
		if isUnique(err) { // taken between the look and the insert
			if old, err2 := q.EnterpriseByCode(ctx, e.CreditCode); err2 == nil {
				return &ErrCreditCodeTaken{Existing: old}
			}
		}
		return err
	}
	e.ID, e.CreatedAt = id, ParseTime(ts)
	return nil
}

// Enterprise returns one enterprise.
func (q *Q) Enterprise(ctx context.Context, id int64) (*domain.Enterprise, error) {
	e, err := scanEnterprise(q.c.QueryRowContext(ctx, enterpriseSelect+` WHERE e.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return e, err
}

// EnterpriseByCode returns the enterprise with a credit code.
func (q *Q) EnterpriseByCode(ctx context.Context, code string) (*domain.Enterprise, error) {
	e, err := scanEnterprise(q.c.QueryRowContext(ctx, enterpriseSelect+` WHERE e.credit_code = $1`, code))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return e, err
}

// Enterprises lists at most limit enterprises matching f by name, after a
// key (before it when back).
func (q *Q) Enterprises(ctx context.Context, f domain.EnterpriseFilter, from *EnterpriseKey, back bool, limit int) ([]*domain.Enterprise, error) {
	var w filter
	if f.Text != "" {
		pat := likeContains(f.Text)
		w.add(`(e.name LIKE ? ESCAPE '\' OR e.credit_code LIKE ? ESCAPE '\')`, pat, pat)
	}
	if f.Park != "" {
		w.add("k.name = ?", f.Park)
	}
	order := " ORDER BY e.name, e.id"
	if from != nil {
		op := ">"
		if back {
			op, order = "<", " ORDER BY e.name DESC, e.id DESC"
		}
		w.add("(e.name "+op+" ? OR e.name = ? AND e.id "+op+" ?)", from.Name, from.Name, from.ID)
	}
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	rows, err := q.c.QueryContext(ctx, enterpriseSelect+w.sql()+order+" LIMIT "+strconv.Itoa(limit), w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*domain.Enterprise
	for rows.Next() {
		e, err := scanEnterprise(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if back {
		slices.Reverse(out)
	}
	return out, rows.Err()
}

// Parks lists the parks by name.
func (q *Q) Parks(ctx context.Context) ([]string, error) {
	rows, err := q.c.QueryContext(ctx, `SELECT name FROM parks ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// CountEnterprises counts the enterprises.
func (q *Q) CountEnterprises(ctx context.Context) (int, error) {
	var n int
	err := q.c.QueryRowContext(ctx, `SELECT count(*) FROM enterprises`).Scan(&n)
	return n, err
}

// SetEnterprisePhone stores an enterprise contact's phone (sealed by the
// caller, bound to the enterprise's id).
func (q *Q) SetEnterprisePhone(ctx context.Context, id int64, sealed string) error {
	_, err := q.c.ExecContext(ctx, `UPDATE enterprises SET phone = $1 WHERE id = $2`, sealed, id)
	return err
}
