package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"image/png"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"kexuan/auth"
	"kexuan/domain"
	"kexuan/secret"
	"kexuan/store"
)

// UseKey gives the App the installation's key: the audit chain is keyed
// with it from now on, and personal data and second factors are sealed
// with it.
func (a *App) UseKey(k *secret.Key) {
	a.Key = k
	a.DB.SetAuditMAC(k.AuditMAC)
}

var errNoKey = errors.New("未配置密钥文件：不能保存加密的个人信息或第二因素")

// seal encrypts a personal value for where it is kept.
func (a *App) seal(plain, where string) (string, error) {
	if plain == "" {
		return "", nil
	}
	if a.Key == nil {
		return "", errNoKey
	}
	return a.Key.Seal(plain, where), nil
}

// open decrypts a sealed personal value ("" when it cannot).
func (a *App) open(sealed, where string) string {
	if !secret.Sealed(sealed) {
		return sealed
	}
	if a.Key == nil {
		return ""
	}
	v, err := a.Key.Open(sealed, where)
	if err != nil {
		a.Log.Error("sealed value does not open", "where", where, "err", err)
		return ""
	}
	return v
}

func userField(id int64, field string) string { return fmt.Sprintf("user:%d:%s", id, field) }

// OwnEmail is a user's e-mail address, opened from its seal, for the user's
// own settings page (sessions keep the user's contacts sealed: nothing on a
// request's way needs them).
func (a *App) OwnEmail(u *domain.User) string { return a.open(u.Email, userField(u.ID, "email")) }

// openContacts decrypts a user's e-mail and phone in place.
func (a *App) openContacts(u *domain.User) {
	u.Email = a.open(u.Email, userField(u.ID, "email"))
	u.Phone = a.open(u.Phone, userField(u.ID, "phone"))
}

// SealContacts seals the e-mail addresses and phone numbers kept before the
// installation had a key (run at start; idempotent).
func (a *App) SealContacts(ctx context.Context) (int, error) {
	if a.Key == nil {
		return 0, nil
	}
	us, err := a.DB.Q().UnsealedContacts(ctx, secret.SealedPrefix)
	if err != nil {
		return 0, err
	}
	if len(us) == 0 {
		return 0, a.sealWebhooks(ctx)
	}
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		for _, u := range us {
			email := u.Email
			if !secret.Sealed(email) {
				email = a.Key.Seal(email, userField(u.ID, "email"))
			}
			phone := u.Phone
			if !secret.Sealed(phone) {
				phone = a.Key.Seal(phone, userField(u.ID, "phone"))
			}
			if err := q.SetContacts(ctx, u.ID, email, phone); err != nil {
				return err
			}
		}
		return a.audit(ctx, q, nil, "personal_seal", "users", domain.AuditOK, fmt.Sprintf("%d 个账户的邮箱、手机号已加密（SM4-GCM）", len(us)))
	})
	if err != nil {
		return len(us), err
	}
	return len(us), a.sealWebhooks(ctx)
}

// sealWebhooks seals the robots' addresses and secrets kept in clear before
// they were sealed (run at start with SealContacts; idempotent).
func (a *App) sealWebhooks(ctx context.Context) error {
	ws, err := a.DB.Q().Webhooks(ctx)
	if err != nil {
		return err
	}
	var plain []domain.Webhook
	for _, w := range ws {
		if w.URL != "" && !secret.Sealed(w.URL) || w.Secret != "" && !secret.Sealed(w.Secret) {
			plain = append(plain, w)
		}
	}
	if len(plain) == 0 {
		return nil
	}
	return a.DB.InTx(ctx, func(q *store.Q) error {
		for _, w := range plain {
			if !secret.Sealed(w.URL) {
				w.URL = a.Key.Seal(w.URL, webhookField(w.Department, "url"))
			}
			if w.Secret != "" && !secret.Sealed(w.Secret) {
				w.Secret = a.Key.Seal(w.Secret, webhookField(w.Department, "secret"))
			}
			if err := q.SetWebhook(ctx, w, false); err != nil {
				return err
			}
		}
		return a.audit(ctx, q, nil, "personal_seal", "delivery", domain.AuditOK, fmt.Sprintf("%d 个群机器人的地址与签名密钥已加密（SM4-GCM）", len(plain)))
	})
}

