package app_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/plan"
	"kexuan/store/storetest"
	"kexuan/testwecom"
)

// weComFixture is a fixture whose 企业微信 is a local fake, the application
// set, the reporter bound to member zhangsan and the system administrator
// to lisi.
func weComFixture(t *testing.T, dsn string) (*fixture, *testwecom.Fake, *time.Time) {
	t.Helper()
	p, src := plan.Builtin()
	f := newFixture(t, dsn, p, src, p.Departments[1].Code, p.Departments[2].Code)
	clock := time.Date(2017, 6, 1, 9, 0, 0, 0, p.Location())
	f.app.Now = func() time.Time { return clock }
	wc := testwecom.Start(t, "ww0123456789abcdef", "app-Secret-2017")
	f.app.WeCom = app.WeComEndpoints{API: wc.URL, Auth: wc.URL}
	f.app.SiteURL = "https://kx.example.org/kexuan"
	ctx := context.Background()
	admin := f.users["admin"]
	if err := f.app.SetWeComSettings(ctx, admin, app.WeComSettings{CorpID: wc.CorpID, AgentID: 1000002, Secret: wc.Secret}); err != nil {
		t.Fatal(err)
	}
	for who, member := range map[string]string{"reporter": "zhangsan", "admin": "lisi"} {
		u := f.users[who]
		if err := f.app.UpdateUser(ctx, admin, u.ID, app.UserInput{DisplayName: u.DisplayName, Department: u.Department, WeComUser: member}); err != nil {
			t.Fatal(err)
		}
	}
	return f, wc, &clock
}

// Application messages go to the people a notice is for, by their member
// id, as a card that opens the page at the site's address; the access
// token is fetched once, kept, taken anew before it expires and at once
// when 企业微信 refuses it.
func TestWeComMessages(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		f, wc, clock := weComFixture(t, dsn)
		ctx := context.Background()
		admin, office, rep := f.users["admin"], f.users["office"], f.users["reporter"]
		// Settings: the system administrator's; the secret sealed, never shown.
		if err := f.app.SetWeComSettings(ctx, rep, app.WeComSettings{CorpID: "ww1", AgentID: 1, Secret: "x"}); domain.ErrorOf(err).Code != domain.EForbidden {
			t.Errorf("a reporter sets 企业微信: %v", err)
		}
		if err := f.app.SetWeComSettings(ctx, admin, app.WeComSettings{CorpID: "ww 1", AgentID: 1}); domain.ErrorOf(err).Field != "corp_id" {
			t.Errorf("a bad corp id: %v", err)
		}
		s, err := f.app.WeComSettings(ctx, admin)
		if err != nil || s.Secret != "" || !s.SecretSet || s.AgentID != 1000002 {
			t.Errorf("settings as shown: %+v %v", s, err)
		}
		stored, _ := f.app.DB.Q().Settings(ctx)
		for k, v := range stored {
			if strings.Contains(v, wc.Secret) {
				t.Errorf("setting %s holds the secret in clear", k)
			}
		}
		// A member id is one account's.
		other := f.users["leader"]
		if err := f.app.UpdateUser(ctx, admin, other.ID, app.UserInput{DisplayName: other.DisplayName, WeComUser: "zhangsan"}); domain.ErrorOf(err).Field != "wecom_user" {
			t.Errorf("a member bound twice: %v", err)
		}
		if err := f.app.UpdateUser(ctx, admin, other.ID, app.UserInput{DisplayName: other.DisplayName, WeComUser: "张 三"}); domain.ErrorOf(err).Field != "wecom_user" {
			t.Errorf("a malformed member id: %v", err)
		}

		remind := func(text string) {
			t.Helper()
			if _, err := f.app.Remind(ctx, office, rep.Department, text); err != nil {
				t.Fatal(err)
			}
			for {
				sent, err := f.app.DeliverOnce(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if !sent {
					return
				}
			}
		}
		remind("请报送本月稿件")
		msgs := wc.Messages()
		if len(msgs) != 1 {
			t.Fatalf("%d application messages, want one to the reporter: %v", len(msgs), msgs)
		}
		m := msgs[0]
		card, _ := m["textcard"].(map[string]any)
		if m["touser"] != "zhangsan" || m["msgtype"] != "textcard" || m["agentid"] != float64(1000002) || card == nil ||
			card["url"] != "https://kx.example.org/kexuan/departments/"+rep.Department || !strings.Contains(card["description"].(string), "请报送本月稿件") {
			t.Errorf("the message: %v", m)
		}
		if wc.Tokens() != 1 {
			t.Errorf("%d tokens for one message", wc.Tokens())
		}
		// The token is kept: a sign-in half an hour later takes no new one.
		signIn := func() {
			t.Helper()
			if _, _, err := f.app.SignInWeCom(ctx, wc.Code("zhangsan"), "192.0.2.50"); err != nil {
				t.Fatal(err)
			}
		}
		*clock = clock.Add(30 * time.Minute)
		signIn()
		if wc.Tokens() != 1 {
			t.Errorf("the kept token: %d tokens", wc.Tokens())
		}
		// Five minutes before its 7200 s are up, a new token.
		*clock = clock.Add(86 * time.Minute)
		signIn()
		if wc.Tokens() != 2 {
			t.Errorf("near its expiry: %d tokens", wc.Tokens())
		}
		// Refused (企业微信 ended it early): a new one at once, and the
		// message goes (the next day: a department is reminded once a day).
		*clock = clock.Add(24 * time.Hour)
		signIn() // token 3, kept
		wc.Expire()
		remind("第二次")
		if wc.Tokens() != 4 || len(wc.Messages()) != 2 {
			t.Errorf("after a refusal: %d tokens, %d messages", wc.Tokens(), len(wc.Messages()))
		}
		// A wrong secret is not retried: it is the settings that are wrong.
		if err := f.app.SetWeComSettings(ctx, admin, app.WeComSettings{CorpID: wc.CorpID, AgentID: 1000002, Secret: "wrong-secret"}); err != nil {
			t.Fatal(err)
		}
		*clock = clock.Add(24 * time.Hour)
		remind("第五次")
		ds, err := f.app.RecentDeliveries(ctx, admin)
		if err != nil || len(ds) == 0 || ds[0].Channel != "wecom" || !ds[0].SentAt.IsZero() || !strings.Contains(ds[0].LastError, "40001") {
			t.Fatalf("a wrong secret: %+v %v", ds[0], err)
		}
		if n, _ := f.app.DeliverOnce(ctx); n {
			t.Error("a delivery that cannot succeed is tried again")
		}
	})
}

