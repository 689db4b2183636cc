package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/plan"
	"kexuan/store"
	"kexuan/store/storetest"
	"kexuan/testclock"
	"kexuan/testsmtp"
)

// Notices go out by e-mail to those who asked and to the department's robot;
// a failure is retried with back-off until the SMTP server is back; a
// delivery held by a server that died is sent by another once its lease ends;
// each is sent once.
func TestDelivery(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		p, src := plan.Builtin()
		dept := p.Departments[1].Code
		f := newFixture(t, dsn, p, src, dept, p.Departments[2].Code)
		ctx := context.Background()
		clock := time.Date(2017, 6, 1, 9, 0, 0, 0, p.Location())
		f.app.Now = func() time.Time { return clock }
		smtp := testsmtp.Start(t)
		var hooks []map[string]any
		var hmu sync.Mutex
		sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var m map[string]any
			b, _ := io.ReadAll(r.Body)
			json.Unmarshal(b, &m)
			m["query"] = r.URL.RawQuery
			hmu.Lock()
			hooks = append(hooks, m)
			hmu.Unlock()
			w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
		}))
		defer sink.Close()
		host := strings.TrimPrefix(sink.URL, "http://")
		f.app.Delivery = app.DeliveryPolicy{WebhookHosts: []string{host}, AllowHTTP: true, MailHosts: []string{"127.0.0.1"}}
		admin := f.users["admin"]
		if err := f.app.SetMailSettings(ctx, admin, app.MailSettings{Host: "127.0.0.1", Port: smtp.Port(), From: "kexuan@example.org", TLS: "none", SiteURL: "https://kx.example.org"}); err != nil {
			t.Fatal(err)
		}
		// Robots: only allowlisted hosts, https unless the policy says so.
		if err := f.app.SetWebhook(ctx, admin, domain.Webhook{Department: dept, Kind: "dingtalk", URL: "https://10.0.0.1/robot", Secret: "s"}, false); domain.ErrorOf(err).Code != domain.EInvalid {
			t.Errorf("an internal host as a robot: %v", err)
		}
		if err := f.app.SetWebhook(ctx, admin, domain.Webhook{Department: dept, Kind: "dingtalk", URL: sink.URL + "/robot/send?access_token=abc", Secret: "SEC123"}, false); err != nil {
			t.Fatal(err)
		}
		// Saved again from the page (URL and secret left empty): both kept.
		if err := f.app.SetWebhook(ctx, admin, domain.Webhook{Department: dept, Kind: "dingtalk"}, false); err != nil {
			t.Fatal(err)
		}
		ws, err := f.app.Webhooks(ctx, admin)
		if err != nil || len(ws) != 1 || !strings.HasPrefix(ws[0].Secret, "…") || strings.Contains(ws[0].Secret, "SEC") || strings.Contains(ws[0].URL, "abc") {
			t.Errorf("robots as shown: %+v %v", ws, err)
		}
		rep := f.users["reporter"]
		if err := f.app.SetUserEmail(ctx, rep, rep.ID, "rep@example.org", true); err != nil {
			t.Fatal(err)
		}
		if err := f.app.SetUserEmail(ctx, rep, f.users["office"].ID, "x@example.org", true); domain.ErrorOf(err).Code != domain.EForbidden {
			t.Errorf("setting another's e-mail: %v", err)
		}
		// The SMTP server is down: the e-mail waits; the robot gets its message.
		smtp.SetDown(true)
		if _, err := f.app.Remind(ctx, f.users["office"], dept, "本月园区动态信息尚未报送"); err != nil {
			t.Fatal(err)
		}
		drain := func() int { return f.drain() }
		if n := drain(); n != 2 {
			t.Fatalf("%d deliveries attempted, want 2 (one e-mail, one robot)", n)
		}
		hmu.Lock()
		if len(hooks) != 1 || !strings.Contains(hooks[0]["query"].(string), "sign=") || !strings.Contains(hooks[0]["text"].(map[string]any)["content"].(string), "园区动态信息") {
			t.Errorf("robot messages: %+v", hooks)
		}
		hmu.Unlock()
		if len(smtp.Messages()) != 0 {
			t.Fatal("mail sent while the server was down")
		}
		if n := drain(); n != 0 {
			t.Errorf("the failed e-mail was retried at once: %d", n)
		}
		// Back up; after the back-off it goes, once.
		smtp.SetDown(false)
		clock = clock.Add(app.RetryBase + time.Second)
		if n := drain(); n != 1 {
			t.Errorf("after the back-off: %d deliveries, want 1", n)
		}
		msgs := smtp.Messages()
		if len(msgs) != 1 || !strings.Contains(msgs[0], "rep@example.org") {
			t.Fatalf("mails: %q", msgs)
		}
		// As received: an automatic message, text and HTML, named for the
		// site's host (not the machine's), the HELO too.
		for _, want := range []string{"Auto-Submitted: auto-generated", "multipart/alternative", "text/plain", "text/html", "@kx.example.org>"} {
			if !strings.Contains(msgs[0], want) {
				t.Errorf("the mail lacks %q:\n%s", want, msgs[0])
			}
		}
		helo := smtp.Greetings()
		if len(helo) == 0 || !strings.HasSuffix(helo[len(helo)-1], " kx.example.org") {
			t.Errorf("HELO: %q", helo)
		}
		// A server that dies holding a delivery: another sends it after the
		// lease. (The next day: a department is reminded once a day.)
		if _, err := f.app.Remind(ctx, f.users["office"], dept, "同日再催"); domain.ErrorOf(err).Code != domain.EConflict {
			t.Fatalf("a second 催报 the same day: %v", err)
		}
		clock = clock.Add(24 * time.Hour)
		if _, err := f.app.Remind(ctx, f.users["office"], dept, "第二次催报"); err != nil {
			t.Fatal(err)
		}
		held, err := f.app.DB.ClaimDelivery(ctx, clock, app.Lease) // claimed, then the server died
		if err != nil || held == nil {
			t.Fatalf("claim: %v %v", held, err)
		}
		if n := drain(); n != 1 {
			t.Errorf("while one is held, %d deliveries, want the other one", n)
		}
		clock = clock.Add(app.Lease + time.Second)
		if n := drain(); n != 1 {
			t.Errorf("after the lease: %d, want the held one", n)
		}
		if n := drain(); n != 0 {
			t.Errorf("sent twice: %d", n)
		}
		if got := len(smtp.Messages()); got != 2 {
			t.Errorf("%d mails in all, want 2", got)
		}
	})
}

