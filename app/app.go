// Package app is kexuan's service layer: every action a user takes —
// signing in, drafting, submitting, reviewing, recording and verifying
// adoptions, reading the score, managing accounts — with the permission
// checks on the actor and the object, the transaction, and the audit row.
// The web pages and the JSON API both call it and know nothing else.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"kexuan/auth"
	"kexuan/plan"
	"kexuan/scoring"
	"kexuan/store"
)

// Error codes, each with the HTTP status it maps to.
const (
	EInvalid      = "invalid"      // 422: a field is wrong
	EUnauthorized = "unauthorized" // 401: not signed in
	EForbidden    = "forbidden"    // 403: signed in, not allowed
	ENotFound     = "not_found"    // 404
	EConflict     = "conflict"     // 409: wrong state, duplicate
	ETooMany      = "too_many"     // 429: throttled
	ETooLarge     = "too_large"    // 413: a request body over its route's limit
	EUnsupported  = "unsupported"  // 415: a body of a type the route does not take
	EInternal     = "internal"     // 500
)

// Error is what a user is told; internal errors are logged, not shown.
type Error struct {
	Code    string
	Field   string // the field at fault, for EInvalid
	Message string // zh-CN, safe to show
}

func (e *Error) Error() string {
	if e.Field != "" {
		return e.Field + ": " + e.Message
	}
	return e.Message
}

// Status is the HTTP status of an error code.
func Status(code string) int {
	switch code {
	case EInvalid:
		return http.StatusUnprocessableEntity
	case EUnauthorized:
		return http.StatusUnauthorized
	case EForbidden:
		return http.StatusForbidden
	case ENotFound:
		return http.StatusNotFound
	case EConflict:
		return http.StatusConflict
	case ETooMany:
		return http.StatusTooManyRequests
	case ETooLarge:
		return http.StatusRequestEntityTooLarge
	case EUnsupported:
		return http.StatusUnsupportedMediaType
	}
	return http.StatusInternalServerError
}

// ErrorOf returns the *Error in err, or an internal one.
func ErrorOf(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: EInternal, Message: "服务器内部错误"}
}

