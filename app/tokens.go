package app

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"kexuan/domain"
	"kexuan/plan"
	"kexuan/store"
)

// API tokens: a system (the OA, a city's collector) calls the API with a
// token that acts with only its scopes, as an account of its own — made
// with the token, disabled for sign-in — so that the audit trail names it.
// The token is shown once; only its hash is kept.

// TokenPrefix starts every token (a leaked one is recognisable).
const TokenPrefix = "kx_"

var tokenNameRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{1,23}$`)

// TokenInput is a new token.
type TokenInput struct {
	Name    string
	Scopes  []string
	Expires string // the last day it works, YYYY-MM-DD; "" never
}

// tokenUsername is the account a token acts as.
func tokenUsername(name string) string { return "token-" + name }

// AddToken makes a token (the command line, act nil, or the system
// administrator) and returns it: the only time it is shown.
func (a *App) AddToken(ctx context.Context, act *Actor, in TokenInput) (_ string, _ *domain.APIToken, err error) {
	defer a.refused(ctx, act, "token_add", "token:"+domain.Clip(in.Name, 30), &err)
	if act != nil && !act.Role.Can(domain.PermUsers) {
		return "", nil, forbidden("只有系统管理员可以发放接口令牌")
	}
	in.Name = strings.TrimSpace(in.Name)
	if !tokenNameRE.MatchString(in.Name) {
		return "", nil, invalid("name", "令牌名称用 2–24 个小写字母、数字、下划线或连字符，以字母开头")
	}
	var scopes []string
	for _, s := range in.Scopes {
		if s = strings.TrimSpace(s); s == "" || slices.Contains(scopes, s) {
			continue
		}
		if _, ok := domain.Scopes[s]; !ok {
			return "", nil, invalid("scopes", "没有“%s”这种权限范围（可用：%s）", s, strings.Join(domain.ScopeNames, "、"))
		}
		scopes = append(scopes, s)
	}
	if len(scopes) == 0 {
		return "", nil, invalid("scopes", "至少给出一种权限范围（%s）", strings.Join(domain.ScopeNames, "、"))
	}
	loc := a.Zone(ctx)
	if in.Expires != "" {
		d, err := plan.ParseDate(in.Expires)
		if err != nil {
			return "", nil, invalid("expires", "%v", err)
		}
		if d.Before(plan.DateOf(a.Now().In(loc))) {
			return "", nil, invalid("expires", "到期日 %s 已经过去", d)
		}
		in.Expires = d.String()
	}
	token := TokenPrefix + NewToken()
	t := &domain.APIToken{Name: in.Name, Scopes: scopes, ExpiresOn: in.Expires}
	if act != nil {
		t.CreatedBy = act.ID
	}
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		u := &domain.User{Username: tokenUsername(in.Name), DisplayName: "接口令牌 " + in.Name, Role: domain.Office, PasswordHash: "!"}
		if err := q.CreateUser(ctx, u); err != nil {
			if errors.Is(err, store.ErrDuplicate) {
				return conflict("已有名为 %s 的令牌（或账户 %s）", in.Name, u.Username)
			}
			return err
		}
		u.Disabled = true // never signs in; the token acts as it
		if err := q.UpdateUser(ctx, u); err != nil {
			return err
		}
		t.UserID = u.ID
		if err := q.AddAPIToken(ctx, token, t); err != nil {
			if errors.Is(err, store.ErrDuplicate) {
				return conflict("已有名为 %s 的令牌", in.Name)
			}
			return err
		}
		until := "长期有效"
		if t.ExpiresOn != "" {
			until = "有效至 " + t.ExpiresOn
		}
		return a.audit(ctx, q, act, "token_add", "token:"+t.Name, domain.AuditOK, fmt.Sprintf("权限 %s，%s", strings.Join(scopes, ","), until))
	})
	if err != nil {
		return "", nil, err
	}
	return token, t, nil
}

// Tokens lists the tokens (never their values).
func (a *App) Tokens(ctx context.Context, act *Actor) (_ []*domain.APIToken, err error) {
	defer a.refused(ctx, act, "token_list", "tokens", &err)
	if act != nil && !act.Role.Can(domain.PermAccounts) {
		return nil, forbidden("只有系统管理员可以查看接口令牌")
	}
	return a.DB.Q().APITokens(ctx)
}

// RevokeToken ends a token at once.
func (a *App) RevokeToken(ctx context.Context, act *Actor, name string) (err error) {
	defer a.refused(ctx, act, "token_revoke", "token:"+domain.Clip(name, 30), &err)
	if act != nil && !act.Role.Can(domain.PermUsers) {
		return forbidden("只有系统管理员可以吊销接口令牌")
	}
	return a.DB.InTx(ctx, func(q *store.Q) error {
		t, err := q.APITokenByName(ctx, strings.TrimSpace(name))
		if errors.Is(err, store.ErrNotFound) {
			return &domain.Error{Code: domain.ENotFound, Field: "name", Message: fmt.Sprintf("没有名为 %s 的令牌", name)}
		}
		if err != nil {
			return err
		}
		if err := q.RevokeAPIToken(ctx, t.ID); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return conflict("令牌 %s 已吊销", t.Name)
			}
			return err
		}
		return a.audit(ctx, q, act, "token_revoke", "token:"+t.Name, domain.AuditOK, "")
	})
}

var errBadToken = &domain.Error{Code: domain.EUnauthorized, Field: "Authorization", Message: "接口令牌无效、已吊销或已过期"}

// AuthenticateToken finds the account a token acts as, with the token (its
// scopes): unknown, revoked and expired tokens are refused alike.
func (a *App) AuthenticateToken(ctx context.Context, token string) (*domain.User, *domain.APIToken, error) {
	if !strings.HasPrefix(token, TokenPrefix) {
		return nil, nil, errBadToken
	}
	q := a.DB.Q()
	t, err := q.APITokenByToken(ctx, token)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, errBadToken
	}
	if err != nil {
		return nil, nil, err
	}
	now := a.Now()
	if !t.RevokedAt.IsZero() || t.ExpiresOn != "" && plan.DateOf(now.In(a.Zone(ctx))).String() > t.ExpiresOn {
		return nil, nil, errBadToken
	}
	u, err := q.UserByID(ctx, t.UserID)
	if err != nil {
		return nil, nil, err
	}
	// The last use is kept to the minute: most calls write nothing.
	if now.Sub(t.LastUsedAt) >= time.Minute {
		if err := q.TouchAPIToken(ctx, t.ID, now); err != nil {
			return nil, nil, err
		}
	}
	return u, t, nil
}

// IdempotencyWindow is how long a POST's Idempotency-Key is kept.
const IdempotencyWindow = 24 * time.Hour

// ClaimIdempotencyKey claims a key for a request of an account, or returns
// the first answer given for it (nil: claimed, do the work). The same key
// on another request is refused; a key whose work is still being done is
// a conflict.
func (a *App) ClaimIdempotencyKey(ctx context.Context, userID int64, key, request string) (*domain.IdempotentAnswer, error) {
	if key == "" || len(key) > 200 || strings.ContainsFunc(key, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
		return nil, invalid("Idempotency-Key", "Idempotency-Key 应为 1–200 个可见 ASCII 字符")
	}
	var got *domain.IdempotentAnswer
	err := a.DB.InTx(ctx, func(q *store.Q) error {
		var err error
		got, err = q.ClaimIdempotencyKey(ctx, userID, key, request, a.Now().Add(-IdempotencyWindow))
		return err
	})
	switch {
	case err != nil:
		return nil, err
	case got == nil:
		return nil, nil
	case got.Request != request:
		return nil, invalid("Idempotency-Key", "这个 Idempotency-Key 已用于另一个请求")
	case got.Status == 0:
		return nil, conflict("同一 Idempotency-Key 的请求正在处理，请稍后再试")
	}
	return got, nil
}

// FinishIdempotencyKey keeps a claimed key's answer (status 0: lets the
// claim go, so that the request may be sent again).
func (a *App) FinishIdempotencyKey(ctx context.Context, userID int64, key string, status int, body string) error {
	return a.DB.InTx(ctx, func(q *store.Q) error {
		return q.FinishIdempotencyKey(ctx, userID, key, status, body)
	})
}
