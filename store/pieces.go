package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"kexuan/plan"
)

// Piece states (PRODUCT.md module 2).
const (
	StateDraft          = "draft"           // 草稿
	StateSubmitted      = "submitted"       // 待审核 (in-charge leader)
	StateLeaderApproved = "leader_approved" // 待主要领导审核 (flagged 重大事项)
	StateApproved       = "approved"        // 已审核
	StateReturned       = "returned"        // 退回
	StateAdopted        = "adopted"         // 已采用
)

// Piece is a piece of writing a department submits.
type Piece struct {
	ID             int64
	Department     string
	DepartmentName string
	AuthorID       int64
	AuthorName     string
	Title          string
	Body           string // sanitised HTML
	Words          int
	Themes         []int
	Channels       []string
	Major          bool
	State          string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Event is one step in a piece's history.
type Event struct {
	ID        int64
	PieceID   int64
	ActorID   int64
	ActorName string
	Action    string
	FromState string
	ToState   string
	Comment   string
	At        time.Time
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ",")
}

func splitInts(s string) []int {
	var out []int
	for _, p := range strings.Split(s, ",") {
		if n, err := strconv.Atoi(p); err == nil {
			out = append(out, n)
		}
	}
	return out
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

const pieceColumns = `p.id, d.code, d.name, p.author_id, COALESCE(u.display_name, ''), p.title, p.body, p.words, p.themes, p.channels, p.major, p.state, p.created_at, p.updated_at`
const pieceFrom = ` FROM pieces p JOIN departments d ON d.id = p.department_id LEFT JOIN users u ON u.id = p.author_id`

func scanPiece(row interface{ Scan(...any) error }) (*Piece, error) {
	var p Piece
	var themes, channels, created, updated string
	if err := row.Scan(&p.ID, &p.Department, &p.DepartmentName, &p.AuthorID, &p.AuthorName, &p.Title, &p.Body, &p.Words,
		&themes, &channels, &p.Major, &p.State, &created, &updated); err != nil {
		return nil, err
	}
	p.Themes, p.Channels = splitInts(themes), splitList(channels)
	p.CreatedAt, p.UpdatedAt = ParseTime(created), ParseTime(updated)
	return &p, nil
}

// Piece returns one piece.
func (q *Q) Piece(ctx context.Context, id int64) (*Piece, error) {
	p, err := scanPiece(q.c.QueryRowContext(ctx, `SELECT `+pieceColumns+pieceFrom+` WHERE p.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return p, err
}

// PieceFilter selects pieces; zero fields select everything.
type PieceFilter struct {
	Departments []string // any of these (nil: all)
	States      []string // any of these (nil: all)
	Major       *bool
	Limit       int
}

// Pieces lists pieces, newest first.
func (q *Q) Pieces(ctx context.Context, f PieceFilter) ([]*Piece, error) {
	var where []string
	var args []any
	in := func(col string, vals []string) {
		ph := make([]string, len(vals))
		for i, v := range vals {
			args = append(args, v)
			ph[i] = "$" + strconv.Itoa(len(args))
		}
		where = append(where, col+" IN ("+strings.Join(ph, ",")+")")
	}
	if f.Departments != nil {
		if len(f.Departments) == 0 {
			return nil, nil
		}
		in("d.code", f.Departments)
	}
	if f.States != nil {
		in("p.state", f.States)
	}
	if f.Major != nil {
		args = append(args, *f.Major)
		where = append(where, "p.major = $"+strconv.Itoa(len(args)))
	}
	query := `SELECT ` + pieceColumns + pieceFrom
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY p.updated_at DESC, p.id DESC"
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 500
	}
	query += " LIMIT " + strconv.Itoa(limit)
	rows, err := q.c.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Piece
	for rows.Next() {
		p, err := scanPiece(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// CreatePiece stores a new piece.
func (q *Q) CreatePiece(ctx context.Context, p *Piece) error {
	dept, err := q.departmentID(ctx, p.Department)
	if err != nil {
		return wrap("科室 "+p.Department, err)
	}
	ts := q.now()
	id, err := insertID(ctx, q, `INSERT INTO pieces (department_id, author_id, title, body, words, themes, channels, major, state, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		dept, p.AuthorID, p.Title, p.Body, p.Words, joinInts(p.Themes), strings.Join(p.Channels, ","), p.Major, p.State, ts, ts)
	if err != nil {
		return err
	}
	p.ID = id
	p.CreatedAt, p.UpdatedAt = ParseTime(ts), ParseTime(ts)
	return nil
}

// UpdatePieceContent changes what the author may change.
func (q *Q) UpdatePieceContent(ctx context.Context, p *Piece) error {
	_, err := q.c.ExecContext(ctx, `UPDATE pieces SET title = $1, body = $2, words = $3, themes = $4, channels = $5, major = $6, updated_at = $7 WHERE id = $8`,
		p.Title, p.Body, p.Words, joinInts(p.Themes), strings.Join(p.Channels, ","), p.Major, q.now(), p.ID)
	return err
}

// SetPieceState moves a piece from one state to another; it fails with
// ErrConflict when the piece is no longer in from (someone acted first).
func (q *Q) SetPieceState(ctx context.Context, id int64, from, to string) error {
	res, err := q.c.ExecContext(ctx, `UPDATE pieces SET state = $1, updated_at = $2 WHERE id = $3 AND state = $4`, to, q.now(), id, from)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrConflict
	}
	return nil
}

// ErrConflict is a change that lost a race or no longer applies.
var ErrConflict = errors.New("conflict")

// AddEvent records a step in a piece's history.
func (q *Q) AddEvent(ctx context.Context, e *Event) error {
	id, err := insertID(ctx, q, `INSERT INTO piece_events (piece_id, actor_id, action, from_state, to_state, comment, at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		e.PieceID, e.ActorID, e.Action, e.FromState, e.ToState, e.Comment, q.now())
	e.ID = id
	return err
}

// Events returns a piece's history, oldest first.
func (q *Q) Events(ctx context.Context, pieceID int64) ([]*Event, error) {
	rows, err := q.c.QueryContext(ctx, `SELECT e.id, e.piece_id, e.actor_id, COALESCE(u.display_name, ''), e.action, e.from_state, e.to_state, e.comment, e.at
		FROM piece_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.piece_id = $1 ORDER BY e.id`, pieceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Event
	for rows.Next() {
		var e Event
		var at string
		if err := rows.Scan(&e.ID, &e.PieceID, &e.ActorID, &e.ActorName, &e.Action, &e.FromState, &e.ToState, &e.Comment, &at); err != nil {
			return nil, err
		}
		e.At = ParseTime(at)
		out = append(out, &e)
	}
	return out, rows.Err()
}

// Attachment is a file attached to a piece (photo, scan, evidence).
type Attachment struct {
	ID          int64
	PieceID     int64
	Name        string
	ContentType string
	Size        int
	SHA256      string
	Data        []byte
	UploadedBy  int64
	CreatedAt   time.Time
}

// AddAttachment stores a file.
func (q *Q) AddAttachment(ctx context.Context, a *Attachment) error {
	id, err := insertID(ctx, q, `INSERT INTO attachments (piece_id, name, content_type, size, sha256, data, uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		a.PieceID, a.Name, a.ContentType, a.Size, a.SHA256, a.Data, a.UploadedBy, q.now())
	a.ID = id
	return err
}

// Attachments lists a piece's files (without their content).
func (q *Q) Attachments(ctx context.Context, pieceID int64) ([]*Attachment, error) {
	rows, err := q.c.QueryContext(ctx, `SELECT id, piece_id, name, content_type, size, sha256, uploaded_by, created_at FROM attachments WHERE piece_id = $1 ORDER BY id`, pieceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Attachment
	for rows.Next() {
		var a Attachment
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
func (q *Q) Attachment(ctx context.Context, id int64) (*Attachment, error) {
	var a Attachment
	var at string
	err := q.c.QueryRowContext(ctx, `SELECT id, piece_id, name, content_type, size, sha256, data, uploaded_by, created_at FROM attachments WHERE id = $1`, id).
		Scan(&a.ID, &a.PieceID, &a.Name, &a.ContentType, &a.Size, &a.SHA256, &a.Data, &a.UploadedBy, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	a.CreatedAt = ParseTime(at)
	return &a, err
}

// Adoption is a publication recorded for a piece.
type Adoption struct {
	ID           int64
	PieceID      int64
	Department   string
	Channel      string
	Day          plan.Date
	Title        string
	Outlet       string
	Issue        string
	Words        int
	Counted      bool // false until the office verifies outside coverage or accepts a quota item
	RecordedBy   int64
	RecordedName string
	VerifiedBy   int64
	EvidenceID   int64
	CreatedAt    time.Time
}

// AddAdoption records a publication of a piece; ErrDuplicate when the same
// (department, channel, date, title, outlet) is already recorded.
func (q *Q) AddAdoption(ctx context.Context, a *Adoption) error {
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

func (q *Q) adoptions(ctx context.Context, where string, args ...any) ([]*Adoption, error) {
	rows, err := q.c.QueryContext(ctx, strings.Replace(adoptionSelect, "%s", q.d.dayText, 1)+" WHERE "+where+" ORDER BY p.day, p.id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Adoption
	for rows.Next() {
		var a Adoption
		var day, created string
		if err := rows.Scan(&a.ID, &a.PieceID, &a.Department, &a.Channel, &day, &a.Title, &a.Outlet, &a.Issue, &a.Words, &a.Counted,
			&a.RecordedBy, &a.RecordedName, &a.VerifiedBy, &a.EvidenceID, &created); err != nil {
			return nil, err
		}
		a.Day, _ = plan.ParseDate(day)
		a.CreatedAt = ParseTime(created)
		out = append(out, &a)
	}
	return out, rows.Err()
}

// PieceAdoptions lists the publications recorded for a piece.
func (q *Q) PieceAdoptions(ctx context.Context, pieceID int64) ([]*Adoption, error) {
	return q.adoptions(ctx, "p.piece_id = $1", pieceID)
}

// PendingAdoptions lists records that wait for the office's verification.
func (q *Q) PendingAdoptions(ctx context.Context) ([]*Adoption, error) {
	return q.adoptions(ctx, "NOT p.counted AND p.piece_id IS NOT NULL")
}

// Adoption returns one record.
func (q *Q) Adoption(ctx context.Context, id int64) (*Adoption, error) {
	as, err := q.adoptions(ctx, "p.id = $1", id)
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
	res, err := q.c.ExecContext(ctx, `UPDATE publications SET counted = $1, verified_by = $2 WHERE id = $3 AND NOT counted`, true, by, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrConflict
	}
	return q.bumpPublication(ctx, id, 1)
}

// CountedAdoptions is how many counted records a piece has.
func (q *Q) CountedAdoptions(ctx context.Context, pieceID int64) (int, error) {
	var n int
	err := q.c.QueryRowContext(ctx, `SELECT COUNT(*) FROM publications WHERE piece_id = $1 AND counted = $2`, pieceID, true).Scan(&n)
	return n, err
}

// RejectAdoption removes a pending record that the office does not accept.
func (q *Q) RejectAdoption(ctx context.Context, id int64) error {
	res, err := q.c.ExecContext(ctx, `DELETE FROM publications WHERE id = $1 AND NOT counted`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrConflict
	}
	return nil
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
