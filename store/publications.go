package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"kexuan/domain"
	"kexuan/plan"
	"kexuan/scoring"
)

// Identity is what makes two records the same publication: department,
// channel, date, title and outlet (SCORING.md's import contract).
func Identity(dept, channel string, day plan.Date, title, outlet string) []byte {
	return identity(dept, channel, day.String(), title, outlet)
}

// identity is Identity with the day already written out.
func identity(dept, channel, day, title, outlet string) []byte {
	b := make([]byte, 0, len(dept)+len(channel)+len(day)+len(title)+len(outlet)+5)
	for _, s := range []string{dept, channel, day, title, outlet} {
		b = append(b, s...)
		b = append(b, 0)
	}
	sum := sha256.Sum256(b)
	return sum[:16]
}

const (
	importBatch  = 200 // rows per INSERT statement
	pubColumns   = 11
	plainColumns = 7 // a plain row's own values in bulk mode (plainSQL)
	// bulkThreshold is the number of rows from which a SQLite import
	// switches to bulk mode: the identity index is dropped, duplicates are
	// found in memory, and the index is rebuilt (sorted, so far faster than
	// a million random index inserts) before the same transaction commits.
	bulkThreshold = 20000
)

// Import adds publications in one transaction: all of them or none.
type Import struct {
	ctx      context.Context
	db       *sql.DB
	s        *DB         // the store, for the queries of CommitWith's then
	conn     *importConn // SQLite: the import's own connection
	tx       *sql.Tx
	d        *dialect
	depts    map[string]int64
	batch    []any
	rows     int
	full     *sql.Stmt
	now      string
	inserted int64
	skipped  int64

	pending []domain.Publication // held until the import is known to be small or large
	decided bool
	bulk    bool
	seen    *identitySet // bulk mode: every identity present or added; small mode: added
	q       *Q           // SQLite: the import's transaction

	// Rows that repeat a publication with other 字数: refused, unless
	// update, when those already stored are corrected.
	update  bool
	changes []change
	keys    []rowKey // small mode: the queued batch's keys, to compare before writing

	pg    *pgCopy // PostgreSQL: rows stream through COPY
	total int64

	// SQLite: the stored plans and the days the import spans, for the score
	// aggregate rebuilt before it commits.
	plans       []*plan.Plan
	first, last string
	maxID       int64           // the largest publication id before the import
	cells       map[cellKey]int // bulk mode: the aggregate of the rows inserted
	planOfYear  map[int]*plan.Plan

	// Bulk mode on SQLite: full batches go to a writer goroutine, so that
	// hashing and checking rows overlaps with SQLite's own work. Plain rows
	// (see plainSQL) gather apart from the others.
	writes    chan bulkWrite
	written   chan error
	plainStmt *sql.Stmt
	plain     []any // the import's time, then plainColumns per row
	plainRows int
}

// seenRow is what an import remembers of an identity: its 字数 and the
// register line that added it (0: stored before).
type seenRow struct{ words, line int32 }

// rowKey locates a row by the unique index.
type rowKey struct {
	dept     int64
	day      string
	identity []byte
	words    int
	line     int
	title    string
}

// change is a WordChange and the stored row it applies to.
type change struct {
	domain.WordChange
	key rowKey
}

// bulkWrite is one full batch for the writer goroutine.
type bulkWrite struct {
	stmt *sql.Stmt
	args []any
}

