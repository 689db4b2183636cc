package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kexuan/app"
	"kexuan/store/storetest"
	"kexuan/testwecom"
	"kexuan/web"
)

// Signing in with 企业微信 from the pages, against a local fake: the system
// administrator sets the application on the delivery page; the sign-in page
// offers it (inside 企业微信's browser it goes there at once); the phone goes
// to 企业微信 and comes back with a code that signs its member's account in;
// a state that is not this browser's is refused; an administrator still
// gives the second factor.
func TestWeComSignInPages(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		var wc *testwecom.Fake
		e := newEnvWith(t, dsn, func(s *web.Server) {
			wc = testwecom.Start(t, "ww0123456789abcdef", "app-Secret-2017")
			s.App.WeCom = app.WeComEndpoints{API: wc.URL, Auth: wc.URL}
		})
		anon := e.anon()
		if res, _ := anon.do("GET", "/login/wecom", nil); res.StatusCode != 404 {
			t.Errorf("企业微信 not set: %d", res.StatusCode)
		}
		if _, page := anon.do("GET", "/login", nil); strings.Contains(page, "login-wecom") {
			t.Error("the sign-in page offers 企业微信 before it is set")
		}
		admin := e.as("admin")
		if res, body := admin.form("/admin/delivery/wecom", url.Values{"corp_id": {wc.CorpID}, "agent_id": {"x"}, "secret": {wc.Secret}}, true); res.StatusCode != 422 || !strings.Contains(body, "AgentId") {
			t.Errorf("a bad AgentId: %d", res.StatusCode)
		}
		if res, body := admin.form("/admin/delivery/wecom", url.Values{"corp_id": {wc.CorpID}, "agent_id": {"1000002"}, "secret": {wc.Secret}}, true); res.StatusCode != 303 {
			t.Fatalf("set 企业微信: %d %.300s", res.StatusCode, body)
		}
		if _, page := admin.do("GET", "/admin/delivery", nil); !strings.Contains(page, `value="`+wc.CorpID+`"`) || strings.Contains(page, wc.Secret) {
			t.Error("the delivery page does not show the corp id, or shows the secret")
		}
		for who, member := range map[string]string{"reporter": "zhangsan", "admin": "lisi"} {
			u := e.users[who]
			if err := e.app.UpdateUser(t.Context(), e.actor("admin"), u.ID, app.UserInput{DisplayName: u.DisplayName, Department: u.Department, WeComUser: member}); err != nil {
				t.Fatal(err)
			}
		}
		if _, page := admin.do("GET", "/admin/users/"+itoa(e.users["reporter"].ID), nil); !strings.Contains(page, `value="zhangsan"`) {
			t.Error("the account form does not show the 企业微信 account")
		}

		// signIn goes the whole way as a phone does and returns where kexuan
		// sends it at the end.
		signIn := func(c *client, member string) (*http.Response, string) {
			t.Helper()
			wc.SignInAs(member)
			res, _ := c.do("GET", "/login/wecom?next=/pieces", nil)
			to, err := url.Parse(res.Header.Get("Location"))
			if res.StatusCode != 303 || err != nil || !strings.HasPrefix(to.String(), wc.URL+"/connect/oauth2/authorize?") {
				t.Fatalf("to 企业微信: %d %q", res.StatusCode, res.Header.Get("Location"))
			}
			if back := to.Query().Get("redirect_uri"); back != e.ts.URL+"/login/wecom/callback" {
				t.Errorf("redirect_uri %q", back)
			}
			req, _ := http.NewRequest("GET", to.String(), nil)
			res, _ = c.send(req)
			back := res.Header.Get("Location")
			if res.StatusCode != 302 || !strings.HasPrefix(back, e.ts.URL+"/login/wecom/callback?") {
				t.Fatalf("back from 企业微信: %d %q", res.StatusCode, back)
			}
			req, _ = http.NewRequest("GET", back, nil)
			return c.send(req)
		}
		phone := e.anon()
		if _, page := phone.do("GET", "/login", nil); !strings.Contains(page, `id="login-wecom"`) {
			t.Error("the sign-in page does not offer 企业微信")
		}
		res, body := signIn(phone, "zhangsan")
		if res.StatusCode != 303 || res.Header.Get("Location") != "/pieces" {
			t.Fatalf("signed in: %d %q %.300s", res.StatusCode, res.Header.Get("Location"), body)
		}
		if _, page := phone.do("GET", "/pieces", nil); !strings.Contains(page, `id="whoami"`) {
			t.Error("not signed in after 企业微信")
		}
		// Inside 企业微信's browser the sign-in page goes there at once.
		req, _ := http.NewRequest("GET", e.ts.URL+"/login", nil)
		req.Header.Set("User-Agent", "Mozilla/5.0 (iPhone) wxwork/4.1.20 MicroMessenger/7.0.1")
		if res, _ := e.anon().send(req); res.StatusCode != 303 || !strings.HasPrefix(res.Header.Get("Location"), "/login/wecom") {
			t.Errorf("in 企业微信's browser: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		// The administrator: the second factor still, as the policy asks of
		// administrators (these tests otherwise sign them in by password).
		admins := app.SecondFactorAdmins
		if _, err := e.app.SetPolicy(t.Context(), nil, app.PolicyChange{SecondFactor: &admins}); err != nil {
			t.Fatal(err)
		}
		res, _ = signIn(e.anon(), "lisi")
		if loc := res.Header.Get("Location"); res.StatusCode != 303 || !strings.HasPrefix(loc, "/second-factor") && !strings.HasPrefix(loc, "/login/code") {
			t.Errorf("the administrator after 企业微信: %d %q", res.StatusCode, loc)
		}
		// Someone not bound: told so, on the sign-in page.
		res, body = signIn(e.anon(), "wangwu")
		if res.StatusCode != 401 || !strings.Contains(body, "没有绑定") || !strings.Contains(body, `id="login-submit"`) {
			t.Errorf("an unbound member: %d %.300s", res.StatusCode, body)
		}
		// A code brought to another browser (no state of its own): refused.
		wc.SignInAs("zhangsan")
		res, _ = e.anon().do("GET", "/login/wecom", nil)
		to, _ := url.Parse(res.Header.Get("Location"))
		req, _ = http.NewRequest("GET", to.String(), nil)
		res, _ = e.anon().send(req)
		req, _ = http.NewRequest("GET", res.Header.Get("Location"), nil)
		if res, body := e.anon().send(req); res.StatusCode != 403 || !strings.Contains(body, "重新打开") {
			t.Errorf("a code in another browser: %d %.200s", res.StatusCode, body)
		}
	})
}
