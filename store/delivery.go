package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"kexuan/domain"
)

// Settings returns every stored setting.
func (q *Q) Settings(ctx context.Context) (map[string]string, error) {
	rows, err := q.c.QueryContext(ctx, `SELECT key, value FROM settings`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}

// SetSetting stores one setting.
func (q *Q) SetSetting(ctx context.Context, key, value string) error {
	_, err := q.c.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// ClaimRun claims one run of a periodic job (its key names the job and the
// period: "quota_reminded:dept:2017-03"), inside the transaction of the
// run's effects: true for the one transaction that claims it; another
// server's, at once or later, gets false (on PostgreSQL it waits on the key
// until the first commits or rolls back). A run that fails releases it.
func (q *Q) ClaimRun(ctx context.Context, key, value string) (bool, error) {
	res, err := q.c.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, key, value)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SetUserEmail sets where a user's notices go by e-mail, and whether they do.
func (q *Q) SetUserEmail(ctx context.Context, userID int64, email string, notify bool) error {
	_, err := q.c.ExecContext(ctx, `UPDATE users SET email = $1, notify_email = $2 WHERE id = $3`, email, notify, userID)
	return err
}

// SetWebhook sets a department's group robot; an empty secret or URL keeps
// the one stored; remove deletes the robot.
func (q *Q) SetWebhook(ctx context.Context, w domain.Webhook, remove bool) error {
	dept, err := q.departmentID(ctx, w.Department)
	if err != nil {
		return err
	}
	if remove {
		_, err := q.c.ExecContext(ctx, `DELETE FROM department_webhooks WHERE department_id = $1`, dept)
		return err
	}
	_, err = q.c.ExecContext(ctx, `INSERT INTO department_webhooks (department_id, kind, url, secret, updated_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (department_id) DO UPDATE SET kind = excluded.kind,
		url = CASE WHEN excluded.url = '' THEN department_webhooks.url ELSE excluded.url END,
		secret = CASE WHEN excluded.secret = '' THEN department_webhooks.secret ELSE excluded.secret END, updated_at = excluded.updated_at`,
		dept, w.Kind, w.URL, w.Secret, q.now())
	return err
}

// Webhooks lists the departments' robots (secrets included: app decides
// what is shown).
func (q *Q) Webhooks(ctx context.Context) ([]domain.Webhook, error) {
	rows, err := q.c.QueryContext(ctx, `SELECT d.code, w.kind, w.url, w.secret FROM department_webhooks w JOIN departments d ON d.id = w.department_id ORDER BY d.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.Webhook
	for rows.Next() {
		var w domain.Webhook
		if err := rows.Scan(&w.Department, &w.Kind, &w.URL, &w.Secret); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// Enqueue adds a delivery to the outbox, due now.
func (q *Q) Enqueue(ctx context.Context, d *domain.Delivery) error {
	ts := q.now()
	id, err := insertID(ctx, q, `INSERT INTO deliveries (kind, channel, target, subject, body, mentions, next_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		d.Kind, d.Channel, d.Target, d.Subject, d.Body, d.Mentions, ts, ts)
	d.ID = id
	return err
}

// ClaimDelivery leases the oldest due delivery to this caller until now +
// lease (another server takes it only after that) and counts the attempt;
// nil when nothing is due.
func (s *DB) ClaimDelivery(ctx context.Context, now time.Time, lease time.Duration) (*domain.Delivery, error) {
	lock := ""
	if s.dialect == postgresDialect {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var d domain.Delivery
	n := FormatTime(now)
	err := s.sql.QueryRowContext(ctx, `UPDATE deliveries SET locked_until = $1, attempts = attempts + 1
		WHERE id = (SELECT id FROM deliveries WHERE sent_at IS NULL AND failed_at IS NULL AND next_at <= $2
			AND (locked_until IS NULL OR locked_until < $2) ORDER BY next_at, id LIMIT 1`+lock+`)
		RETURNING id, channel, target, subject, body, mentions, attempts`, FormatTime(now.Add(lease)), n).
		Scan(&d.ID, &d.Channel, &d.Target, &d.Subject, &d.Body, &d.Mentions, &d.Attempts)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// SentSince is how many deliveries of a channel to a target were sent at
// or after since (a robot's limit is per minute).
func (s *DB) SentSince(ctx context.Context, channel, target string, since time.Time) (int, error) {
	var n int
	err := s.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM deliveries WHERE channel = $1 AND target = $2 AND sent_at >= $3`, channel, target, FormatTime(since)).Scan(&n)
	return n, err
}

// PostponeDelivery puts a claimed delivery back, due at next, its attempt
// not counted (it was not tried).
func (s *DB) PostponeDelivery(ctx context.Context, id int64, next time.Time) error {
	_, err := s.sql.ExecContext(ctx, `UPDATE deliveries SET next_at = $1, locked_until = NULL, attempts = attempts - 1 WHERE id = $2`, FormatTime(next), id)
	return err
}

// DeliveryDone records the outcome of an attempt: sent; or, with an error,
// due again at next (zero: given up).
func (s *DB) DeliveryDone(ctx context.Context, id int64, now time.Time, sendErr error, next time.Time) error {
	var err error
	switch {
	case sendErr == nil:
		_, err = s.sql.ExecContext(ctx, `UPDATE deliveries SET sent_at = $1, locked_until = NULL, last_error = '' WHERE id = $2`, FormatTime(now), id)
	case next.IsZero():
		_, err = s.sql.ExecContext(ctx, `UPDATE deliveries SET failed_at = $1, locked_until = NULL, last_error = $2 WHERE id = $3`,
			FormatTime(now), domain.Clip(sendErr.Error(), 500), id)
	default:
		_, err = s.sql.ExecContext(ctx, `UPDATE deliveries SET next_at = $1, locked_until = NULL, last_error = $2 WHERE id = $3`,
			FormatTime(next), domain.Clip(sendErr.Error(), 500), id)
	}
	return err
}

// RecentDeliveries lists the newest deliveries (the settings page's status):
// their metadata only — kind, channel, recipient, tries, status, error —
// never their subject or text, which are business messages.
func (q *Q) RecentDeliveries(ctx context.Context, limit int) ([]*domain.Delivery, error) {
	rows, err := q.c.QueryContext(ctx, `SELECT id, kind, channel, target, attempts, COALESCE(sent_at, ''), COALESCE(failed_at, ''), last_error, created_at
		FROM deliveries ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*domain.Delivery
	for rows.Next() {
		var d domain.Delivery
		var sent, failed, created string
		if err := rows.Scan(&d.ID, &d.Kind, &d.Channel, &d.Target, &d.Attempts, &sent, &failed, &d.LastError, &created); err != nil {
			return nil, err
		}
		if sent != "" {
			d.SentAt = ParseTime(sent)
		}
		if failed != "" {
			d.FailedAt = ParseTime(failed)
		}
		d.CreatedAt = ParseTime(created)
		out = append(out, &d)
	}
	return out, rows.Err()
}

// NotifyEmails returns, of the given users, those who asked for notices by
// e-mail: id → address (one query, however many recipients).
func (q *Q) NotifyEmails(ctx context.Context, ids []int64) (map[int64]string, error) {
	return q.userValues(ctx, ids, "email", "notify_email")
}

// Phones returns the stored (sealed) phones of the enabled accounts among
// ids that have one, by id.
func (q *Q) Phones(ctx context.Context, ids []int64) (map[int64]string, error) {
	return q.userValues(ctx, ids, "phone")
}

// WeComMembers returns the 企业微信 member ids of the enabled accounts among
// ids that have one, by id.
func (q *Q) WeComMembers(ctx context.Context, ids []int64) (map[int64]string, error) {
	return q.userValues(ctx, ids, "wecom_user")
}

// userValues reads one column (a name written here, never a caller's
// input) of the enabled accounts among ids where it is not empty, by id;
// and narrows them further.
func (q *Q) userValues(ctx context.Context, ids []int64, column string, and ...string) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var w filter
	w.where = append([]string{column + " <> ''", "NOT disabled"}, and...)
	ph := make([]string, len(ids))
	for i, id := range ids {
		ph[i] = w.arg(id)
	}
	w.where = append(w.where, "id IN ("+strings.Join(ph, ",")+")")
	rows, err := q.c.QueryContext(ctx, `SELECT id, `+column+` FROM users`+w.sql(), w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var v string
		if err := rows.Scan(&id, &v); err != nil {
			return nil, err
		}
		out[id] = v
	}
	return out, rows.Err()
}
