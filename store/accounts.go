package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"kexuan/domain"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrDuplicate is a unique key that is already taken.
var ErrDuplicate = errors.New("already exists")

const userColumns = `u.id, u.username, u.display_name, u.role, COALESCE(d.code, ''), COALESCE(d.name, ''), u.password_hash,
	u.must_change_password, u.failed_logins, COALESCE(u.locked_until, ''), u.disabled, u.demo, u.password_changed_at, u.created_at,
	u.email, u.notify_email, u.phone, u.totp_secret, u.totp_enabled, u.totp_last_step, u.wecom_user`

// userSelect reads a user with their led departments in one query.
func (q *Q) userSelect() string {
	return `SELECT ` + userColumns + `, ` + q.d.leads + ` FROM users u LEFT JOIN departments d ON d.id = u.department_id`
}

func scanUser(row interface{ Scan(...any) error }) (*domain.User, error) {
	var u domain.User
	var locked, changed, created, leads string
	if err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Role, &u.Department, &u.DepartmentName, &u.PasswordHash,
		&u.MustChangePassword, &u.FailedLogins, &locked, &u.Disabled, &u.Demo, &changed, &created, &u.Email, &u.NotifyEmail,
		&u.Phone, &u.TOTPSecret, &u.TOTPEnabled, &u.TOTPLastStep, &u.WeComUser, &leads); err != nil {
		return nil, err
	}
	if locked != "" {
		u.LockedUntil = ParseTime(locked)
	}
	u.PasswordChangedAt, u.CreatedAt = ParseTime(changed), ParseTime(created)
	u.Leads = splitList(leads)
	return &u, nil
}

func (q *Q) userWhere(ctx context.Context, where string, arg any) (*domain.User, error) {
	u, err := scanUser(q.c.QueryRowContext(ctx, q.userSelect()+` WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return u, err
}

// UserByID returns one account.
func (q *Q) UserByID(ctx context.Context, id int64) (*domain.User, error) {
	return q.userWhere(ctx, "u.id = $1", id)
}

// UserByName returns one account by its user name.
func (q *Q) UserByName(ctx context.Context, username string) (*domain.User, error) {
	return q.userWhere(ctx, "u.username = $1", username)
}

// UserByWeCom returns the account of a 企业微信 member id.
func (q *Q) UserByWeCom(ctx context.Context, member string) (*domain.User, error) {
	if member == "" {
		return nil, ErrNotFound
	}
	return q.userWhere(ctx, "u.wecom_user = $1", member)
}

// Users lists at most limit accounts matching f by user name, after the
// name from (before it when back).
func (q *Q) Users(ctx context.Context, f domain.UserFilter, from string, back bool, limit int) ([]*domain.User, error) {
	var w filter
	if f.Role != "" {
		w.add("u.role = ?", string(f.Role))
	}
	if f.Department != "" {
		w.add("d.code = ?", f.Department)
	}
	if f.Text != "" {
		pat := likeContains(f.Text)
		w.add(`(u.username LIKE ? ESCAPE '\' OR u.display_name LIKE ? ESCAPE '\')`, pat, pat)
	}
	order := " ORDER BY u.username"
	if from != "" {
		op := ">"
		if back {
			op, order = "<", " ORDER BY u.username DESC"
		}
		w.add("u.username "+op+" ?", from)
	}
	rows, err := q.c.QueryContext(ctx, q.userSelect()+w.sql()+order+" LIMIT "+strconv.Itoa(limit), w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*domain.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	if back {
		slices.Reverse(out)
	}
	return out, rows.Err()
}

// CountUsers counts accounts, optionally of one role.
func (q *Q) CountUsers(ctx context.Context, role domain.Role) (int, error) {
	var n int
	err := q.c.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE $1 = '' OR role = $1`, role).Scan(&n)
	return n, err
}

func (q *Q) departmentID(ctx context.Context, code string) (sql.NullInt64, error) {
	if code == "" {
		return sql.NullInt64{}, nil
	}
	var id int64
	err := q.c.QueryRowContext(ctx, `SELECT id FROM departments WHERE code = $1`, code).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return sql.NullInt64{}, ErrNotFound
	}
	return sql.NullInt64{Int64: id, Valid: true}, err
}

// CreateUser adds an account and its leader assignments.
func (q *Q) CreateUser(ctx context.Context, u *domain.User) error {
	dept, err := q.departmentID(ctx, u.Department)
	if err != nil {
		return wrap("科室 "+u.Department, err)
	}
	ts := q.now()
	id, err := insertID(ctx, q, `INSERT INTO users (username, display_name, role, department_id, password_hash, must_change_password, demo, password_changed_at, created_at, email, phone, wecom_user)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		u.Username, u.DisplayName, u.Role, dept, u.PasswordHash, u.MustChangePassword, u.Demo, q.wallNow(), ts, u.Email, u.Phone, u.WeComUser)
	if err != nil {
		if isUnique(err) {
			return ErrDuplicate
		}
		return err
	}
	u.ID = id
	return q.SetLeads(ctx, id, u.Leads)
}

// UpdateUser changes an account's name, role, department, disabled flag,
// phone and e-mail (sealed by the caller), 企业微信 member id (ErrDuplicate
// when another account has it) and leader assignments (not its
// password or second factor).
func (q *Q) UpdateUser(ctx context.Context, u *domain.User) error {
	dept, err := q.departmentID(ctx, u.Department)
	if err != nil {
		return wrap("科室 "+u.Department, err)
	}
	if _, err := q.c.ExecContext(ctx, `UPDATE users SET display_name = $1, role = $2, department_id = $3, disabled = $4, phone = $5, email = $6, wecom_user = $7 WHERE id = $8`,
		u.DisplayName, u.Role, dept, u.Disabled, u.Phone, u.Email, u.WeComUser, u.ID); err != nil {
		if isUnique(err) {
			return ErrDuplicate
		}
		return err
	}
	return q.SetLeads(ctx, u.ID, u.Leads)
}

// SetLeads replaces the departments a leader oversees.
func (q *Q) SetLeads(ctx context.Context, userID int64, codes []string) error {
	if _, err := q.c.ExecContext(ctx, `DELETE FROM leader_departments WHERE user_id = $1`, userID); err != nil {
		return err
	}
	for _, c := range codes {
		dept, err := q.departmentID(ctx, c)
		if err != nil {
			return wrap("科室 "+c, err)
		}
		if _, err := q.c.ExecContext(ctx, `INSERT INTO leader_departments (user_id, department_id) VALUES ($1, $2)`, userID, dept); err != nil {
			return err
		}
	}
	return nil
}

// SetPassword stores a new password hash and clears lockout and the
// must-change flag (or sets it, for a reset by an administrator).
func (q *Q) SetPassword(ctx context.Context, userID int64, hash string, mustChange bool) error {
	_, err := q.c.ExecContext(ctx, `UPDATE users SET password_hash = $1, must_change_password = $2, failed_logins = 0, locked_until = NULL, password_changed_at = $3 WHERE id = $4`,
		hash, mustChange, q.wallNow(), userID)
	return err
}

// RecordLoginFailure counts a failed sign-in and locks the account until
// lockUntil once failures reach limit. It returns the new count.
func (q *Q) RecordLoginFailure(ctx context.Context, userID int64, limit int, lockUntil time.Time) (int, bool, error) {
	var n int
	if err := q.c.QueryRowContext(ctx, `UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins`, userID).Scan(&n); err != nil {
		return 0, false, err
	}
	if n >= limit {
		_, err := q.c.ExecContext(ctx, `UPDATE users SET locked_until = $1, failed_logins = 0 WHERE id = $2`, FormatTime(lockUntil), userID)
		return n, true, err
	}
	return n, false, nil
}

// RecordLoginSuccess clears the failure count.
func (q *Q) RecordLoginSuccess(ctx context.Context, userID int64) error {
	_, err := q.c.ExecContext(ctx, `UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1`, userID)
	return err
}

func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// CreateSession stores a session under the hash of its token.
func (q *Q) CreateSession(ctx context.Context, token string, s *domain.Session) error {
	_, err := q.c.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, csrf_token, address, created_at, last_seen_at, expires_at, stage) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		tokenHash(token), s.UserID, s.CSRFToken, s.Address, FormatTime(s.CreatedAt), FormatTime(s.LastSeenAt), FormatTime(s.ExpiresAt), s.Stage)
	return err
}