// Second-factor policies.
const (
	SecondFactorAdmins   = "admins"   // the three administrators must (the default)
	SecondFactorAll      = "all"      // everyone must
	SecondFactorOptional = "optional" // nobody must; anyone may
)

// Policy is the sign-in policy the security administrator sets (等保 2.0
// level 3: identification, password complexity and change, lockout).
type Policy struct {
	SecondFactor       string `json:"second_factor"`
	PasswordMaxAgeDays int    `json:"password_max_age_days"` // 0: no limit
	PasswordHistory    int    `json:"password_history"`      // the last N may not be used again; 0: none
	LockoutFailures    int    `json:"lockout_failures"`
	LockoutMinutes     int    `json:"lockout_minutes"`
}

// DefaultPolicy is the policy before anyone sets one.
var DefaultPolicy = Policy{SecondFactor: SecondFactorAdmins, PasswordMaxAgeDays: 90, PasswordHistory: 5,
	LockoutFailures: LockoutFailures, LockoutMinutes: int(LockoutFor / time.Minute)}

const (
	setSecondFactor = "policy.second_factor"
	setMaxAge       = "policy.password_max_age_days"
	setHistory      = "policy.password_history"
	setFailures     = "policy.lockout_failures"
	setLockMinutes  = "policy.lockout_minutes"
)

// Policy returns the sign-in policy in force.
func (a *App) Policy(ctx context.Context) (Policy, error) {
	s, err := a.DB.Q().Settings(ctx)
	if err != nil {
		return Policy{}, err
	}
	p := DefaultPolicy
	if v := s[setSecondFactor]; v != "" {
		p.SecondFactor = v
	}
	for key, dst := range map[string]*int{setMaxAge: &p.PasswordMaxAgeDays, setHistory: &p.PasswordHistory, setFailures: &p.LockoutFailures, setLockMinutes: &p.LockoutMinutes} {
		if v, ok := s[key]; ok {
			if n, err := strconv.Atoi(v); err == nil {
				*dst = n
			}
		}
	}
	return p, nil
}

// PolicyChange is what to change of the policy; nil fields stay.
type PolicyChange struct {
	SecondFactor       *string
	PasswordMaxAgeDays *int
	PasswordHistory    *int
	LockoutFailures    *int
	LockoutMinutes     *int
}

// SetPolicy changes the sign-in policy: the security administrator, or the
// command line (act nil). Each changed value is its own audit row.
func (a *App) SetPolicy(ctx context.Context, act *Actor, ch PolicyChange) (_ Policy, err error) {
	defer a.refused(ctx, act, "policy_change", "policy", &err)
	if act != nil && !act.Role.Can(domain.PermSecurity) {
		return Policy{}, forbidden("只有安全管理员可以修改安全策略")
	}
	cur, err := a.Policy(ctx)
	if err != nil {
		return Policy{}, err
	}
	type change struct{ key, name, old, new string }
	var changes []change
	if v := ch.SecondFactor; v != nil {
		if !slices.Contains([]string{SecondFactorAdmins, SecondFactorAll, SecondFactorOptional}, *v) {
			return Policy{}, invalid("second_factor", "第二因素策略应为 admins（三员必须）、all（所有人必须）或 optional（自愿）")
		}
		if *v != cur.SecondFactor {
			changes = append(changes, change{setSecondFactor, "second_factor", cur.SecondFactor, *v})
		}
	}
	ints := []struct {
		v        *int
		cur      int
		key, fld string
		min, max int
		msg      string
	}{
		{ch.PasswordMaxAgeDays, cur.PasswordMaxAgeDays, setMaxAge, "password_max_age_days", 0, 3650, "密码最长使用天数应为 0（不限）到 3650"},
		{ch.PasswordHistory, cur.PasswordHistory, setHistory, "password_history", 0, 24, "不得重复使用的历史密码个数应为 0–24"},
		{ch.LockoutFailures, cur.LockoutFailures, setFailures, "lockout_failures", 3, 10, "锁定前允许的失败次数应为 3–10（等保要求限制）"},
		{ch.LockoutMinutes, cur.LockoutMinutes, setLockMinutes, "lockout_minutes", 1, 1440, "锁定时长应为 1–1440 分钟"},
	}
	for _, f := range ints {
		if f.v == nil {
			continue
		}
		if *f.v < f.min || *f.v > f.max {
			return Policy{}, invalid(f.fld, "%s", f.msg)
		}
		if *f.v != f.cur {
			changes = append(changes, change{f.key, f.fld, strconv.Itoa(f.cur), strconv.Itoa(*f.v)})
		}
	}
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		for _, c := range changes {
			if err := q.SetSetting(ctx, c.key, c.new); err != nil {
				return err
			}
			if err := a.audit(ctx, q, act, "policy_change", "policy:"+c.name, domain.AuditOK, c.old+" → "+c.new); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Policy{}, err
	}
	a.policyMu.Lock()
	a.policyUntil = time.Time{}
	a.policyMu.Unlock()
	return a.Policy(ctx)
}