// BeginImport starts an import. Call Commit or Rollback. A row that repeats
// a stored publication with other 字数 makes Commit fail with a
// *domain.DiffersError, unless update: then the stored 字数 is corrected (the
// score follows) and Changed lists it.
func (s *DB) BeginImport(ctx context.Context, update bool) (*Import, error) {
	if err := s.Ready(ctx); err != nil {
		return nil, err
	}
	if s.dialect == postgresDialect {
		depts, err := departmentIDs(ctx, s.sql)
		if err != nil {
			return nil, err
		}
		plans, err := s.Plans(ctx)
		if err != nil {
			return nil, err
		}
		pc, err := startPGCopy(ctx, s.sql, plans, update)
		if err != nil {
			return nil, err
		}
		return &Import{ctx: ctx, db: s.sql, s: s, d: s.dialect, depts: depts, pg: pc, update: update, now: s.now().UTC().Format(time.RFC3339)}, nil
	}
	ic, err := s.openImportConn(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := ic.c.BeginTx(ctx, nil)
	if err != nil {
		ic.close()
		return nil, err
	}
	fail := func(err error) (*Import, error) {
		tx.Rollback()
		ic.close()
		return nil, err
	}
	depts, err := departmentIDs(ctx, tx)
	if err != nil {
		return fail(err)
	}
	plans, err := s.txQ(tx).plans(ctx)
	if err != nil {
		return fail(err)
	}
	// Writers are serialised on SQLite (this transaction holds the lock), so
	// the rows this import adds are exactly those above maxID.
	var maxID int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(max(id), 0) FROM publications`).Scan(&maxID); err != nil {
		return fail(err)
	}
	byYear := map[int]*plan.Plan{}
	for _, p := range plans {
		byYear[p.Year] = p
	}
	return &Import{ctx: ctx, db: s.sql, s: s, conn: ic, tx: tx, d: s.dialect, depts: depts, plans: plans, maxID: maxID, planOfYear: byYear,
		q: s.txQ(tx), update: update, seen: newIdentitySet(),
		batch: make([]any, 0, importBatch*pubColumns), now: s.now().UTC().Format(time.RFC3339)}, nil
}

// insertSQL is a multi-row INSERT. SQLite gets anonymous ? parameters:
// modernc binds $N by looking its name up, which costs O(N) per parameter.
func insertSQL(d *dialect, rows int, onConflict bool) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO publications (department_id, channel, day, title, outlet, words, body, counted, source, created_at, identity) VALUES `)
	n := 1
	for r := 0; r < rows; r++ {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := 0; c < pubColumns; c++ {
			if c > 0 {
				b.WriteByte(',')
			}
			if d == sqliteDialect {
				b.WriteByte('?')
			} else {
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(n))
			}
			n++
		}
		b.WriteByte(')')
	}
	if onConflict {
		b.WriteString(` ON CONFLICT (department_id, day, identity) DO NOTHING`)
	}
	return b.String()
}

