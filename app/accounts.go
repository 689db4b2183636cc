package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"kexuan/auth"
	"kexuan/domain"
	"kexuan/secret"
	"kexuan/store"
)

// Session and lockout settings (SECURITY.md).
const (
	IdleTimeout     = 30 * time.Minute
	AbsoluteTimeout = 12 * time.Hour
	LockoutFailures = 5
	LockoutFor      = 15 * time.Minute
)

var errBadLogin = &domain.Error{Code: domain.EUnauthorized, Message: "用户名或密码错误，或账户已被锁定"}

// NewToken returns a random URL-safe token.
func NewToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Sign-in input limits: a user name is at most 32 characters by the account
// rules, so anything longer is refused before it is looked up, hashed,
// counted or audited.
const (
	MaxUsername      = 32
	maxPasswordBytes = 4 * auth.MaxPasswordLen
)

// Login checks a password and opens a session. Every failure gets the same
// answer, whether the user exists, is disabled, is locked or mistyped, and
// counts alike toward the client's throttle.
func (a *App) Login(ctx context.Context, username, password, addr string) (string, *domain.User, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	now := a.Now()
	wellFormed := utf8.RuneCountInString(username) <= MaxUsername && len(password) <= maxPasswordBytes &&
		!strings.ContainsFunc(username, unicode.IsControl)
	if !wellFormed {
		username = domain.Clip(username, MaxUsername+1)
	}
	if ok, first := a.throttle.allow(addr, username, now); !ok {
		if first {
			a.auditAlways(ctx, &Actor{Address: addr}, "login_throttled", "user:"+username, domain.AuditDenied,
				fmt.Sprintf("此地址登录失败次数过多；此后 %v 内的尝试一律拒绝，不再逐条记录", ThrottleWindow))
		}
		return "", nil, &domain.Error{Code: domain.ETooMany, Message: "尝试次数过多，请稍后再试"}
	}
	if !wellFormed {
		a.throttle.fail(addr, username, now)
		a.auditSignInFailure(ctx, &Actor{Address: addr}, "user:"+username, "用户名或密码过长，或含控制字符")
		return "", nil, errBadLogin
	}
	u, err := a.DB.Q().UserByName(ctx, username)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", nil, err
	}
	hash := ""
	if u != nil {
		hash = u.PasswordHash
	}
	ok, err := auth.VerifyPassword(ctx, password, hash)
	if err != nil {
		return "", nil, err
	}
	actor := &Actor{User: u, Address: addr}
	switch {
	case u == nil:
		a.throttle.fail(addr, username, now)
		a.auditSignInFailure(ctx, &Actor{Address: addr}, "user:"+username, "没有这个用户")
		return "", nil, errBadLogin
	case u.Disabled:
		a.throttle.fail(addr, username, now)
		a.auditSignInFailure(ctx, actor, userObj(u.ID), "账户已停用")
		return "", nil, errBadLogin
	case u.LockedUntil.After(now):
		a.throttle.fail(addr, username, now)
		a.auditSignInFailure(ctx, actor, userObj(u.ID), "账户已锁定")
		return "", nil, errBadLogin
	case !ok:
		a.throttle.fail(addr, username, now)
		if _, err := a.passwordFailure(ctx, actor, "login", "密码错误"); err != nil {
			return "", nil, err
		}
		return "", nil, errBadLogin
	}
	if u.Role == domain.Pending {
		a.auditAlways(ctx, actor, "login", userObj(u.ID), domain.AuditFailed, "账户尚未授权")
		return "", nil, &domain.Error{Code: domain.EForbidden, Message: "账户尚未分配角色：请联系安全管理员"}
	}
	token, err := a.openSession(ctx, u, actor, "密码正确", "")
	if err != nil {
		return "", nil, err
	}
	return token, u, nil
}