// policyTTL is how long a server keeps the policy it read for checking
// open sessions (a change through this server clears it at once).
const policyTTL = 5 * time.Second

// cachedPolicy is the policy as every request's session check reads it.
func (a *App) cachedPolicy(ctx context.Context) (Policy, error) {
	a.policyMu.Lock()
	defer a.policyMu.Unlock()
	if time.Now().Before(a.policyUntil) {
		return a.policy, nil
	}
	p, err := a.Policy(ctx)
	if err != nil {
		return Policy{}, err
	}
	a.policy, a.policyUntil = p, time.Now().Add(policyTTL)
	return p, nil
}

// secondFactorRequired reports whether the policy requires a second factor
// of a user.
func (p Policy) secondFactorRequired(r domain.Role) bool {
	switch p.SecondFactor {
	case SecondFactorAll:
		return true
	case SecondFactorOptional:
		return false
	}
	return r.Administrator()
}

// passwordExpired reports whether a password is older than the policy allows.
func (p Policy) passwordExpired(u *domain.User, now time.Time) bool {
	return p.PasswordMaxAgeDays > 0 && now.Sub(u.PasswordChangedAt) > time.Duration(p.PasswordMaxAgeDays)*24*time.Hour
}

// TOTP parameters (RFC 6238 as every authenticator app reads them).
var totpOpts = totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// Enrolment is a second factor being set up: the secret to scan.
type Enrolment struct {
	Secret string // base32, for typing into an app
	URL    string // otpauth://…
	QR     []byte // the URL as a PNG
}

// EnrolSecondFactor starts (or restarts, until confirmed) setting up the
// actor's second factor: a new secret, sealed, shown once as a QR code.
func (a *App) EnrolSecondFactor(ctx context.Context, act *Actor, password string) (*Enrolment, error) {
	if act.TOTPEnabled {
		return nil, conflict("已经启用了第二因素；如需更换，请安全管理员重置")
	}
	// The password again: a session left open does not let another person
	// bind their own phone to the account. A wrong one counts toward the
	// lockout.
	u, err := a.DB.Q().UserByID(ctx, act.ID)
	if err != nil {
		return nil, err
	}
	if len(password) > maxPasswordBytes {
		return nil, invalid("password", "密码不对")
	}
	ok, err := auth.VerifyPassword(ctx, password, u.PasswordHash)
	if err != nil {
		return nil, err
	}
	if !ok {
		if _, err := a.passwordFailure(ctx, act, "second_factor_enrol", "绑定第二因素时密码错误"); err != nil {
			return nil, err
		}
		return nil, invalid("password", "密码不对：绑定第二因素前请再输入一次您的密码")
	}
	if a.Key == nil {
		return nil, errNoKey
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "kexuan 科宣", AccountName: act.Username, Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return nil, err
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	sealed := a.Key.Seal(key.Secret(), userField(act.ID, "totp"))
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		if err := q.SetSecondFactor(ctx, act.ID, sealed, false); err != nil {
			return err
		}
		return a.audit(ctx, q, act, "second_factor_enrol", userObj(act.ID), domain.AuditOK, "已生成密钥，等待验证码确认")
	})
	if err != nil {
		return nil, err
	}
	return &Enrolment{Secret: key.Secret(), URL: key.URL(), QR: buf.Bytes()}, nil
}