// Within the plan's warning days a department short of its quota is told
// once that month; closing a month tells each department its deductions.
func TestQuotaAndClosedNotices(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		p, src := plan.Builtin()
		dept := p.Departments[1].Code
		f := newFixture(t, dsn, p, src, dept, p.Departments[2].Code)
		ctx := context.Background()
		clock := time.Date(2017, 3, 20, 9, 0, 0, 0, p.Location())
		f.app.Now = func() time.Time { return clock }
		rep := f.users["reporter"]
		unread := func() []*domain.Notice {
			t.Helper()
			pg, err := f.app.Notices(ctx, rep, app.PageQuery{})
			if err != nil {
				t.Fatal(err)
			}
			return pg.Items
		}
		if n, err := f.app.RemindDue(ctx); err != nil || n != 0 {
			t.Fatalf("eleven days before the month's end: %d %v", n, err)
		}
		clock = time.Date(2017, 3, 28, 9, 0, 0, 0, p.Location())
		if n, err := f.app.RemindDue(ctx); err != nil || n == 0 {
			t.Fatalf("within the warning days: %d %v", n, err)
		}
		if n, err := f.app.RemindDue(ctx); err != nil || n != 0 {
			t.Errorf("reminded twice: %d %v", n, err)
		}
		ns := unread()
		if len(ns) != 1 || ns[0].Kind != domain.NoticeQuota || !strings.Contains(ns[0].Text, "还差") {
			t.Fatalf("the reporter's notices: %+v", ns)
		}
		clock = time.Date(2017, 4, 2, 9, 0, 0, 0, p.Location())
		if _, err := f.app.ClosePeriod(ctx, f.users["office"], "2017-03", "三月已通报"); err != nil {
			t.Fatal(err)
		}
		ns = unread()
		if ns[0].Kind != domain.NoticeClosed || !strings.Contains(ns[0].Text, "2017-03 已结账") || !strings.Contains(ns[0].Text, "扣") {
			t.Errorf("after the close: %+v", ns[0])
		}
	})
}