// openSession opens u's session once who they are is known (how says by
// what): in full, or only to give the second factor (or enrol one, when the
// policy requires it and there is none); a password past its age is to be
// changed. Audited as the sign-in, its reason full when it opens in full.
func (a *App) openSession(ctx context.Context, u *domain.User, actor *Actor, how, full string) (string, error) {
	now := a.Now()
	addr := actor.Address
	pol, err := a.Policy(ctx)
	if err != nil {
		return "", err
	}
	stage, note := domain.StageFull, full
	switch {
	case u.TOTPEnabled:
		stage, note = domain.StageCode, how+"，等待第二因素验证码"
	case pol.secondFactorRequired(u.Role):
		stage, note = domain.StageEnrol, how+"，须先绑定第二因素"
	}
	expired := !u.MustChangePassword && pol.passwordExpired(u, now)
	if expired {
		u.MustChangePassword = true
		note = strings.TrimPrefix(note+"；密码已超过 "+strconv.Itoa(pol.PasswordMaxAgeDays)+" 天，须修改", "；")
	}
	token := NewToken()
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		if stage == domain.StageFull {
			if err := q.RecordLoginSuccess(ctx, u.ID); err != nil {
				return err
			}
		}
		if expired {
			if err := q.SetMustChangePassword(ctx, u.ID); err != nil {
				return err
			}
		}
		if err := q.CreateSession(ctx, token, &domain.Session{UserID: u.ID, CSRFToken: NewToken(), Address: addr,
			CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(AbsoluteTimeout), Stage: stage}); err != nil {
			return err
		}
		return a.audit(ctx, q, actor, "login", userObj(u.ID), domain.AuditOK, note)
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// SecondFactorTimeout is how long a session that gave only its password may
// wait for the code.
const SecondFactorTimeout = 5 * time.Minute

// passwordFailure counts a wrong password toward the account's lockout, with
// its audit row (and a lockout row, ending every session, when it locks).
// It returns the failures counted so far.
func (a *App) passwordFailure(ctx context.Context, act *Actor, action, reason string) (int, error) {
	now := a.Now()
	pol, err := a.Policy(context.WithoutCancel(ctx))
	if err != nil {
		return 0, err
	}
	lockFor := time.Duration(pol.LockoutMinutes) * time.Minute
	own := action != "login" || a.admitSignInRow(ctx, act, userObj(act.ID))
	var n int
	err = a.DB.InTx(context.WithoutCancel(ctx), func(q *store.Q) error {
		var locked bool
		var err error
		n, locked, err = q.RecordLoginFailure(ctx, act.ID, pol.LockoutFailures, now.Add(lockFor))
		if err != nil {
			return err
		}
		// A wrong password always counts toward the lockout; its own row
		// is bounded with the other failed sign-ins (signinaudit.go).
		if own {
			if err := a.audit(ctx, q, act, action, userObj(act.ID), domain.AuditFailed, fmt.Sprintf("%s（第 %d 次）", reason, n)); err != nil {
				return err
			}
		}
		if locked {
			if err := q.DeleteUserSessions(ctx, act.ID, ""); err != nil {
				return err
			}
			return a.audit(ctx, q, act, "lockout", userObj(act.ID), domain.AuditOK, fmt.Sprintf("连续失败 %d 次，锁定至 %s", n, now.Add(lockFor).In(chinaTime).Format("2006-01-02 15:04:05")))
		}
		return nil
	})
	return n, err
}

func userObj(id int64) string { return fmt.Sprintf("user:%d", id) }

// Authenticate returns the user and session of a token, ending sessions
// that have been idle too long, outlived their absolute limit, or belong to
// a disabled user.
func (a *App) Authenticate(ctx context.Context, token string) (*domain.User, *domain.Session, error) {
	if token == "" {
		return nil, nil, &domain.Error{Code: domain.EUnauthorized, Message: "请先登录"}
	}
	q := a.DB.Q()
	s, err := q.SessionByToken(ctx, token)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, &domain.Error{Code: domain.EUnauthorized, Message: "请先登录"}
	}
	if err != nil {
		return nil, nil, err
	}
	now := a.Now()
	if now.After(s.ExpiresAt) || now.Sub(s.LastSeenAt) > IdleTimeout || s.Stage == domain.StageCode && now.Sub(s.CreatedAt) > SecondFactorTimeout {
		if err := q.DeleteSession(ctx, token); err != nil {
			return nil, nil, err
		}
		return nil, nil, &domain.Error{Code: domain.EUnauthorized, Message: "登录已超时，请重新登录"}
	}
	u, err := q.UserByID(ctx, s.UserID)
	if err != nil {
		return nil, nil, err
	}
	if u.Disabled {
		if err := q.DeleteUserSessions(ctx, u.ID, ""); err != nil {
			return nil, nil, err
		}
		return nil, nil, &domain.Error{Code: domain.EUnauthorized, Message: "账户已停用"}
	}
	// A stricter policy reaches sessions already open at their next
	// request: a second factor now required sends the session to enrol,
	// a password now too old must be changed.
	if s.Stage == domain.StageFull {
		pol, err := a.cachedPolicy(ctx)
		if err != nil {
			return nil, nil, err
		}
		if pol.secondFactorRequired(u.Role) && !u.TOTPEnabled {
			if err := q.SetSessionStage(ctx, token, domain.StageEnrol); err != nil {
				return nil, nil, err
			}
			s.Stage = domain.StageEnrol
		}
		if !u.MustChangePassword && pol.passwordExpired(u, now) {
			if err := q.SetMustChangePassword(ctx, u.ID); err != nil {
				return nil, nil, err
			}
			u.MustChangePassword = true
		}
	}
	if now.Sub(s.LastSeenAt) > time.Minute {
		if err := q.TouchSession(ctx, token, now); err != nil {
			return nil, nil, err
		}
	}
	return u, s, nil
}