// SessionByToken finds a session.
func (q *Q) SessionByToken(ctx context.Context, token string) (*domain.Session, error) {
	var s domain.Session
	var created, seen, expires string
	err := q.c.QueryRowContext(ctx, `SELECT user_id, csrf_token, address, created_at, last_seen_at, expires_at, stage FROM sessions WHERE token_hash = $1`, tokenHash(token)).
		Scan(&s.UserID, &s.CSRFToken, &s.Address, &created, &seen, &expires, &s.Stage)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = ParseTime(created), ParseTime(seen), ParseTime(expires)
	return &s, nil
}

// TouchSession records activity.
func (q *Q) TouchSession(ctx context.Context, token string, at time.Time) error {
	_, err := q.c.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2`, FormatTime(at), tokenHash(token))
	return err
}

// DeleteSession ends one session.
func (q *Q) DeleteSession(ctx context.Context, token string) error {
	_, err := q.c.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash(token))
	return err
}

// DeleteUserSessions ends every session of a user except keep (a token, or "").
func (q *Q) DeleteUserSessions(ctx context.Context, userID int64, keep string) error {
	_, err := q.c.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2`, userID, tokenHash(keep))
	return err
}

// DeleteExpiredSessions removes sessions past their absolute expiry or idle
// since before idleBefore.
func (q *Q) DeleteExpiredSessions(ctx context.Context, at, idleBefore time.Time) error {
	_, err := q.c.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < $1 OR last_seen_at < $2`, FormatTime(at), FormatTime(idleBefore))
	return err
}

// isUnique reports a unique-key violation by the drivers' codes: SQLite's
// extended result codes SQLITE_CONSTRAINT_UNIQUE and _PRIMARYKEY,
// PostgreSQL's SQLSTATE 23505.
func isUnique(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505" // unique_violation
}

// Departments lists the departments known to the database.
func (q *Q) Departments(ctx context.Context) ([]domain.DepartmentRef, error) {
	rows, err := q.c.QueryContext(ctx, `SELECT code, name FROM departments ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.DepartmentRef
	for rows.Next() {
		var d domain.DepartmentRef
		if err := rows.Scan(&d.Code, &d.Name); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// MarkDemo flags an account as one of the demonstration's.
func (q *Q) MarkDemo(ctx context.Context, userID int64) error {
	_, err := q.c.ExecContext(ctx, `UPDATE users SET demo = $1 WHERE id = $2`, true, userID)
	return err
}