// The SMTP password is sealed like personal data: a copy of the database
// does not give the mail account away.
func TestSMTPPasswordSealed(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		p, src := plan.Builtin()
		f := newFixture(t, dsn, p, src, p.Departments[1].Code, p.Departments[2].Code)
		ctx := context.Background()
		admin := f.users["admin"]
		if err := f.app.SetMailSettings(ctx, admin, app.MailSettings{Host: "smtp.example.org", Port: 465, From: "kexuan@example.org", TLS: "tls", Password: "mail-Secret-2017"}); err != nil {
			t.Fatal(err)
		}
		s, err := f.app.DB.Q().Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range s {
			if strings.Contains(v, "mail-Secret-2017") {
				t.Errorf("setting %s holds the SMTP password in clear", k)
			}
		}
		m, err := f.app.MailSettings(ctx, admin)
		if err != nil || !m.PasswordSet || m.Password != "" {
			t.Errorf("mail settings as shown: %+v %v", m, err)
		}
	})
}

// With the plan's calendar moved (the demo's day in its year), a 钉钉 robot
// is still signed with the wall clock's time: 钉钉 refuses a signature more
// than an hour old.
func TestRobotSignedWithWallClock(t *testing.T) {
	t.Parallel()
	p, src := plan.Builtin()
	dept := p.Departments[1].Code
	f := newFixture(t, storetest.SQLite(t), p, src, dept, p.Departments[2].Code)
	ctx := context.Background()
	f.app.PlanClock = func() time.Time { return time.Date(2017, 12, 29, 9, 0, 0, 0, p.Location()) }
	var query string
	var mu sync.Mutex
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		query = r.URL.RawQuery
		mu.Unlock()
		w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
	}))
	defer sink.Close()
	f.app.Delivery = app.DeliveryPolicy{WebhookHosts: []string{strings.TrimPrefix(sink.URL, "http://")}, AllowHTTP: true}
	if err := f.app.SetWebhook(ctx, f.users["admin"], domain.Webhook{Department: dept, Kind: "dingtalk", URL: sink.URL + "/robot/send?access_token=abc", Secret: "SEC123"}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.Remind(ctx, f.users["office"], dept, "本月园区动态信息尚未报送"); err != nil {
		t.Fatal(err)
	}
	f.drain()
	mu.Lock()
	defer mu.Unlock()
	v, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := strconv.ParseInt(v.Get("timestamp"), 10, 64)
	if err != nil {
		t.Fatalf("no timestamp in %q", query)
	}
	if d := time.UnixMilli(ms).Sub(testclock.Now()); d < -time.Minute || d > time.Minute {
		t.Errorf("the robot was signed at %s, the wall clock says %s", time.UnixMilli(ms), testclock.Now())
	}
}