// Logout ends a session.
func (a *App) Logout(ctx context.Context, act *Actor, token string) error {
	return a.DB.InTx(ctx, func(q *store.Q) error {
		if err := q.DeleteSession(ctx, token); err != nil {
			return err
		}
		return a.audit(ctx, q, act, "logout", userObj(act.ID), domain.AuditOK, "")
	})
}

// PasswordGuesses: a wrong current password given when the account's
// failures (sign-ins and guesses together) reach this many ends the session.
const PasswordGuesses = 3

// ChangePassword lets a user set a new password; other sessions end. A
// wrong current password counts toward the account's lockout like a failed
// sign-in, is audited, and from the PasswordGuesses-th failure on ends this
// session.
func (a *App) ChangePassword(ctx context.Context, act *Actor, token, old, next string) error {
	if len(old) > maxPasswordBytes {
		old = old[:maxPasswordBytes]
	}
	ok, err := auth.VerifyPassword(ctx, old, act.PasswordHash)
	if err != nil {
		return err
	}
	if !ok {
		n, err := a.passwordFailure(ctx, act, "password_change", "原密码错误")
		if err != nil {
			return err
		}
		if n >= PasswordGuesses {
			ctx := context.WithoutCancel(ctx)
			if err := a.DB.Q().DeleteSession(ctx, token); err != nil {
				return err
			}
			return &domain.Error{Code: domain.EUnauthorized, Message: "原密码多次输入错误，已退出登录"}
		}
		return invalid("old_password", "原密码不正确")
	}
	if old == next {
		return invalid("new_password", "新密码不能与原密码相同")
	}
	if err := auth.CheckPassword(act.Username, next, act.DisplayName); err != nil {
		return invalid("new_password", "%v", err)
	}
	pol, err := a.Policy(ctx)
	if err != nil {
		return err
	}
	if err := a.checkHistory(ctx, act.User, next, pol.PasswordHistory); err != nil {
		return err
	}
	hash, err := auth.HashPassword(ctx, next)
	if err != nil {
		return err
	}
	return a.DB.InTx(ctx, func(q *store.Q) error {
		if err := storeOwnPassword(ctx, q, act.User, hash, pol.PasswordHistory, token); err != nil {
			return err
		}
		return a.audit(ctx, q, act, "password_change", userObj(act.ID), domain.AuditOK, "")
	})
}

