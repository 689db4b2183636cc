package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// AuditEntry is one line of the append-only audit log.
type AuditEntry struct {
	ID       int64
	At       time.Time
	UserID   int64
	Username string
	Role     string
	Address  string
	Action   string // login, login_failed, lockout, logout, user_create, review_approve, adoption_record, …
	Object   string // piece:12, user:3, …
	Result   string // ok, denied, failed
	Reason   string
	PrevHash string
	Hash     string
}

// Results of audited actions.
const (
	AuditOK     = "ok"
	AuditDenied = "denied"
	AuditFailed = "failed"
)

// Audit field limits, in characters: whatever a caller passes (a user name
// typed at the sign-in form, a comment), a row stays small.
const (
	AuditMaxName   = 64
	AuditMaxShort  = 64 // role, address, action, result
	AuditMaxObject = 200
	AuditMaxReason = 1000
)

// clip truncates every field to its limit, marking a cut with "…".
func (e *AuditEntry) clip() {
	e.Username = Clip(e.Username, AuditMaxName)
	e.Role = Clip(e.Role, AuditMaxShort)
	e.Address = Clip(e.Address, AuditMaxShort)
	e.Action = Clip(e.Action, AuditMaxShort)
	e.Result = Clip(e.Result, AuditMaxShort)
	e.Object = Clip(e.Object, AuditMaxObject)
	e.Reason = Clip(e.Reason, AuditMaxReason)
}

// Clip returns s cut to at most n characters (runes), the last one "…" when
// it was cut; invalid UTF-8 is replaced.
func Clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n { // bytes ≥ runes: short enough
		return s
	}
	i, count := 0, 0
	for j := range s {
		if count == n-1 {
			i = j
		}
		count++
		if count > n {
			return s[:i] + "…"
		}
	}
	return s
}

func (e *AuditEntry) digest() string {
	h := sha256.New()
	for _, s := range []string{e.PrevHash, e.At.Format(time.RFC3339Nano), strconv.FormatInt(e.UserID, 10), e.Username, e.Role,
		e.Address, e.Action, e.Object, e.Result, e.Reason} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Audit appends an entry, chained to the one before by hash. Call it in the
// transaction of the change it records.
func (q *Q) Audit(ctx context.Context, e *AuditEntry) error {
	if q.d == postgresDialect {
		// Entries are chained: one writer at a time.
		if _, err := q.c.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7262918)`); err != nil {
			return err
		}
	}
	err := q.c.QueryRowContext(ctx, `SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&e.PrevHash)
	if errors.Is(err, sql.ErrNoRows) {
		e.PrevHash = ""
	} else if err != nil {
		return err
	}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	e.clip()
	e.At = e.At.In(chinaZone).Truncate(time.Microsecond)
	e.Hash = e.digest()
	var uid sql.NullInt64
	if e.UserID != 0 {
		uid = sql.NullInt64{Int64: e.UserID, Valid: true}
	}
	id, err := insertID(ctx, q, `INSERT INTO audit_log (at, user_id, username, role, address, action, object, result, reason, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		e.At.Format(time.RFC3339Nano), uid, e.Username, e.Role, e.Address, e.Action, e.Object, e.Result, e.Reason, e.PrevHash, e.Hash)
	e.ID = id
	return err
}

var chinaZone = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return l
}()

// AuditFilter selects entries; empty fields select everything.
type AuditFilter struct {
	Action   string
	Username string
	Object   string
	Limit    int
}

// AuditEntries returns entries, newest first.
func (q *Q) AuditEntries(ctx context.Context, f AuditFilter) ([]*AuditEntry, error) {
	var where []string
	var args []any
	add := func(cond string, v string) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Action != "" {
		add("action = $%d", f.Action)
	}
	if f.Username != "" {
		add("username = $%d", f.Username)
	}
	if f.Object != "" {
		add("object = $%d", f.Object)
	}
	query := `SELECT id, at, COALESCE(user_id, 0), username, role, address, action, object, result, reason, prev_hash, hash FROM audit_log`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 || limit > 5000 {
		limit = 200
	}
	query += " ORDER BY id DESC LIMIT " + strconv.Itoa(limit)
	return q.scanAudit(ctx, query, args...)
}

func (q *Q) scanAudit(ctx context.Context, query string, args ...any) ([]*AuditEntry, error) {
	rows, err := q.c.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at string
		if err := rows.Scan(&e.ID, &at, &e.UserID, &e.Username, &e.Role, &e.Address, &e.Action, &e.Object, &e.Result, &e.Reason, &e.PrevHash, &e.Hash); err != nil {
			return nil, err
		}
		e.At, _ = time.Parse(time.RFC3339Nano, at)
		out = append(out, &e)
	}
	return out, rows.Err()
}

// VerifyAuditChain walks the whole log and returns the first entry whose
// hash or link does not match, or 0 when the chain is intact.
func (q *Q) VerifyAuditChain(ctx context.Context) (int64, int, error) {
	entries, err := q.scanAudit(ctx, `SELECT id, at, COALESCE(user_id, 0), username, role, address, action, object, result, reason, prev_hash, hash FROM audit_log ORDER BY id`)
	if err != nil {
		return 0, 0, err
	}
	prev := ""
	for _, e := range entries {
		if e.PrevHash != prev || e.digest() != e.Hash {
			return e.ID, len(entries), nil
		}
		prev = e.Hash
	}
	return 0, len(entries), nil
}