// RecoveryCodes is how many recovery codes a user gets.
const RecoveryCodes = 10

func newRecoveryCode() string {
	b := make([]byte, 7)
	rand.Read(b)
	s := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))[:10]
	return s[:5] + "-" + s[5:]
}

// normalCode reads a code as typed: spaces and dashes dropped, lower case.
func normalCode(s string) string {
	return strings.ToLower(strings.NewReplacer(" ", "", "-", "", "\t", "").Replace(strings.TrimSpace(s)))
}

// ConfirmSecondFactor ends enrolment with a code from the app: the second
// factor is on, this session is complete, and ten recovery codes are
// returned — shown once, kept only as keyed hashes.
func (a *App) ConfirmSecondFactor(ctx context.Context, act *Actor, token, code string) (_ []string, newToken string, _ error) {
	u, err := a.DB.Q().UserByID(ctx, act.ID)
	if err != nil {
		return nil, "", err
	}
	if u.TOTPEnabled {
		return nil, "", conflict("已经启用了第二因素")
	}
	if u.TOTPSecret == "" {
		return nil, "", invalid("code", "请先生成二维码并用验证器应用扫描")
	}
	ok, err := a.checkTOTP(ctx, u, code)
	if err != nil {
		return nil, "", err
	}
	if !ok {
		a.auditAlways(ctx, act, "second_factor_enrol", userObj(act.ID), domain.AuditFailed, "验证码不对")
		return nil, "", invalid("code", "验证码不对：请输入验证器应用当前显示的 6 位数字")
	}
	codes := make([]string, RecoveryCodes)
	hashes := make([]string, RecoveryCodes)
	for i := range codes {
		codes[i] = newRecoveryCode()
		hashes[i] = a.Key.RecoveryMAC(normalCode(codes[i]))
	}
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		if err := q.SetSecondFactor(ctx, u.ID, u.TOTPSecret, true); err != nil {
			return err
		}
		if err := q.SetRecoveryCodes(ctx, u.ID, hashes); err != nil {
			return err
		}
		// The session gets a new token at the privilege change.
		newToken = NewToken()
		if err := q.RotateSession(ctx, token, newToken, NewToken(), domain.StageFull); err != nil {
			return err
		}
		// Sessions signed in without it end.
		if err := q.DeleteUserSessions(ctx, u.ID, newToken); err != nil {
			return err
		}
		return a.audit(ctx, q, act, "second_factor_enable", userObj(u.ID), domain.AuditOK, fmt.Sprintf("已发放 %d 个恢复码", RecoveryCodes))
	})
	if err != nil {
		return nil, "", err
	}
	return codes, newToken, nil
}

// checkTOTP checks a 6-digit code against a user's secret within one step
// either side, and accepts each step once.
func (a *App) checkTOTP(ctx context.Context, u *domain.User, code string) (bool, error) {
	code = normalCode(code)
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" || a.Key == nil {
		return false, nil
	}
	sec, err := a.Key.Open(u.TOTPSecret, userField(u.ID, "totp"))
	if err != nil {
		return false, err
	}
	now := a.Now()
	for _, skew := range []int64{0, -1, 1} {
		t := now.Add(time.Duration(skew) * 30 * time.Second)
		want, err := totp.GenerateCodeCustom(sec, t, totpOpts)
		if err != nil {
			return false, err
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return a.DB.Q().UseTOTPStep(ctx, u.ID, t.Unix()/30)
		}
	}
	return false, nil
}

