package domain

import "time"

// APIToken lets a system (the OA, a city's collector) call the API as an
// account of its own, with only its scopes.
type APIToken struct {
	ID         int64
	Name       string
	Scopes     []string
	UserID     int64 // the account it acts as (disabled for sign-in)
	CreatedBy  int64 // 0: the command line
	CreatedAt  time.Time
	ExpiresOn  string // the last day it works (YYYY-MM-DD); "" never
	RevokedAt  time.Time
	LastUsedAt time.Time
}

// Scopes are what a token may be given, each the permissions it grants.
var Scopes = map[string][]Perm{
	"report:read":     {PermScore, PermExport},
	"pieces:read":     {PermPieceRead},
	"adoptions:write": {PermPieceRead, PermAdopt, PermVerify},
	"field:read":      {PermFieldRead},
}

// ScopeNames is the scopes in the order they are explained.
var ScopeNames = []string{"report:read", "pieces:read", "adoptions:write", "field:read"}

// Grants reports whether the token's scopes grant perm.
func (t *APIToken) Grants(perm Perm) bool {
	for _, s := range t.Scopes {
		for _, p := range Scopes[s] {
			if p == perm {
				return true
			}
		}
	}
	return false
}

// IdempotentAnswer is the first answer to a POST with an Idempotency-Key.
type IdempotentAnswer struct {
	Request string // method, path and body digest it was given for
	Status  int    // 0: still being done
	Body    string
}
