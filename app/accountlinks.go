package app

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"kexuan/auth"
	"kexuan/domain"
	"kexuan/secret"
	"kexuan/store"
)

// AccountLinkValid is how long an activation or reset link (or code) works.
const AccountLinkValid = 24 * time.Hour

// Kinds of account link.
const (
	LinkActivate = "activate" // a new account: its holder sets their password
	LinkReset    = "reset"    // a reset: its holder sets a new one
)

// AccountLink is what an activation or a reset gave the person who made it:
// never a password. The link went to the account's own e-mail (Sent, To
// masked), or — where the account has none, or no site address is set —
// a one-time code to hand over, which only starts setting a new password
// (and asks for the second factor where the account has one).
type AccountLink struct {
	Kind    string
	Sent    bool
	To      string // the masked address it was sent to
	Code    string // shown once, when not sent
	Expires time.Time
}

// codeAlphabet is the one-time codes' letters: no 0/O, 1/I/L.
const codeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// newAccountCode is a one-time code of 16 letters (about 79 bits), written
// in groups of four.
func newAccountCode() string {
	b := make([]byte, 16)
	rand.Read(b)
	var s strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			s.WriteByte('-')
		}
		s.WriteByte(codeAlphabet[int(c)%len(codeAlphabet)])
	}
	return s.String()
}

// normalAccountCode reads a code as typed: case, spaces and dashes aside.
func normalAccountCode(s string) string {
	s = strings.ToUpper(strings.NewReplacer(" ", "", "-", "", "\u3000", "").Replace(strings.TrimSpace(s)))
	var out strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			out.WriteByte('-')
		}
		out.WriteRune(r)
	}
	return out.String()
}

// issueAccountLink makes u's activation or reset link inside the caller's
// transaction: mailed to u's own address where there is one and the site's
// address is set, otherwise a code for the caller to hand over. Earlier
// unused links of u end.
func (a *App) issueAccountLink(ctx context.Context, q *store.Q, act *Actor, u *domain.User, kind string) (*AccountLink, error) {
	settings, err := q.Settings(ctx)
	if err != nil {
		return nil, err
	}
	l := &AccountLink{Kind: kind, Expires: a.Now().Add(AccountLinkValid)}
	email := a.open(u.Email, userField(u.ID, "email"))
	site := a.siteURL(settings)
	var by int64
	if act != nil && act.User != nil {
		by = act.ID
	}
	if email != "" && site != "" {
		token := NewToken()
		if err := q.AddAccountToken(ctx, token, &store.AccountToken{UserID: u.ID, Kind: kind, CreatedBy: by, ExpiresAt: l.Expires}); err != nil {
			return nil, err
		}
		target, err := a.seal(email, deliveryTarget)
		if err != nil {
			return nil, err
		}
		what := map[string]string{LinkActivate: "启用您的科宣账户", LinkReset: "重新设定您的科宣密码"}[kind]
		body := fmt.Sprintf("%s：请在 24 小时内打开下面的链接，自己设定密码（只能用一次）：\n%s/reset/%s\n\n如果这不是您要求的，请告诉安全管理员。", what, site, token)
		if err := q.Enqueue(ctx, &domain.Delivery{Kind: kind, Channel: "email", Target: target, Subject: "科宣：" + what, Body: body}); err != nil {
			return nil, err
		}
		l.Sent, l.To = true, secret.MaskEmail(email)
		return l, nil
	}
	l.Code = newAccountCode()
	if err := q.AddAccountToken(ctx, l.Code, &store.AccountToken{UserID: u.ID, Kind: kind, CreatedBy: by, ExpiresAt: l.Expires}); err != nil {
		return nil, err
	}
	return l, nil
}

