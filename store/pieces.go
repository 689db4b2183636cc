package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"kexuan/domain"
	"kexuan/plan"
)

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

const pieceColumns = `p.id, d.code, d.name, p.author_id, COALESCE(u.display_name, ''), p.title, p.body, p.words, p.themes, p.channels, p.major, p.state, p.created_at, p.updated_at, COALESCE(p.activity_id, 0)`
const pieceFrom = ` FROM pieces p JOIN departments d ON d.id = p.department_id LEFT JOIN users u ON u.id = p.author_id`

func scanPiece(row interface{ Scan(...any) error }) (*domain.Piece, error) {
	var p domain.Piece
	var themes, channels, created, updated string
	if err := row.Scan(&p.ID, &p.Department, &p.DepartmentName, &p.AuthorID, &p.AuthorName, &p.Title, &p.Body, &p.Words,
		&themes, &channels, &p.Major, &p.State, &created, &updated, &p.ActivityID); err != nil {
		return nil, err
	}
	p.Themes, p.Channels = splitList(themes), splitList(channels)
	p.CreatedAt, p.UpdatedAt = ParseTime(created), ParseTime(updated)
	return &p, nil
}

// Piece returns one piece.
//
// Inside a transaction on PostgreSQL the piece's row is locked until the
// transaction ends, so that two servers (or two requests) changing one
// piece take turns and each decides on the state the other left (SQLite's
// write transactions are serial already).
func (q *Q) Piece(ctx context.Context, id int64) (*domain.Piece, error) {
	lock := ""
	if q.tx && q.d == postgresDialect {
		// NO KEY UPDATE: the piece's key never changes, and rows that only
		// point at it (its events, records, the similar pairs another
		// submission writes) take KEY SHARE, which this does not block —
		// FOR UPDATE would, and two submissions would wait on each other.
		lock = " FOR NO KEY UPDATE OF p"
	}
	p, err := scanPiece(q.c.QueryRowContext(ctx, `SELECT `+pieceColumns+pieceFrom+` WHERE p.id = $1`+lock, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return p, err
}

// PieceKey is a piece's place in the newest-first order of lists: its last
// change, then its id.
type PieceKey struct {
	Updated time.Time
	ID      int64
}

// KeyOf is the piece's key.
func KeyOf(p *domain.Piece) PieceKey { return PieceKey{p.UpdatedAt, p.ID} }

// filter holds the WHERE conditions and arguments of a list query.
type filter struct {
	where []string
	args  []any
}

func (f *filter) arg(v any) string {
	f.args = append(f.args, v)
	return "$" + strconv.Itoa(len(f.args))
}

func (f *filter) add(cond string, vals ...any) {
	for _, v := range vals {
		cond = strings.Replace(cond, "?", f.arg(v), 1)
	}
	f.where = append(f.where, cond)
}

func (f *filter) in(col string, vals []string, not bool) {
	ph := make([]string, len(vals))
	for i, v := range vals {
		ph[i] = f.arg(v)
	}
	op := " IN ("
	if not {
		op = " NOT IN ("
	}
	f.where = append(f.where, col+op+strings.Join(ph, ",")+")")
}

func (f *filter) sql() string {
	if len(f.where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(f.where, " AND ")
}

// likeContains is a LIKE pattern for s anywhere, its wildcards escaped (ESCAPE '\').
func likeContains(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// likePrefix is a LIKE pattern for what starts with s (ESCAPE '\').
func likePrefix(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s) + "%"
}

func stateStrings(ss []domain.PieceState) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out
}

// pieceWhere is a piece filter as SQL conditions; false: nothing matches.
func pieceWhere(f domain.PieceFilter) (filter, bool) {
	var w filter
	if f.Departments != nil {
		if len(f.Departments) == 0 {
			return w, false
		}
		w.in("d.code", f.Departments, false)
	}
	if f.States != nil {
		if len(f.States) == 0 {
			return w, false
		}
		w.in("p.state", stateStrings(f.States), false)
	}
	if len(f.HideStates) > 0 {
		w.in("p.state", stateStrings(f.HideStates), true)
	}
	if f.NotAuthor != 0 {
		w.add("p.author_id <> ?", f.NotAuthor)
	}
	if f.Major != nil {
		w.add("p.major = ?", *f.Major)
	}
	if f.Title != "" {
		w.add(`p.title LIKE ? ESCAPE '\'`, likeContains(f.Title))
	}
	// themes and channels are comma-separated lists: a member is ",x,"
	// inside ",list,".
	if f.Channel != "" {
		w.add(`(',' || p.channels || ',') LIKE ? ESCAPE '\'`, likeContains(","+f.Channel+","))
	}
	if f.Theme != "" {
		w.add(`(',' || p.themes || ',') LIKE ? ESCAPE '\'`, likeContains(","+f.Theme+","))
	}
	if f.Activity != 0 {
		w.add("p.activity_id = ?", f.Activity)
	}
	if !f.From.IsZero() {
		w.add("p.created_at >= ?", FormatTime(f.From))
	}
	if !f.Until.IsZero() {
		w.add("p.created_at < ?", FormatTime(f.Until))
	}
	return w, true
}

// CountPieces counts the pieces matching f.
func (q *Q) CountPieces(ctx context.Context, f domain.PieceFilter) (int, error) {
	w, ok := pieceWhere(f)
	if !ok {
		return 0, nil
	}
	var n int
	err := q.c.QueryRowContext(ctx, `SELECT count(*)`+pieceFrom+w.sql(), w.args...).Scan(&n)
	return n, err
}

// Pieces lists at most limit pieces matching f, newest first (by last
// change, then id): after a key, or before it when back is set (the page
// before), so that lists page by keyset whatever their size.
func (q *Q) Pieces(ctx context.Context, f domain.PieceFilter, from *PieceKey, back bool, limit int) ([]*domain.Piece, error) {
	w, ok := pieceWhere(f)
	if !ok {
		return nil, nil
	}
	order := " ORDER BY p.updated_at DESC, p.id DESC"
	if from != nil {
		op := "<"
		if back {
			op, order = ">", " ORDER BY p.updated_at ASC, p.id ASC"
		}
		w.add("(p.updated_at "+op+" ? OR p.updated_at = ? AND p.id "+op+" ?)", FormatTime(from.Updated), FormatTime(from.Updated), from.ID)
	}
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	rows, err := q.c.QueryContext(ctx, `SELECT `+pieceColumns+pieceFrom+w.sql()+order+" LIMIT "+strconv.Itoa(limit), w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*domain.Piece
	for rows.Next() {
		p, err := scanPiece(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if back {
		slices.Reverse(out)
	}
	return out, rows.Err()
}

// CreatePiece stores a new piece.
func (q *Q) CreatePiece(ctx context.Context, p *domain.Piece) error {
	dept, err := q.departmentID(ctx, p.Department)
	if err != nil {
		return wrap("科室 "+p.Department, err)
	}
	ts := q.now()
	id, err := insertID(ctx, q, `INSERT INTO pieces (department_id, author_id, title, body, words, themes, channels, major, state, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		dept, p.AuthorID, p.Title, p.Body, p.Words, strings.Join(p.Themes, ","), strings.Join(p.Channels, ","), p.Major, p.State, ts, ts)
	if err != nil {
		return err
	}
	p.ID = id
	p.CreatedAt, p.UpdatedAt = ParseTime(ts), ParseTime(ts)
	return nil
}

// UpdatePieceContent changes what the author may change.
func (q *Q) UpdatePieceContent(ctx context.Context, p *domain.Piece) error {
	_, err := q.c.ExecContext(ctx, `UPDATE pieces SET title = $1, body = $2, words = $3, themes = $4, channels = $5, major = $6, updated_at = $7 WHERE id = $8`,
		p.Title, p.Body, p.Words, strings.Join(p.Themes, ","), strings.Join(p.Channels, ","), p.Major, q.now(), p.ID)
	return err
}

// SetPieceState moves a piece from one state to another; it fails with
// ErrConflict when the piece is no longer in from (someone acted first).
func (q *Q) SetPieceState(ctx context.Context, id int64, from, to domain.PieceState) error {
	return q.execOne(ctx, ErrConflict, `UPDATE pieces SET state = $1, updated_at = $2 WHERE id = $3 AND state = $4`, to, q.now(), id, from)
}

// ErrConflict is a change that lost a race or no longer applies.
var ErrConflict = errors.New("conflict")

// AddEvent records a step in a piece's history.
func (q *Q) AddEvent(ctx context.Context, e *domain.Event) error {
	id, err := insertID(ctx, q, `INSERT INTO piece_events (piece_id, actor_id, action, from_state, to_state, comment, at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		e.PieceID, e.ActorID, e.Action, e.FromState, e.ToState, e.Comment, q.now())
	e.ID = id
	return err
}

// Events returns a piece's history, oldest first.
func (q *Q) Events(ctx context.Context, pieceID int64) ([]*domain.Event, error) {
	rows, err := q.c.QueryContext(ctx, `SELECT e.id, e.piece_id, e.actor_id, COALESCE(u.display_name, ''), e.action, e.from_state, e.to_state, e.comment, e.at
		FROM piece_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.piece_id = $1 ORDER BY e.id`, pieceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*domain.Event
	for rows.Next() {
		var e domain.Event
		var at string
		if err := rows.Scan(&e.ID, &e.PieceID, &e.ActorID, &e.ActorName, &e.Action, &e.FromState, &e.ToState, &e.Comment, &at); err != nil {
			return nil, err
		}
		e.At = ParseTime(at)
		out = append(out, &e)
	}
	return out, rows.Err()
}

// AddAttachment stores a file.
func (q *Q) AddAttachment(ctx context.Context, a *domain.Attachment) error {
	id, err := insertID(ctx, q, `INSERT INTO attachments (piece_id, name, content_type, size, sha256, data, uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		a.PieceID, a.Name, a.ContentType, a.Size, a.SHA256, a.Data, a.UploadedBy, q.now())
	a.ID = id
	return err
}

// Attachments lists a piece's files (without their content).
func (q *Q) Attachments(ctx context.Context, pieceID int64) ([]*domain.Attachment, error) {
	rows, err := q.c.QueryContext(ctx, `SELECT id, piece_id, name, content_type, size, sha256, uploaded_by, created_at FROM attachments WHERE piece_id = $1 ORDER BY id`, pieceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*domain.Attachment
	for rows.Next() {
		var a domain.Attachment
		var at string
		if err := rows.Scan(&a.ID, &a.PieceID, &a.Name, &a.ContentType, &a.Size, &a.SHA256, &a.UploadedBy, &at); err != nil {
			return nil, err
		}
		a.CreatedAt = ParseTime(at)
		out = append(out, &a)
	}
	return out, rows.Err()
}

// Attachment returns one file with its content.
func (q *Q) Attachment(ctx context.Context, id int64) (*domain.Attachment, error) {
	var a domain.Attachment
	var at string
	err := q.c.QueryRowContext(ctx, `SELECT id, piece_id, name, content_type, size, sha256, data, uploaded_by, created_at FROM attachments WHERE id = $1`, id).
		Scan(&a.ID, &a.PieceID, &a.Name, &a.ContentType, &a.Size, &a.SHA256, &a.Data, &a.UploadedBy, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	a.CreatedAt = ParseTime(at)
	return &a, err
}

// AddAdoption records a publication of a piece; ErrDuplicate when the same
// (department, channel, date, title, outlet) is already recorded.
func (q *Q) AddAdoption(ctx context.Context, a *domain.Adoption) error {
	dept, err := q.departmentID(ctx, a.Department)
	if err != nil {
		return err
	}
	var verified, evidence sql.NullInt64
	if a.VerifiedBy != 0 {
		verified = sql.NullInt64{Int64: a.VerifiedBy, Valid: true}
	}
	if a.EvidenceID != 0 {
		evidence = sql.NullInt64{Int64: a.EvidenceID, Valid: true}
	}
	ts := q.now()
	id, err := insertID(ctx, q, `INSERT INTO publications (department_id, channel, day, title, outlet, words, counted, source, created_at, identity, piece_id, recorded_by, verified_by, evidence_id, issue)
		VALUES ($1, $2, $3, $4, $5, $6, $7, 'adoption', $8, $9, $10, $11, $12, $13, $14)`,
		dept, a.Channel, a.Day.String(), a.Title, a.Outlet, a.Words, a.Counted, ts,
		Identity(a.Department, a.Channel, a.Day, a.Title, a.Outlet), a.PieceID, a.RecordedBy, verified, evidence, a.Issue)
	if err != nil {
		if isUnique(err) {
			return ErrDuplicate
		}
		return err
	}
	a.ID = id
	a.CreatedAt = ParseTime(ts)
	if a.Counted {
		return q.bump(ctx, dept.Int64, a.Channel, a.Day, a.Words, 1)
	}
	return nil
}

const adoptionSelect = `SELECT p.id, COALESCE(p.piece_id, 0), d.code, p.channel, %s, p.title, p.outlet, p.issue, p.words, p.counted,
	COALESCE(p.recorded_by, 0), COALESCE(u.display_name, ''), COALESCE(p.verified_by, 0), COALESCE(p.evidence_id, 0), p.created_at
	FROM publications p JOIN departments d ON d.id = p.department_id LEFT JOIN users u ON u.id = p.recorded_by`

func (q *Q) adoptions(ctx context.Context, where, tail string, args ...any) ([]*domain.Adoption, error) {
	if tail == "" {
		tail = " ORDER BY p.day, p.id"
	}
	rows, err := q.c.QueryContext(ctx, strings.Replace(adoptionSelect, "%s", q.d.dayAs("p.day"), 1)+" WHERE "+where+tail, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*domain.Adoption
	for rows.Next() {
		var a domain.Adoption
		var day, created string
		if err := rows.Scan(&a.ID, &a.PieceID, &a.Department, &a.Channel, &day, &a.Title, &a.Outlet, &a.Issue, &a.Words, &a.Counted,
			&a.RecordedBy, &a.RecordedName, &a.VerifiedBy, &a.EvidenceID, &created); err != nil {
			return nil, err
		}
		if a.Day, err = plan.ParseDate(day); err != nil {
			return nil, fmt.Errorf("publication %d: %w", a.ID, err)
		}
		a.CreatedAt = ParseTime(created)
		out = append(out, &a)
	}
	return out, rows.Err()
}

// PieceAdoptions lists the publications recorded for a piece.
func (q *Q) PieceAdoptions(ctx context.Context, pieceID int64) ([]*domain.Adoption, error) {
	return q.adoptions(ctx, "p.piece_id = $1", "", pieceID)
}

// PendingAdoptions lists at most limit records that wait for the office's
// verification, oldest first, after the record id from (before it when
// back); dept narrows to one department.
func (q *Q) PendingAdoptions(ctx context.Context, dept string, from int64, back bool, limit int) ([]*domain.Adoption, error) {
	w := filter{where: []string{"NOT p.counted", "p.piece_id IS NOT NULL"}}
	if dept != "" {
		w.add("d.code = ?", dept)
	}
	order := " ORDER BY p.id"
	if from != 0 {
		op := ">"
		if back {
			op, order = "<", " ORDER BY p.id DESC"
		}
		w.add("p.id "+op+" ?", from)
	}
	out, err := q.adoptions(ctx, strings.Join(w.where, " AND "), order+" LIMIT "+strconv.Itoa(limit), w.args...)
	if back {
		slices.Reverse(out)
	}
	return out, err
}

// Adoption returns one record.
// AdoptionsByID are the records of some ids (those that exist).
func (q *Q) AdoptionsByID(ctx context.Context, ids []int64) ([]*domain.Adoption, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	marks := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		marks[i], args[i] = "$"+strconv.Itoa(i+1), id
	}
	return q.adoptions(ctx, "p.id IN ("+strings.Join(marks, ", ")+")", "", args...)
}

func (q *Q) Adoption(ctx context.Context, id int64) (*domain.Adoption, error) {
	as, err := q.adoptions(ctx, "p.id = $1", "", id)
	if err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return nil, ErrNotFound
	}
	return as[0], nil
}

// VerifyAdoption makes a pending record count; ErrConflict if it already does.
func (q *Q) VerifyAdoption(ctx context.Context, id, by int64) error {
	if err := q.execOne(ctx, ErrConflict, `UPDATE publications SET counted = $1, verified_by = $2 WHERE id = $3 AND NOT counted`, true, by, id); err != nil {
		return err
	}
	return q.bumpPublication(ctx, id, 1)
}

// UnverifyAdoption makes a verified record pending again and takes it out
// of the aggregate; ErrConflict when it was not verified (pending still, or
// recorded by the office, which counts without verification).
func (q *Q) UnverifyAdoption(ctx context.Context, id int64) error {
	if err := q.execOne(ctx, ErrConflict, `UPDATE publications SET counted = $1, verified_by = NULL WHERE id = $2 AND counted AND verified_by IS NOT NULL`, false, id); err != nil {
		return err
	}
	return q.bumpPublication(ctx, id, -1)
}

// CountedAdoptions is how many counted records a piece has.
func (q *Q) CountedAdoptions(ctx context.Context, pieceID int64) (int, error) {
	var n int
	err := q.c.QueryRowContext(ctx, `SELECT COUNT(*) FROM publications WHERE piece_id = $1 AND counted = $2`, pieceID, true).Scan(&n)
	return n, err
}

// RemoveAdoption takes a record out of publications and keeps it in
// removed_adoptions with the kind, reason and remover; the aggregate loses
// it if it counted. A rejection applies only to a record still pending.
func (q *Q) RemoveAdoption(ctx context.Context, id int64, kind domain.Removal, reason string, by int64) (*domain.Adoption, error) {
	a, err := q.Adoption(ctx, id)
	if err != nil {
		return nil, err
	}
	if kind == domain.RemovalRejected && a.Counted {
		return nil, ErrConflict
	}
	var piece, recorder sql.NullInt64
	if a.PieceID != 0 {
		piece = sql.NullInt64{Int64: a.PieceID, Valid: true}
	}
	if a.RecordedBy != 0 {
		recorder = sql.NullInt64{Int64: a.RecordedBy, Valid: true}
	}
	dept, err := q.departmentID(ctx, a.Department)
	if err != nil {
		return nil, err
	}
	if _, err := q.c.ExecContext(ctx, `INSERT INTO removed_adoptions (publication_id, piece_id, department_id, channel, day, title, outlet, issue, words, counted,
		recorded_by, recorded_at, kind, reason, removed_by, removed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		a.ID, piece, dept, a.Channel, a.Day.String(), a.Title, a.Outlet, a.Issue, a.Words, a.Counted,
		recorder, a.CreatedAt.UTC().Format(time.RFC3339), string(kind), reason, by, q.now()); err != nil {
		return nil, err
	}
	if a.Counted {
		if err := q.bumpPublication(ctx, id, -1); err != nil {
			return nil, err
		}
	}
	if err := q.execOne(ctx, ErrConflict, `DELETE FROM publications WHERE id = $1 AND counted = $2`, id, a.Counted); err != nil {
		return nil, err
	}
	return a, nil
}

// PieceRemovals lists a piece's rejected and deleted records, oldest first.
func (q *Q) PieceRemovals(ctx context.Context, pieceID int64) ([]*domain.RemovedAdoption, error) {
	rows, err := q.c.QueryContext(ctx, fmt.Sprintf(`SELECT r.publication_id, d.code, r.channel, %s, r.title, r.outlet, r.issue, r.words, r.counted,
		COALESCE(r.recorded_by, 0), COALESCE(u.display_name, ''), r.recorded_at, r.kind, r.reason, r.removed_by, COALESCE(x.display_name, ''), r.removed_at
		FROM removed_adoptions r JOIN departments d ON d.id = r.department_id
		LEFT JOIN users u ON u.id = r.recorded_by LEFT JOIN users x ON x.id = r.removed_by
		WHERE r.piece_id = $1 ORDER BY r.id`, q.d.dayAs("r.day")), pieceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*domain.RemovedAdoption
	for rows.Next() {
		r := &domain.RemovedAdoption{Adoption: domain.Adoption{PieceID: pieceID}}
		var day, recorded, kind, removed string
		if err := rows.Scan(&r.ID, &r.Department, &r.Channel, &day, &r.Title, &r.Outlet, &r.Issue, &r.Words, &r.Counted,
			&r.RecordedBy, &r.RecordedName, &recorded, &kind, &r.Reason, &r.RemovedBy, &r.RemovedName, &removed); err != nil {
			return nil, err
		}
		if r.Day, err = plan.ParseDate(day); err != nil {
			return nil, err
		}
		r.Kind, r.CreatedAt, r.RemovedAt = domain.Removal(kind), ParseTime(recorded), ParseTime(removed)
		out = append(out, r)
	}
	return out, rows.Err()
}

// SetAdoptionWords changes the 字数 a record is scored with.
func (q *Q) SetAdoptionWords(ctx context.Context, id int64, words int) error {
	var counted bool
	if err := q.c.QueryRowContext(ctx, `SELECT counted FROM publications WHERE id = $1`, id).Scan(&counted); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		return err
	}
	if counted {
		if err := q.bumpPublication(ctx, id, -1); err != nil {
			return err
		}
	}
	if _, err := q.c.ExecContext(ctx, `UPDATE publications SET words = $1 WHERE id = $2`, words, id); err != nil {
		return err
	}
	if counted {
		return q.bumpPublication(ctx, id, 1)
	}
	return nil
}

// PiecesWaiting counts, per department code, the pieces in any of states.
func (q *Q) PiecesWaiting(ctx context.Context, states []domain.PieceState) (map[string]int, error) {
	var w filter
	w.in("p.state", stateStrings(states), false)
	rows, err := q.c.QueryContext(ctx, `SELECT d.code, count(*) FROM pieces p JOIN departments d ON d.id = p.department_id`+w.sql()+` GROUP BY d.code`, w.args...)
	if err != nil {
		return nil, err
	}
	return countRows(rows)
}

// PendingByDepartment counts, per department code and channel, the records
// waiting for the office's verification dated from first to last (zero
// dates: any).
func (q *Q) PendingByDepartment(ctx context.Context, first, last plan.Date) (map[string]map[string]int, error) {
	w := filter{where: []string{"NOT p.counted", "p.piece_id IS NOT NULL"}}
	if !first.IsZero() {
		w.add("p.day >= ? AND p.day <= ?", first.String(), last.String())
	}
	rows, err := q.c.QueryContext(ctx, `SELECT d.code, p.channel, count(*) FROM publications p JOIN departments d ON d.id = p.department_id`+w.sql()+` GROUP BY d.code, p.channel`, w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string]int{}
	for rows.Next() {
		var dept, ch string
		var n int
		if err := rows.Scan(&dept, &ch, &n); err != nil {
			return nil, err
		}
		if out[dept] == nil {
			out[dept] = map[string]int{}
		}
		out[dept][ch] = n
	}
	return out, rows.Err()
}

func countRows(rows *sql.Rows) (map[string]int, error) {
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, rows.Err()
}

// CountPendingAdoptions counts the records waiting for the office's verification.
func (q *Q) CountPendingAdoptions(ctx context.Context) (int, error) {
	var n int
	err := q.c.QueryRowContext(ctx, `SELECT count(*) FROM publications p WHERE NOT p.counted AND p.piece_id IS NOT NULL`).Scan(&n)
	return n, err
}

// AddVersion keeps what a piece says as it is sent for review.
func (q *Q) AddVersion(ctx context.Context, p *domain.Piece, by int64) error {
	_, err := q.c.ExecContext(ctx, `INSERT INTO piece_versions (piece_id, title, body, submitted_by, submitted_at) VALUES ($1, $2, $3, $4, $5)`,
		p.ID, p.Title, p.Body, by, q.now())
	return err
}

// LastVersions returns a piece's last n submitted versions, oldest first.
func (q *Q) LastVersions(ctx context.Context, pieceID int64, n int) ([]*domain.PieceVersion, error) {
	rows, err := q.c.QueryContext(ctx, `SELECT v.id, v.title, v.body, v.submitted_by, COALESCE(u.display_name, ''), v.submitted_at
		FROM piece_versions v LEFT JOIN users u ON u.id = v.submitted_by WHERE v.piece_id = $1 ORDER BY v.id DESC LIMIT $2`, pieceID, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*domain.PieceVersion
	for rows.Next() {
		v := &domain.PieceVersion{PieceID: pieceID}
		var at string
		if err := rows.Scan(&v.ID, &v.Title, &v.Body, &v.SubmittedBy, &v.SubmittedName, &at); err != nil {
			return nil, err
		}
		v.SubmittedAt = ParseTime(at)
		out = append(out, v)
	}
	slices.Reverse(out)
	return out, rows.Err()
}

// CountVersions is how many times a piece was sent for review.
func (q *Q) CountVersions(ctx context.Context, pieceID int64) (int, error) {
	var n int
	err := q.c.QueryRowContext(ctx, `SELECT count(*) FROM piece_versions WHERE piece_id = $1`, pieceID).Scan(&n)
	return n, err
}
