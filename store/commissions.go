package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"

	"kexuan/domain"
	"kexuan/plan"
)

// AddCommission stores a commission.
func (q *Q) AddCommission(ctx context.Context, c *domain.Commission) error {
	dept, err := q.departmentID(ctx, c.Department)
	if err != nil {
		return err
	}
	ts := q.now()
	id, err := insertID(ctx, q, `INSERT INTO commissions (department_id, title, theme, channel, due, notes, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		dept, c.Title, c.Theme, c.Channel, c.Due.String(), c.Notes, c.CreatedBy, ts)
	c.ID, c.CreatedAt = id, ParseTime(ts)
	return err
}

const commissionSelect = `SELECT c.id, d.code, d.name, c.title, c.theme, c.channel, c.due, c.notes, c.created_by, COALESCE(u.display_name, ''), c.created_at,
	COALESCE(c.piece_id, 0), COALESCE(p.title, ''), COALESCE(c.fulfilled_at, '')
	FROM commissions c JOIN departments d ON d.id = c.department_id LEFT JOIN users u ON u.id = c.created_by LEFT JOIN pieces p ON p.id = c.piece_id`

func scanCommission(row interface{ Scan(...any) error }) (*domain.Commission, error) {
	var c domain.Commission
	var due, created, fulfilled string
	if err := row.Scan(&c.ID, &c.Department, &c.DeptName, &c.Title, &c.Theme, &c.Channel, &due, &c.Notes, &c.CreatedBy, &c.CreatedName, &created,
		&c.PieceID, &c.PieceTitle, &fulfilled); err != nil {
		return nil, err
	}
	d, err := plan.ParseDate(due)
	if err != nil {
		return nil, err
	}
	c.Due, c.CreatedAt = d, ParseTime(created)
	if fulfilled != "" {
		c.FulfilledAt = ParseTime(fulfilled)
	}
	return &c, nil
}

// CommissionKey is a commission's place in its list: open ones first, then
// by due date and id.
type CommissionKey struct {
	Done bool
	Due  plan.Date
	ID   int64
}

// KeyOfCommission is c's key.
func KeyOfCommission(c *domain.Commission) CommissionKey {
	return CommissionKey{Done: c.PieceID != 0, Due: c.Due, ID: c.ID}
}

const commissionDone = "(CASE WHEN c.piece_id IS NULL THEN 0 ELSE 1 END)"

// Commissions lists commissions of some departments (nil: all), open ones
// only when open, open first and by due date: up to limit after from (or
// before it when back; nil: from the start), by keyset.
func (q *Q) Commissions(ctx context.Context, depts []string, open bool, from *CommissionKey, back bool, limit int) ([]*domain.Commission, error) {
	var w filter
	if depts != nil {
		if len(depts) == 0 {
			return nil, nil
		}
		w.in("d.code", depts, false)
	}
	if open {
		w.where = append(w.where, "c.piece_id IS NULL")
	}
	order := " ORDER BY " + commissionDone + ", c.due, c.id"
	if from != nil {
		op := ">"
		if back {
			op, order = "<", " ORDER BY "+commissionDone+" DESC, c.due DESC, c.id DESC"
		}
		done := 0
		if from.Done {
			done = 1
		}
		due := from.Due.String()
		w.add("("+commissionDone+" "+op+" ? OR "+commissionDone+" = ? AND (c.due "+op+" ? OR c.due = ? AND c.id "+op+" ?))",
			done, done, due, due, from.ID)
	}
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	out, err := q.commissions(ctx, commissionSelect+w.sql()+order+" LIMIT "+strconv.Itoa(limit), w.args...)
	if err != nil {
		return nil, err
	}
	if back {
		slices.Reverse(out)
	}
	return out, nil
}

// Commission returns one commission.
func (q *Q) Commission(ctx context.Context, id int64) (*domain.Commission, error) {
	c, err := scanCommission(q.c.QueryRowContext(ctx, commissionSelect+` WHERE c.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return c, err
}

// FulfilCommission records the piece that fulfils an open commission.
func (q *Q) FulfilCommission(ctx context.Context, id, pieceID int64) error {
	return q.execOne(ctx, ErrConflict, `UPDATE commissions SET piece_id = $1, fulfilled_at = $2 WHERE id = $3 AND piece_id IS NULL`, pieceID, q.now(), id)
}

// AddInstruction stores a 批示.
func (q *Q) AddInstruction(ctx context.Context, in *domain.Instruction) error {
	ts := q.now()
	id, err := insertID(ctx, q, `INSERT INTO instructions (object, text, created_by, created_at) VALUES ($1, $2, $3, $4)`, in.Object, in.Text, in.CreatedBy, ts)
	in.ID, in.CreatedAt = id, ParseTime(ts)
	return err
}

// Instructions lists the 批示 on an object, oldest first.
func (q *Q) Instructions(ctx context.Context, object string) ([]*domain.Instruction, error) {
	rows, err := q.c.QueryContext(ctx, `SELECT i.id, i.object, i.text, i.created_by, COALESCE(u.display_name, ''), i.created_at
		FROM instructions i LEFT JOIN users u ON u.id = i.created_by WHERE i.object = $1 ORDER BY i.id`, object)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*domain.Instruction
	for rows.Next() {
		var in domain.Instruction
		var at string
		if err := rows.Scan(&in.ID, &in.Object, &in.Text, &in.CreatedBy, &in.CreatedName, &at); err != nil {
			return nil, err
		}
		in.CreatedAt = ParseTime(at)
		out = append(out, &in)
	}
	return out, rows.Err()
}

// CommissionsDue are the open commissions due from one day to another
// (both included), by due date.
func (q *Q) CommissionsDue(ctx context.Context, from, to plan.Date) ([]*domain.Commission, error) {
	return q.commissions(ctx, commissionSelect+` WHERE c.piece_id IS NULL AND c.due >= $1 AND c.due <= $2 ORDER BY c.due, c.id`, from.String(), to.String())
}

// commissions runs a query of commissionSelect and reads its rows.
func (q *Q) commissions(ctx context.Context, query string, args ...any) ([]*domain.Commission, error) {
	rows, err := q.c.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*domain.Commission
	for rows.Next() {
		c, err := scanCommission(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
