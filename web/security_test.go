package web_test

import (
	"context"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/store"
	"kexuan/store/storetest"
)

// clock gives the app a time the test moves (TOTP codes are per 30 s).
func clock(e *env) *atomic.Int64 {
	var now atomic.Int64
	now.Store(time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC).UnixNano())
	e.app.Now = func() time.Time { return time.Unix(0, now.Load()) }
	return &now
}

func code(t *testing.T, secret string, now *atomic.Int64) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, time.Unix(0, now.Load()))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func login(c *client, user, pw string) (int, string) {
	res, body := c.do("POST", "/api/v1/login", map[string]string{"username": user, "password": pw})
	return res.StatusCode, body
}

// The policy's default: the three administrators must use a second factor.
// A password alone opens a session that can do nothing but enrol; enrolment
// gives ten recovery codes; from then on sign-ins wait for a code, each code
// good once, a recovery code once; wrong codes lock the account like wrong
// passwords; the security administrator resets a lost phone.
func TestSecondFactor(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		now := clock(e)
		admins := app.SecondFactorAdmins
		if _, err := e.app.SetPolicy(ctx, nil, app.PolicyChange{SecondFactor: &admins}); err != nil {
			t.Fatal(err)
		}
		// A reporter is not asked.
		if _, body := e.as("reporter").do("GET", "/api/v1/pieces", nil); strings.Contains(body, "second_factor") {
			t.Errorf("a reporter was asked for a second factor: %s", body)
		}
		// The auditor's password alone: only enrolment.
		c := e.anon()
		if st, body := login(c, "auditor", testPassword); st != 200 || !strings.Contains(body, `"second_factor":"enrol"`) {
			t.Fatalf("login: %d %s", st, body)
		}
		res, body := c.do("GET", "/api/v1/audit", nil)
		if res.StatusCode != 401 || !strings.Contains(body, `"field":"second_factor"`) {
			t.Errorf("the audit log before enrolment: %d %s", res.StatusCode, body)
		}
		res, _ = c.do("GET", "/admin/audit", nil)
		if res.StatusCode != 303 || res.Header.Get("Location") != "/second-factor" {
			t.Errorf("a page before enrolment: %d → %s", res.StatusCode, res.Header.Get("Location"))
		}
		_, body = c.do("POST", "/api/v1/second-factor/enrol", map[string]any{"password": testPassword})
		var en struct{ Secret, URL string }
		decodeJSON(t, body, &en)
		if len(en.Secret) < 16 || !strings.HasPrefix(en.URL, "otpauth://totp/") {
			t.Fatalf("enrolment: %s", body)
		}
		u, err := e.db.Q().UserByName(ctx, "auditor")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(u.TOTPSecret, en.Secret) || !strings.HasPrefix(u.TOTPSecret, "sm4gcm:") {
			t.Errorf("the TOTP secret is stored as %q", u.TOTPSecret)
		}
		if res, body := c.do("POST", "/api/v1/second-factor/confirm", map[string]string{"code": "000000"}); res.StatusCode != 422 {
			t.Errorf("a wrong code confirmed enrolment: %d %s", res.StatusCode, body)
		}
		res, body = c.do("POST", "/api/v1/second-factor/confirm", map[string]string{"code": code(t, en.Secret, now)})
		var rc struct {
			Codes []string `json:"recovery_codes"`
		}
		decodeJSON(t, body, &rc)
		if res.StatusCode != 200 || len(rc.Codes) != 10 {
			t.Fatalf("confirm: %d %s", res.StatusCode, body)
		}
		if res, _ := c.do("GET", "/api/v1/audit", nil); res.StatusCode != 200 {
			t.Errorf("after enrolment the session is not complete: %d", res.StatusCode)
		}
		// The next sign-in waits for a code.
		now.Add(int64(31 * time.Second))
		c = e.anon()
		if _, body := login(c, "auditor", testPassword); !strings.Contains(body, `"second_factor":"code"`) {
			t.Errorf("the login does not say a code is needed: %s", body)
		}
		if res, _ := c.do("GET", "/api/v1/audit", nil); res.StatusCode != 401 {
			t.Errorf("the password alone reads the audit log: %d", res.StatusCode)
		}
		good := code(t, en.Secret, now)
		if res, body := c.do("POST", "/api/v1/login/code", map[string]string{"code": good}); res.StatusCode != 200 {
			t.Fatalf("the right code: %d %s", res.StatusCode, body)
		}
		if res, _ := c.do("GET", "/api/v1/audit", nil); res.StatusCode != 200 {
			t.Errorf("after the code: %d", res.StatusCode)
		}
		// The same code again (a replay, within its 30 s) is refused.
		c2 := e.anon()
		login(c2, "auditor", testPassword)
		if res, _ := c2.do("POST", "/api/v1/login/code", map[string]string{"code": good}); res.StatusCode != 422 {
			t.Errorf("a code used twice: %d", res.StatusCode)
		}
		// A recovery code works once (typed with spaces, upper case).
		typed := strings.ToUpper(strings.ReplaceAll(rc.Codes[0], "-", " "))
		if res, body := c2.do("POST", "/api/v1/login/code", map[string]string{"code": typed}); res.StatusCode != 200 {
			t.Errorf("a recovery code: %d %s", res.StatusCode, body)
		}
		c3 := e.anon()
		login(c3, "auditor", testPassword)
		if res, _ := c3.do("POST", "/api/v1/login/code", map[string]string{"code": rc.Codes[0]}); res.StatusCode != 422 {
			t.Errorf("a recovery code used twice: %d", res.StatusCode)
		}
		// Wrong codes count toward the lockout like wrong passwords: the
		// reused recovery code and four more make five.
		var last int
		for range 4 {
			res, _ := c3.do("POST", "/api/v1/login/code", map[string]string{"code": "123456"})
			last = res.StatusCode
		}
		if last != 401 {
			t.Errorf("five wrong codes did not end in a lockout: %d", last)
		}
		if st, _ := login(e.anon(), "auditor", testPassword); st != 401 {
			t.Errorf("a locked account signed in: %d", st)
		}
		// 三员分立: no administrator unlocks or resets another administrator
		// from the pages (issue 20 item 1); the operator does it on the
		// server's command line (app with no actor), audited.
		sec := e.enrolled("security", now)
		adm := e.enrolled("admin", now)
		id := itoa(e.users["auditor"].ID)
		for who, c := range map[string]*client{"the system administrator": adm, "the security administrator": sec} {
			for _, path := range []string{"/unlock", "/second-factor/reset"} {
				if res, _ := c.form("/admin/users/"+id+path, url.Values{}, true); res.StatusCode != 403 {
					t.Errorf("%s: %s of the auditor from the pages: %d", who, path, res.StatusCode)
				}
			}
		}
		if err := e.app.Unlock(ctx, nil, e.users["auditor"].ID); err != nil {
			t.Errorf("the operator unlocks: %v", err)
		}
		if err := e.app.ResetSecondFactor(ctx, nil, e.users["auditor"].ID); err != nil {
			t.Errorf("the operator resets the second factor: %v", err)
		}
		c4 := e.anon()
		login(c4, "auditor", testPassword)
		if res, _ := c4.do("GET", "/admin/audit", nil); res.Header.Get("Location") != "/second-factor" {
			t.Errorf("after a reset the auditor is not asked to enrol again: %s", res.Header.Get("Location"))
		}
		for _, action := range []string{"second_factor_enable", "login_second_factor", "lockout", "unlock", "second_factor_reset"} {
			pg := must(e.app.AuditLog(ctx, e.actor("auditor"), domain.AuditFilter{Action: action}, app.PageQuery{Limit: 50}))(t)
			if len(pg.Items) == 0 {
				t.Errorf("no audit entry %s", action)
			}
		}
	})
}

