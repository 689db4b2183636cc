package app

import (
	"context"
	"errors"

	"kexuan/auth"
	"kexuan/domain"
	"kexuan/store"
)

// DemoUser returns a demonstration account by name, ErrNotFound when there
// is none (or the account of that name is a real one).
func (a *App) DemoUser(ctx context.Context, username string) (*domain.User, error) {
	u, err := a.DB.Q().UserByName(ctx, username)
	if errors.Is(err, store.ErrNotFound) || err == nil && !u.Demo {
		return nil, errNotFound
	}
	return u, err
}

// MarkDemo flags a new account as the demonstration's: its password is
// regenerated and printed at each demo start.
func (a *App) MarkDemo(ctx context.Context, u *domain.User) error {
	return a.DB.Q().MarkDemo(ctx, u.ID)
}

// ResetDemoPassword gives a demonstration account a new password (not
// forced to change: the demo prints it at each start).
func (a *App) ResetDemoPassword(ctx context.Context, u *domain.User, pw string) error {
	if !u.Demo {
		return forbidden("不是演示账户")
	}
	hash, err := auth.HashPassword(ctx, pw)
	if err != nil {
		return err
	}
	return a.DB.Q().SetPassword(ctx, u.ID, hash, false)
}

// SettleDemoNotices leaves each account of a demonstration year with what
// a real office would have unread at its end: the newest keep of its
// notices; the older ones were read as the year went.
func (a *App) SettleDemoNotices(ctx context.Context, keep int) error {
	return a.DB.InTx(ctx, func(q *store.Q) error { return q.ReadAllButNewest(ctx, keep) })
}
