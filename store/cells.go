package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"kexuan/plan"
	"kexuan/scoring"
)

// The score aggregate (table score_cells, migration 0004): counted
// publications per department, channel, day and 字数 floor — the lower bound
// of the tier a publication's 字数 falls in under its year's plan (0 for a
// channel scored per piece, a channel the plan does not know, or a year
// without a plan). The report reads it instead of the publications, so its
// cost is bounded by departments × channels × days × tiers. Every change
// that moves a score updates it in its own transaction:
//
//   - a counted adoption recorded (AddAdoption), verified (VerifyAdoption),
//     its 字数 overridden (SetAdoptionWords);
//   - an import (the years it touched are rebuilt before it commits);
//   - a plan loaded or replaced (its year is rebuilt: tiers may move).
//
// RecomputeEntries reads the same entries from the publications; `kexuan
// check` and the tests compare the two.

// floorOf is the floor of the tier words falls in, for a channel of a plan.
func floorOf(p *plan.Plan, channel string, words int) int {
	if p == nil {
		return 0
	}
	ch := p.Channel(channel)
	if ch == nil {
		return 0
	}
	floor := 0
	for _, t := range ch.Tiers {
		if words >= t.Min && t.Min >= floor {
			floor = t.Min
		}
	}
	return floor
}

// floorCase is the SQL expression of floorOf over the columns named, for
// the plans given (each applies to the days of its year), with its
// arguments numbered from next.
func floorCase(plans []*plan.Plan, day, channel, words string, next int) (string, []any) {
	var b strings.Builder
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", next+len(args)-1)
	}
	b.WriteString("CASE")
	n := 0
	for _, p := range plans {
		for _, ch := range p.TieredChannels() {
			tiers := slices.Clone(ch.Tiers)
			slices.SortFunc(tiers, func(a, b plan.Tier) int { return b.Min - a.Min })
			for _, t := range tiers {
				if t.Min <= 0 {
					continue
				}
				fmt.Fprintf(&b, " WHEN %s >= %s AND %s <= %s AND %s = %s AND %s >= %s THEN %d",
					day, arg(p.Start().String()), day, arg(p.End().String()), channel, arg(ch.Code), words, arg(t.Min), t.Min)
				n++
			}
		}
	}
	if n == 0 {
		return "0", nil
	}
	b.WriteString(" ELSE 0 END")
	return b.String(), args
}

// execer runs a statement: a transaction of database/sql or of pgx.
type execer func(ctx context.Context, query string, args ...any) error

func (q *Q) exec(ctx context.Context, query string, args ...any) error {
	_, err := q.c.ExecContext(ctx, query, args...)
	return err
}

// rebuildCells recomputes the aggregate for the days from..to (inclusive,
// YYYY-MM-DD) from the counted publications, under plans.
func rebuildCells(ctx context.Context, exec execer, plans []*plan.Plan, from, to string) error {
	if err := exec(ctx, `DELETE FROM score_cells WHERE day >= $1 AND day <= $2`, from, to); err != nil {
		return err
	}
	if err := exec(ctx, `UPDATE score_version SET v = v + 1`); err != nil {
		return err
	}
	fc, args := floorCase(plans, "p.day", "p.channel", "p.words", 3)
	query := fmt.Sprintf(`INSERT INTO score_cells (department_id, channel, day, floor, n)
		SELECT p.department_id, p.channel, p.day, %s, count(*)
		FROM publications p WHERE p.counted AND p.day >= $1 AND p.day <= $2
		GROUP BY 1, 2, 3, 4`, fc)
	return exec(ctx, query, append([]any{from, to}, args...)...)
}

// RebuildYear recomputes a year's aggregate inside the transaction (a plan
// loaded or replaced).
func (q *Q) RebuildYear(ctx context.Context, p *plan.Plan) error {
	return rebuildCells(ctx, q.exec, []*plan.Plan{p}, p.Start().String(), p.End().String())
}

// rebuildAll recomputes the whole aggregate under every stored plan (the
// migration that creates it; kexuan check --repair).
func (q *Q) rebuildAll(ctx context.Context) error {
	plans, err := q.plans(ctx)
	if err != nil {
		return err
	}
	return rebuildCells(ctx, q.exec, plans, "0001-01-01", "9999-12-31")
}