// Sign-in through 企业微信: the code is exchanged for the member id, which
// finds the account; an administrator still gives the second factor; a
// code is good once; someone unbound or outside the corporation is
// refused, and every attempt is audited.
func TestWeComSignIn(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		f, wc, _ := weComFixture(t, dsn)
		ctx := context.Background()
		rep := f.users["reporter"]
		code := wc.Code("zhangsan")
		token, u, err := f.app.SignInWeCom(ctx, code, "198.51.100.7")
		if err != nil || u.ID != rep.ID {
			t.Fatalf("sign in: %v %v", u, err)
		}
		if _, sess, err := f.app.Authenticate(ctx, token); err != nil || sess.Stage != domain.StageFull {
			t.Errorf("the reporter's session: %+v %v", sess, err)
		}
		if _, _, err := f.app.SignInWeCom(ctx, code, "198.51.100.7"); domain.ErrorOf(err).Code != domain.EUnauthorized {
			t.Errorf("a code used twice: %v", err)
		}
		if _, _, err := f.app.SignInWeCom(ctx, wc.Code("wangwu"), "198.51.100.8"); domain.ErrorOf(err).Code != domain.EUnauthorized || !strings.Contains(domain.ErrorOf(err).Message, "没有绑定") {
			t.Errorf("an unbound member: %v", err)
		}
		if _, _, err := f.app.SignInWeCom(ctx, wc.Code(""), "198.51.100.8"); domain.ErrorOf(err).Code != domain.EUnauthorized {
			t.Errorf("someone outside the corporation: %v", err)
		}
		token, u, err = f.app.SignInWeCom(ctx, wc.Code("lisi"), "198.51.100.9")
		if err != nil || u.Role != domain.Admin {
			t.Fatalf("the administrator: %v %v", u, err)
		}
		if _, sess, err := f.app.Authenticate(ctx, token); err != nil || sess.Stage == domain.StageFull {
			t.Errorf("an administrator signed in without the second factor: %+v %v", sess, err)
		}
		// Disabled: refused like a password.
		if err := f.app.UpdateUser(ctx, f.users["admin"], rep.ID, app.UserInput{DisplayName: rep.DisplayName, Department: rep.Department, WeComUser: "zhangsan", Disabled: true}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.app.SignInWeCom(ctx, wc.Code("zhangsan"), "198.51.100.10"); domain.ErrorOf(err).Code != domain.EUnauthorized {
			t.Errorf("a disabled account: %v", err)
		}
		entries, err := f.app.DB.Q().AuditEntries(ctx, domain.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var ok, failed int
		for _, e := range entries {
			if strings.Contains(e.Reason, "企业微信") {
				switch {
				case e.Action == "login" && e.Result == domain.AuditOK:
					ok++
				case e.Result == domain.AuditFailed:
					failed++
				}
			}
		}
		if ok != 2 || failed < 4 {
			t.Errorf("audited: %d sign-ins, %d failures", ok, failed)
		}
	})
}

// Many phones at once: each sign-in opens its own session; two binding one
// member at once, one wins.
func TestWeComConcurrent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		f, wc, _ := weComFixture(t, dsn)
		ctx := context.Background()
		codes := make([]string, 8)
		for i := range codes {
			codes[i] = wc.Code("zhangsan")
		}
		tokens := make([]string, len(codes))
		var wg sync.WaitGroup
		errs := make([]error, len(codes))
		for i, c := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tokens[i], _, errs[i] = f.app.SignInWeCom(ctx, c, "203.0.113.5")
			}()
		}
		wg.Wait()
		seen := map[string]bool{}
		for i, err := range errs {
			if err != nil || seen[tokens[i]] {
				t.Errorf("sign-in %d: %v", i, err)
			}
			seen[tokens[i]] = true
		}
		admin := f.users["admin"]
		users := []*app.Actor{f.users["leader"], f.users["office"]}
		for i := range errs[:2] {
			wg.Add(1)
			go func() {
				defer wg.Done()
				u := users[i]
				errs[i] = f.app.UpdateUser(ctx, admin, u.ID, app.UserInput{DisplayName: u.DisplayName, Department: u.Department, WeComUser: "zhaoliu"})
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs[:2] {
			switch {
			case err == nil:
				won++
			case domain.ErrorOf(err).Field != "wecom_user":
				t.Errorf("the loser: %v", err)
			}
		}
		if won != 1 {
			t.Errorf("%d accounts bound to one member", won)
		}
	})
}
