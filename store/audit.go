package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"kexuan/domain"
	"slices"
	"strconv"
	"strings"
	"time"
)

// canonical is what an entry's hash covers: the previous hash and every
// field, each ended by a zero byte.
func canonical(e *domain.AuditEntry) []byte {
	var b []byte
	for _, s := range []string{e.PrevHash, e.At.Format(time.RFC3339Nano), strconv.FormatInt(e.UserID, 10), e.Username, e.Role,
		e.Address, e.Action, e.Object, e.Result, e.Reason} {
		b = append(b, s...)
		b = append(b, 0)
	}
	return b
}

// legacyDigest is the unkeyed SHA-256 of the entries written before the
// installation had a key; a keyed entry after them binds them by its
// previous hash.
func legacyDigest(e *domain.AuditEntry) string {
	h := sha256.Sum256(canonical(e))
	return hex.EncodeToString(h[:])
}

// SetAuditMAC keys the audit chain: every entry written from now on is
// hashed with mac (HMAC-SM3 under the installation's key, prefixed "sm3:"),
// and verification checks keyed entries with it.
func (s *DB) SetAuditMAC(mac func([]byte) string) { s.auditMAC = mac }

// digest hashes an entry: keyed when the database has a MAC.
func (q *Q) digest(e *domain.AuditEntry) string {
	if q.db.auditMAC != nil {
		return q.db.auditMAC(canonical(e))
	}
	return legacyDigest(e)
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
		// An empty log continues the last archive's chain, if any.
		err = q.c.QueryRowContext(ctx, `SELECT COALESCE((SELECT last_hash FROM audit_archives ORDER BY up_to_id DESC LIMIT 1), '')`).Scan(&e.PrevHash)
	}
	if err != nil {
		return err
	}
	if e.At.IsZero() {
		e.At = q.wallc()
	}
	e.ClipFields()
	e.At = e.At.In(chinaZone).Truncate(time.Microsecond)
	e.Hash = q.digest(e)
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

// KeyedPrefix marks the hash of an entry of the keyed chain.
const KeyedPrefix = "sm3:"

// AuditCheck is what verifying the audit log found.
type AuditCheck struct {
	Count        int64  // entries in the database
	Archived     int64  // entries archived before the first one kept
	ArchivedUpTo int64  // the last entry archived
	Keyed        int64  // entries of the keyed chain
	Broken       int64  // the first entry that fails (0: none)
	Why          string // why it fails
	HeadID       int64  // the last entry
}

// VerifyAudit walks the whole log in order: every entry must link to the one
// before (the first kept one to the last archived), its hash must be its
// fields' (keyed entries under the database's MAC), and once the chain is
// keyed no unkeyed entry may follow.
func (q *Q) VerifyAudit(ctx context.Context) (*AuditCheck, error) {
	var c AuditCheck
	prev := ""
	err := q.c.QueryRowContext(ctx, `SELECT COALESCE(sum(entries), 0), COALESCE(max(up_to_id), 0), COALESCE((SELECT last_hash FROM audit_archives ORDER BY up_to_id DESC LIMIT 1), '') FROM audit_archives`).Scan(&c.Archived, &c.ArchivedUpTo, &prev)
	if err != nil {
		return nil, err
	}
	rows, err := q.c.QueryContext(ctx, auditSelect+` ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ch := &chain{prev: prev, mac: q.db.auditMAC}
	for rows.Next() {
		var e domain.AuditEntry
		var at string
		if err := rows.Scan(&e.ID, &at, &e.UserID, &e.Username, &e.Role, &e.Address, &e.Action, &e.Object, &e.Result, &e.Reason, &e.PrevHash, &e.Hash); err != nil {
			return nil, err
		}
		c.Count++
		c.HeadID = e.ID
		if c.Broken != 0 {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, at)
		if err != nil {
			c.Broken, c.Why = e.ID, "时间无法解析"
			continue
		}
		e.At = t
		why, err := ch.check(&e)
		if err != nil {
			return nil, err
		}
		if why != "" {
			c.Broken, c.Why = e.ID, why
		}
	}
	c.Keyed = ch.keyed
	return &c, rows.Err()
}

// chain checks entries in order.
type chain struct {
	prev  string
	keyed int64
	mac   func([]byte) string
}

// check returns why an entry fails ("" when it holds) and moves on.
func (ch *chain) check(e *domain.AuditEntry) (string, error) {
	defer func() { ch.prev = e.Hash }()
	switch {
	case e.PrevHash != ch.prev:
		return "与上一条的链接不符（前面的条目被删除、插入或改动）", nil
	case strings.HasPrefix(e.Hash, KeyedPrefix):
		if ch.mac == nil {
			return "", errors.New("审计日志已用密钥签名（HMAC-SM3），校验需要密钥文件")
		}
		ch.keyed++
		if !hmac.Equal([]byte(ch.mac(canonical(e))), []byte(e.Hash)) {
			return "签名不符（条目被改动，或用别的密钥重算过）", nil
		}
	case ch.keyed > 0:
		return "未签名的条目出现在已签名的条目之后（日志被重写）", nil
	default:
		if legacyDigest(e) != e.Hash {
			return "哈希不符（条目被改动）", nil
		}
	}
	return "", nil
}

// CheckEntries checks entries read back from an archive as the log itself
// is checked, from the hash before the first: the first that fails (0:
// none) and why.
func (s *DB) CheckEntries(prev string, entries []*domain.AuditEntry) (int64, string, error) {
	ch := &chain{prev: prev, mac: s.auditMAC}
	for _, e := range entries {
		why, err := ch.check(e)
		if err != nil || why != "" {
			return e.ID, why, err
		}
	}
	return 0, "", nil
}

// AuditHead is the last entry's id and hash and how many entries the log has
// had (those kept and those archived).
func (q *Q) AuditHead(ctx context.Context) (id int64, hash string, count int64, err error) {
	err = q.c.QueryRowContext(ctx, `SELECT COALESCE(max(id), 0), (SELECT count(*) FROM audit_log) + (SELECT COALESCE(sum(entries), 0) FROM audit_archives) FROM audit_log`).Scan(&id, &count)
	if err != nil || id == 0 {
		return id, "", count, err
	}
	err = q.c.QueryRowContext(ctx, `SELECT hash FROM audit_log WHERE id = $1`, id).Scan(&hash)
	return id, hash, count, err
}

// AuditEntryHash is an entry's stored hash and how many entries the log had
// up to it ("" when it is not there).
func (q *Q) AuditEntryHash(ctx context.Context, id int64) (hash string, count int64, err error) {
	err = q.c.QueryRowContext(ctx, `SELECT hash, (SELECT count(*) FROM audit_log WHERE id <= $1) + (SELECT COALESCE(sum(entries), 0) FROM audit_archives) FROM audit_log WHERE id = $1`, id).Scan(&hash, &count)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, nil
	}
	return hash, count, err
}

// VerifyAuditChain checks the log and returns the first entry that fails,
// or 0 when the chain is intact, and the entries checked.
func (q *Q) VerifyAuditChain(ctx context.Context) (int64, int, error) {
	c, err := q.VerifyAudit(ctx)
	if err != nil {
		return 0, 0, err
	}
	return c.Broken, int(c.Count), nil
}
