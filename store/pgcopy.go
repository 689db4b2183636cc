package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"kexuan/domain"
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
	update   bool
	changed  []domain.WordChange // rows that repeat a publication with other 字数 (set before inserted is sent)
}

var copyColumns = []string{"department_id", "channel", "day", "title", "outlet", "words", "body", "counted", "source", "created_at", "identity"}

func startPGCopy(ctx context.Context, db *sql.DB, plans []*plan.Plan, update bool) (*pgCopy, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	pc := &pgCopy{rows: make(chan []any, 4096), abort: make(chan struct{}), decided: make(chan bool, 1),
		inserted: make(chan int64, 1), done: make(chan error, 1), conn: conn, plans: plans, update: update}
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
		words INTEGER, body TEXT, counted BOOLEAN, source TEXT, created_at TEXT, identity BYTEA, line INTEGER) ON COMMIT DROP`); err != nil {
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
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"import_rows"}, append(copyColumns, "line"), src); err != nil {
		pc.inserted <- 0
		return err
	}
	if err := pc.compare(ctx, tx); err != nil {
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

// compare finds the rows that repeat a publication with other 字数 — stored
// before, or earlier in the register — refuses them unless updating, and
// when updating corrects the stored rows and moves their score cells.
func (pc *pgCopy) compare(ctx context.Context, tx pgx.Tx) error {
	rows, err := tx.Query(ctx, `
		SELECT i.line, 0, i.title, p.words, i.words FROM import_rows i
		JOIN publications p ON p.department_id = i.department_id AND p.day = i.day::date AND p.identity = i.identity
		WHERE p.words <> i.words
		UNION ALL
		SELECT b.line, a.line, b.title, a.words, b.words
		FROM (SELECT department_id, day, identity FROM import_rows GROUP BY 1, 2, 3 HAVING count(DISTINCT words) > 1) d
		JOIN import_rows a ON a.department_id = d.department_id AND a.day = d.day AND a.identity = d.identity
		JOIN import_rows b ON b.department_id = d.department_id AND b.day = d.day AND b.identity = d.identity AND b.line > a.line
		WHERE a.words <> b.words
		ORDER BY 1`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var c domain.WordChange
		if err := rows.Scan(&c.Line, &c.FirstLine, &c.Title, &c.Old, &c.New); err != nil {
			rows.Close()
			return err
		}
		pc.changed = append(pc.changed, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if err := refuseChanges(pc.changed, pc.update); err != nil || len(pc.changed) == 0 {
		return err
	}
	// The stored rows take the register's 字数; a counted row's score cell
	// moves from its old 字数 tier to its new one.
	oldFloor, oldArgs := floorCase(pc.plans, "d.day", "d.channel", "d.old_words", 1)
	newFloor, newArgs := floorCase(pc.plans, "d.day", "d.channel", "d.new_words", 1+len(oldArgs))
	_, err = tx.Exec(ctx, fmt.Sprintf(`WITH d AS (
			SELECT p.id, p.department_id, p.channel, p.day, p.counted, p.words AS old_words, i.words AS new_words
			FROM import_rows i JOIN publications p ON p.department_id = i.department_id AND p.day = i.day::date AND p.identity = i.identity
			WHERE p.words <> i.words),
		u AS (UPDATE publications p SET words = d.new_words FROM d WHERE p.id = d.id),
		m AS (SELECT d.department_id, d.channel, d.day, %s AS floor, -1 AS n FROM d WHERE d.counted
			UNION ALL SELECT d.department_id, d.channel, d.day, %s, 1 FROM d WHERE d.counted),
		c AS (INSERT INTO score_cells (department_id, channel, day, floor, n)
			SELECT department_id, channel, day, floor, sum(n) FROM m GROUP BY 1, 2, 3, 4`+cellUpsert+`)
		UPDATE score_version SET v = v + 1`, oldFloor, newFloor), append(oldArgs, newArgs...)...)
	return err
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
