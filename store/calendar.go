package store

import (
	"context"
	"database/sql"
	"errors"

	"kexuan/domain"
	"kexuan/plan"
)

// AddCalendarEvent stores an event the office set.
func (q *Q) AddCalendarEvent(ctx context.Context, e *domain.CalendarEvent) error {
	id, err := insertID(ctx, q, `INSERT INTO calendar_events (year, title, first_day, last_day, note, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, e.Year, e.Title, e.FirstDay.String(), e.LastDay.String(), e.Note, nullID(e.CreatedBy), q.now())
	e.ID = id
	return err
}

// CalendarEvents lists a year's events by first day.
func (q *Q) CalendarEvents(ctx context.Context, year int) ([]*domain.CalendarEvent, error) {
	rows, err := q.c.QueryContext(ctx, `SELECT id, year, title, first_day, last_day, note, COALESCE(created_by, 0) FROM calendar_events
		WHERE year = $1 ORDER BY first_day, id`, year)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*domain.CalendarEvent
	for rows.Next() {
		var e domain.CalendarEvent
		var first, last string
		if err := rows.Scan(&e.ID, &e.Year, &e.Title, &first, &last, &e.Note, &e.CreatedBy); err != nil {
			return nil, err
		}
		if e.FirstDay, err = plan.ParseDate(first); err != nil {
			return nil, err
		}
		if e.LastDay, err = plan.ParseDate(last); err != nil {
			return nil, err
		}
		out = append(out, &e)
	}
	return out, rows.Err()
}

// SetCalendarToken gives a user a new feed token (its hash), replacing the
// old one.
func (q *Q) SetCalendarToken(ctx context.Context, userID int64, token string) error {
	if _, err := q.c.ExecContext(ctx, `DELETE FROM calendar_tokens WHERE user_id = $1`, userID); err != nil {
		return err
	}
	_, err := q.c.ExecContext(ctx, `INSERT INTO calendar_tokens (user_id, token_hash, created_at) VALUES ($1, $2, $3)`, userID, tokenHash(token), q.wallNow())
	return err
}

// CalendarTokenUser returns the active user whose feed token this is.
func (q *Q) CalendarTokenUser(ctx context.Context, token string) (*domain.User, error) {
	var id int64
	err := q.c.QueryRowContext(ctx, `SELECT user_id FROM calendar_tokens WHERE token_hash = $1`, tokenHash(token)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return q.UserByID(ctx, id)
}

// RevokeCalendarFeed ends a user's ICS feed: its token no longer answers
// (a password change or reset, a role change, a disabled account).
func (q *Q) RevokeCalendarFeed(ctx context.Context, userID int64) error {
	_, err := q.c.ExecContext(ctx, `DELETE FROM calendar_tokens WHERE user_id = $1`, userID)
	return err
}