// plainSQL is the bulk mode's INSERT of plain rows (no body,
// counted, from an import): ?1 is the import's time, shared by every row and
// bound once; the rest are each row's plainColumns. Fewer values to bind is
// most of what a row costs SQLite here.
func plainSQL(rows int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO publications (created_at, department_id, channel, day, title, outlet, words, identity) VALUES `)
	for r := 0; r < rows; r++ {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?1")
		for c := 0; c < plainColumns; c++ {
			b.WriteString(",?")
		}
		b.WriteByte(')')
	}
	return b.String()
}

// Add queues one publication; the department must exist.
func (im *Import) Add(p domain.Publication) error {
	if _, ok := im.depts[p.Department]; !ok {
		return fmt.Errorf("未知科室 %q", p.Department)
	}
	if p.Words < 0 { // the table refuses it too; the identity set relies on it
		return fmt.Errorf("第 %d 行：字数 %d 为负", p.Line, p.Words)
	}
	day := p.Day.String()
	if im.first == "" || day < im.first {
		im.first = day
	}
	if day > im.last {
		im.last = day
	}
	if im.pg != nil {
		im.total++
		return im.pg.add(im.ctx, append(im.values(p, day, identity(p.Department, p.Channel, day, p.Title, p.Outlet)), p.Line))
	}
	if !im.decided {
		im.pending = append(im.pending, p)
		if len(im.pending) < bulkThreshold {
			return nil
		}
		if err := im.decide(im.d == sqliteDialect); err != nil {
			return err
		}
		return nil
	}
	return im.add(p, day)
}

// decide settles the mode and writes what was held back.
func (im *Import) decide(bulk bool) error {
	im.decided = true
	stmt, err := im.tx.PrepareContext(im.ctx, insertSQL(im.d, importBatch, !bulk))
	if err != nil {
		return err
	}
	im.full = stmt
	if bulk {
		if err := im.enterBulk(); err != nil {
			return err
		}
	}
	for _, p := range im.pending {
		if err := im.add(p, p.Day.String()); err != nil {
			return err
		}
	}
	im.pending = nil
	return nil
}

func (im *Import) enterBulk() error {
	im.cells = map[cellKey]int{}
	// The rows added so far were written in small mode: they are in the
	// table, read again below with the rest.
	im.seen = newIdentitySet()
	rows, err := im.tx.QueryContext(im.ctx, `SELECT identity, words FROM publications`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id []byte
		var words int32
		if err := rows.Scan(&id, &words); err != nil {
			rows.Close()
			return err
		}
		im.seen.put([16]byte(id), seenRow{words: words})
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if im.plainStmt, err = im.tx.PrepareContext(im.ctx, plainSQL(importBatch)); err != nil {
		return err
	}
	// The index (which is also the ledger's) is rebuilt sorted at commit
	// rather than by a million random B-tree inserts.
	if _, err := im.tx.ExecContext(im.ctx, `DROP INDEX publications_identity`); err != nil {
		return err
	}
	im.bulk = true
	im.plain = im.newPlain()
	im.writes, im.written = make(chan bulkWrite, 4), make(chan error, 1)
	go func() {
		var err error
		for w := range im.writes {
			if err == nil {
				_, err = w.stmt.ExecContext(im.ctx, w.args...)
			}
		}
		im.written <- err
	}()
	return nil
}

func (im *Import) newPlain() []any {
	return append(make([]any, 0, 1+importBatch*plainColumns), im.now)
}

// isPlain says whether a row is written by plainSQL: what it leaves out
// are the columns' defaults.
func isPlain(p domain.Publication) bool {
	return p.Body == "" && p.Counted && (p.Source == "" || p.Source == "import")
}

func (im *Import) add(p domain.Publication, day string) error {
	id := identity(p.Department, p.Channel, day, p.Title, p.Outlet)
	dept := im.depts[p.Department]
	key := [16]byte(id)
	sl := im.seen.slot(key)
	if sl.used() {
		prev := sl.row
		// Bulk mode: a stored row (line 0) or an earlier one of this
		// import; small mode: only an earlier one (stored rows are
		// compared in flush).
		if int(prev.words) != p.Words {
			im.changes = append(im.changes, change{
				WordChange: domain.WordChange{Line: p.Line, FirstLine: int(prev.line), Title: p.Title, Old: int(prev.words), New: p.Words},
				key:        rowKey{dept: dept, day: day, identity: id, words: p.Words, line: p.Line, title: p.Title}})
		}
		if prev.line == 0 { // later rows of this register are held to this one
			sl.row = seenRow{words: int32(p.Words), line: int32(max(p.Line, 1))}
		}
		im.skipped++
		return nil
	}
	*sl = identitySlot{key: key, row: seenRow{words: int32(p.Words), line: int32(max(p.Line, 1))}}
	im.seen.added() // sl is not to be used after this: the table may grow
	if !im.bulk {
		im.batch = append(im.batch, im.values(p, day, id)...)
		im.keys = append(im.keys, rowKey{dept: dept, day: day, identity: id, words: p.Words, line: p.Line, title: p.Title})
		im.rows++
		if im.rows == importBatch {
			return im.flush()
		}
		return nil
	}
	if p.Counted {
		im.cells[cellKey{dept, p.Channel, day, floorOf(im.planOfYear[p.Day.Year], p.Channel, p.Words)}]++
	}
	if isPlain(p) {
		im.plain = append(im.plain, dept, p.Channel, day, p.Title, p.Outlet, p.Words, id)
		if im.plainRows++; im.plainRows == importBatch {
			if err := im.send(bulkWrite{im.plainStmt, im.plain}); err != nil {
				return err
			}
			im.inserted += importBatch
			im.plain, im.plainRows = im.newPlain(), 0
		}
		return nil
	}
	im.batch = append(im.batch, im.values(p, day, id)...)
	if im.rows++; im.rows == importBatch {
		if err := im.send(bulkWrite{im.full, im.batch}); err != nil {
			return err
		}
		im.inserted += importBatch
		im.batch, im.rows = make([]any, 0, importBatch*pubColumns), 0
	}
	return nil
}

// send hands a full batch to the bulk writer. No conflicts in bulk mode
// (duplicates were dropped in add): every row is inserted. The batch slice
// is handed over, not reused.
func (im *Import) send(w bulkWrite) error {
	select {
	case im.writes <- w:
		return nil
	case err := <-im.written:
		im.written <- err
		return fmt.Errorf("写入发布记录：%w", err)
	}
}

// values are a row's columns, in pubColumns (and copyColumns) order.
func (im *Import) values(p domain.Publication, day string, id []byte) []any {
	src := p.Source
	if src == "" {
		src = "import"
	}
	return []any{im.depts[p.Department], p.Channel, day, p.Title, p.Outlet, p.Words, p.Body, p.Counted, src, im.now, id}
}

// flush writes the rows queued outside the bulk writer: every row of a
// small import, a bulk import's last partial batches.
func (im *Import) flush() error {
	if im.plainRows > 0 {
		if _, err := im.tx.ExecContext(im.ctx, plainSQL(im.plainRows), im.plain...); err != nil {
			return fmt.Errorf("写入发布记录：%w", err)
		}
		im.inserted += int64(im.plainRows)
		im.plain, im.plainRows = im.newPlain(), 0
	}
	if im.rows == 0 {
		return nil
	}
	if !im.bulk {
		if err := im.compareStored(); err != nil {
			return err
		}
	}
	var res sql.Result
	var err error
	if im.rows == importBatch {
		res, err = im.full.ExecContext(im.ctx, im.batch...)
	} else {
		res, err = im.tx.ExecContext(im.ctx, insertSQL(im.d, im.rows, !im.bulk), im.batch...)
	}
	if err != nil {
		return fmt.Errorf("写入发布记录：%w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	im.inserted += n
	im.skipped += int64(im.rows) - n
	im.batch, im.keys = im.batch[:0], im.keys[:0]
	im.rows = 0
	return nil
}

// compareStored finds, for the queued batch of a small import, the rows
// that repeat a stored publication with other 字数.
func (im *Import) compareStored() error {
	var b strings.Builder
	args := make([]any, 0, 3*len(im.keys))
	for i, k := range im.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?,?,?)")
		args = append(args, k.dept, k.day, k.identity)
	}
	rows, err := im.tx.QueryContext(im.ctx, `SELECT identity, words FROM publications WHERE (department_id, day, identity) IN (VALUES `+b.String()+`)`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	stored := map[[16]byte]int{}
	for rows.Next() {
		var id []byte
		var words int
		if err := rows.Scan(&id, &words); err != nil {
			return err
		}
		stored[[16]byte(id)] = words
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, k := range im.keys {
		if old, ok := stored[[16]byte(k.identity)]; ok && old != k.words {
			im.changes = append(im.changes, change{WordChange: domain.WordChange{Line: k.line, Title: k.title, Old: old, New: k.words}, key: k})
		}
	}
	return nil
}

// refuseChanges refuses the import when rows differ from what they repeat,
// unless it updates. Two rows of one register that disagree are refused
// either way.
func refuseChanges(changes []domain.WordChange, update bool) error {
	var refuse []domain.WordChange
	for _, c := range changes {
		if c.FirstLine > 0 || !update {
			refuse = append(refuse, c)
		}
	}
	if len(refuse) > 0 {
		return &domain.DiffersError{Changes: refuse}
	}
	return nil
}

// applyChanges gives each stored row an updating import repeats with other
// 字数 the register's 字数, the score aggregate following (after the bulk
// mode's index is back: rows are found by it).
func (im *Import) applyChanges() error {
	for _, c := range im.changes {
		var id int64
		if err := im.tx.QueryRowContext(im.ctx, `SELECT id FROM publications WHERE department_id = ? AND day = ? AND identity = ?`,
			c.key.dept, c.key.day, c.key.identity).Scan(&id); err != nil {
			return fmt.Errorf("第 %d 行：%w", c.Line, err)
		}
		if err := im.q.SetAdoptionWords(im.ctx, id, c.New); err != nil {
			return err
		}
	}
	return nil
}

// Changed lists the stored publications whose 字数 an updating import
// corrected (after Commit).
func (im *Import) Changed() []domain.WordChange {
	if im.pg != nil {
		return im.pg.changed
	}
	var out []domain.WordChange
	for _, c := range im.changes {
		out = append(out, c.WordChange)
	}
	return out
}

// Commit writes what is queued and commits; it returns how many records
// were added and how many were already present.
func (im *Import) Commit() (inserted, skipped int64, err error) { return im.CommitWith(nil) }

// CommitWith is Commit, running then (when not nil) inside the import's
// transaction once its rows and score are written and before it commits —
// the import's audit row and the corrections it makes to closed periods
// land with the rows or not at all. An error from then rolls it all back.
func (im *Import) CommitWith(then func(q *Q, inserted, skipped int64) error) (inserted, skipped int64, err error) {
	if im.pg != nil {
		var after func(*sql.Tx, int64) error
		if then != nil {
			after = func(tx *sql.Tx, n int64) error { return then(im.s.txQ(tx), n, im.total-n) }
		}
		n, err := im.pg.finish(after)
		if err != nil {
			return 0, 0, err
		}
		im.inserted, im.skipped = n, im.total-n
		return im.inserted, im.skipped, im.analyze()
	}
	if !im.decided {
		err = im.decide(false)
	}
	if err == nil && im.writes != nil {
		err = im.stopWriter()
	}
	if err == nil {
		err = im.flush()
	}
	if err == nil {
		err = refuseChanges(im.Changed(), im.update)
	}
	if err == nil && im.bulk {
		// Sorted on temporary files with helper threads (see importConn).
		_, err = im.tx.ExecContext(im.ctx, `CREATE UNIQUE INDEX publications_identity ON publications (department_id, day, identity)`)
	}
	if err == nil {
		err = im.applyChanges()
	}
	if err == nil && im.first != "" {
		exec := func(ctx context.Context, q string, args ...any) error {
			_, err := im.tx.ExecContext(ctx, q, args...)
			return err
		}
		if im.bulk {
			err = addCells(im.ctx, exec, im.cells)
		} else {
			err = addNewCells(im.ctx, exec, im.plans, im.maxID)
		}
	}
	if err == nil && then != nil {
		err = then(im.q, im.inserted, im.skipped)
	}
	if err != nil {
		im.Rollback()
		return 0, 0, err
	}
	im.closeStmts()
	err = im.tx.Commit()
	im.conn.close()
	if err != nil {
		return 0, 0, err
	}
	return im.inserted, im.skipped, nil
}

// stopWriter waits for the bulk writer to finish what it was given.
func (im *Import) stopWriter() error {
	close(im.writes)
	err := <-im.written
	im.writes = nil
	if err != nil {
		return fmt.Errorf("写入发布记录：%w", err)
	}
	return nil
}

// analyze refreshes PostgreSQL's statistics after a large import, so the
// next report is planned for the table as it now is (autovacuum would get
// there later).
func (im *Import) analyze() error {
	if im.inserted < bulkThreshold {
		return nil
	}
	_, err := im.db.ExecContext(im.ctx, `ANALYZE publications`)
	return err
}

// Rollback abandons the import: nothing of it is kept.
func (im *Import) Rollback() {
	if im.pg != nil {
		im.pg.rollback()
		return
	}
	if im.writes != nil {
		im.stopWriter()
	}
	im.closeStmts()
	im.tx.Rollback()
	im.conn.close()
}

func (im *Import) closeStmts() {
	for _, st := range []*sql.Stmt{im.full, im.plainStmt} {
		if st != nil {
			st.Close()
		}
	}
}

// RecomputeEntries returns, from the publications themselves (not the
// aggregate; kexuan check compares the two), the counted publications of a plan year up to asOf,
// grouped by department, channel and month, and within a channel scored by
// 字数 tiers, by tier — everything the engine needs for totals and a ledger
// by month. It is one aggregate query with the same GROUP BY as the plainest
// one (department, channel, month); each tier bound adds a conditional count,
// so the tiers come from the plan's numbers, passed as parameters.
func (s *DB) RecomputeEntries(ctx context.Context, p *plan.Plan, asOf plan.Date) ([]scoring.Entry, error) {
	names, err := s.departmentCodes(ctx)
	if err != nil {
		return nil, err
	}
	last := lastDay(p, asOf)
	args := []any{p.Start().String(), last.String()}
	bounds := tierBounds(p)
	var sel strings.Builder
	for _, b := range bounds {
		args = append(args, b)
		fmt.Fprintf(&sel, ", sum(CASE WHEN p.words >= $%d THEN 1 ELSE 0 END)", len(args))
	}
	q := fmt.Sprintf(`SELECT p.department_id, p.channel, %s, count(*)%s
		FROM publications p
		WHERE p.day >= $1 AND p.day <= $2 AND p.counted
		GROUP BY p.department_id, p.channel, %s`, s.dialect.maxDay, sel.String(), s.dialect.monthExpr)
	rows, err := s.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []scoring.Entry
	atLeast := make([]int, len(bounds)) // publications with words ≥ bounds[i]
	dest := make([]any, 4+len(bounds))
	var id int64
	var channel, day string
	var count int
	dest[0], dest[1], dest[2], dest[3] = &id, &channel, &day, &count
	for i := range atLeast {
		dest[4+i] = &atLeast[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		date, err := plan.ParseDate(day)
		if err != nil {
			return nil, err
		}
		e := scoring.Entry{Department: names[id], Channel: channel, Date: date, Count: count}
		ch := p.Channel(channel)
		if ch == nil || len(ch.Tiers) == 0 {
			out = append(out, e)
			continue
		}
		// Publications in tier i: those at or above its floor, less those at
		// or above the next tier's.
		ge := func(words int) int {
			if words <= 0 {
				return count
			}
			return atLeast[slices.Index(bounds, words)]
		}
		for i, t := range ch.Tiers {
			n := ge(t.Min)
			if i+1 < len(ch.Tiers) {
				n -= ge(ch.Tiers[i+1].Min)
			}
			if n > 0 {
				te := e
				te.Words, te.Count = t.Min, n
				out = append(out, te)
			}
		}
	}
	return out, rows.Err()
}

// tierBounds are the distinct, positive tier floors of the plan's tiered
// channels, ascending.
func tierBounds(p *plan.Plan) []int {
	var bs []int
	for _, ch := range p.TieredChannels() {
		for _, t := range ch.Tiers {
			if t.Min > 0 && !slices.Contains(bs, t.Min) {
				bs = append(bs, t.Min)
			}
		}
	}
	slices.Sort(bs)
	return bs
}

// PublicationEntries returns one entry per counted publication of a
// department in a plan year up to asOf, for a ledger that names each one.
func (s *DB) PublicationEntries(ctx context.Context, p *plan.Plan, asOf plan.Date, dept string) ([]scoring.Entry, error) {
	last := lastDay(p, asOf)
	// dept "" is every department (the year-end workbook's 积分台账).
	q := fmt.Sprintf(`SELECT p.id, d.code, p.channel, %s, p.words, p.title, p.outlet
		FROM publications p JOIN departments d ON d.id = p.department_id
		WHERE ($1 = '' OR d.code = $1) AND p.day >= $2 AND p.day <= $3 AND p.counted
		ORDER BY d.code, p.day, p.id`, s.dialect.dayAs("p.day"))
	rows, err := s.sql.QueryContext(ctx, q, dept, p.Start().String(), last.String())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []scoring.Entry
	for rows.Next() {
		e := scoring.Entry{Count: 1}
		var day string
		if err := rows.Scan(&e.Ref, &e.Department, &e.Channel, &day, &e.Words, &e.Title, &e.Outlet); err != nil {
			return nil, err
		}
		if e.Date, err = plan.ParseDate(day); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func (s *DB) departmentCodes(ctx context.Context) (map[int64]string, error) {
	ids, err := departmentIDs(ctx, s.sql)
	if err != nil {
		return nil, err
	}
	m := make(map[int64]string, len(ids))
	for code, id := range ids {
		m[id] = code
	}
	return m, nil
}

// CountPublications counts every stored publication.
func (s *DB) CountPublications(ctx context.Context) (int64, error) {
	var n int64
	err := s.sql.QueryRowContext(ctx, `SELECT count(*) FROM publications`).Scan(&n)
	return n, err
}

// BaselineAggregate runs the plainest aggregate over the whole table —
// GROUP BY department, channel, month — and returns how many groups it
// found. Benchmarks measure report against it.
func (s *DB) BaselineAggregate(ctx context.Context) (int, error) {
	q := fmt.Sprintf(`SELECT p.department_id, p.channel, %s, count(*) FROM publications p GROUP BY p.department_id, p.channel, %s`,
		s.dialect.monthExpr, s.dialect.monthExpr)
	rows, err := s.sql.QueryContext(ctx, q)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	return n, rows.Err()
}