// storeOwnPassword stores a password its holder chose, inside the caller's
// transaction: the old one into the history (history > 0), failures and
// lockout cleared, the calendar feed and every session but keep ended.
func storeOwnPassword(ctx context.Context, q *store.Q, u *domain.User, hash string, history int, keep string) error {
	if history > 0 {
		if err := q.AddPasswordHistory(ctx, u.ID, u.PasswordHash, history); err != nil {
			return err
		}
	}
	if err := q.SetPassword(ctx, u.ID, hash, false); err != nil {
		return err
	}
	if err := q.RecordLoginSuccess(ctx, u.ID); err != nil {
		return err
	}
	if err := q.RevokeCalendarFeed(ctx, u.ID); err != nil {
		return err
	}
	return q.DeleteUserSessions(ctx, u.ID, keep)
}

// UserInput is an account as an administrator edits it.
type UserInput struct {
	Username    string
	DisplayName string
	Role        domain.Role
	Department  string
	Leads       []string
	Password    string // new accounts and resets only
	Disabled    bool
	Email       string
	Phone       string
	WeComUser   string // 企业微信成员 UserID ("" none)
}

// MaxDisplayName is the longest display name, in characters.
const MaxDisplayName = 64

var usernameRE = regexp.MustCompile(`^[a-z][a-z0-9_.-]{1,31}$`)

func (a *App) checkUser(ctx context.Context, in *UserInput) error {
	if err := checkText("display_name", &in.DisplayName, MaxDisplayName); err != nil {
		return err
	}
	if strings.ContainsFunc(in.DisplayName, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) {
		return invalid("display_name", "姓名不能含控制字符")
	}
	if in.DisplayName == "" {
		in.DisplayName = in.Username
	}
	if !slices.Contains(domain.Roles, in.Role) {
		return invalid("role", "角色不对")
	}
	in.Email, in.Phone = strings.TrimSpace(in.Email), strings.TrimSpace(in.Phone)
	if in.Email != "" {
		if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email || len(in.Email) > 254 {
			return invalid("email", "邮箱地址不对")
		}
	}
	if in.Phone != "" && !domain.PhoneLike(in.Phone) {
		return invalid("phone", "手机号或电话应为 7–20 位数字，可含 +、-、空格")
	}
	if in.WeComUser = strings.TrimSpace(in.WeComUser); in.WeComUser != "" && !weComMemberRE.MatchString(in.WeComUser) {
		return invalid("wecom_user", "企业微信账号（成员 UserID）应为 1–64 位字母、数字或 _-@.")
	}
	depts, err := a.DB.Q().Departments(ctx)
	if err != nil {
		return err
	}
	known := func(c string) bool {
		return slices.ContainsFunc(depts, func(d domain.DepartmentRef) bool { return d.Code == c })
	}
	switch {
	case in.Role.InDepartment():
		if !known(in.Department) {
			return invalid("department", "信息员和科室负责人必须属于一个科室")
		}
	case in.Role == domain.Pending:
		if in.Department != "" && !known(in.Department) {
			return invalid("department", "未知科室 %q", in.Department)
		}
	default:
		in.Department = ""
	}
	if in.Role != domain.Leader {
		in.Leads = nil
	}
	for _, c := range in.Leads {
		if !known(c) {
			return invalid("leads", "未知科室 %q", c)
		}
	}
	return nil
}

// CreateUser adds an account (administrators only; also the CLI as actor nil).
// An account the system administrator makes gets no password anyone chose
// but its holder: its activation link or code (CreateAccount) lets them set
// it. The command line (the server's operator) gives one.
func (a *App) CreateUser(ctx context.Context, act *Actor, in UserInput, mustChange bool) (*domain.User, error) {
	u, _, err := a.createUser(ctx, act, in, mustChange)
	return u, err
}

// CreateAccount is CreateUser from the pages: the account and the single-use
// activation its holder sets their own password with (mailed to their
// address, or a code to hand over).
func (a *App) CreateAccount(ctx context.Context, act *Actor, in UserInput) (*domain.User, *AccountLink, error) {
	return a.createUser(ctx, act, in, false)
}

