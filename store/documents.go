package store

import (
	"context"
	"database/sql"
	"errors"

	"kexuan/domain"
	"kexuan/plan"
)

const documentSelect = `SELECT o.id, o.year, o.seq, o.number, o.kind, o.period, o.title, o.dated, COALESCE(o.issued_by, 0),
	COALESCE(u.display_name, ''), o.issued_at FROM documents o LEFT JOIN users u ON u.id = o.issued_by`

func scanDocument(row interface{ Scan(...any) error }) (*domain.Document, error) {
	var d domain.Document
	var dated, at string
	if err := row.Scan(&d.ID, &d.Year, &d.Seq, &d.Number, &d.Kind, &d.Period, &d.Title, &dated, &d.IssuedBy, &d.IssuedName, &at); err != nil {
		return nil, err
	}
	day, err := plan.ParseDate(dated)
	if err != nil {
		return nil, err
	}
	d.Dated, d.IssuedAt = day, ParseTime(at)
	return &d, nil
}

// DocumentOf is the register's entry of a kind and period, or ErrNotFound.
func (q *Q) DocumentOf(ctx context.Context, kind, period string) (*domain.Document, error) {
	d, err := scanDocument(q.c.QueryRowContext(ctx, documentSelect+` WHERE o.kind = $1 AND o.period = $2`, kind, period))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return d, err
}

// DocumentNumbered is the year's entry with a number, or ErrNotFound.
func (q *Q) DocumentNumbered(ctx context.Context, year, seq int) (*domain.Document, error) {
	d, err := scanDocument(q.c.QueryRowContext(ctx, documentSelect+` WHERE o.year = $1 AND o.seq = $2`, year, seq))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return d, err
}

// NextDocumentSeq is the next free number of a year: one past the highest.
func (q *Q) NextDocumentSeq(ctx context.Context, year int) (int, error) {
	var n int
	err := q.c.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) + 1 FROM documents WHERE year = $1`, year).Scan(&n)
	return n, err
}

// AddDocument registers a document; ErrDuplicate when its number or its
// period is taken (by another server a moment ago, say).
func (q *Q) AddDocument(ctx context.Context, d *domain.Document) error {
	ts := q.now()
	var by any
	if d.IssuedBy != 0 {
		by = d.IssuedBy
	}
	id, err := insertID(ctx, q, `INSERT INTO documents (year, seq, number, kind, period, title, dated, issued_by, issued_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, d.Year, d.Seq, d.Number, d.Kind, d.Period, d.Title, d.Dated.String(), by, ts)
	if isUnique(err) {
		return ErrDuplicate
	}
	if err != nil {
		return err
	}
	d.ID, d.IssuedAt = id, ParseTime(ts)
	return nil
}

// RedateDocument changes an entry's 成文日期 (issued again with another).
func (q *Q) RedateDocument(ctx context.Context, id int64, dated plan.Date) error {
	_, err := q.c.ExecContext(ctx, `UPDATE documents SET dated = $1 WHERE id = $2`, dated.String(), id)
	return err
}

// Documents lists a year's register by number.
func (q *Q) Documents(ctx context.Context, year int) ([]*domain.Document, error) {
	rows, err := q.c.QueryContext(ctx, documentSelect+` WHERE o.year = $1 ORDER BY o.seq`, year)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*domain.Document
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// LockDocuments makes the transaction the one that numbers a year's
// documents until it ends (PostgreSQL: an advisory lock taken before the
// audit log's; SQLite's write transactions are one at a time already), so
// that two servers issuing at once take consecutive numbers instead of
// one of them failing on the same one.
func (q *Q) LockDocuments(ctx context.Context, year int) error {
	if q.d != postgresDialect {
		return nil
	}
	_, err := q.c.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7262919, $1)`, year)
	return err
}