// enrolled signs an administrator in with a second factor enrolled now.
func (e *env) enrolled(user string, now *atomic.Int64) *client {
	e.t.Helper()
	c := e.anon()
	login(c, user, testPassword)
	_, body := c.do("POST", "/api/v1/second-factor/enrol", map[string]any{"password": testPassword})
	var en struct{ Secret string }
	decodeJSON(e.t, body, &en)
	res, body := c.do("POST", "/api/v1/second-factor/confirm", map[string]string{"code": code(e.t, en.Secret, now)})
	if res.StatusCode != 200 {
		e.t.Fatalf("enrol %s: %d %s", user, res.StatusCode, body)
	}
	return c
}

// The security administrator sets the policy (each change audited); the
// lockout, password history and maximum age follow it.
func TestSecurityPolicy(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		now := clock(e)
		if res, _ := e.as("admin").do("POST", "/api/v1/policy", map[string]any{"lockout_failures": 3}); res.StatusCode != 403 {
			t.Errorf("the system administrator sets the policy: %d", res.StatusCode)
		}
		sec := e.as("security")
		if res, body := sec.do("POST", "/api/v1/policy", map[string]any{"lockout_failures": 2}); res.StatusCode != 422 || !strings.Contains(body, "lockout_failures") {
			t.Errorf("a lockout after 2: %d %s", res.StatusCode, body)
		}
		res, body := sec.do("POST", "/api/v1/policy", map[string]any{"lockout_failures": 3, "lockout_minutes": 30, "password_history": 2, "password_max_age_days": 30})
		if res.StatusCode != 200 || !strings.Contains(body, `"lockout_failures":3`) {
			t.Fatalf("policy: %d %s", res.StatusCode, body)
		}
		pg := must(e.app.AuditLog(ctx, e.actor("auditor"), domain.AuditFilter{Action: "policy_change", Username: "security"}, app.PageQuery{Limit: 10}))(t)
		if len(pg.Items) != 4 {
			t.Errorf("%d policy_change entries by the security administrator, want 4", len(pg.Items))
		}
		// Three wrong passwords lock for 30 minutes.
		for range 3 {
			login(e.anon(), "reporter2", "wrong-password")
		}
		if st, _ := login(e.anon(), "reporter2", testPassword); st != 401 {
			t.Errorf("not locked after 3 failures: %d", st)
		}
		now.Add(int64(31 * time.Minute))
		if st, _ := login(e.anon(), "reporter2", testPassword); st != 200 {
			t.Errorf("still locked after 31 minutes: %d", st)
		}
		// The last two passwords may not come back.
		c := e.as("reporter")
		if res, body := c.do("POST", "/api/v1/password", map[string]string{"old_password": testPassword, "new_password": "Hq7#vtLm-kx9"}); res.StatusCode != 200 {
			t.Fatalf("change: %d %s", res.StatusCode, body)
		}
		if res, body := c.do("POST", "/api/v1/password", map[string]string{"old_password": "Hq7#vtLm-kx9", "new_password": testPassword}); res.StatusCode != 422 || !strings.Contains(body, "最近 2 次") {
			t.Errorf("an old password came back: %d %s", res.StatusCode, body)
		}
		// Thirty-one days on, the password must be changed at sign-in.
		now.Add(int64(31 * 24 * time.Hour))
		_, body = login(e.anon(), "reporter", "Hq7#vtLm-kx9")
		if !strings.Contains(body, `"must_change_password":true`) {
			t.Errorf("an expired password did not have to change: %s", body)
		}
	})
}