func invalid(field, format string, args ...any) error {
	return &Error{Code: EInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

func forbidden(format string, args ...any) error {
	return &Error{Code: EForbidden, Message: fmt.Sprintf(format, args...)}
}

func conflict(format string, args ...any) error {
	return &Error{Code: EConflict, Message: fmt.Sprintf(format, args...)}
}

var errNotFound = &Error{Code: ENotFound, Message: "没有找到，或无权查看"}

// App holds the database and the clock.
type App struct {
	DB  *store.DB
	Now func() time.Time

	Log *slog.Logger

	throttle *throttle
}

// New returns an App on db.
func New(db *store.DB) *App {
	a := &App{DB: db, Now: time.Now, Log: slog.Default(), throttle: newThrottle(ThrottleWindow)}
	db.SetClock(func() time.Time { return a.Now() })
	return a
}

// Actor is the signed-in user acting, and where from.
type Actor struct {
	*store.User
	Address string
}

func (a *App) audit(ctx context.Context, q *store.Q, act *Actor, action, object, result, reason string) error {
	e := &store.AuditEntry{At: a.Now(), Action: action, Object: object, Result: result, Reason: reason}
	if act == nil {
		e.Address = "cli" // the command line, run on the server by its operator
	}
	if act != nil {
		e.Address = act.Address
		if act.User != nil {
			e.UserID, e.Username, e.Role = act.ID, act.Username, act.Role
		}
	}
	return q.Audit(ctx, e)
}

// AuditDenied records an authorisation failure (its own transaction).
func (a *App) AuditDenied(ctx context.Context, act *Actor, action, object, reason string) {
	a.auditAlways(ctx, act, action, object, store.AuditDenied, reason)
}

// auditAlways writes an audit row in a transaction of its own, with a context
// a client that hangs up cannot cancel; a row that cannot be written is a
// logged error (the refusal it records stands either way).
func (a *App) auditAlways(ctx context.Context, act *Actor, action, object, result, reason string) {
	ctx = context.WithoutCancel(ctx)
	if err := a.DB.InTx(ctx, func(q *store.Q) error { return a.audit(ctx, q, act, action, object, result, reason) }); err != nil {
		a.Log.Error("audit row not written", "action", action, "object", object, "err", err)
	}
}

// refused audits an action on an object that was refused for permission
// (403) or because the object is not the actor's to see (404 of a hidden
// object). Use it deferred, with the method's named error.
func (a *App) refused(ctx context.Context, act *Actor, action, object string, err *error) {
	if *err == nil || act == nil {
		return
	}
	var e *Error
	if !errors.As(*err, &e) || (e.Code != EForbidden && e != errNotFound) {
		return
	}
	a.auditAlways(ctx, act, action, object, store.AuditDenied, e.Message)
}

// Plan returns the plan of a year, or of the newest year when year is 0.
func (a *App) Plan(ctx context.Context, year int) (*plan.Plan, error) {
	if year == 0 {
		ps, err := a.DB.Plans(ctx)
		if err != nil {
			return nil, err
		}
		if len(ps) == 0 {
			return nil, &Error{Code: ENotFound, Message: "尚未载入任何考核方案"}
		}
		today := a.Now().Year()
		for _, p := range ps {
			if p.Year == today {
				return p, nil
			}
		}
		return ps[len(ps)-1], nil
	}
	p, err := a.DB.Plan(ctx, year)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &Error{Code: ENotFound, Field: "year", Message: fmt.Sprintf("%d 年没有考核方案", year)}
	}
	return p, err
}

// Report is the assessment of a plan year as of a date (zero: the default),
// computed by the same engine and query as `kexuan report`.
func (a *App) Report(ctx context.Context, year int, asOf plan.Date) (*plan.Plan, *scoring.Result, error) {
	p, err := a.Plan(ctx, year)
	if err != nil {
		return nil, nil, err
	}
	if asOf.IsZero() {
		asOf = scoring.DefaultAsOf(p, plan.DateOf(a.Now().In(p.Location())))
	}
	entries, err := a.DB.Entries(ctx, p, asOf)
	if err != nil {
		return nil, nil, err
	}
	return p, scoring.Score(p, asOf, entries, scoring.Options{}), nil
}

// Ledger is one department's assessment with a ledger line per publication.
func (a *App) Ledger(ctx context.Context, year int, asOf plan.Date, dept string) (*plan.Plan, *scoring.Department, error) {
	p, err := a.Plan(ctx, year)
	if err != nil {
		return nil, nil, err
	}
	if p.Department(dept) == nil {
		return nil, nil, errNotFound
	}
	if asOf.IsZero() {
		asOf = scoring.DefaultAsOf(p, plan.DateOf(a.Now().In(p.Location())))
	}
	entries, err := a.DB.PublicationEntries(ctx, p, asOf, dept)
	if err != nil {
		return nil, nil, err
	}
	res := scoring.Score(p, asOf, entries, scoring.Options{})
	for i := range res.Departments {
		if res.Departments[i].Code == dept {
			return p, &res.Departments[i], nil
		}
	}
	return nil, nil, errNotFound
}

// LoadPlan stores a plan for its year. Over a year that already has a plan
// it refuses unless replace is set, and returns what would change (or what
// changed) either way; the load is audited in its transaction. act is nil
// for the command line.
func (a *App) LoadPlan(ctx context.Context, act *Actor, p *plan.Plan, src []byte, replace bool) (changes []string, err error) {
	if act != nil && act.Role != auth.Admin {
		defer a.refused(ctx, act, "plan_load", fmt.Sprintf("plan:%d", p.Year), &err)
		return nil, forbidden("只有管理员可以载入方案")
	}
	old, err := a.DB.Plan(ctx, p.Year)
	switch {
	case errors.Is(err, store.ErrNotFound):
		old = nil
	case err != nil:
		return nil, err
	}
	action, reason := "plan_load", fmt.Sprintf("%s %s（%d 个科室）", p.DocumentNumber, p.Title, len(p.Departments))
	if old != nil {
		changes = plan.Diff(old, p)
		if !replace {
			return changes, &Error{Code: EConflict, Field: "replace", Message: fmt.Sprintf("%d 年已有方案（%s），替换需加 --replace", p.Year, old.DocumentNumber)}
		}
		action = "plan_replace"
		if len(changes) == 0 {
			reason += "；计分规则无变化"
		} else {
			reason += "；" + strings.Join(changes, "；")
		}
	}
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		if err := q.SavePlan(ctx, p, src); err != nil {
			return err
		}
		return a.audit(ctx, q, act, action, fmt.Sprintf("plan:%d", p.Year), store.AuditOK, reason)
	})
	return changes, err
}