// ResetPassword starts a reset of a business account's password (the
// security administrator): the holder sets a new one through a single-use
// link to their own e-mail, or a one-time code the administrator hands
// over — never a password the administrator knows. The current password
// keeps working until then. The holder is told, with who reset it.
func (a *App) ResetPassword(ctx context.Context, act *Actor, id int64) (_ *AccountLink, err error) {
	defer a.refused(ctx, act, "password_reset", userObj(id), &err)
	u, err := a.securityTarget(ctx, act, id)
	if err != nil {
		return nil, err
	}
	if u.Role.Administrator() {
		return nil, forbidden("三员的密码只能在服务器上用命令行重置")
	}
	var l *AccountLink
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		var err error
		if l, err = a.issueAccountLink(ctx, q, act, u, LinkReset); err != nil {
			return err
		}
		who := "命令行"
		if act != nil && act.User != nil {
			who = act.Role.Name() + " " + act.DisplayName
		}
		text := fmt.Sprintf("%s 于 %s 为您的账户发起了密码重置：请按收到的链接或重置码自己设定新密码；如果您不知情，请立即告诉安全管理员。",
			who, a.Now().In(chinaTime).Format("2006-01-02 15:04"))
		if err := a.notify(ctx, q, act, []int64{u.ID}, "", domain.NoticeSecurity, text, "/password"); err != nil {
			return err
		}
		how := "链接已发至 " + l.To
		if !l.Sent {
			how = "已显示一次性重置码"
		}
		return a.audit(ctx, q, act, "password_reset", userObj(u.ID), domain.AuditOK, how+"，24 小时内有效")
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// AccountTokenInput is what the holder gives to set their password: the
// link's token, or their user name and the one-time code; the second
// factor's code where the account has one; the new password.
type AccountTokenInput struct {
	Token, Username, Code string
	SecondFactor          string
	Password              string
	Address               string
}

var errBadLink = &domain.Error{Code: domain.EInvalid, Field: "code", Message: "链接或重置码不对、已用过或已过期：请联系安全管理员重新发起"}

// AccountTokenNeeds reports, for a link's token, whether setting the
// password will ask for the second factor (the page shows the field).
func (a *App) AccountTokenNeeds(ctx context.Context, token string) (secondFactor bool, err error) {
	t, err := a.DB.Q().AccountTokenByHash(ctx, token)
	if errors.Is(err, store.ErrNotFound) || err == nil && (t.Used || a.Now().After(t.ExpiresAt)) {
		return false, errBadLink
	}
	if err != nil {
		return false, err
	}
	u, err := a.DB.Q().UserByID(ctx, t.UserID)
	if err != nil {
		return false, err
	}
	return u.TOTPEnabled, nil
}

// SetPasswordByToken lets an account's holder set their own password with
// an activation or reset link or code: once, within its day, with the
// second factor where the account has one. Sessions and the calendar feed
// of the account end; the holder signs in with the new password.
func (a *App) SetPasswordByToken(ctx context.Context, in AccountTokenInput) error {
	now := a.Now()
	token := in.Token
	key := "link"
	if token == "" {
		token = normalAccountCode(in.Code)
		key = strings.ToLower(strings.TrimSpace(in.Username))
	}
	if ok, _ := a.throttle.allow(in.Address, "account-token:"+key, now); !ok {
		return &domain.Error{Code: domain.ETooMany, Message: "尝试次数过多，请稍后再试"}
	}
	fail := func(why string) error {
		a.throttle.fail(in.Address, "account-token:"+key, now)
		a.auditAlways(ctx, &Actor{Address: in.Address}, "password_set_by_link", "user:"+domain.Clip(key, MaxUsername), domain.AuditFailed, why)
		return errBadLink
	}
	if token == "" || len(token) > 200 {
		return fail("没有链接或重置码")
	}
	q := a.DB.Q()
	t, err := q.AccountTokenByHash(ctx, token)
	if errors.Is(err, store.ErrNotFound) {
		return fail("链接或重置码不存在")
	}
	if err != nil {
		return err
	}
	u, err := q.UserByID(ctx, t.UserID)
	if err != nil {
		return err
	}
	act := &Actor{User: u, Address: in.Address}
	switch {
	case t.Used:
		return fail("链接或重置码已用过")
	case now.After(t.ExpiresAt):
		return fail("链接或重置码已过期")
	case in.Token == "" && u.Username != key:
		return fail("用户名与重置码不符")
	case u.Disabled:
		return fail("账户已停用")
	}
	if u.TOTPEnabled {
		ok, err := a.checkTOTP(ctx, u, in.SecondFactor)
		if err != nil {
			return err
		}
		if !ok {
			if _, err := a.passwordFailure(ctx, act, "password_set_by_link", "第二因素验证码不对"); err != nil {
				return err
			}
			return invalid("second_factor", "请输入验证器应用当前显示的 6 位验证码")
		}
	}
	if err := auth.CheckPassword(u.Username, in.Password, u.DisplayName); err != nil {
		return invalid("password", "%v", err)
	}
	pol, err := a.Policy(ctx)
	if err != nil {
		return err
	}
	if err := a.checkHistory(ctx, u, in.Password, pol.PasswordHistory); err != nil {
		return err
	}
	hash, err := auth.HashPassword(ctx, in.Password)
	if err != nil {
		return err
	}
	return a.DB.InTx(context.WithoutCancel(ctx), func(q *store.Q) error {
		if err := q.UseAccountToken(ctx, token); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return errBadLink // used a moment ago, by another request
			}
			return err
		}
		history := pol.PasswordHistory
		if t.Kind == LinkActivate {
			history = 0 // the password it replaces was nobody's
		}
		if err := storeOwnPassword(ctx, q, u, hash, history, ""); err != nil {
			return err
		}
		what := map[string]string{LinkActivate: "启用账户，自己设定了密码", LinkReset: "按重置链接自己设定了新密码"}[t.Kind]
		return a.audit(ctx, q, act, "password_set_by_link", userObj(u.ID), domain.AuditOK, what)
	})
}
