package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// conn is what both a *sql.DB and a *sql.Tx offer.
type conn interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// located is a conn whose errors say which statement failed, wrapped (%w)
// so that errors.Is and errors.As still find the driver's error: a log line
// reads `store: UPDATE pieces SET title = $1, body = $2…: database is
// locked`, not the driver's words alone. (A QueryRow's error comes at Scan,
// where the caller knows the row it wanted.)
type located struct{ c conn }

func (l located) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	r, err := l.c.ExecContext(ctx, query, args...)
	return r, statementError(query, err)
}

func (l located) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := l.c.QueryContext(ctx, query, args...)
	return rows, statementError(query, err)
}

func (l located) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return l.c.QueryRowContext(ctx, query, args...)
}

// statementError wraps err with the start of the statement that failed.
func statementError(query string, err error) error {
	if err == nil {
		return nil
	}
	s := strings.Join(strings.Fields(query), " ")
	if r := []rune(s); len(r) > 60 {
		s = string(r[:60]) + "…"
	}
	return fmt.Errorf("store: %s: %w", s, err)
}

// Q runs the queries of accounts, pieces, adoptions and audit, either
// directly on the database (DB.Q) or inside a transaction (Tx.Q).
type Q struct {
	db    *DB
	c     conn
	d     *dialect
	tx    bool
	clock func() time.Time
	wallc func() time.Time
}

// Q returns the queries on the database, outside any transaction.
func (s *DB) Q() *Q { return &Q{db: s, c: located{s.sql}, d: s.dialect, clock: s.now, wallc: s.wall} }

// txQ is the queries inside transaction tx.
func (s *DB) txQ(c conn) *Q {
	return &Q{db: s, c: located{c}, d: s.dialect, tx: true, clock: s.now, wallc: s.wall}
}

// SetClock gives the store the application's two clocks: records is the
// plan's calendar, which dates the work (a piece written, a month closed;
// the demo moves it into its year), and wall is the real time of security
// records (a password set, a recovery code used, a token made). Tests set
// both.
func (s *DB) SetClock(records, wall func() time.Time) { s.clock, s.wallClock = records, wall }

func (s *DB) now() time.Time {
	if s.clock != nil {
		return s.clock()
	}
	return s.wall()
}

func (s *DB) wall() time.Time {
	if s.wallClock != nil {
		return s.wallClock()
	}
	return time.Now()
}

// InTx runs f in one transaction (immediate on SQLite, after this
// process's other writers: DB.waitTurn): committed if f
// returns nil, rolled back otherwise. A change and its audit row go through
// the same f, so they commit together or not at all.
func (s *DB) InTx(ctx context.Context, f func(q *Q) error) (err error) {
	release, err := s.waitTurn(ctx)
	if err != nil {
		return err
	}
	defer release()
	tx, err := s.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	// A panic inside rolls the transaction back (its connection goes back
	// to the pool clean), then goes on up.
	defer func() {
		if v := recover(); v != nil {
			tx.Rollback()
			panic(v)
		}
	}()
	if err := f(s.txQ(tx)); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// now is the time stamp of a record, in the schema's format.
func (q *Q) now() string { return FormatTime(q.clock()) }

// wallNow is the time stamp of a security record: the wall clock, never the
// demo's calendar.
func (q *Q) wallNow() string { return FormatTime(q.wallc()) }

// FormatTime writes t as the schema stores it: UTC, fixed width, so that
// text order is time order on both databases.
func FormatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

// ParseTime reads a stored time stamp.
func ParseTime(s string) time.Time {
	t, err := time.Parse("2006-01-02T15:04:05.000000Z", s)
	if err != nil {
		t, _ = time.Parse(time.RFC3339, s)
	}
	return t
}

func insertID(ctx context.Context, q *Q, query string, args ...any) (int64, error) {
	var id int64
	if err := q.c.QueryRowContext(ctx, query+" RETURNING id", args...).Scan(&id); err != nil {
		return 0, err
	}
	return id, nil
}

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}

// execOne runs a statement that must change exactly one row; otherwise it
// returns miss (ErrConflict: someone acted first; ErrNotFound: not there).
func (q *Q) execOne(ctx context.Context, miss error, query string, args ...any) error {
	res, err := q.c.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return miss
	}
	return nil
}