// Robots kept in clear before they were sealed are sealed at the next start
// (SealContacts), and still answer.
func TestPlainWebhooksSealedAtStart(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		p, src := plan.Builtin()
		dept := p.Departments[1].Code
		f := newFixture(t, dsn, p, src, dept, p.Departments[2].Code)
		ctx := context.Background()
		if err := f.app.DB.InTx(ctx, func(q *store.Q) error {
			return q.SetWebhook(ctx, domain.Webhook{Department: dept, Kind: "wecom", URL: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=PLAINKEY0001"}, false)
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.SealContacts(ctx); err != nil {
			t.Fatal(err)
		}
		ws, err := f.app.DB.Q().Webhooks(ctx)
		if err != nil || len(ws) != 1 || strings.Contains(ws[0].URL, "PLAINKEY") {
			t.Fatalf("after the start: %+v %v", ws, err)
		}
		shown, err := f.app.Webhooks(ctx, f.users["admin"])
		if err != nil || len(shown) != 1 || !strings.HasSuffix(shown[0].URL, "…0001") {
			t.Errorf("as shown: %+v %v", shown, err)
		}
	})
}

// Issue 20 item 12: the mail settings refuse this machine and link-local
// addresses (a request-forgery surface) unless the command line allowed
// them, and send a user name and password over TLS only.
func TestMailSettingsRefuseLocalHosts(t *testing.T) {
	t.Parallel()
	p, src := plan.Builtin()
	f := newFixture(t, storetest.SQLite(t), p, src, p.Departments[1].Code, p.Departments[2].Code)
	ctx := context.Background()
	admin := f.users["admin"]
	for _, host := range []string{"127.0.0.1", "localhost", "::1", "[::1]", "169.254.169.254", "0.0.0.0", "127.1.2.3", "fe80::1"} {
		err := f.app.SetMailSettings(ctx, admin, app.MailSettings{Host: host, Port: 25, From: "kexuan@example.org", TLS: "starttls"})
		if e := domain.ErrorOf(err); e.Code != domain.EInvalid || e.Field != "host" {
			t.Errorf("mail server %s: %v", host, err)
		}
	}
	if err := f.app.SetMailSettings(ctx, admin, app.MailSettings{Host: "smtp.example.org", Port: 25, From: "kexuan@example.org", TLS: "none", Username: "kx", Password: "x"}); domain.ErrorOf(err).Field != "tls" {
		t.Errorf("a password over a plain connection: %v", err)
	}
	f.app.Delivery.MailHosts = []string{"127.0.0.1"}
	if err := f.app.SetMailSettings(ctx, admin, app.MailSettings{Host: "127.0.0.1", Port: 2525, From: "kexuan@example.org", TLS: "none"}); err != nil {
		t.Errorf("a local mail server the command line allowed: %v", err)
	}
}

// Issue 21 item 2: two servers on one database, several ticks at once, tell
// each recipient once per run: a run is claimed in the transaction of its
// effects.
func TestRemindersOnceAcrossServers(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		p, src := plan.Builtin()
		dept := p.Departments[1].Code
		f := newFixture(t, dsn, p, src, dept, p.Departments[2].Code)
		ctx := context.Background()
		clock := func() time.Time { return time.Date(2017, 3, 28, 9, 0, 0, 0, p.Location()) }
		f.app.Now = clock
		tickOnTwoServers(t, f, dsn, clock, func(a *app.App) error { _, err := a.RemindDue(ctx); return err })
		pg, err := f.app.Notices(ctx, f.users["reporter"], app.PageQuery{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, no := range pg.Items {
			if no.Kind == domain.NoticeQuota {
				n++
			}
		}
		if n != 1 {
			t.Errorf("the reporter was told %d times, want once", n)
		}
	})
}

// A commission due in three days is told to its department once, however
// many servers tick at once; one answered or due later is not.
func TestCommissionDueOnceAcrossServers(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		p, src := plan.Builtin()
		dept := p.Departments[1].Code
		f := newFixture(t, dsn, p, src, dept, p.Departments[2].Code)
		ctx := context.Background()
		clock := func() time.Time { return time.Date(2017, 5, 17, 9, 0, 0, 0, p.Location()) }
		f.app.Now = clock
		for _, due := range []string{"2017-05-20", "2017-06-20"} {
			if _, err := f.app.CreateCommission(ctx, f.users["leader"], app.CommissionInput{Department: dept, Title: "约稿 " + due, Due: due}); err != nil {
				t.Fatal(err)
			}
		}
		tickOnTwoServers(t, f, dsn, clock, func(a *app.App) error { _, err := a.RemindCommissions(ctx); return err })
		pg, err := f.app.Notices(ctx, f.users["reporter"], app.PageQuery{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		var told []string
		for _, no := range pg.Items {
			if strings.Contains(no.Text, "将于") {
				told = append(told, no.Text)
			}
		}
		if len(told) != 1 || !strings.Contains(told[0], "2017-05-20") {
			t.Errorf("the reporter was told %q, want the one due on 2017-05-20, once", told)
		}
	})
}

// A robot takes 20 messages a minute: the rest wait their turn, untried;
// a robot that says its key is wrong (企业微信 93000) is given up at once,
// not retried for an hour, and the failure is audited for the administrator.
func TestRobotLimits(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		p, src := plan.Builtin()
		dept := p.Departments[1].Code
		f := newFixture(t, dsn, p, src, dept, p.Departments[2].Code)
		ctx := context.Background()
		clock := time.Date(2017, 6, 1, 9, 0, 0, 0, p.Location())
		f.app.Now = func() time.Time { return clock }
		var mu sync.Mutex
		hits, answer := 0, `{"errcode":0,"errmsg":"ok"}`
		sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			hits++
			w.Write([]byte(answer))
		}))
		defer sink.Close()
		f.app.Delivery = app.DeliveryPolicy{WebhookHosts: []string{strings.TrimPrefix(sink.URL, "http://")}, AllowHTTP: true}
		if err := f.app.SetWebhook(ctx, f.users["admin"], domain.Webhook{Department: dept, Kind: "wecom", URL: sink.URL + "/cgi-bin/webhook/send?key=K"}, false); err != nil {
			t.Fatal(err)
		}
		enqueue := func(n int) {
			for i := range n {
				if err := f.app.DB.InTx(ctx, func(q *store.Q) error {
					return q.Enqueue(ctx, &domain.Delivery{Kind: domain.NoticeRemind, Channel: "webhook", Target: dept, Body: fmt.Sprintf("消息 %d", i)})
				}); err != nil {
					t.Fatal(err)
				}
			}
		}
		drain := func() { f.drain() }
		enqueue(25)
		drain()
		if hits != app.RobotPerMinute {
			t.Errorf("in one minute the robot got %d messages, want %d", hits, app.RobotPerMinute)
		}
		clock = clock.Add(61 * time.Second)
		drain()
		if hits != 25 {
			t.Errorf("a minute later: %d messages in all, want 25", hits)
		}
		mu.Lock()
		answer = `{"errcode":93000,"errmsg":"invalid webhook url"}`
		mu.Unlock()
		clock = clock.Add(61 * time.Second)
		enqueue(1)
		drain()
		ds, err := f.app.DB.Q().RecentDeliveries(ctx, 1)
		if err != nil || len(ds) != 1 {
			t.Fatal(err)
		}
		if ds[0].FailedAt.IsZero() || ds[0].Attempts != 1 || !strings.Contains(ds[0].LastError, "93000") {
			t.Errorf("a robot with a bad key: %+v, want given up after one try", ds[0])
		}
		rows, err := f.app.DB.Q().AuditEntries(ctx, domain.AuditFilter{Action: "delivery_failed"})
		if err != nil || len(rows) != 1 {
			t.Errorf("the failure is not audited at once: %d rows (%v)", len(rows), err)
		}
	})
}

