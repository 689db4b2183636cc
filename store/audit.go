package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"kexuan/domain"
	"slices"
	"strconv"
	"time"
)

func digest(e *domain.AuditEntry) string {
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
func (q *Q) Audit(ctx context.Context, e *domain.AuditEntry) error {
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
	e.ClipFields()
	e.At = e.At.In(chinaZone).Truncate(time.Microsecond)
	e.Hash = digest(e)
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

const auditSelect = `SELECT id, at, COALESCE(user_id, 0), username, role, address, action, object, result, reason, prev_hash, hash FROM audit_log`

func auditWhere(f domain.AuditFilter) *filter {
	var w filter
	if f.Action != "" {
		w.add("action = ?", f.Action)
	}
	if f.Username != "" {
		w.add("username = ?", f.Username)
	}
	if f.Object != "" {
		w.add("object = ?", f.Object)
	}
	if f.Result != "" {
		w.add("result = ?", f.Result)
	}
	// at is RFC 3339 in one zone (chinaZone), so a bound in that zone
	// without its offset compares as text: every entry of the bound's second
	// or later sorts at or after it.
	if !f.From.IsZero() {
		w.add("at >= ?", f.From.In(chinaZone).Format("2006-01-02T15:04:05"))
	}
	if !f.Until.IsZero() {
		w.add("at < ?", f.Until.In(chinaZone).Format("2006-01-02T15:04:05"))
	}
	return &w
}

// AuditEntries returns the newest entries matching f (at most 5,000).
func (q *Q) AuditEntries(ctx context.Context, f domain.AuditFilter) ([]*domain.AuditEntry, error) {
	return q.AuditPage(ctx, f, 0, false, 5000)
}

// AuditPage returns at most limit entries matching f, newest first, older
// than the entry id from (newer when back).
func (q *Q) AuditPage(ctx context.Context, f domain.AuditFilter, from int64, back bool, limit int) ([]*domain.AuditEntry, error) {
	w := auditWhere(f)
	order := " ORDER BY id DESC"
	if from != 0 {
		op := "<"
		if back {
			op, order = ">", " ORDER BY id ASC"
		}
		w.add("id "+op+" ?", from)
	}
	out, err := q.scanAudit(ctx, auditSelect+w.sql()+order+" LIMIT "+strconv.Itoa(limit), w.args...)
	if back {
		slices.Reverse(out)
	}
	return out, err
}

func (q *Q) scanAudit(ctx context.Context, query string, args ...any) ([]*domain.AuditEntry, error) {
	rows, err := q.c.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*domain.AuditEntry
	for rows.Next() {
		var e domain.AuditEntry
		var at string
		if err := rows.Scan(&e.ID, &at, &e.UserID, &e.Username, &e.Role, &e.Address, &e.Action, &e.Object, &e.Result, &e.Reason, &e.PrevHash, &e.Hash); err != nil {
			return nil, err
		}
		if e.At, err = time.Parse(time.RFC3339Nano, at); err != nil {
			return nil, fmt.Errorf("audit entry %d: time %q: %w", e.ID, at, err)
		}
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
		if e.PrevHash != prev || digest(e) != e.Hash {
			return e.ID, len(entries), nil
		}
		prev = e.Hash
	}
	return 0, len(entries), nil
}