// SecondFactor completes a sign-in that gave its password: a code from the
// authenticator app, or one of the recovery codes (spent). A wrong code
// counts toward the account's lockout like a wrong password.
func (a *App) SecondFactor(ctx context.Context, act *Actor, sess *domain.Session, token, code string) (newToken string, _ error) {
	if sess.Stage != domain.StageCode {
		return "", conflict("此次登录不需要验证码")
	}
	u, err := a.DB.Q().UserByID(ctx, act.ID)
	if err != nil {
		return "", err
	}
	ok, err := a.checkTOTP(ctx, u, code)
	if err != nil {
		return "", err
	}
	how := "code"
	if !ok && len(normalCode(code)) == 10 && a.Key != nil {
		ok, err = a.DB.Q().UseRecoveryCode(ctx, u.ID, a.Key.RecoveryMAC(normalCode(code)))
		if err != nil {
			return "", err
		}
		how = "recovery code"
	}
	if !ok {
		if _, err := a.passwordFailure(ctx, act, "login_second_factor", "验证码错误或已用过"); err != nil {
			return "", err
		}
		if u2, err := a.DB.Q().UserByID(ctx, act.ID); err == nil && u2.LockedUntil.After(a.Now()) {
			return "", &domain.Error{Code: domain.EUnauthorized, Message: "验证码多次错误，账户已锁定"}
		}
		return "", invalid("code", "验证码不对或已用过")
	}
	newToken = NewToken()
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		// The session gets a new token at the privilege change.
		if err := q.RotateSession(ctx, token, newToken, NewToken(), domain.StageFull); err != nil {
			return err
		}
		if err := q.RecordLoginSuccess(ctx, u.ID); err != nil {
			return err
		}
		reason := ""
		if how == "recovery code" {
			left, err := q.RecoveryCodesLeft(ctx, u.ID)
			if err != nil {
				return err
			}
			reason = fmt.Sprintf("使用了恢复码，还剩 %d 个", left)
		}
		return a.audit(ctx, q, act, "login_second_factor", userObj(u.ID), domain.AuditOK, reason)
	})
	if err != nil {
		return "", err
	}
	return newToken, nil
}

// RecoveryCodesLeft counts the actor's unused recovery codes.
func (a *App) RecoveryCodesLeft(ctx context.Context, act *Actor) (int, error) {
	return a.DB.Q().RecoveryCodesLeft(ctx, act.ID)
}

// securityTarget loads the account a security administrator acts on: not
// their own, and not another administrator's unless from the command line.
func (a *App) securityTarget(ctx context.Context, act *Actor, id int64) (*domain.User, error) {
	if act != nil && !act.Role.Can(domain.PermSecurity) {
		return nil, forbidden("只有安全管理员可以这样做")
	}
	u, err := a.DB.Q().UserByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	if act != nil && u.ID == act.ID {
		return nil, forbidden("不能对自己的账户这样做：请另一位安全管理员或在服务器上用命令行")
	}
	// 三员分立: no administrator changes another administrator's account
	// from the pages; that is done on the server's command line, audited.
	if act != nil && u.Role.Administrator() {
		return nil, forbidden("三员账户只能在服务器上用命令行处理（kexuan user unlock、kexuan user reset-second-factor）")
	}
	return u, nil
}

// OperatorUser finds an account by user name for the command line (the
// server's operator), which repairs the three administrators' accounts.
func (a *App) OperatorUser(ctx context.Context, username string) (*domain.User, error) {
	u, err := a.DB.Q().UserByName(ctx, strings.ToLower(strings.TrimSpace(username)))
	if errors.Is(err, store.ErrNotFound) {
		return nil, &domain.Error{Code: domain.ENotFound, Field: "username", Message: fmt.Sprintf("没有用户 %q", username)}
	}
	return u, err
}

// ResetSecondFactor removes a user's second factor and recovery codes (a
// lost phone): they enrol again at their next sign-in when required. Their
// sessions end.
func (a *App) ResetSecondFactor(ctx context.Context, act *Actor, id int64) (err error) {
	defer a.refused(ctx, act, "second_factor_reset", userObj(id), &err)
	u, err := a.securityTarget(ctx, act, id)
	if err != nil {
		return err
	}
	return a.DB.InTx(ctx, func(q *store.Q) error {
		if err := q.SetSecondFactor(ctx, u.ID, "", false); err != nil {
			return err
		}
		if err := q.DeleteUserSessions(ctx, u.ID, ""); err != nil {
			return err
		}
		return a.audit(ctx, q, act, "second_factor_reset", userObj(u.ID), domain.AuditOK, "")
	})
}

// Unlock ends an account's lockout.
func (a *App) Unlock(ctx context.Context, act *Actor, id int64) (err error) {
	defer a.refused(ctx, act, "unlock", userObj(id), &err)
	u, err := a.securityTarget(ctx, act, id)
	if err != nil {
		return err
	}
	return a.DB.InTx(ctx, func(q *store.Q) error {
		if err := q.Unlock(ctx, u.ID); err != nil {
			return err
		}
		return a.audit(ctx, q, act, "unlock", userObj(u.ID), domain.AuditOK, fmt.Sprintf("原锁定至 %s", u.LockedUntil.In(chinaTime).Format("2006-01-02 15:04:05")))
	})
}

