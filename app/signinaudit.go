package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"kexuan/domain"
)

// FailedSignInRows is how many failed sign-ins a minute, from all addresses
// together, get an audit row each on one server; past it the minute's
// further failures are counted and written as one summary row (how many,
// from which addresses, which user names) — an address pool cannot fill the
// log, whatever the per-address throttle lets through.
const FailedSignInRows = 60

// summaryListed is how many addresses and user names a summary names.
const summaryListed = 20

// signInGate counts the minute's failed sign-ins.
type signInGate struct {
	mu     sync.Mutex
	minute time.Time
	rows   int
	extra  int
	addrs  []string
	users  []string
	more   bool // addresses or names beyond those listed
}

// signInSummary is a finished minute's failures that had no row of their own.
type signInSummary struct {
	minute       time.Time
	count        int
	addrs, users []string
	more         bool
}

// admit counts a failure at now and reports whether it gets its own row; a
// minute that has ended with failures left unwritten comes back as its
// summary, to be written first.
func (g *signInGate) admit(now time.Time, addr, user string) (own bool, done *signInSummary) {
	g.mu.Lock()
	defer g.mu.Unlock()
	done = g.roll(now)
	if g.rows < FailedSignInRows {
		g.rows++
		return true, done
	}
	g.extra++
	add := func(list *[]string, v string) {
		if slices.Contains(*list, v) {
			return
		}
		if len(*list) < summaryListed {
			*list = append(*list, v)
		} else {
			g.more = true
		}
	}
	add(&g.addrs, addr)
	add(&g.users, domain.Clip(user, MaxUsername))
	return false, done
}

// roll starts the minute of now, returning the summary of the one before if
// it left failures unwritten.
func (g *signInGate) roll(now time.Time) *signInSummary {
	m := now.Truncate(time.Minute)
	if m.Equal(g.minute) {
		return nil
	}
	var done *signInSummary
	if g.extra > 0 {
		done = &signInSummary{minute: g.minute, count: g.extra, addrs: g.addrs, users: g.users, more: g.more}
	}
	g.minute, g.rows, g.extra, g.addrs, g.users, g.more = m, 0, 0, nil, nil, false
	return done
}

// flush returns the summary of a minute that has ended, if any.
func (g *signInGate) flush(now time.Time) *signInSummary {
	g.mu.Lock()
	defer g.mu.Unlock()
	if now.Truncate(time.Minute).Equal(g.minute) {
		return nil
	}
	return g.roll(now)
}

func (a *App) writeSignInSummary(ctx context.Context, s *signInSummary) {
	if s == nil {
		return
	}
	more := ""
	if s.more {
		more = " 等"
	}
	a.auditAlways(ctx, &Actor{Address: "多个地址"}, "login_failed_summary", "login", domain.AuditFailed,
		fmt.Sprintf("%s 这一分钟另有 %d 次登录失败未逐条记录；来自 %s%s；尝试的用户名 %s%s", s.minute.In(chinaTime).Format("2006-01-02 15:04"),
			s.count, strings.Join(s.addrs, "、"), more, strings.Join(s.users, "、"), more))
}

// FlushSignInSummary writes the summary of a finished minute's unwritten
// failed sign-ins (the server calls it every tick, so that a burst that
// stops is still told).
func (a *App) FlushSignInSummary(ctx context.Context) {
	a.writeSignInSummary(ctx, a.signIns.flush(a.Now()))
}

// auditSignInFailure writes a failed sign-in's row, or counts it toward the
// minute's summary.
func (a *App) auditSignInFailure(ctx context.Context, act *Actor, object, reason string) {
	if a.admitSignInRow(ctx, act, object) {
		a.auditAlways(ctx, act, "login", object, domain.AuditFailed, reason)
	}
}

// admitSignInRow decides whether a failed sign-in gets its own row (writing
// a finished minute's summary first).
func (a *App) admitSignInRow(ctx context.Context, act *Actor, object string) bool {
	user := strings.TrimPrefix(object, "user:")
	if act.User != nil {
		user = act.Username
	}
	own, done := a.signIns.admit(a.Now(), act.Address, user)
	a.writeSignInSummary(ctx, done)
	return own
}