func (a *App) createUser(ctx context.Context, act *Actor, in UserInput, mustChange bool) (_ *domain.User, link *AccountLink, err error) {
	defer a.refused(ctx, act, "user_create", "user:"+domain.Clip(in.Username, MaxUsername+1), &err)
	if act != nil && !act.Role.Can(domain.PermUsers) {
		return nil, nil, forbidden("只有系统管理员可以新建账户")
	}
	if act != nil {
		// 三员分立: the system administrator makes the account; the security
		// administrator gives it a role.
		in.Role, in.Leads = domain.Pending, nil
	}
	in.Username = strings.TrimSpace(strings.ToLower(in.Username))
	if !usernameRE.MatchString(in.Username) {
		return nil, nil, invalid("username", "用户名用 2–32 个小写字母、数字、点、下划线或连字符，以字母开头")
	}
	if err := a.checkUser(ctx, &in); err != nil {
		return nil, nil, err
	}
	if act != nil {
		// Nobody knows this one: the holder sets theirs with the link.
		in.Password, mustChange = RandomPassword()+RandomPassword(), false
	}
	if err := auth.CheckPassword(in.Username, in.Password, in.DisplayName); err != nil {
		return nil, nil, invalid("password", "%v", err)
	}
	hash, err := auth.HashPassword(ctx, in.Password)
	if err != nil {
		return nil, nil, err
	}
	u := &domain.User{Username: in.Username, DisplayName: in.DisplayName, Role: in.Role, Department: in.Department,
		Leads: in.Leads, PasswordHash: hash, MustChangePassword: mustChange, WeComUser: in.WeComUser}
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		if err := weComFree(ctx, q, in.WeComUser, 0); err != nil {
			return err
		}
		if err := q.CreateUser(ctx, u); err != nil {
			if errors.Is(err, store.ErrDuplicate) {
				return invalid("username", "用户名 %q 已存在", in.Username)
			}
			return err
		}
		if in.Email != "" || in.Phone != "" {
			email, err := a.seal(in.Email, userField(u.ID, "email"))
			if err != nil {
				return err
			}
			phone, err := a.seal(in.Phone, userField(u.ID, "phone"))
			if err != nil {
				return err
			}
			if err := q.SetContacts(ctx, u.ID, email, phone); err != nil {
				return err
			}
			u.Email, u.Phone = in.Email, in.Phone
		}
		if act != nil {
			sealed := *u
			if sealed.Email, err = a.seal(in.Email, userField(u.ID, "email")); err != nil {
				return err
			}
			if link, err = a.issueAccountLink(ctx, q, act, &sealed, LinkActivate); err != nil {
				return err
			}
		}
		return a.audit(ctx, q, act, "user_create", userObj(u.ID), domain.AuditOK,
			fmt.Sprintf("用户名 %s，角色 %s，科室 %s，分管 %s", u.Username, u.Role.Name(), orNone(u.Department), orNone(strings.Join(u.Leads, "、"))))
	})
	if err != nil {
		return nil, nil, err
	}
	return u, link, nil
}

