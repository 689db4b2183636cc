package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/plan"
	"kexuan/report"
	"kexuan/scoring"
	"kexuan/store/storetest"
	"kexuan/testclock"
)

// The JSON API contract of the web issue, step by step.
func TestAPIContract(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		anon := e.anon()
		if res, _ := anon.do("GET", "/api/v1/me", nil); res.StatusCode != 401 {
			t.Errorf("me signed out: %d", res.StatusCode)
		}
		if res, body := anon.do("POST", "/api/v1/login", map[string]string{"username": "reporter", "password": "wrong"}); res.StatusCode != 401 || !strings.Contains(body, `"error"`) {
			t.Errorf("bad login: %d %s", res.StatusCode, body)
		}
		rep := e.as("reporter")
		res, body := rep.do("GET", "/api/v1/me", nil)
		if res.StatusCode != 200 || !strings.Contains(body, `"role":"reporter"`) || !strings.Contains(body, `"department":"hightech"`) {
			t.Errorf("me: %d %s", res.StatusCode, body)
		}
		// 422 names the field.
		res, body = rep.do("POST", "/api/v1/pieces", map[string]any{"title": "", "body": "<p>x</p>"})
		if res.StatusCode != 422 || !strings.Contains(body, `"field":"title"`) {
			t.Errorf("empty title: %d %s", res.StatusCode, body)
		}
		res, body = rep.do("POST", "/api/v1/pieces", map[string]any{"title": "x", "themes": "一"})
		if res.StatusCode != 422 || !strings.Contains(body, `"field":"themes"`) {
			t.Errorf("bad type: %d %s", res.StatusCode, body)
		}
		res, body = rep.do("POST", "/api/v1/pieces", map[string]any{"title": "x", "body": "<p>x</p>", "department": "ip"})
		if res.StatusCode != 403 {
			t.Errorf("piece for another department: %d %s", res.StatusCode, body)
		}
		res, body = rep.do("POST", "/api/v1/pieces", map[string]any{"title": "金水区科技活动周启动", "body": "<p>我们在2026年发布了v1.2.3版本。</p>",
			"department": "hightech", "themes": []int{7}, "channels": []string{"intranet", "shixun"}, "major": false})
		var p pieceOut
		decodeJSON(t, body, &p)
		if res.StatusCode != 201 || p.ID == 0 || p.State != "draft" || p.Words != 12 {
			t.Fatalf("create: %d %s", res.StatusCode, body)
		}
		id := itoa(p.ID)
		if res, body = rep.do("GET", "/api/v1/pieces/"+id, nil); res.StatusCode != 200 || !strings.Contains(body, `"state":"draft"`) {
			t.Errorf("get: %d %s", res.StatusCode, body)
		}
		if res, _ = rep.do("GET", "/api/v1/pieces/999999", nil); res.StatusCode != 404 {
			t.Errorf("missing piece: %d", res.StatusCode)
		}
		if res, body = rep.do("POST", "/api/v1/pieces/"+id+"/submit", nil); res.StatusCode != 200 || !strings.Contains(body, `"state":"submitted"`) {
			t.Errorf("submit: %d %s", res.StatusCode, body)
		}
		if res, _ = rep.do("POST", "/api/v1/pieces/"+id+"/submit", nil); res.StatusCode != 409 {
			t.Errorf("submit twice: %d", res.StatusCode)
		}
		leader := e.as("leader")
		if res, body = leader.do("POST", "/api/v1/pieces/"+id+"/return", map[string]string{"comment": ""}); res.StatusCode != 422 || !strings.Contains(body, `"field":"comment"`) {
			t.Errorf("return without comment: %d %s", res.StatusCode, body)
		}
		if res, body = leader.do("POST", "/api/v1/pieces/"+id+"/return", map[string]string{"comment": "请补充数据"}); res.StatusCode != 200 || !strings.Contains(body, `"state":"returned"`) {
			t.Errorf("return: %d %s", res.StatusCode, body)
		}
		rep.do("POST", "/api/v1/pieces/"+id+"/submit", nil)
		e.onYearStart(func() {
			res, body = leader.do("POST", "/api/v1/pieces/"+id+"/approve", map[string]string{"comment": "同意"})
		})
		if res.StatusCode != 200 || !strings.Contains(body, `"state":"approved"`) {
			t.Errorf("approve: %d %s", res.StatusCode, body)
		}
		office := e.as("office")
		res, body = office.do("POST", "/api/v1/pieces/"+id+"/adoptions", map[string]any{"channel": "shixun", "date": "2017-05-02", "outlet": "", "words": 520, "reason": "刊发时增补"})
		if res.StatusCode != 201 || !strings.Contains(body, `"id"`) || !strings.Contains(body, `"words":520`) {
			t.Errorf("adoption: %d %s", res.StatusCode, body)
		}
		if res, _ = office.do("POST", "/api/v1/pieces/"+id+"/adoptions", map[string]any{"channel": "shixun", "date": "2017-05-02", "words": 520, "reason": "刊发时增补"}); res.StatusCode != 409 {
			t.Errorf("duplicate adoption: %d", res.StatusCode)
		}
		if res, body = office.do("POST", "/api/v1/pieces/"+id+"/adoptions", map[string]any{"channel": "intranet", "date": "2017-02-30"}); res.StatusCode != 422 || !strings.Contains(body, `"field":"date"`) {
			t.Errorf("bad date: %d %s", res.StatusCode, body)
		}
		if res, body = office.do("POST", "/api/v1/pieces/"+id+"/adoptions", map[string]any{"channel": "intranet", "date": "2017-01-02"}); res.StatusCode != 422 || !strings.Contains(body, `"field":"date"`) || !strings.Contains(body, "2017-01-03") {
			t.Errorf("dated the day before the piece was approved: %d %s", res.StatusCode, body)
		}
		// A department's outside coverage waits for the office.
		res, body = rep.do("POST", "/api/v1/pieces/"+id+"/adoptions", map[string]any{"channel": "media", "date": "2017-05-03", "outlet": "郑州日报"})
		if res.StatusCode != 422 || !strings.Contains(body, `"field":"evidence"`) {
			t.Errorf("outside coverage without evidence: %d %s", res.StatusCode, body)
		}
		res, body = rep.do("POST", "/api/v1/pieces/"+id+"/adoptions", map[string]any{"channel": "media", "date": "2017-05-03", "outlet": "郑州日报", "issue": "第3版"})
		var rec struct {
			ID      int64 `json:"id"`
			Counted bool  `json:"counted"`
		}
		decodeJSON(t, body, &rec)
		if res.StatusCode != 201 || rec.Counted {
			t.Errorf("media by the department: %d %s", res.StatusCode, body)
		}
		total := func() float64 {
			var r struct {
				Departments []struct {
					Code  string
					Total float64
					Bonus float64
				}
			}
			_, body := office.do("GET", "/api/v1/report?year=2017&as_of=2017-05-31", nil)
			decodeJSON(t, body, &r)
			for _, d := range r.Departments {
				if d.Code == "hightech" {
					return d.Bonus
				}
			}
			t.Fatal("no hightech in the report")
			return 0
		}
		if b := total(); b != 0 {
			t.Errorf("unverified media counted: bonus %v", b)
		}
		if res, body = office.do("POST", "/api/v1/adoptions/"+itoa(rec.ID)+"/verify", map[string]any{"accept": true}); res.StatusCode != 200 {
			t.Errorf("verify: %d %s", res.StatusCode, body)
		}
		if b := total(); b != 5 {
			t.Errorf("verified media: bonus %v", b)
		}
		// The office overrides a publication's 字数, with a reason: the score follows, the audit keeps it.
		var shixun struct {
			ID int64 `json:"id"`
		}
		if res, body = office.do("POST", "/api/v1/pieces/"+id+"/adoptions", map[string]any{"channel": "shixun", "date": "2017-05-04", "words": 520, "reason": "刊发时增补"}); res.StatusCode != 201 {
			t.Fatalf("second 时讯: %d %s", res.StatusCode, body)
		}
		decodeJSON(t, body, &shixun)
		rawShixun := func() float64 {
			var r struct {
				Departments []struct {
					Code       string
					Categories map[string]struct{ Raw float64 }
				}
			}
			_, body := office.do("GET", "/api/v1/report?year=2017&as_of=2017-05-31", nil)
			decodeJSON(t, body, &r)
			for _, d := range r.Departments {
				if d.Code == "hightech" {
					return d.Categories["shixun"].Raw
				}
			}
			t.Fatal("no hightech in the report")
			return 0
		}
		if got := rawShixun(); got != 10 {
			t.Errorf("two 500字 时讯: raw %v", got)
		}
		if res, body = office.do("POST", "/api/v1/adoptions/"+itoa(shixun.ID)+"/words", map[string]any{"words": 280}); res.StatusCode != 422 || !strings.Contains(body, `"field":"reason"`) {
			t.Errorf("override without reason: %d %s", res.StatusCode, body)
		}
		if res, body = rep.do("POST", "/api/v1/adoptions/"+itoa(shixun.ID)+"/words", map[string]any{"words": 280, "reason": "x"}); res.StatusCode != 403 {
			t.Errorf("reporter overrides: %d %s", res.StatusCode, body)
		}
		if res, body = office.do("POST", "/api/v1/adoptions/"+itoa(shixun.ID)+"/words", map[string]any{"words": 280, "reason": "刊发时删减"}); res.StatusCode != 200 {
			t.Errorf("override: %d %s", res.StatusCode, body)
		}
		if got := rawShixun(); got != 6 {
			t.Errorf("after the override: raw %v, want 5 + 1", got)
		}
		if es := must(e.db.Q().AuditEntries(context.Background(), domain.AuditFilter{Action: "words_override"}))(t); len(es) != 1 || !strings.Contains(es[0].Reason, "520 → 280") || !strings.Contains(es[0].Reason, "刊发时删减") {
			t.Errorf("override audit: %+v", es)
		}
		// The report is exactly `kexuan report --format json`.
		_, got := office.do("GET", "/api/v1/report?year=2017&as_of=2017-12-31", nil)
		p17 := must(e.db.Plan(context.Background(), 2017))(t)
		entries := must(e.db.Entries(context.Background(), p17, plan.MustDate("2017-12-31")))(t)
		var want bytes.Buffer
		if err := report.JSON(&want, scoring.Score(p17, plan.MustDate("2017-12-31"), entries, scoring.Options{})); err != nil {
			t.Fatal(err)
		}
		if got != want.String() {
			t.Errorf("report differs from the CLI's JSON:\n%.400s\n%.400s", got, want.String())
		}
		if res, body = office.do("GET", "/api/v1/report?year=2017&as_of=2017-13-01", nil); res.StatusCode != 422 || !strings.Contains(body, `"field":"as_of"`) {
			t.Errorf("bad as_of: %d %s", res.StatusCode, body)
		}
		if res, _ = rep.do("POST", "/api/v1/logout", nil); res.StatusCode != 200 {
			t.Errorf("logout: %d", res.StatusCode)
		}
		if res, _ = rep.do("GET", "/api/v1/me", nil); res.StatusCode != 401 {
			t.Errorf("me after logout: %d", res.StatusCode)
		}
	})
}