// tickOnTwoServers runs a periodic job eight times at once, on the
// fixture's server and on a second one over the same database.
func tickOnTwoServers(t *testing.T, f *fixture, dsn string, clock func() time.Time, tick func(*app.App) error) {
	t.Helper()
	db2, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	second := app.New(db2)
	second.Now = clock
	second.UseKey(f.app.Key)
	var wg sync.WaitGroup
	for i := range 8 {
		a := f.app
		if i%2 == 1 {
			a = second
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := tick(a); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}

// A robot message mentions the people it is for by the phones stored with
// their accounts: 企业微信's text.mentioned_mobile_list, 钉钉's at.atMobiles
// (with "@phone" in the text); someone with no phone is not mentioned.
func TestRobotMentionsByPhone(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		p, src := plan.Builtin()
		f := newFixture(t, dsn, p, src, p.Departments[1].Code, p.Departments[2].Code)
		ctx := context.Background()
		var mu sync.Mutex
		bodies := map[string][]string{} // kind → messages
		sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			bodies[r.URL.Query().Get("kind")] = append(bodies[r.URL.Query().Get("kind")], string(b))
			mu.Unlock()
			w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
		}))
		defer sink.Close()
		f.app.Delivery = app.DeliveryPolicy{WebhookHosts: []string{strings.TrimPrefix(sink.URL, "http://")}, AllowHTTP: true}
		for i, kind := range []string{"wecom", "dingtalk"} {
			dept := p.Departments[1+i].Code
			if _, err := f.app.CreateUser(ctx, nil, app.UserInput{Username: "phone-" + kind, Role: domain.Reporter, Department: dept, Phone: "1380013800" + strconv.Itoa(i), Password: pw}, false); err != nil {
				t.Fatal(err)
			}
			if err := f.app.SetWebhook(ctx, f.users["admin"], domain.Webhook{Department: dept, Kind: kind, URL: sink.URL + "/robot/send?kind=" + kind}, false); err != nil {
				t.Fatal(err)
			}
			if _, err := f.app.Remind(ctx, f.users["office"], dept, "本月任务尚未报满"); err != nil {
				t.Fatal(err)
			}
		}
		f.drain()
		mu.Lock()
		defer mu.Unlock()
		for kind, want := range map[string]string{
			"wecom":    `"mentioned_mobile_list":["13800138000"]`,
			"dingtalk": `"at":{"atMobiles":["13800138001"],"isAtAll":false}`,
		} {
			if len(bodies[kind]) != 1 {
				t.Fatalf("%s: %d robot messages, want 1", kind, len(bodies[kind]))
			}
			if b := bodies[kind][0]; !strings.Contains(b, want) {
				t.Errorf("%s: the message does not mention the reporter's phone: %s", kind, b)
			}
		}
		if b := bodies["dingtalk"][0]; !strings.Contains(b, "@13800138001") {
			t.Errorf("钉钉 shows a mention only with @phone in the text: %s", bodies["dingtalk"][0])
		}
	})
}

// drain sends what the outbox holds (one server), and says how many
// deliveries were tried.
func (f *fixture) drain() int {
	f.t.Helper()
	n := 0
	for {
		sent, err := f.app.DeliverOnce(context.Background())
		if err != nil {
			f.t.Fatal(err)
		}
		if !sent {
			return n
		}
		n++
	}
}
