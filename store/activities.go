package store

import (
	"context"
	"database/sql"
	"errors"

	"kexuan/domain"
	"kexuan/plan"
)

// EnsureActivities makes the year's activity of each form number that has
// none yet, with the given days (the plan's fixed dates; zero: unset).
func (q *Q) EnsureActivities(ctx context.Context, year int, forms map[int][2]plan.Date) error {
	for form, days := range forms {
		var first, last string
		if days[0] != (plan.Date{}) {
			first, last = days[0].String(), days[1].String()
		}
		if _, err := q.c.ExecContext(ctx, `INSERT INTO activities (year, form, first_day, last_day, updated_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (year, form) DO NOTHING`, year, form, first, last, q.now()); err != nil {
			return err
		}
	}
	return nil
}

const activitySelect = `SELECT a.id, a.year, a.form, a.first_day, a.last_day, a.status, a.summary, COALESCE(a.updated_by, 0),
	COALESCE(u.display_name, ''), a.updated_at,
	(SELECT count(*) FROM activity_files f WHERE f.activity_id = a.id),
	(SELECT count(*) FROM pieces p WHERE p.activity_id = a.id)
	FROM activities a LEFT JOIN users u ON u.id = a.updated_by`

func scanActivity(row interface{ Scan(...any) error }) (*domain.Activity, error) {
	var a domain.Activity
	var first, last, status, updated string
	if err := row.Scan(&a.ID, &a.Year, &a.Form, &first, &last, &status, &a.Summary, &a.UpdatedBy, &a.UpdatedName, &updated, &a.Files, &a.Pieces); err != nil {
		return nil, err
	}
	var err error
	if first != "" {
		if a.First, err = plan.ParseDate(first); err != nil {
			return nil, err
		}
	}
	if last != "" {
		if a.Last, err = plan.ParseDate(last); err != nil {
			return nil, err
		}
	}
	a.Status, a.UpdatedAt = domain.ActivityStatus(status), ParseTime(updated)
	return &a, nil
}

// Activities lists a year's activities by form number.
func (q *Q) Activities(ctx context.Context, year int) ([]*domain.Activity, error) {
	rows, err := q.c.QueryContext(ctx, activitySelect+` WHERE a.year = $1 ORDER BY a.form`, year)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*domain.Activity
	for rows.Next() {
		a, err := scanActivity(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Activity returns one activity.
func (q *Q) Activity(ctx context.Context, id int64) (*domain.Activity, error) {
	a, err := scanActivity(q.c.QueryRowContext(ctx, activitySelect+` WHERE a.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return a, err
}

// UpdateActivity stores an activity's days, status and summary.
func (q *Q) UpdateActivity(ctx context.Context, a *domain.Activity) error {
	var first, last string
	if a.First != (plan.Date{}) {
		first, last = a.First.String(), a.Last.String()
	}
	return q.execOne(ctx, ErrNotFound, `UPDATE activities SET first_day = $1, last_day = $2, status = $3, summary = $4, updated_by = $5, updated_at = $6 WHERE id = $7`,
		first, last, string(a.Status), a.Summary, a.UpdatedBy, q.now(), a.ID)
}

// AddActivityFile stores an evidence file.
func (q *Q) AddActivityFile(ctx context.Context, f *domain.ActivityFile) error {
	id, err := insertID(ctx, q, `INSERT INTO activity_files (activity_id, name, content_type, size, sha256, data, uploaded_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, f.ActivityID, f.Name, f.ContentType, f.Size, f.SHA256, f.Data, f.UploadedBy, q.now())
	f.ID = id
	return err
}

// ActivityFiles lists an activity's evidence (without the content).
func (q *Q) ActivityFiles(ctx context.Context, activityID int64) ([]*domain.ActivityFile, error) {
	rows, err := q.c.QueryContext(ctx, `SELECT id, name, content_type, size, uploaded_by, created_at FROM activity_files WHERE activity_id = $1 ORDER BY id`, activityID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*domain.ActivityFile
	for rows.Next() {
		f := &domain.ActivityFile{ActivityID: activityID}
		var at string
		if err := rows.Scan(&f.ID, &f.Name, &f.ContentType, &f.Size, &f.UploadedBy, &at); err != nil {
			return nil, err
		}
		f.CreatedAt = ParseTime(at)
		out = append(out, f)
	}
	return out, rows.Err()
}

// ActivityFile returns one evidence file with its content.
func (q *Q) ActivityFile(ctx context.Context, id int64) (*domain.ActivityFile, error) {
	var f domain.ActivityFile
	var at string
	err := q.c.QueryRowContext(ctx, `SELECT id, activity_id, name, content_type, size, sha256, data, uploaded_by, created_at FROM activity_files WHERE id = $1`, id).
		Scan(&f.ID, &f.ActivityID, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &f.Data, &f.UploadedBy, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	f.CreatedAt = ParseTime(at)
	return &f, err
}

// SetPieceActivity links a piece to an activity (0: none).
func (q *Q) SetPieceActivity(ctx context.Context, pieceID, activityID int64) error {
	var v sql.NullInt64
	if activityID != 0 {
		v = sql.NullInt64{Int64: activityID, Valid: true}
	}
	return q.execOne(ctx, ErrNotFound, `UPDATE pieces SET activity_id = $1 WHERE id = $2`, v, pieceID)
}