// plans reads every stored plan through the transaction.
func (q *Q) plans(ctx context.Context) ([]*plan.Plan, error) {
	rows, err := q.c.QueryContext(ctx, `SELECT year, source FROM plans ORDER BY year`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type stored struct {
		year int
		src  string
	}
	var all []stored
	for rows.Next() {
		var s stored
		if err := rows.Scan(&s.year, &s.src); err != nil {
			return nil, err
		}
		all = append(all, s)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []*plan.Plan
	for _, s := range all {
		p, err := q.db.parsePlan(s.year, s.src)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// planOf reads the plan of a year through the transaction (nil: none).
func (q *Q) planOf(ctx context.Context, year int) (*plan.Plan, error) {
	var src string
	err := q.c.QueryRowContext(ctx, `SELECT source FROM plans WHERE year = $1`, year).Scan(&src)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		return nil, err
	}
	return q.db.parsePlan(year, src)
}

// bump adds delta counted publications to a cell.
func (q *Q) bump(ctx context.Context, deptID int64, channel string, day plan.Date, words, delta int) error {
	p, err := q.planOf(ctx, day.Year)
	if err != nil {
		return err
	}
	if err := q.exec(ctx, `UPDATE score_version SET v = v + 1`); err != nil {
		return err
	}
	return q.exec(ctx, `INSERT INTO score_cells (department_id, channel, day, floor, n) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (day, department_id, channel, floor) DO UPDATE SET n = score_cells.n + excluded.n`,
		deptID, channel, day.String(), floorOf(p, channel, words), delta)
}

// bumpPublication adds delta for a stored publication by id.
func (q *Q) bumpPublication(ctx context.Context, id int64, delta int) error {
	var deptID int64
	var channel, day string
	var words int
	err := q.c.QueryRowContext(ctx, fmt.Sprintf(`SELECT p.department_id, p.channel, %s, p.words FROM publications p WHERE p.id = $1`, q.d.dayAs("p.day")), id).
		Scan(&deptID, &channel, &day, &words)
	if err != nil {
		return err
	}
	d, err := plan.ParseDate(day)
	if err != nil {
		return err
	}
	return q.bump(ctx, deptID, channel, d, words, delta)
}

// Entries returns the counted publications of a plan year up to asOf as
// scoring entries, grouped by department, channel, month and 字数 tier —
// read from the aggregate, so the cost does not grow with the publications.
func (s *DB) Entries(ctx context.Context, p *plan.Plan, asOf plan.Date) ([]scoring.Entry, error) {
	return s.Q().Entries(ctx, p, asOf)
}

// Entries is DB.Entries inside a transaction (or not): what the change
// being made does to a score can be compared before it commits.
func (q *Q) Entries(ctx context.Context, p *plan.Plan, asOf plan.Date) ([]scoring.Entry, error) {
	ids, err := departmentIDs(ctx, q.c)
	if err != nil {
		return nil, err
	}
	names := make(map[int64]string, len(ids))
	for code, id := range ids {
		names[id] = code
	}
	last := lastDay(p, asOf)
	query := fmt.Sprintf(`SELECT p.department_id, p.channel, %s, p.floor, sum(p.n)
		FROM score_cells p
		WHERE p.day >= $1 AND p.day <= $2
		GROUP BY p.department_id, p.channel, %s, p.floor
		HAVING sum(p.n) > 0`, q.d.maxDay, q.d.monthExpr)
	rows, err := q.c.QueryContext(ctx, query, p.Start().String(), last.String())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []scoring.Entry
	for rows.Next() {
		var id int64
		var e scoring.Entry
		var day string
		if err := rows.Scan(&id, &e.Channel, &day, &e.Words, &e.Count); err != nil {
			return nil, err
		}
		if e.Date, err = plan.ParseDate(day); err != nil {
			return nil, err
		}
		e.Department = names[id]
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// A channel's month carries one date, its latest day, whatever the
	// tier (as RecomputeEntries dates it).
	type group struct {
		dept, ch string
		month    int
	}
	latest := map[group]plan.Date{}
	for _, e := range out {
		g := group{e.Department, e.Channel, e.Date.Month}
		if d, ok := latest[g]; !ok || e.Date.After(d) {
			latest[g] = e.Date
		}
	}
	for i := range out {
		out[i].Date = latest[group{out[i].Department, out[i].Channel, out[i].Date.Month}]
	}
	return out, nil
}

// CellDifference is one place where the aggregate and a recomputation from
// the publications disagree.
type CellDifference struct {
	Year       int
	Department string
	Channel    string
	Month      int
	Words      int
	Aggregate  int
	Recomputed int
}

func (d CellDifference) String() string {
	return fmt.Sprintf("%d 年 %d 月 %s %s 字数档 %d：汇总 %d 条，按发布记录重算 %d 条", d.Year, d.Month, d.Department, d.Channel, d.Words, d.Aggregate, d.Recomputed)
}

// CheckAggregate recomputes every stored plan year's entries from the
// publications and compares them with the aggregate; empty: they agree.
func (s *DB) CheckAggregate(ctx context.Context) ([]CellDifference, error) {
	plans, err := s.Plans(ctx)
	if err != nil {
		return nil, err
	}
	var diffs []CellDifference
	for _, p := range plans {
		agg, err := s.Entries(ctx, p, p.End())
		if err != nil {
			return nil, err
		}
		re, err := s.RecomputeEntries(ctx, p, p.End())
		if err != nil {
			return nil, err
		}
		type key struct {
			dept, ch     string
			month, floor int
		}
		counts := map[key][2]int{}
		for _, e := range agg {
			k := key{e.Department, e.Channel, e.Date.Month, e.Words}
			c := counts[k]
			c[0] += e.Count
			counts[k] = c
		}
		for _, e := range re {
			k := key{e.Department, e.Channel, e.Date.Month, e.Words}
			c := counts[k]
			c[1] += e.Count
			counts[k] = c
		}
		for k, c := range counts {
			if c[0] != c[1] {
				diffs = append(diffs, CellDifference{p.Year, k.dept, k.ch, k.month, k.floor, c[0], c[1]})
			}
		}
	}
	slices.SortFunc(diffs, func(a, b CellDifference) int {
		return strings.Compare(a.String(), b.String())
	})
	return diffs, nil
}

// RepairAggregate rebuilds the whole aggregate from the publications.
func (s *DB) RepairAggregate(ctx context.Context) error {
	return s.InTx(ctx, func(q *Q) error { return q.rebuildAll(ctx) })
}

// LedgerKey is a position in a department's ledger: publications are in
// (day, identity) order — the unique index's, so a page reads only its own
// rows, whatever the size of the table.
type LedgerKey struct {
	Day      string
	Identity []byte
}

// LedgerFilter selects a page of a department's counted publications of a
// plan year up to asOf: in some channels (nil: all), after or before a key
// (keyset paging), at most Limit.
type LedgerFilter struct {
	Channels []string
	After    *LedgerKey
	Before   *LedgerKey
	Limit    int
}

// PublicationPage returns one page of a department's counted publications
// as scoring entries (one per publication, with its id as Ref), in (day,
// identity) order, the keys of its first and last rows, and whether there are
// more in the direction paged.
func (s *DB) PublicationPage(ctx context.Context, p *plan.Plan, asOf plan.Date, dept string, f LedgerFilter) (_ []scoring.Entry, first, last *LedgerKey, more bool, err error) {
	end := lastDay(p, asOf)
	ids, err := departmentIDs(ctx, s.sql)
	if err != nil {
		return nil, nil, nil, false, err
	}
	id, ok := ids[dept]
	if !ok {
		return nil, nil, nil, false, ErrNotFound
	}
	args := []any{id, p.Start().String(), end.String()}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	where := "p.department_id = $1 AND p.counted AND p.day >= $2 AND p.day <= $3"
	if f.Channels != nil {
		if len(f.Channels) == 0 {
			return nil, nil, nil, false, nil
		}
		var in []string
		for _, c := range f.Channels {
			in = append(in, arg(c))
		}
		where += " AND p.channel IN (" + strings.Join(in, ", ") + ")"
	}
	order := "p.day, p.identity"
	switch {
	case f.After != nil:
		where += fmt.Sprintf(" AND (p.day, p.identity) > (%s, %s)", arg(f.After.Day), arg(f.After.Identity))
	case f.Before != nil:
		where += fmt.Sprintf(" AND (p.day, p.identity) < (%s, %s)", arg(f.Before.Day), arg(f.Before.Identity))
		order = "p.day DESC, p.identity DESC"
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	query := fmt.Sprintf(`SELECT p.id, p.channel, %s, p.words, p.title, p.outlet, p.identity FROM publications p WHERE %s ORDER BY %s LIMIT %d`,
		s.dialect.dayAs("p.day"), where, order, limit+1)
	rows, err := s.sql.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, nil, nil, false, err
	}
	defer rows.Close()
	var out []scoring.Entry
	var keys []*LedgerKey
	for rows.Next() {
		e := scoring.Entry{Department: dept, Count: 1}
		var day string
		var identity []byte
		if err := rows.Scan(&e.Ref, &e.Channel, &day, &e.Words, &e.Title, &e.Outlet, &identity); err != nil {
			return nil, nil, nil, false, err
		}
		if e.Date, err = plan.ParseDate(day); err != nil {
			return nil, nil, nil, false, err
		}
		out = append(out, e)
		keys = append(keys, &LedgerKey{Day: day, Identity: identity})
	}
	if err := rows.Err(); err != nil {
		return nil, nil, nil, false, err
	}
	more = len(out) > limit
	if more {
		out, keys = out[:limit], keys[:limit]
	}
	if f.Before != nil {
		slices.Reverse(out)
		slices.Reverse(keys)
	}
	if len(keys) > 0 {
		first, last = keys[0], keys[len(keys)-1]
	}
	return out, first, last, more, nil
}

// CountLedger counts a department's counted publications in some
// channels (nil: all) of a plan year up to asOf, from the aggregate.
func (s *DB) CountLedger(ctx context.Context, p *plan.Plan, asOf plan.Date, dept string, channels []string) (int, error) {
	last := lastDay(p, asOf)
	args := []any{dept, p.Start().String(), last.String()}
	where := "d.code = $1 AND c.day >= $2 AND c.day <= $3"
	if channels != nil {
		if len(channels) == 0 {
			return 0, nil
		}
		var in []string
		for _, ch := range channels {
			args = append(args, ch)
			in = append(in, fmt.Sprintf("$%d", len(args)))
		}
		where += " AND c.channel IN (" + strings.Join(in, ", ") + ")"
	}
	var n int
	err := s.sql.QueryRowContext(ctx, `SELECT COALESCE(sum(c.n), 0) FROM score_cells c JOIN departments d ON d.id = c.department_id WHERE `+where, args...).Scan(&n)
	return n, err
}

// ScoreVersion is the aggregate's version: it moves with every change to
// any score, in the change's transaction.
func (s *DB) ScoreVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.sql.QueryRowContext(ctx, `SELECT v FROM score_version WHERE id = 1`).Scan(&v)
	return v, err
}

// cellKey is one row of the aggregate.
type cellKey struct {
	dept    int64
	channel string
	day     string
	floor   int
}

const cellUpsert = ` ON CONFLICT (day, department_id, channel, floor) DO UPDATE SET n = score_cells.n + excluded.n`

// addCells adds counts computed while importing (bulk mode, SQLite only)
// to the aggregate, a few hundred rows a statement. Anonymous ? parameters:
// modernc looks a $N name up in a list, which made 2,500 of them quadratic.
func addCells(ctx context.Context, exec execer, cells map[cellKey]int) error {
	if err := exec(ctx, `UPDATE score_version SET v = v + 1`); err != nil {
		return err
	}
	keys := make([]cellKey, 0, len(cells))
	for k := range cells {
		keys = append(keys, k)
	}
	for len(keys) > 0 {
		n := min(len(keys), 500)
		var b strings.Builder
		b.WriteString(`INSERT INTO score_cells (department_id, channel, day, floor, n) VALUES `)
		args := make([]any, 0, 5*n)
		for i, k := range keys[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?)")
			args = append(args, k.dept, k.channel, k.day, k.floor, cells[k])
		}
		b.WriteString(cellUpsert)
		if err := exec(ctx, b.String(), args...); err != nil {
			return err
		}
		keys = keys[n:]
	}
	return nil
}

// addNewCells adds the counted publications with ids above maxID (those a
// SQLite import just wrote) to the aggregate.
func addNewCells(ctx context.Context, exec execer, plans []*plan.Plan, maxID int64) error {
	if err := exec(ctx, `UPDATE score_version SET v = v + 1`); err != nil {
		return err
	}
	fc, args := floorCase(plans, "p.day", "p.channel", "p.words", 2)
	return exec(ctx, fmt.Sprintf(`INSERT INTO score_cells (department_id, channel, day, floor, n)
		SELECT p.department_id, p.channel, p.day, %s, count(*) FROM publications p WHERE p.id > $1 AND p.counted
		GROUP BY 1, 2, 3, 4`, fc)+cellUpsert, append([]any{maxID}, args...)...)
}

// lastDay is the last day of a plan year counted as of asOf.
func lastDay(p *plan.Plan, asOf plan.Date) plan.Date {
	if asOf.After(p.End()) {
		return p.End()
	}
	return asOf
}
