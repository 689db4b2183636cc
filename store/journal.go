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

const issueSelect = `SELECT id, year, number, day, editor, state, comment, created_by, created_at, COALESCE(reviewed_by, 0), COALESCE(published_at, '') FROM journal_issues`

func scanIssue(row interface{ Scan(...any) error }) (*domain.JournalIssue, error) {
	var j domain.JournalIssue
	var day, state, created, published string
	if err := row.Scan(&j.ID, &j.Year, &j.Number, &day, &j.Editor, &state, &j.Comment, &j.CreatedBy, &created, &j.ReviewedBy, &published); err != nil {
		return nil, err
	}
	d, err := plan.ParseDate(day)
	if err != nil {
		return nil, err
	}
	j.Day, j.State, j.CreatedAt = d, domain.JournalState(state), ParseTime(created)
	if published != "" {
		j.PublishedAt = ParseTime(published)
	}
	return &j, nil
}

// AddIssue stores a new issue (a draft); the number must be free in its year.
func (q *Q) AddIssue(ctx context.Context, j *domain.JournalIssue) error {
	ts := q.now()
	id, err := insertID(ctx, q, `INSERT INTO journal_issues (year, number, day, editor, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		j.Year, j.Number, j.Day.String(), j.Editor, j.CreatedBy, ts)
	if err != nil {
		if isUnique(err) {
			return ErrDuplicate
		}
		return err
	}
	j.ID, j.State, j.CreatedAt = id, domain.JournalDraft, ParseTime(ts)
	return nil
}

// Issues lists a year's issues by number.
func (q *Q) Issues(ctx context.Context, year int) ([]*domain.JournalIssue, error) {
	rows, err := q.c.QueryContext(ctx, issueSelect+` WHERE year = $1 ORDER BY number`, year)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*domain.JournalIssue
	for rows.Next() {
		j, err := scanIssue(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

// IssuePage is up to limit of a year's issues in number order after the
// number from (before it when back; nil: from the first); with
// publishedOnly, only those published.
func (q *Q) IssuePage(ctx context.Context, year int, publishedOnly bool, from *int, back bool, limit int) ([]*domain.JournalIssue, error) {
	var w filter
	w.add("year = ?", year)
	if publishedOnly {
		w.add("state = ?", string(domain.JournalPublished))
	}
	order := " ORDER BY number"
	if from != nil {
		op := ">"
		if back {
			op, order = "<", " ORDER BY number DESC"
		}
		w.add("number "+op+" ?", *from)
	}
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	rows, err := q.c.QueryContext(ctx, issueSelect+w.sql()+order+" LIMIT "+strconv.Itoa(limit), w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*domain.JournalIssue
	for rows.Next() {
		j, err := scanIssue(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	if back {
		slices.Reverse(out)
	}
	return out, rows.Err()
}

// LastIssueNumber is the largest number of a year's issues (0: none).
func (q *Q) LastIssueNumber(ctx context.Context, year int) (int, error) {
	var n int
	err := q.c.QueryRowContext(ctx, `SELECT COALESCE(max(number), 0) FROM journal_issues WHERE year = $1`, year).Scan(&n)
	return n, err
}

// Issue returns an issue with its items in section and position order.
func (q *Q) Issue(ctx context.Context, id int64) (*domain.JournalIssue, error) {
	j, err := scanIssue(q.c.QueryRowContext(ctx, issueSelect+` WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	rows, err := q.c.QueryContext(ctx, `SELECT id, section, position, COALESCE(piece_id, 0), title, source, body FROM journal_items WHERE issue_id = $1 ORDER BY section, position, id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		it := &domain.JournalItem{IssueID: id}
		if err := rows.Scan(&it.ID, &it.Section, &it.Position, &it.PieceID, &it.Title, &it.Source, &it.Body); err != nil {
			return nil, err
		}
		j.Items = append(j.Items, it)
	}
	return j, rows.Err()
}

// IssueByNumber finds an issue by year and number.
func (q *Q) IssueByNumber(ctx context.Context, year, number int) (*domain.JournalIssue, error) {
	var id int64
	err := q.c.QueryRowContext(ctx, `SELECT id FROM journal_issues WHERE year = $1 AND number = $2`, year, number).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return q.Issue(ctx, id)
}

// AddItem appends an item to a section of an issue.
func (q *Q) AddItem(ctx context.Context, it *domain.JournalItem) error {
	var pos int
	if err := q.c.QueryRowContext(ctx, `SELECT COALESCE(max(position), 0) FROM journal_items WHERE issue_id = $1 AND section = $2`, it.IssueID, it.Section).Scan(&pos); err != nil {
		return err
	}
	var piece sql.NullInt64
	if it.PieceID != 0 {
		piece = sql.NullInt64{Int64: it.PieceID, Valid: true}
	}
	it.Position = pos + 1
	id, err := insertID(ctx, q, `INSERT INTO journal_items (issue_id, section, position, piece_id, title, source, body) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		it.IssueID, it.Section, it.Position, piece, it.Title, it.Source, it.Body)
	it.ID = id
	return err
}

// MoveItem swaps an item with its neighbour in its section (up: earlier).
func (q *Q) MoveItem(ctx context.Context, issueID, itemID int64, up bool) error {
	var section, pos int
	err := q.c.QueryRowContext(ctx, `SELECT section, position FROM journal_items WHERE id = $1 AND issue_id = $2`, itemID, issueID).Scan(&section, &pos)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	query := `SELECT id, position FROM journal_items WHERE issue_id = $1 AND section = $2 AND position > $3 ORDER BY position LIMIT 1`
	if up {
		query = `SELECT id, position FROM journal_items WHERE issue_id = $1 AND section = $2 AND position < $3 ORDER BY position DESC LIMIT 1`
	}
	var other int64
	var otherPos int
	err = q.c.QueryRowContext(ctx, query, issueID, section, pos).Scan(&other, &otherPos)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // already first (or last)
	}
	if err != nil {
		return err
	}
	if _, err := q.c.ExecContext(ctx, `UPDATE journal_items SET position = $1 WHERE id = $2`, otherPos, itemID); err != nil {
		return err
	}
	_, err = q.c.ExecContext(ctx, `UPDATE journal_items SET position = $1 WHERE id = $2`, pos, other)
	return err
}

// RemoveItem deletes an item from an issue.
func (q *Q) RemoveItem(ctx context.Context, issueID, itemID int64) error {
	return q.execOne(ctx, ErrNotFound, `DELETE FROM journal_items WHERE id = $1 AND issue_id = $2`, itemID, issueID)
}

// SetIssueState moves an issue from one state to another (ErrConflict if
// it is no longer in from), with the reviewer's comment.
func (q *Q) SetIssueState(ctx context.Context, id int64, from, to domain.JournalState, by int64, comment string) error {
	var published any
	if to == domain.JournalPublished {
		published = q.now()
	}
	var reviewer sql.NullInt64
	if from == domain.JournalReview {
		reviewer = sql.NullInt64{Int64: by, Valid: true}
	}
	return q.execOne(ctx, ErrConflict, `UPDATE journal_issues SET state = $1, comment = $2, published_at = COALESCE($3, published_at),
		reviewed_by = COALESCE($4, reviewed_by) WHERE id = $5 AND state = $6`, string(to), comment, published, reviewer, id, string(from))
}
