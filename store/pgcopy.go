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
// transaction is database/sql's (so the import's audit row and corrections
// go through the same store.Q before it commits); COPY, which database/sql
// cannot speak, runs on the same connection inside it, through Raw, in a
// goroutine of its own while the rows are read.
type pgCopy struct {
	rows     chan []any
	abort    chan struct{}
	done     chan error // the COPY goroutine ended (inserted and changed are set before)
	conn     *sql.Conn
	tx       *sql.Tx
	plans    []*plan.Plan // the stored plans, for the score aggregate
	update   bool
	inserted int64
	changed  []domain.WordChange // rows that repeat a publication with other 字数
}

var copyColumns = []string{"department_id", "channel", "day", "title", "outlet", "words", "body", "counted", "source", "created_at", "identity"}

func startPGCopy(ctx context.Context, db *sql.DB, plans []*plan.Plan, update bool) (*pgCopy, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		conn.Close()
		return nil, err
	}
	pc := &pgCopy{rows: make(chan []any, 4096), abort: make(chan struct{}), done: make(chan error, 1),
		conn: conn, tx: tx, plans: plans, update: update}
	go func() {
		pc.done <- conn.Raw(func(dc any) error {
			return pc.run(ctx, dc.(*stdlib.Conn).Conn())
		})
	}()
	return pc, nil
}

var errImportAborted = errors.New("import abandoned")

// run copies the rows into a temporary table and moves them into
// publications, inside the transaction pc.tx opened on c's connection.
func (pc *pgCopy) run(ctx context.Context, c *pgx.Conn) error {
	if _, err := c.Exec(ctx, `CREATE TEMP TABLE import_rows (department_id BIGINT, channel TEXT, day TEXT, title TEXT, outlet TEXT,
		words INTEGER, body TEXT, counted BOOLEAN, source TEXT, created_at TEXT, identity BYTEA, line INTEGER) ON COMMIT DROP`); err != nil {
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
	if _, err := c.CopyFrom(ctx, pgx.Identifier{"import_rows"}, append(copyColumns, "line"), src); err != nil {
		return err
	}
	if err := pc.compare(ctx, c); err != nil {
		return err
	}
	// The rows inserted (not the duplicates skipped) go into the score
	// aggregate in the same statement.
	fc, fargs := floorCase(pc.plans, "i.day", "i.channel", "i.words", 1)
	return c.QueryRow(ctx, fmt.Sprintf(`WITH i AS (
			INSERT INTO publications (department_id, channel, day, title, outlet, words, body, counted, source, created_at, identity)
			SELECT department_id, channel, day::date, title, outlet, words, body, counted, source, created_at::timestamptz, identity FROM import_rows
			ON CONFLICT (department_id, day, identity) DO NOTHING
			RETURNING department_id, channel, day, words, counted),
		c AS (INSERT INTO score_cells (department_id, channel, day, floor, n)
			SELECT i.department_id, i.channel, i.day, %s, count(*) FROM i WHERE i.counted GROUP BY 1, 2, 3, 4`+cellUpsert+`),
		v AS (UPDATE score_version SET v = v + 1)
		SELECT count(*) FROM i`, fc), fargs...).Scan(&pc.inserted)
}

// compare finds the rows that repeat a publication with other 字数 — stored
// before, or earlier in the register — refuses them unless updating, and
// when updating corrects the stored rows and moves their score cells.
func (pc *pgCopy) compare(ctx context.Context, tx *pgx.Conn) error {
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

// finish ends the COPY, runs then (nil: nothing) in the transaction, and
// commits; it returns the rows inserted.
func (pc *pgCopy) finish(then func(tx *sql.Tx, inserted int64) error) (int64, error) {
	close(pc.rows)
	err := <-pc.done
	if err != nil {
		err = fmt.Errorf("写入发布记录：%w", err)
	} else if then != nil {
		err = then(pc.tx, pc.inserted)
	}
	if err != nil {
		pc.tx.Rollback()
		pc.conn.Close()
		return 0, err
	}
	err = pc.tx.Commit()
	pc.conn.Close()
	if err != nil {
		return 0, fmt.Errorf("写入发布记录：%w", err)
	}
	return pc.inserted, nil
}

// rollback abandons the import.
func (pc *pgCopy) rollback() {
	close(pc.abort)
	<-pc.done
	pc.tx.Rollback()
	pc.conn.Close()
}