// Phone numbers and e-mail addresses are sealed at rest (SM4-GCM), masked
// in pages and lists, shown whole only to the system administrator, each
// time audited.
func TestPersonalDataSealed(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		adm := e.as("admin")
		id := itoa(e.users["reporter"].ID)
		res, body := adm.form("/admin/users/"+id, url.Values{"display_name": {"高新科信息员"}, "department": {"hightech"},
			"phone": {"13812341234"}, "email": {"zhangsan@example.cn"}}, true)
		if res.StatusCode != 303 {
			t.Fatalf("save contacts: %d %s", res.StatusCode, body)
		}
		var phone, email string
		if err := e.db.SQL().QueryRowContext(ctx, `SELECT phone, email FROM users WHERE id = $1`, e.users["reporter"].ID).Scan(&phone, &email); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(phone, "sm4gcm:") || !strings.HasPrefix(email, "sm4gcm:") || strings.Contains(phone+email, "1234") || strings.Contains(phone+email, "zhangsan") {
			t.Errorf("stored as %q, %q", phone, email)
		}
		_, page := adm.do("GET", "/admin/users/"+id, nil)
		if !strings.Contains(page, "138****1234") || !strings.Contains(page, "z***@example.cn") || strings.Contains(page, "13812341234") {
			t.Errorf("the account page does not mask the contacts")
		}
		// Saving the form with the masks unchanged keeps the values.
		adm.form("/admin/users/"+id, url.Values{"display_name": {"高新科信息员"}, "department": {"hightech"}, "phone": {"138****1234"}, "email": {"z***@example.cn"}}, true)
		_, page = adm.form("/admin/users/"+id+"/reveal", url.Values{"field": {"phone"}}, true)
		if !strings.Contains(page, "13812341234") {
			t.Errorf("reveal did not show the whole number")
		}
		if res, _ := e.as("security").do("POST", "/api/v1/users/"+id+"/reveal", map[string]string{"field": "phone"}); res.StatusCode != 403 {
			t.Errorf("the security administrator reveals a phone: %d", res.StatusCode)
		}
		res, body = adm.do("POST", "/api/v1/users/"+id+"/reveal", map[string]string{"field": "email"})
		if res.StatusCode != 200 || !strings.Contains(body, "zhangsan@example.cn") {
			t.Errorf("reveal e-mail: %d %s", res.StatusCode, body)
		}
		pg := must(e.app.AuditLog(ctx, e.actor("auditor"), domain.AuditFilter{Action: "reveal", Result: domain.AuditOK}, app.PageQuery{Limit: 10}))(t)
		if len(pg.Items) != 2 {
			t.Errorf("%d reveal entries, want 2", len(pg.Items))
		}
		for _, en := range must(e.app.AuditLog(ctx, e.actor("auditor"), domain.AuditFilter{Action: "user_update"}, app.PageQuery{Limit: 10}))(t).Items {
			if strings.Contains(en.Reason, "13812341234") || strings.Contains(en.Reason, "zhangsan@") {
				t.Errorf("the audit log holds a whole contact: %s", en.Reason)
			}
		}
		_, list := e.as("security").do("GET", "/admin/users?q=reporter", nil)
		if strings.Contains(list, "13812341234") || !strings.Contains(list, "138****1234") {
			t.Error("the accounts list does not mask the phone number")
		}
		// An enterprise contact's phone: sealed, masked, shown whole to
		// those who call on enterprises, audited.
		code, _ := domain.CompleteCreditCode("91410105MA3X7Y8K1")
		rep := e.as("reporter")
		res, body = rep.do("POST", "/api/v1/enterprises", map[string]string{"name": "郑州某科技有限公司", "credit_code": code, "contact": "王经理", "phone": "0371-6588 1234"})
		if res.StatusCode != 201 || !strings.Contains(body, `"phone":"037****1234"`) {
			t.Fatalf("enterprise with a phone: %d %s", res.StatusCode, body)
		}
		var stored string
		e.db.SQL().QueryRowContext(ctx, `SELECT phone FROM enterprises WHERE credit_code = $1`, code).Scan(&stored)
		if !strings.HasPrefix(stored, "sm4gcm:") || strings.Contains(stored, "6588") {
			t.Errorf("enterprise phone stored as %q", stored)
		}
		_, body = e.as("leader").do("GET", "/api/v1/enterprises?q="+code, nil)
		if strings.Contains(body, "6588 1234") || !strings.Contains(body, "34") {
			t.Errorf("the leader's list: %s", body)
		}
		var one struct {
			Enterprises []struct{ ID int64 } `json:"enterprises"`
		}
		decodeJSON(t, body, &one)
		eid := itoa(one.Enterprises[0].ID)
		if res, _ := e.as("leader").do("POST", "/api/v1/enterprises/"+eid+"/reveal", map[string]any{}); res.StatusCode != 403 {
			t.Errorf("a leader reveals an enterprise phone: %d", res.StatusCode)
		}
		if res, body := rep.do("POST", "/api/v1/enterprises/"+eid+"/reveal", map[string]any{}); res.StatusCode != 200 || !strings.Contains(body, "0371-6588 1234") {
			t.Errorf("the reporter reveals it: %d %s", res.StatusCode, body)
		}
		_, page = rep.form("/enterprises/"+eid+"/reveal?q="+code, url.Values{}, true)
		if !strings.Contains(page, `id="revealed"`) || !strings.Contains(page, "0371-6588 1234") {
			t.Error("the register page does not show the revealed phone")
		}
		if n := len(must(e.app.AuditLog(ctx, e.actor("auditor"), domain.AuditFilter{Action: "reveal", Object: "enterprise:" + eid + ":phone", Result: domain.AuditOK}, app.PageQuery{Limit: 10}))(t).Items); n != 2 {
			t.Errorf("%d reveals of the enterprise phone audited, want 2", n)
		}
	})
}

