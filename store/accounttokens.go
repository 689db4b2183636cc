package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// AccountToken is a single-use activation or reset of an account's
// password.
type AccountToken struct {
	UserID    int64
	Kind      string // activate, reset
	CreatedBy int64
	ExpiresAt time.Time
	Used      bool
}

// AddAccountToken stores a new token (hashed), ending the account's earlier
// unused ones: only the newest link or code works.
func (q *Q) AddAccountToken(ctx context.Context, token string, t *AccountToken) error {
	if _, err := q.c.ExecContext(ctx, `DELETE FROM account_tokens WHERE user_id = $1 AND used_at IS NULL`, t.UserID); err != nil {
		return err
	}
	_, err := q.c.ExecContext(ctx, `INSERT INTO account_tokens (token_hash, user_id, kind, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		tokenHash(token), t.UserID, t.Kind, nullID(t.CreatedBy), q.wallNow(), FormatTime(t.ExpiresAt))
	return err
}

// AccountTokenByHash finds a token (ErrNotFound when there is none).
func (q *Q) AccountTokenByHash(ctx context.Context, token string) (*AccountToken, error) {
	var t AccountToken
	var by sql.NullInt64
	var expires string
	var used sql.NullString
	err := q.c.QueryRowContext(ctx, `SELECT user_id, kind, created_by, expires_at, used_at FROM account_tokens WHERE token_hash = $1`, tokenHash(token)).
		Scan(&t.UserID, &t.Kind, &by, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	t.CreatedBy, t.ExpiresAt, t.Used = by.Int64, ParseTime(expires), used.Valid
	return &t, nil
}

// UseAccountToken marks a token used, once: ErrConflict when it was already.
func (q *Q) UseAccountToken(ctx context.Context, token string) error {
	return q.execOne(ctx, ErrConflict, `UPDATE account_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL`, q.wallNow(), tokenHash(token))
}
