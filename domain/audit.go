package domain

import (
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
	Action   string // login, login_failed, lockout, logout, user_create, piece_approve, adoption_record, …
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

// ClipFields truncates every field to its limit, marking a cut with "…".
func (e *AuditEntry) ClipFields() {
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

// AuditFilter selects audit entries; empty fields select everything.
type AuditFilter struct {
	Action   string
	Username string
	Object   string
	Result   string
}