// In a browser: an administrator's password leads to the code page, the
// code to the page asked for; a wrong code is said on the page.
func TestSecondFactorInBrowser(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLite(t))
	now := clock(e)
	admins := app.SecondFactorAdmins
	if _, err := e.app.SetPolicy(context.Background(), nil, app.PolicyChange{SecondFactor: &admins}); err != nil {
		t.Fatal(err)
	}
	c := e.anon()
	login(c, "auditor", testPassword)
	_, body := c.do("POST", "/api/v1/second-factor/enrol", map[string]any{"password": testPassword})
	var en struct{ Secret string }
	decodeJSON(t, body, &en)
	if res, body := c.do("POST", "/api/v1/second-factor/confirm", map[string]string{"code": code(t, en.Secret, now)}); res.StatusCode != 200 {
		t.Fatalf("enrol: %d %s", res.StatusCode, body)
	}
	now.Add(int64(31 * time.Second))
	u := &ui{t: t, ctx: browser(t), e: e}
	u.run("sign in", chromedp.Navigate(e.ts.URL+"/login?next=/admin/audit%3Faction%3Dlogin"), chromedp.WaitVisible("#username"),
		chromedp.SendKeys("#username", "auditor"), chromedp.SendKeys("#password", testPassword), submitClick("#login-submit"),
		chromedp.WaitVisible("#code"))
	if loc := u.location(); !strings.Contains(loc, "/login/code") {
		t.Fatalf("after the password: %s", loc)
	}
	if strings.Contains(u.text("body"), "审计日志") {
		t.Error("the menu shows before the second factor")
	}
	u.run("wrong code", chromedp.SendKeys("#code", "000000"), submitClick("#code-submit"), chromedp.WaitVisible("#code"))
	if !strings.Contains(u.text(".error"), "验证码不对") {
		t.Errorf("a wrong code: %q", u.text(".error"))
	}
	u.run("right code", chromedp.SendKeys("#code", code(t, en.Secret, now)), submitClick("#code-submit"), chromedp.WaitVisible("#audit"))
	if loc := u.location(); !strings.Contains(loc, "/admin/audit?action=login") {
		t.Errorf("after the code: %s", loc)
	}
}

