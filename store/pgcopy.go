package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"kexuan/plan"
)

// pgCopy streams an import into PostgreSQL with COPY: rows go into a
// temporary table, then one INSERT … SELECT … ON CONFLICT DO NOTHING moves
// them into publications, all in one transaction on one connection. The
// connection is only touched inside database/sql's Raw callback, which runs
// in its own goroutine for the import's life.
type pgCopy struct {
	rows     chan []any
	abort    chan struct{}
	decided  chan bool // true: commit
	inserted chan int64
	done     chan error
	conn     *sql.Conn
	plans    []*plan.Plan // the stored plans, for the score aggregate
}

var copyColumns = []string{"department_id", "channel", "day", "title", "outlet", "words", "body", "counted", "source", "created_at", "identity"}

func startPGCopy(ctx context.Context, db *sql.DB, plans []*plan.Plan) (*pgCopy, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	pc := &pgCopy{rows: make(chan []any, 4096), abort: make(chan struct{}), decided: make(chan bool, 1),
		inserted: make(chan int64, 1), done: make(chan error, 1), conn: conn, plans: plans}
	go func() {
		err := conn.Raw(func(dc any) error {
			c := dc.(*stdlib.Conn).Conn()
			return pc.run(ctx, c)
		})
		conn.Close()
		pc.done <- err
	}()
	return pc, nil
}

var errImportAborted = errors.New("import abandoned")

func (pc *pgCopy) run(ctx context.Context, c *pgx.Conn) (err error) {
	tx, err := c.Begin(ctx)
	if err != nil {
		pc.inserted <- 0
		return err
	}
	defer func() {
		if err != nil {
			tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE import_rows (department_id BIGINT, channel TEXT, day TEXT, title TEXT, outlet TEXT,
		words INTEGER, body TEXT, counted BOOLEAN, source TEXT, created_at TEXT, identity BYTEA) ON COMMIT DROP`); err != nil {
		pc.inserted <- 0
		return err
	}
	src := pgx.CopyFromFunc(func() ([]any, error) {
		select {
		case row, ok := <-pc.rows:
			if !ok {
				return nil, nil
			}
			return row, nil
		case <-pc.abort:
			return nil, errImportAborted
		}
	})
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"import_rows"}, copyColumns, src); err != nil {
		pc.inserted <- 0
		return err
	}
	// The rows inserted (not the duplicates skipped) go into the score
	// aggregate in the same statement.
	fc, fargs := floorCase(pc.plans, "i.day", "i.channel", "i.words", 1)
	var inserted int64
	err = tx.QueryRow(ctx, fmt.Sprintf(`WITH i AS (
			INSERT INTO publications (department_id, channel, day, title, outlet, words, body, counted, source, created_at, identity)
			SELECT department_id, channel, day::date, title, outlet, words, body, counted, source, created_at::timestamptz, identity FROM import_rows
			ON CONFLICT (department_id, day, identity) DO NOTHING
			RETURNING department_id, channel, day, words, counted),
		c AS (INSERT INTO score_cells (department_id, channel, day, floor, n)
			SELECT i.department_id, i.channel, i.day, %s, count(*) FROM i WHERE i.counted GROUP BY 1, 2, 3, 4`+cellUpsert+`),
		v AS (UPDATE score_version SET v = v + 1)
		SELECT count(*) FROM i`, fc), fargs...).Scan(&inserted)
	if err != nil {
		pc.inserted <- 0
		return err
	}
	pc.inserted <- inserted
	if commit := <-pc.decided; !commit {
		return errImportAborted
	}
	return tx.Commit(ctx)
}

// add queues a row (the values in copyColumns order).
func (pc *pgCopy) add(ctx context.Context, row []any) error {
	select {
	case pc.rows <- row:
		return nil
	case err := <-pc.done:
		pc.done <- err
		return fmt.Errorf("写入发布记录：%w", err)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// finish ends the COPY and commits; it returns the rows inserted.
func (pc *pgCopy) finish() (int64, error) {
	close(pc.rows)
	n := <-pc.inserted
	pc.decided <- true
	if err := <-pc.done; err != nil {
		return 0, fmt.Errorf("写入发布记录：%w", err)
	}
	return n, nil
}

// rollback abandons the import.
func (pc *pgCopy) rollback() {
	close(pc.abort)
	select {
	case pc.decided <- false:
	default:
	}
	<-pc.done
}
