package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"kexuan/domain"
)

// AddAPIToken stores a token (its hash) for the account it acts as.
func (q *Q) AddAPIToken(ctx context.Context, token string, t *domain.APIToken) error {
	id, err := insertID(ctx, q, `INSERT INTO api_tokens (name, token_hash, scopes, user_id, created_by, created_at, expires_on) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		t.Name, tokenHash(token), strings.Join(t.Scopes, ","), t.UserID, nullID(t.CreatedBy), q.wallNow(), t.ExpiresOn)
	t.ID = id
	return err
}

const apiTokenCols = `id, name, scopes, user_id, COALESCE(created_by, 0), created_at, expires_on, COALESCE(revoked_at, ''), COALESCE(last_used_at, '')`

func scanAPIToken(row interface{ Scan(...any) error }) (*domain.APIToken, error) {
	var t domain.APIToken
	var scopes, created, revoked, used string
	if err := row.Scan(&t.ID, &t.Name, &scopes, &t.UserID, &t.CreatedBy, &created, &t.ExpiresOn, &revoked, &used); err != nil {
		return nil, err
	}
	if scopes != "" {
		t.Scopes = strings.Split(scopes, ",")
	}
	t.CreatedAt, t.RevokedAt, t.LastUsedAt = ParseTime(created), ParseTime(revoked), ParseTime(used)
	return &t, nil
}

// APITokenByToken finds a token by its value (ErrNotFound: no such token).
func (q *Q) APITokenByToken(ctx context.Context, token string) (*domain.APIToken, error) {
	t, err := scanAPIToken(q.c.QueryRowContext(ctx, `SELECT `+apiTokenCols+` FROM api_tokens WHERE token_hash = $1`, tokenHash(token)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return t, err
}

// APITokenByName finds a token by its name.
func (q *Q) APITokenByName(ctx context.Context, name string) (*domain.APIToken, error) {
	t, err := scanAPIToken(q.c.QueryRowContext(ctx, `SELECT `+apiTokenCols+` FROM api_tokens WHERE name = $1`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return t, err
}

// APITokens lists every token by name.
func (q *Q) APITokens(ctx context.Context) ([]*domain.APIToken, error) {
	rows, err := q.c.QueryContext(ctx, `SELECT `+apiTokenCols+` FROM api_tokens ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*domain.APIToken
	for rows.Next() {
		t, err := scanAPIToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeAPIToken ends a token; ErrConflict when it was already revoked.
func (q *Q) RevokeAPIToken(ctx context.Context, id int64) error {
	res, err := q.c.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, q.wallNow(), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrConflict
	}
	return nil
}

// TouchAPIToken notes that a token was used, at most once a minute.
func (q *Q) TouchAPIToken(ctx context.Context, id int64, now time.Time) error {
	_, err := q.c.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)`,
		FormatTime(now), id, FormatTime(now.Add(-time.Minute)))
	return err
}

// ClaimIdempotencyKey claims (user, key) for a request, or returns the
// answer already kept for it: nil when this caller claimed it. A claim
// older than since is forgotten first (a key lasts a day).
func (q *Q) ClaimIdempotencyKey(ctx context.Context, userID int64, key, request string, since time.Time) (*domain.IdempotentAnswer, error) {
	if _, err := q.c.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND created_at < $3`, userID, key, FormatTime(since)); err != nil {
		return nil, err
	}
	res, err := q.c.ExecContext(ctx, `INSERT INTO idempotency_keys (user_id, key, request, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, key) DO NOTHING`,
		userID, key, request, q.wallNow())
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil, nil
	}
	var a domain.IdempotentAnswer
	err = q.c.QueryRowContext(ctx, `SELECT request, status, body FROM idempotency_keys WHERE user_id = $1 AND key = $2`, userID, key).Scan(&a.Request, &a.Status, &a.Body)
	return &a, err
}

// FinishIdempotencyKey keeps the answer of a claimed key; status 0 lets
// the claim go (the request failed on the server's side: it may be tried
// again).
func (q *Q) FinishIdempotencyKey(ctx context.Context, userID int64, key string, status int, body string) error {
	if status == 0 {
		_, err := q.c.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND status = 0`, userID, key)
		return err
	}
	_, err := q.c.ExecContext(ctx, `UPDATE idempotency_keys SET status = $1, body = $2 WHERE user_id = $3 AND key = $4`, status, body, userID, key)
	return err
}
