package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"

	"kexuan/domain"
)

// AddNotice stores a notice for its user.
func (q *Q) AddNotice(ctx context.Context, n *domain.Notice) error {
	ts := q.now()
	id, err := insertID(ctx, q, `INSERT INTO notices (user_id, kind, text, link, about, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		n.UserID, n.Kind, n.Text, n.Link, n.About, ts)
	n.ID, n.CreatedAt = id, ParseTime(ts)
	return err
}

// Notices lists at most limit of a user's notices, newest first, older than
// the id from (newer when back).
func (q *Q) Notices(ctx context.Context, userID, from int64, back bool, limit int) ([]*domain.Notice, error) {
	w := filter{}
	w.add("user_id = ?", userID)
	order := " ORDER BY id DESC"
	if from != 0 {
		op := "<"
		if back {
			op, order = ">", " ORDER BY id ASC"
		}
		w.add("id "+op+" ?", from)
	}
	rows, err := q.c.QueryContext(ctx, `SELECT id, user_id, kind, text, link, created_at, read_at IS NOT NULL FROM notices`+w.sql()+order+" LIMIT "+strconv.Itoa(limit), w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*domain.Notice
	for rows.Next() {
		var n domain.Notice
		var created string
		if err := rows.Scan(&n.ID, &n.UserID, &n.Kind, &n.Text, &n.Link, &created, &n.Read); err != nil {
			return nil, err
		}
		n.CreatedAt = ParseTime(created)
		out = append(out, &n)
	}
	if back {
		slices.Reverse(out)
	}
	return out, rows.Err()
}

// UnreadNotices counts a user's unread notices.
func (q *Q) UnreadNotices(ctx context.Context, userID int64) (int, error) {
	var n int
	err := q.c.QueryRowContext(ctx, `SELECT count(*) FROM notices WHERE user_id = $1 AND read_at IS NULL`, userID).Scan(&n)
	return n, err
}

// ReadNotice marks one of the user's notices read; ErrNotFound when it is
// not theirs.
func (q *Q) ReadNotice(ctx context.Context, userID, id int64) error {
	return q.execOne(ctx, ErrNotFound, `UPDATE notices SET read_at = COALESCE(read_at, $1) WHERE id = $2 AND user_id = $3`, q.now(), id, userID)
}

// ReadNoticesAt marks read the user's notices that link to a page (the
// user has opened it); it returns how many.
func (q *Q) ReadNoticesAt(ctx context.Context, userID int64, link string) (int64, error) {
	// Most pages have nothing unread about them: look before writing, so
	// that opening a page takes no write lock.
	var unread bool
	if err := q.c.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM notices WHERE user_id = $1 AND link = $2 AND read_at IS NULL)`, userID, link).Scan(&unread); err != nil || !unread {
		return 0, err
	}
	res, err := q.c.ExecContext(ctx, `UPDATE notices SET read_at = $1 WHERE user_id = $2 AND link = $3 AND read_at IS NULL`, q.now(), userID, link)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// ReadAllNotices marks every notice of the user read; it returns how many.
func (q *Q) ReadAllNotices(ctx context.Context, userID int64) (int64, error) {
	res, err := q.c.ExecContext(ctx, `UPDATE notices SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL`, q.now(), userID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Recipients lists the active accounts that should hear about a
// department's piece in a role: its reporters and head (department roles),
// the leaders who oversee it, or everyone in a bureau-wide role.
func (q *Q) Recipients(ctx context.Context, role domain.Role, dept string) ([]int64, error) {
	var query string
	args := []any{string(role)}
	switch {
	case role == domain.Leader:
		query = `SELECT u.id FROM users u JOIN leader_departments l ON l.user_id = u.id JOIN departments d ON d.id = l.department_id
			WHERE u.role = $1 AND NOT u.disabled AND d.code = $2 ORDER BY u.id`
		args = append(args, dept)
	case role.InDepartment():
		query = `SELECT u.id FROM users u JOIN departments d ON d.id = u.department_id WHERE u.role = $1 AND NOT u.disabled AND d.code = $2 ORDER BY u.id`
		args = append(args, dept)
	default:
		query = `SELECT id FROM users WHERE role = $1 AND NOT disabled ORDER BY id`
	}
	rows, err := q.c.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// SettleNotices marks read every user's notices of a kind about a link: a
// piece once reviewed no longer waits for its other reviewers.
func (q *Q) SettleNotices(ctx context.Context, kind, link string) error {
	_, err := q.c.ExecContext(ctx, `UPDATE notices SET read_at = $1 WHERE kind = $2 AND link = $3 AND read_at IS NULL`, q.now(), kind, link)
	return err
}

// ReadAllButNewest marks read every notice of every user but the newest
// keep of each (the demonstration year's end).
func (q *Q) ReadAllButNewest(ctx context.Context, keep int) error {
	_, err := q.c.ExecContext(ctx, `UPDATE notices SET read_at = $1 WHERE read_at IS NULL AND id NOT IN (
		SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY id DESC) AS n FROM notices WHERE read_at IS NULL) r WHERE n <= $2)`, q.now(), keep)
	return err
}

// NoticeReads counts, for each event, the people told and those who read it.
func (q *Q) NoticeReads(ctx context.Context, abouts []string) (map[string]domain.Reads, error) {
	out := map[string]domain.Reads{}
	if len(abouts) == 0 {
		return out, nil
	}
	marks := make([]string, len(abouts))
	args := make([]any, len(abouts))
	for i, a := range abouts {
		marks[i], args[i] = "$"+strconv.Itoa(i+1), a
	}
	rows, err := q.c.QueryContext(ctx, `SELECT about, COUNT(*), COUNT(read_at) FROM notices WHERE about IN (`+strings.Join(marks, ", ")+`) GROUP BY about`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var about string
		var r domain.Reads
		if err := rows.Scan(&about, &r.Told, &r.Read); err != nil {
			return nil, err
		}
		out[about] = r
	}
	return out, rows.Err()
}

// LatestAbout is the newest event key with a prefix ("" when none).
func (q *Q) LatestAbout(ctx context.Context, prefix string) (string, error) {
	var about string
	err := q.c.QueryRowContext(ctx, `SELECT about FROM notices WHERE about LIKE $1 ESCAPE '\' ORDER BY id DESC LIMIT 1`, likePrefix(prefix)).Scan(&about)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return about, err
}