// AssignRole sets a user's role and, for a leader, the departments they
// oversee (the security administrator). The three administrators' roles are
// given on the command line only, and neither given nor taken here.
func (a *App) AssignRole(ctx context.Context, act *Actor, id int64, role domain.Role, leads []string) (err error) {
	defer a.refused(ctx, act, "role_assign", userObj(id), &err)
	u, err := a.securityTarget(ctx, act, id)
	if err != nil {
		return err
	}
	if u.Role.Administrator() {
		return forbidden("三员的角色只能在服务器上用命令行设置")
	}
	if !slices.Contains(domain.WorkRoles, role) && role != domain.Pending {
		return invalid("role", "只能分配信息员、科室负责人、分管局领导、主要领导或办公室")
	}
	in := UserInput{Username: u.Username, DisplayName: u.DisplayName, Role: role, Department: u.Department, Leads: leads}
	if err := a.checkUser(ctx, &in); err != nil {
		if e := domain.ErrorOf(err); e.Field == "department" {
			return invalid("role", "%s须属于一个科室：请系统管理员先设置此账户的科室", role.Name())
		}
		return err
	}
	before := fmt.Sprintf("角色 %s，分管 %s", u.Role.Name(), orNone(strings.Join(u.Leads, "、")))
	u.Role, u.Leads = in.Role, in.Leads
	if !u.Role.InDepartment() && in.Department == "" && u.Department != "" && role != domain.Pending {
		u.Department = ""
	}
	return a.DB.InTx(ctx, func(q *store.Q) error {
		if err := q.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := q.RevokeCalendarFeed(ctx, u.ID); err != nil {
			return err
		}
		if err := q.DeleteUserSessions(ctx, u.ID, ""); err != nil {
			return err
		}
		return a.audit(ctx, q, act, "role_assign", userObj(u.ID), domain.AuditOK,
			before+" → "+fmt.Sprintf("角色 %s，分管 %s", u.Role.Name(), orNone(strings.Join(u.Leads, "、"))))
	})
}

// checkHistory refuses a new password the user had among the last n.
func (a *App) checkHistory(ctx context.Context, u *domain.User, pw string, n int) error {
	if n <= 0 {
		return nil
	}
	hashes, err := a.DB.Q().PasswordHistory(ctx, u.ID, n)
	if err != nil {
		return err
	}
	for _, h := range hashes {
		ok, err := auth.VerifyPassword(ctx, pw, h)
		if err != nil {
			return err
		}
		if ok {
			return invalid("new_password", "不能使用最近 %d 次用过的密码", n)
		}
	}
	return nil
}

// Contact is a personal value shown whole, once, to whom it is for.
type Contact struct {
	Field string `json:"field"`
	Value string `json:"value"`
}

// RevealContact shows a user's whole phone number or e-mail address to the
// system administrator (who keeps the accounts) or the user themself.
// Audited, every time.
func (a *App) RevealContact(ctx context.Context, act *Actor, id int64, field string) (_ *Contact, err error) {
	defer a.refused(ctx, act, "reveal", userField(id, field), &err)
	if field != "phone" && field != "email" {
		return nil, invalid("field", "只能查看手机号（phone）或邮箱（email）")
	}
	if !act.Role.Can(domain.PermUsers) && act.ID != id {
		return nil, forbidden("无权查看完整的个人信息")
	}
	u, err := a.DB.Q().UserByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	v := u.Phone
	if field == "email" {
		v = u.Email
	}
	v = a.open(v, userField(id, field))
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		return a.audit(ctx, q, act, "reveal", userField(id, field), domain.AuditOK, "")
	})
	return &Contact{Field: field, Value: v}, err
}

// MaskedContacts replaces a user's phone and e-mail with their masks
// (138****1234, z***@example.cn): what lists show.
func MaskedContacts(u *domain.User) {
	u.Phone, u.Email = secret.MaskPhone(u.Phone), secret.MaskEmail(u.Email)
}