func TestSignInSecurity(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		anon := e.anon()
		login := func(user, pw string) (int, string) {
			res, body := anon.do("POST", "/api/v1/login", map[string]string{"username": user, "password": pw})
			return res.StatusCode, body
		}
		// Unknown and known users get the same answer.
		_, unknown := login("nobody", "Whatever!1")
		_, known := login("reporter", "Whatever!1")
		if unknown != known {
			t.Errorf("different answers:\n%s\n%s", unknown, known)
		}
		// Five failures lock the account; the right password then fails too.
		for i := 0; i < 4; i++ {
			login("reporter", "Whatever!1")
		}
		if code, _ := login("reporter", testPassword); code != 401 {
			t.Errorf("locked account signed in: %d", code)
		}
		entries := must(e.db.Q().AuditEntries(ctx, domain.AuditFilter{Action: "lockout"}))(t)
		if len(entries) != 1 {
			t.Errorf("lockout audit rows: %d", len(entries))
		}
		// After the lockout period it works again.
		e.app.Now = testclock.Plus(app.LockoutFor + time.Minute)
		if code, body := login("reporter", testPassword); code != 200 {
			t.Errorf("after lockout: %d %s", code, body)
		}
		e.app.Now = testclock.Now

		// Idle sessions end.
		c := e.as("office")
		e.app.Now = testclock.Plus(app.IdleTimeout + time.Minute)
		if res, _ := c.do("GET", "/api/v1/me", nil); res.StatusCode != 401 {
			t.Errorf("idle session still valid: %d", res.StatusCode)
		}
		e.app.Now = testclock.Now

		// Disabling a user ends their sessions.
		c = e.as("chief")
		u := e.users["chief"]
		u.Disabled = true
		e.db.Q().UpdateUser(ctx, u)
		if res, _ := c.do("GET", "/api/v1/me", nil); res.StatusCode != 401 {
			t.Errorf("disabled user's session still valid: %d", res.StatusCode)
		}

		// CSRF: a form post without the token, an API post as a form, a
		// cross-site browser post.
		c = e.as("reporter")
		if res, _ := c.form("/pieces", url.Values{"title": {"x"}, "body": {"<p>x</p>"}}, false); res.StatusCode != 403 {
			t.Errorf("form without token: %d", res.StatusCode)
		}
		req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/pieces", strings.NewReader("title=x"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if res, _ := c.http.Do(req); res.StatusCode != 415 {
			t.Errorf("API post as a form: %d, want 415", res.StatusCode)
		}
		req, _ = http.NewRequest("POST", e.ts.URL+"/api/v1/pieces", strings.NewReader(`{"title":"x"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if res, _ := c.http.Do(req); res.StatusCode != 403 {
			t.Errorf("cross-site post: %d", res.StatusCode)
		}
		if res, _ := c.form("/pieces", url.Values{"title": {"x"}, "body": {"<p>正文</p>"}}, true); res.StatusCode != 303 {
			t.Errorf("form with token: %d", res.StatusCode)
		}

		// Cookies and headers.
		res, _ := e.anon().do("POST", "/api/v1/login", map[string]string{"username": "office", "password": testPassword})
		ck := res.Header.Get("Set-Cookie")
		if !strings.Contains(ck, "HttpOnly") || !strings.Contains(ck, "SameSite=Lax") {
			t.Errorf("session cookie: %s", ck)
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("CSP: %s", csp)
		}

		// Must change the first password.
		pw := app.RandomPassword()
		if _, err := e.app.CreateUser(ctx, nil, app.UserInput{Username: "newbie", Role: "office", Password: pw}, true); err != nil {
			t.Fatal(err)
		}
		nb := e.anon()
		nb.do("POST", "/api/v1/login", map[string]string{"username": "newbie", "password": pw})
		if res, _ := nb.do("GET", "/api/v1/pieces", nil); res.StatusCode != 403 {
			t.Errorf("must-change user used the API: %d", res.StatusCode)
		}
		if res, _ := nb.do("GET", "/pieces", nil); res.StatusCode != 303 || res.Header.Get("Location") != "/password" {
			t.Errorf("must-change user not sent to /password: %d %s", res.StatusCode, res.Header.Get("Location"))
		}

		// The audit log is append-only and its chain holds.
		if _, err := e.db.SQL().Exec(`UPDATE audit_log SET reason = 'x'`); err == nil {
			t.Error("audit_log accepted an UPDATE")
		}
		if _, err := e.db.SQL().Exec(`DELETE FROM audit_log`); err == nil {
			t.Error("audit_log accepted a DELETE")
		}
		broken, n, err := e.db.Q().VerifyAuditChain(ctx)
		if err != nil || broken != 0 || n < 10 {
			t.Errorf("audit chain: broken at %d of %d, %v", broken, n, err)
		}
		for _, action := range []string{"login", "lockout", "piece_create", "user_create"} {
			if es := must(e.db.Q().AuditEntries(ctx, domain.AuditFilter{Action: action}))(t); len(es) == 0 {
				t.Errorf("no %s audit rows", action)
			}
		}
	})
}

// A body carrying script, event handlers and javascript: links is stored
// clean (the browser test shows it runs nothing).
func TestXSSStoredClean(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		res, body := e.as("reporter").do("POST", "/api/v1/pieces", map[string]any{"title": `<script>alert(1)</script>标题`, "body": xssBody})
		if res.StatusCode != 201 {
			t.Fatalf("%d %s", res.StatusCode, body)
		}
		var p pieceOut
		decodeJSON(t, body, &p)
		for _, bad := range []string{"<script", "onerror", "onclick", "javascript:", "<iframe", "<svg"} {
			if strings.Contains(strings.ToLower(p.Body), bad) {
				t.Errorf("stored body keeps %q: %s", bad, p.Body)
			}
		}
		// The title is text: escaped where shown.
		_, page := e.as("reporter").do("GET", "/pieces/"+itoa(p.ID), nil)
		if strings.Contains(page, "<script>alert(1)</script>") || !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;标题") {
			t.Errorf("title not escaped in the page")
		}
	})
}

const xssBody = `<p onclick="window.__xss=1">正文<script>window.__xss=2</script><img src=x onerror="window.__xss=3">` +
	`<a id="jslink" href="javascript:window.__xss=4">点我</a><iframe src="javascript:window.__xss=5"></iframe>` +
	`<svg onload="window.__xss=6"></svg><math><mtext><style><img src=x onerror="window.__xss=7"></style></mtext></math></p>`