// UpdateUser changes an account's data (the system administrator): its
// name, department, contacts and whether it is disabled — not its role,
// which is the security administrator's (AssignRole). Disabling ends its
// sessions. The three administrators' accounts are changed on the command
// line only.
func (a *App) UpdateUser(ctx context.Context, act *Actor, id int64, in UserInput) (err error) {
	defer a.refused(ctx, act, "user_update", userObj(id), &err)
	if !act.Role.Can(domain.PermUsers) {
		return forbidden("只有系统管理员可以修改账户")
	}
	u, err := a.DB.Q().UserByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound
	}
	if err != nil {
		return err
	}
	if u.Role.Administrator() && u.ID != act.ID {
		return forbidden("三员的账户只能在服务器上用命令行修改")
	}
	if u.ID == act.ID && in.Disabled {
		return invalid("disabled", "不能停用自己")
	}
	in.Role, in.Leads = u.Role, u.Leads
	a.openContacts(u)
	// The form shows the contacts masked: a mask sent back unchanged keeps
	// the value.
	if u.Email != "" && strings.TrimSpace(in.Email) == secret.MaskEmail(u.Email) {
		in.Email = u.Email
	}
	if u.Phone != "" && strings.TrimSpace(in.Phone) == secret.MaskPhone(u.Phone) {
		in.Phone = u.Phone
	}
	if err := a.checkUser(ctx, &in); err != nil {
		return err
	}
	before := fmt.Sprintf("姓名 %s，科室 %s，%s，邮箱 %s，手机 %s，企业微信 %s", u.DisplayName, orNone(u.Department), enabledName(u.Disabled), orNone(secret.MaskEmail(u.Email)), orNone(secret.MaskPhone(u.Phone)), orNone(u.WeComUser))
	u.DisplayName, u.Department, u.Disabled, u.WeComUser = in.DisplayName, in.Department, in.Disabled, in.WeComUser
	after := fmt.Sprintf("姓名 %s，科室 %s，%s，邮箱 %s，手机 %s，企业微信 %s", u.DisplayName, orNone(u.Department), enabledName(u.Disabled), orNone(secret.MaskEmail(in.Email)), orNone(secret.MaskPhone(in.Phone)), orNone(u.WeComUser))
	if (in.Email != "" || in.Phone != "") && a.Key == nil {
		return errNoKey
	}
	if u.Email, err = a.seal(in.Email, userField(u.ID, "email")); err != nil {
		return err
	}
	if u.Phone, err = a.seal(in.Phone, userField(u.ID, "phone")); err != nil {
		return err
	}
	return a.DB.InTx(ctx, func(q *store.Q) error {
		if err := weComFree(ctx, q, u.WeComUser, u.ID); err != nil {
			return err
		}
		if err := q.UpdateUser(ctx, u); err != nil {
			if errors.Is(err, store.ErrDuplicate) {
				return weComTaken(u.WeComUser)
			}
			return err
		}
		if u.Disabled {
			if err := q.RevokeCalendarFeed(ctx, u.ID); err != nil {
				return err
			}
			if err := q.DeleteUserSessions(ctx, u.ID, ""); err != nil {
				return err
			}
		}
		return a.audit(ctx, q, act, "user_update", userObj(u.ID), domain.AuditOK, before+" → "+after)
	})
}

// RandomPassword returns a password that meets the policy.
func RandomPassword() string {
	const lower, upper, digits, marks = "abcdefghijkmnpqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ", "23456789", "!@#%*-+="
	all := lower + upper + digits + marks
	b := make([]byte, 14)
	rand.Read(b)
	out := make([]byte, len(b))
	for i, x := range b {
		set := all
		switch i {
		case 0:
			set = upper
		case 1:
			set = lower
		case 2:
			set = digits
		case 3:
			set = marks
		}
		out[i] = set[int(x)%len(set)]
	}
	return string(out)
}

// Bootstrap makes sure the three administrators exist: for each role with
// no account, it creates one (admin, security, auditor) with a random
// password that must be changed at first sign-in. The passwords are
// returned, to be printed once.
func (a *App) Bootstrap(ctx context.Context) ([]Initial, error) {
	var out []Initial
	for _, b := range []struct {
		role       domain.Role
		name, full string
	}{{domain.Admin, "admin", "系统管理员"}, {domain.Security, "security", "安全管理员"}, {domain.Auditor, "auditor", "审计管理员"}} {
		n, err := a.DB.Q().CountUsers(ctx, b.role)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			continue
		}
		pw := RandomPassword()
		if _, err := a.CreateUser(ctx, nil, UserInput{Username: b.name, DisplayName: b.full, Role: b.role, Password: pw}, true); err != nil {
			// Another process starting on the same new database made it
			// a moment ago: theirs prints its password.
			if e := domain.ErrorOf(err); e.Code == domain.EInvalid && e.Field == "username" {
				if n, cerr := a.DB.Q().CountUsers(ctx, b.role); cerr == nil && n > 0 {
					continue
				}
			}
			return nil, err
		}
		out = append(out, Initial{Username: b.name, Role: b.role, Password: pw})
	}
	return out, nil
}

// Initial is an account made at the first start, with its one-time password.
type Initial struct {
	Username string
	Role     domain.Role
	Password string
}