// Issue 20 item 13: enrolling a second factor asks for the password again;
// the session id changes once the second factor is given; a stricter policy
// reaches sessions already open at their next request.
func TestSecondFactorHardening(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		now := clock(e)
		admins := app.SecondFactorAdmins
		if _, err := e.app.SetPolicy(ctx, nil, app.PolicyChange{SecondFactor: &admins}); err != nil {
			t.Fatal(err)
		}
		c := e.anon()
		login(c, "auditor", testPassword)
		if res, body := c.do("POST", "/api/v1/second-factor/enrol", map[string]any{}); res.StatusCode != 422 || !strings.Contains(body, `"field":"password"`) {
			t.Errorf("enrolment without the password: %d %s", res.StatusCode, body)
		}
		if res, body := c.do("POST", "/api/v1/second-factor/enrol", map[string]any{"password": "not-it"}); res.StatusCode != 422 || !strings.Contains(body, `"field":"password"`) {
			t.Errorf("enrolment with a wrong password: %d %s", res.StatusCode, body)
		}
		res, body := c.do("POST", "/api/v1/second-factor/enrol", map[string]any{"password": testPassword})
		var en struct{ Secret string }
		decodeJSON(t, body, &en)
		if res.StatusCode != 200 || en.Secret == "" {
			t.Fatalf("enrolment with the password: %d %s", res.StatusCode, body)
		}
		before := sessionCookie(t, c)
		if res, body := c.do("POST", "/api/v1/second-factor/confirm", map[string]string{"code": code(t, en.Secret, now)}); res.StatusCode != 200 {
			t.Fatalf("confirm: %d %s", res.StatusCode, body)
		}
		after := sessionCookie(t, c)
		if after == before || after == "" {
			t.Error("the session id did not change at the second factor")
		}
		if _, _, err := e.app.Authenticate(ctx, before); err == nil {
			t.Error("the session's old id still opens it")
		}
		if res, _ := c.do("GET", "/api/v1/audit", nil); res.StatusCode != 200 {
			t.Errorf("the new session: %d", res.StatusCode)
		}
		// The next sign-in, by code: a new id again.
		now.Add(int64(31 * time.Second))
		c2 := e.anon()
		login(c2, "auditor", testPassword)
		before = sessionCookie(t, c2)
		if res, body := c2.do("POST", "/api/v1/login/code", map[string]string{"code": code(t, en.Secret, now)}); res.StatusCode != 200 {
			t.Fatalf("code: %d %s", res.StatusCode, body)
		}
		if after := sessionCookie(t, c2); after == before {
			t.Error("the session id did not change at the sign-in's code")
		}
		// A stricter policy, sessions already open.
		rep := e.as("reporter")
		all := app.SecondFactorAll
		if _, err := e.app.SetPolicy(ctx, nil, app.PolicyChange{SecondFactor: &all}); err != nil {
			t.Fatal(err)
		}
		if res, body := rep.do("GET", "/api/v1/pieces", nil); res.StatusCode != 401 || !strings.Contains(body, `"field":"second_factor"`) {
			t.Errorf("an open session once a second factor is required of all: %d %.200s", res.StatusCode, body)
		}
		optional := app.SecondFactorOptional
		days := 30
		if _, err := e.app.SetPolicy(ctx, nil, app.PolicyChange{SecondFactor: &optional, PasswordMaxAgeDays: &days}); err != nil {
			t.Fatal(err)
		}
		office := e.as("office")
		// Its password was set 31 days ago (the session is minutes old).
		old := store.FormatTime(time.Unix(0, now.Load()).Add(-31 * 24 * time.Hour))
		if _, err := e.db.SQL().Exec(`UPDATE users SET password_changed_at = $1 WHERE username = 'office'`, old); err != nil {
			t.Fatal(err)
		}
		if res, _ := office.do("GET", "/pieces", nil); res.StatusCode != 303 || res.Header.Get("Location") != "/password" {
			t.Errorf("an open session whose password became too old: %d → %s", res.StatusCode, res.Header.Get("Location"))
		}
	})
}

// sessionCookie is the client's session token.
func sessionCookie(t *testing.T, c *client) string {
	t.Helper()
	u, _ := url.Parse(c.e.ts.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "kexuan_session" {
			return ck.Value
		}
	}
	return ""
}
