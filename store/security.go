package store

import (
	"context"
	"fmt"
	"time"

	"kexuan/domain"
)

// SetSecondFactor stores a user's sealed TOTP secret and whether enrolment
// is confirmed; "" with false removes it (a reset), with the recovery codes.
func (q *Q) SetSecondFactor(ctx context.Context, userID int64, sealed string, enabled bool) error {
	if _, err := q.c.ExecContext(ctx, `UPDATE users SET totp_secret = $1, totp_enabled = $2, totp_last_step = 0 WHERE id = $3`, sealed, enabled, userID); err != nil {
		return err
	}
	if sealed == "" {
		_, err := q.c.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID)
		return err
	}
	return nil
}

// UseTOTPStep accepts a code's time step once: false when that step or a
// later one was already used (a replayed code).
func (q *Q) UseTOTPStep(ctx context.Context, userID, step int64) (bool, error) {
	res, err := q.c.ExecContext(ctx, `UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1`, step, userID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SetRecoveryCodes replaces a user's recovery codes (their hashes).
func (q *Q) SetRecoveryCodes(ctx context.Context, userID int64, hashes []string) error {
	if _, err := q.c.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
		return err
	}
	for _, h := range hashes {
		if _, err := q.c.ExecContext(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)`, userID, h); err != nil {
			return err
		}
	}
	return nil
}

// UseRecoveryCode spends an unused code: false when there is none with
// that hash.
func (q *Q) UseRecoveryCode(ctx context.Context, userID int64, hash string) (bool, error) {
	res, err := q.c.ExecContext(ctx, `UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL`, q.wallNow(), userID, hash)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// RecoveryCodesLeft counts a user's unused recovery codes.
func (q *Q) RecoveryCodesLeft(ctx context.Context, userID int64) (int, error) {
	var n int
	err := q.c.QueryRowContext(ctx, `SELECT count(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL`, userID).Scan(&n)
	return n, err
}

// AddPasswordHistory keeps a password hash a user had, and forgets all but
// the newest keep of them.
func (q *Q) AddPasswordHistory(ctx context.Context, userID int64, hash string, keep int) error {
	if _, err := q.c.ExecContext(ctx, `INSERT INTO password_history (user_id, hash, changed_at) VALUES ($1, $2, $3)`, userID, hash, q.wallNow()); err != nil {
		return err
	}
	_, err := q.c.ExecContext(ctx, `DELETE FROM password_history WHERE user_id = $1 AND hash NOT IN
		(SELECT hash FROM password_history WHERE user_id = $1 ORDER BY changed_at DESC LIMIT $2)`, userID, keep)
	return err
}

// PasswordHistory returns the newest n password hashes a user had.
func (q *Q) PasswordHistory(ctx context.Context, userID int64, n int) ([]string, error) {
	rows, err := q.c.QueryContext(ctx, `SELECT hash FROM password_history WHERE user_id = $1 ORDER BY changed_at DESC LIMIT $2`, userID, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// SetSessionStage moves a session on (to StageFull once the second factor
// is given).
func (q *Q) SetSessionStage(ctx context.Context, token string, stage domain.SessionStage) error {
	_, err := q.c.ExecContext(ctx, `UPDATE sessions SET stage = $1 WHERE token_hash = $2`, stage, tokenHash(token))
	return err
}

// RotateSession gives a session a new token and form token at a privilege
// change (the second factor given), at the stage it reached: the old token
// no longer opens it.
func (q *Q) RotateSession(ctx context.Context, old, token, csrf string, stage domain.SessionStage) error {
	return q.execOne(ctx, ErrNotFound, `UPDATE sessions SET token_hash = $1, csrf_token = $2, stage = $3 WHERE token_hash = $4`, tokenHash(token), csrf, stage, tokenHash(old))
}

// Unlock clears an account's lockout and failure count.
func (q *Q) Unlock(ctx context.Context, userID int64) error { return q.RecordLoginSuccess(ctx, userID) }

// UnsealedContacts returns users whose phone or e-mail is kept unsealed (written
// before sealing began), for sealing.
func (q *Q) UnsealedContacts(ctx context.Context, prefix string) ([]*domain.User, error) {
	rows, err := q.c.QueryContext(ctx, `SELECT id, email, phone FROM users WHERE (email <> '' AND email NOT LIKE $1) OR (phone <> '' AND phone NOT LIKE $1)`, prefix+"%")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*domain.User
	for rows.Next() {
		var u domain.User
		if err := rows.Scan(&u.ID, &u.Email, &u.Phone); err != nil {
			return nil, err
		}
		out = append(out, &u)
	}
	return out, rows.Err()
}

// SetContacts stores a user's sealed e-mail and phone.
func (q *Q) SetContacts(ctx context.Context, userID int64, email, phone string) error {
	_, err := q.c.ExecContext(ctx, `UPDATE users SET email = $1, phone = $2 WHERE id = $3`, email, phone, userID)
	return err
}

// AuditArchive records entries archived to a signed file: from now on they
// may be deleted, and the kept chain begins at lastHash.
func (q *Q) AuditArchive(ctx context.Context, first, upTo, entries int64, lastHash, fileMAC, rowMAC string) error {
	_, err := q.c.ExecContext(ctx, `INSERT INTO audit_archives (up_to_id, entries, last_hash, file_mac, row_mac, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		upTo, entries, lastHash, fileMAC, rowMAC, q.wallNow())
	if err != nil {
		return err
	}
	// Exactly the archived rows: from its first to its last id, and as many
	// as the archive holds — or nothing (the transaction rolls back).
	res, err := q.c.ExecContext(ctx, `DELETE FROM audit_log WHERE id >= $1 AND id <= $2`, first, upTo)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != entries {
		return fmt.Errorf("归档应删除 %d 条审计日志，实际为 %d 条：已撤销，未删除任何一条", entries, n)
	}
	// No older row may stay behind an archive: the chain would not reach it.
	var older int64
	if err := q.c.QueryRowContext(ctx, `SELECT count(*) FROM audit_log WHERE id < $1`, first).Scan(&older); err != nil {
		return err
	}
	if older != 0 {
		return fmt.Errorf("第 %d 条之前还有 %d 条未归档的审计日志：已撤销", first, older)
	}
	return nil
}

// AuditArchives returns the archives recorded: for each, the last entry,
// its hash and the file's MAC.
func (q *Q) AuditArchives(ctx context.Context) ([]AuditArchiveRow, error) {
	rows, err := q.c.QueryContext(ctx, `SELECT up_to_id, entries, last_hash, file_mac, row_mac, created_at FROM audit_archives ORDER BY up_to_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AuditArchiveRow
	for rows.Next() {
		var a AuditArchiveRow
		var at string
		if err := rows.Scan(&a.UpTo, &a.Entries, &a.LastHash, &a.FileMAC, &a.RowMAC, &at); err != nil {
			return nil, err
		}
		a.At = ParseTime(at)
		out = append(out, a)
	}
	return out, rows.Err()
}

// AuditArchiveRow is one archive of old entries.
type AuditArchiveRow struct {
	UpTo, Entries             int64
	LastHash, FileMAC, RowMAC string
	At                        time.Time
}

// AuditBefore returns the entries written before t, oldest first (at most
// limit), for archiving.
func (q *Q) AuditBefore(ctx context.Context, t time.Time, limit int) ([]*domain.AuditEntry, error) {
	// The oldest entries by id, up to the first written on or after t: a
	// run the chain can start after (an entry written before t but after
	// a later one stays with it).
	var out []*domain.AuditEntry
	var after int64
	for len(out) < limit {
		es, err := q.scanAudit(ctx, auditSelect+` WHERE id > $1 ORDER BY id LIMIT $2`, after, min(10_000, limit-len(out)))
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			if !e.At.Before(t) {
				return out, nil
			}
			out = append(out, e)
		}
		if len(es) == 0 {
			break
		}
		after = es[len(es)-1].ID
	}
	return out, nil
}

// SetMustChangePassword requires a user to change their password (it is
// older than the policy allows).
func (q *Q) SetMustChangePassword(ctx context.Context, userID int64) error {
	_, err := q.c.ExecContext(ctx, `UPDATE users SET must_change_password = $1 WHERE id = $2`, true, userID)
	return err
}
