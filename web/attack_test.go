package web_test

// Issue 10: the defects found when the running server was attacked, each
// with the test that would have caught it.

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/plan"
	"kexuan/store"
	"kexuan/store/storetest"
	"kexuan/testclock"
	"kexuan/web"
)

// auditRows returns every audit row (newest first).
func (e *env) auditRows(f domain.AuditFilter) []*domain.AuditEntry {
	e.t.Helper()
	es, err := e.db.Q().AuditEntries(context.Background(), f)
	if err != nil {
		e.t.Fatal(err)
	}
	return es
}

func (c *client) login(username, password string, header ...string) int {
	c.e.t.Helper()
	body := fmt.Sprintf(`{"username":%q,"password":%q}`, username, password)
	req, _ := http.NewRequest("POST", c.e.ts.URL+"/api/v1/login", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, _ := c.send(req)
	return res.StatusCode
}

// Item 1: sign-in input is capped before it is looked up or audited; every
// audit field has a fixed size; a throttled client writes one row a window.
func TestAttackAuditDiskFill(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		// One minute on the app's clock for the whole burst: the failed
		// sign-ins' rows are bounded a minute (app.FailedSignInRows), and
		// a burst that crossed the wall clock's minute would count twice.
		minute := testclock.Now().Truncate(time.Minute).Add(time.Second)
		e.app.Now = func() time.Time { return minute }
		before := len(e.auditRows(domain.AuditFilter{}))
		c := e.anon()
		long := strings.Repeat("甲", 20000) // 60 KB: under the body limit, far over 32 characters
		for i := range 150 {
			code := c.login(fmt.Sprintf("%d%s", i, long), "x")
			want := 401
			if i >= app.ClientLimit {
				want = 429
			}
			if code != want {
				t.Fatalf("attempt %d: %d, want %d", i+1, code, want)
			}
		}
		rows := e.auditRows(domain.AuditFilter{})
		// The failures' own rows stop at the minute's bound (the rest wait
		// for the minute's summary row).
		if got, want := len(rows)-before, min(app.ClientLimit, app.FailedSignInRows)+1; got != want {
			t.Errorf("150 attempts wrote %d audit rows, want %d failures + 1 throttle row", got, want-1)
		}
		for _, r := range rows {
			for field, v := range map[string]string{"username": r.Username, "object": r.Object, "reason": r.Reason, "action": r.Action} {
				if n := utf8.RuneCountInString(v); n > domain.AuditMaxReason {
					t.Fatalf("audit %s of %d characters", field, n)
				}
			}
			if utf8.RuneCountInString(r.Object) > domain.AuditMaxObject {
				t.Fatalf("audit object of %d characters", utf8.RuneCountInString(r.Object))
			}
		}
		if got := len(e.auditRows(domain.AuditFilter{Action: "login_throttled"})); got != 1 {
			t.Errorf("throttle rows: %d, want 1 per address and window", got)
		}
		// A megabyte user name is refused unread (413) and leaves no row.
		n := len(e.auditRows(domain.AuditFilter{}))
		if code := e.anon().login(strings.Repeat("a", 1<<20), "x"); code != 413 {
			t.Errorf("1 MB user name: %d, want 413", code)
		}
		if got := len(e.auditRows(domain.AuditFilter{})); got != n {
			t.Errorf("a refused body wrote %d audit rows", got-n)
		}
		// store.Audit clips whatever a caller passes.
		err := e.db.InTx(context.Background(), func(q *store.Q) error {
			return q.Audit(context.Background(), &domain.AuditEntry{Action: strings.Repeat("x", 1000), Object: strings.Repeat("对", 5000), Reason: strings.Repeat("r", 1<<20)})
		})
		if err != nil {
			t.Fatal(err)
		}
		last := e.auditRows(domain.AuditFilter{})[0]
		if len(last.Action) > domain.AuditMaxShort*3 || utf8.RuneCountInString(last.Object) != domain.AuditMaxObject || utf8.RuneCountInString(last.Reason) != domain.AuditMaxReason {
			t.Errorf("audit fields not clipped: action %d, object %d, reason %d", len(last.Action), utf8.RuneCountInString(last.Object), utf8.RuneCountInString(last.Reason))
		}
		if broken, _, err := e.db.Q().VerifyAuditChain(context.Background()); err != nil || broken != 0 {
			t.Errorf("audit chain after clipping: broken at %d, %v", broken, err)
		}
	})
}

// rawRequest writes a request by hand (headers and only part of a body) and
// reads the answer's status line, failing if none comes in 10 s.
func rawRequest(t *testing.T, base, head string, body []byte) string {
	t.Helper()
	u, _ := url.Parse(base)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	conn.Write(body)
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	return strings.TrimSpace(line)
}

// Item 2: a size limit on every route before anything parses the body.
func TestAttackBodyLimits(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, storetest.SQLite(t), func(s *web.Server) { s.BodyTimeout = time.Second })
	// A declared 500 MB body is answered 413 before it is sent.
	head := "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 524288000\r\n\r\n"
	if got := rawRequest(t, e.ts.URL, head, []byte("--b\r\n")); !strings.Contains(got, " 413 ") {
		t.Errorf("500 MB multipart to /login: %q, want 413", got)
	}
	// A chunked body is cut at the limit.
	var chunked bytes.Buffer
	chunk := strings.Repeat("a", 32<<10)
	for range 4 {
		fmt.Fprintf(&chunked, "%x\r\n%s\r\n", len(chunk), chunk)
	}
	chunked.WriteString("0\r\n\r\n")
	head = "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n"
	if got := rawRequest(t, e.ts.URL, head, chunked.Bytes()); !strings.Contains(got, " 413 ") {
		t.Errorf("128 KB chunked form to /login: %q, want 413", got)
	}
	// A body that never arrives is given up within the read timeout.
	head = "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n"
	if got := rawRequest(t, e.ts.URL, head, []byte("username=a")); got == "" {
		t.Errorf("stalled body: no answer")
	}
	// Multipart only on upload routes.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("username", "reporter")
	mw.Close()
	for _, path := range []string{"/login", "/pieces"} {
		c := e.as("reporter")
		req, _ := http.NewRequest("POST", e.ts.URL+path, bytes.NewReader(buf.Bytes()))
		req.Header.Set("Content-Type", mw.FormDataContentType())
		if res, _ := c.send(req); res.StatusCode != 415 {
			t.Errorf("multipart to %s: %d, want 415", path, res.StatusCode)
		}
	}
	// A piece's body is allowed up to its own limit on the content routes.
	c := e.as("reporter")
	big := "<p>" + strings.Repeat("科技", 300000) + "</p>" // 1.8 MB
	if res, body := c.do("POST", "/api/v1/pieces", map[string]any{"title": "长稿", "body": big}); res.StatusCode != 201 {
		t.Errorf("a 1.8 MB body: %d %.200s", res.StatusCode, body)
	}
}

// Item 3: only a local path is followed after signing in.
func TestAttackOpenRedirect(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLite(t))
	for next, want := range map[string]string{
		"/\t/evil.example/":          "/",
		"//evil.example/":            "/",
		"/\\evil.example/":           "/",
		"\\/evil.example/":           "/",
		"https://evil.example/":      "/",
		"/%09/evil.example/":         "/%09/evil.example/", // still encoded: a local path
		"/\x00/evil":                 "/",
		"/pieces?state=submitted":    "/pieces?state=submitted",
		"/ledger/hightech#lines":     "/ledger/hightech#lines",
		"javascript:alert(1)":        "/",
		"///evil.example":            "/",
		" /evil":                     "/",
		"/login?next=//evil.example": "/login?next=//evil.example",
	} {
		c := e.anon()
		_, page := c.do("GET", "/login?next="+url.QueryEscape(next), nil)
		if strings.Contains(page, "evil.example") && want == "/" {
			t.Errorf("login page keeps next=%q", next)
		}
		_, page = c.do("GET", "/login", nil)
		i := strings.Index(page, `name="csrf" value="`)
		token := page[i+len(`name="csrf" value="`):]
		token = token[:strings.IndexByte(token, '"')]
		res, _ := c.form("/login", url.Values{"username": {"reporter"}, "password": {testPassword}, "next": {next}, "csrf": {token}}, false)
		if res.StatusCode != 303 || res.Header.Get("Location") != want {
			t.Errorf("next=%q: %d → %q, want %q", next, res.StatusCode, res.Header.Get("Location"), want)
		}
	}
}

// Item 4: wrong current passwords count toward the lockout, are audited,
// and end the session after a few.
func TestAttackPasswordGuessing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		c := e.as("reporter")
		for i := 1; i <= app.PasswordGuesses; i++ {
			res, body := c.do("POST", "/api/v1/password", map[string]string{"old_password": fmt.Sprintf("Guess-%d-x!", i), "new_password": "Brand-new-9x!"})
			want := 422
			if i == app.PasswordGuesses {
				want = 401
			}
			if res.StatusCode != want {
				t.Fatalf("guess %d: %d %s, want %d", i, res.StatusCode, body, want)
			}
		}
		if res, _ := c.do("GET", "/api/v1/me", nil); res.StatusCode != 401 {
			t.Errorf("session after %d wrong guesses: %d, want 401", app.PasswordGuesses, res.StatusCode)
		}
		if got := e.auditRows(domain.AuditFilter{Action: "password_change"}); len(got) != app.PasswordGuesses || got[0].Result != domain.AuditFailed {
			t.Errorf("password_change rows: %d", len(got))
		}
		// The guesses count toward the account's lockout with failed
		// sign-ins: a session open, two failed sign-ins elsewhere, and the
		// first guess ends the session (three failures); two more failed
		// sign-ins lock the account.
		h := e.as("head")
		e.anon().login("head", "wrong-1")
		e.anon().login("head", "wrong-2")
		if res, _ := h.do("POST", "/api/v1/password", map[string]string{"old_password": "Guess-x-1!", "new_password": "Brand-new-9x!"}); res.StatusCode != 401 {
			t.Errorf("a guess after two failed sign-ins: %d, want 401", res.StatusCode)
		}
		e.anon().login("head", "wrong-3")
		e.anon().login("head", "wrong-4")
		if code := e.anon().login("head", testPassword); code != 401 {
			t.Errorf("after 5 failures in all, the right password: %d, want 401 (locked)", code)
		}
		if got := e.auditRows(domain.AuditFilter{Action: "lockout"}); len(got) != 1 {
			t.Errorf("lockout rows: %d", len(got))
		}
		// The right one changes it, through the API.
		o := e.as("office")
		if res, body := o.do("POST", "/api/v1/password", map[string]string{"old_password": testPassword, "new_password": "Brand-new-9x!"}); res.StatusCode != 200 {
			t.Errorf("change: %d %s", res.StatusCode, body)
		}
		if code := e.anon().login("office", "Brand-new-9x!"); code != 200 {
			t.Errorf("new password: %d", code)
		}
	})
}

// Items 5 and 6: every failed attempt counts alike, keyed by client and
// account; a forwarded address is believed only from a trusted proxy.
func TestAttackThrottle(t *testing.T) {
	t.Parallel()
	statuses := func(e *env, user string, hdr ...string) []int {
		var out []int
		c := e.anon()
		for range app.AccountClientLimit + 2 {
			out = append(out, c.login(user, "Wrong-pass-1!", hdr...))
		}
		return out
	}
	e := newEnv(t, storetest.SQLite(t))
	known, unknown := statuses(e, "reporter"), statuses(e, "nobody")
	if fmt.Sprint(known) != fmt.Sprint(unknown) {
		t.Errorf("an existing account and an unknown one are told apart:\n%v\n%v", known, unknown)
	}
	if known[app.AccountClientLimit] != 429 || known[app.AccountClientLimit-1] != 401 {
		t.Errorf("attempt %d should be the first 429: %v", app.AccountClientLimit+1, known)
	}
	// The same client, another account: not blocked.
	if code := e.anon().login("office", testPassword); code != 200 {
		t.Errorf("another account from the same address: %d", code)
	}

	// Behind a trusted proxy: clients are told apart by X-Forwarded-For.
	e = newEnvWith(t, storetest.SQLite(t), func(s *web.Server) { s.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")} })
	statuses(e, "nobody", "X-Forwarded-For", "203.0.113.5")
	if code := e.anon().login("nobody", "x", "X-Forwarded-For", "203.0.113.5"); code != 429 {
		t.Errorf("the noisy client: %d, want 429", code)
	}
	if code := e.anon().login("nobody", "Wrong-pass-1!", "X-Forwarded-For", "203.0.113.6"); code != 401 {
		t.Errorf("another client behind the same proxy: %d, want 401", code)
	}
	if code := e.anon().login("reporter", testPassword, "X-Forwarded-For", "198.51.100.7, 203.0.113.9"); code != 200 {
		t.Errorf("the right password from another client: %d", code)
	}
	if rows := e.auditRows(domain.AuditFilter{Action: "login"}); rows[0].Address != "203.0.113.9" {
		t.Errorf("audited address %q, want the rightmost untrusted hop 203.0.113.9", rows[0].Address)
	}
	// Untrusted: the header is ignored.
	e = newEnv(t, storetest.SQLite(t))
	e.anon().login("reporter", testPassword, "X-Forwarded-For", "203.0.113.5")
	if rows := e.auditRows(domain.AuditFilter{Action: "login"}); rows[0].Address != "127.0.0.1" {
		t.Errorf("address from an untrusted X-Forwarded-For: %q", rows[0].Address)
	}
}

// Item 7: an unclosed tag in a body does not swallow the review page.
func TestAttackUnbalancedBody(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLite(t))
	c := e.as("reporter")
	res, body := c.do("POST", "/api/v1/pieces", map[string]any{"title": "链接", "body": `<p>金水区科技局<a href="https://kjj.example/">详情`})
	if res.StatusCode != 201 {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
	var p pieceOut
	decodeJSON(t, body, &p)
	c.do("POST", "/api/v1/pieces/"+itoa(p.ID)+"/submit", nil)
	_, page := e.as("leader").do("GET", "/pieces/"+itoa(p.ID), nil)
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	var walk func(n *html.Node, inLink bool)
	walk = func(n *html.Node, inLink bool) {
		if n.Type == html.ElementNode && n.Data == "form" {
			for _, a := range n.Attr {
				if a.Key == "action" && strings.HasSuffix(a.Val, "/approve") {
					found = true
					if inLink {
						t.Errorf("the approve form is inside the body's link")
					}
				}
			}
		}
		inLink = inLink || n.Type == html.ElementNode && n.Data == "a"
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch, inLink)
		}
	}
	walk(doc, false)
	if !found {
		t.Fatal("no approve form on the leader's page")
	}
	deep := strings.Repeat("<div>", 200000) + "深" + strings.Repeat("</div>", 200000)
	if res, body := c.do("POST", "/api/v1/pieces", map[string]any{"title": "深", "body": deep}); res.StatusCode != 422 || !strings.Contains(body, `"field":"body"`) {
		t.Errorf("200,000 nested divs: %d %.200s", res.StatusCode, body)
	}
}

// Item 8: files on drafts and returned pieces; after approval only as
// evidence on an adoption record.
func TestAttackAttachmentStates(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde")
		rep := e.as("reporter")
		for state, want := range map[domain.PieceState]int{domain.StateDraft: 303, domain.StateSubmitted: 409, domain.StateApproved: 409} {
			id := e.newPiece("reporter", state, false)
			if res, body := rep.upload("/pieces/"+itoa(id)+"/attachments", "照片.png", png); res.StatusCode != want {
				t.Errorf("upload on a %s piece: %d, want %d (%.200s)", state, res.StatusCode, want, body)
			}
		}
		// Returned: allowed again.
		id := e.newPiece("reporter", domain.StateSubmitted, false)
		e.as("leader").do("POST", "/api/v1/pieces/"+itoa(id)+"/return", map[string]string{"comment": "补充数据"})
		if res, _ := rep.upload("/pieces/"+itoa(id)+"/attachments", "补充.png", png); res.StatusCode != 303 {
			t.Errorf("upload on a returned piece: %d", res.StatusCode)
		}
		// Evidence with an adoption record on an approved piece.
		id = e.newPiece("reporter", domain.StateApproved, false)
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("csrf", rep.csrf())
		mw.WriteField("channel", "media")
		mw.WriteField("date", "2017-03-10")
		mw.WriteField("outlet", "河南日报")
		fw, _ := mw.CreateFormFile("evidence_file", "\u202Egnp.pdf截图.png")
		fw.Write(png)
		mw.Close()
		req, _ := http.NewRequest("POST", e.ts.URL+"/pieces/"+itoa(id)+"/adoptions", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		if res, body := rep.send(req); res.StatusCode != 303 {
			t.Fatalf("adoption with evidence: %d %.300s", res.StatusCode, body)
		}
		atts, err := e.db.Q().Attachments(context.Background(), id)
		if err != nil || len(atts) != 1 {
			t.Fatalf("evidence stored: %d %v", len(atts), err)
		}
		if strings.ContainsRune(atts[0].Name, '\u202E') {
			t.Errorf("bidi override kept in the file name %q", atts[0].Name)
		}
		ads, err := e.db.Q().PieceAdoptions(context.Background(), id)
		if err != nil || len(ads) != 1 || ads[0].EvidenceID != atts[0].ID {
			t.Errorf("adoption's evidence: %+v %v", ads, err)
		}
	})
}

// Item 9: every refusal of an action on an object is audited.
func TestAttackObjectRefusalsAudited(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		submitted := e.newPiece("reporter", domain.StateSubmitted, false)
		draft := e.newPiece("reporter", domain.StateDraft, false)
		obj := func(id int64) string { return "piece:" + itoa(id) }
		if res, _ := e.as("leader2").do("POST", "/api/v1/pieces/"+itoa(submitted)+"/approve", map[string]string{}); res.StatusCode < 400 {
			t.Fatalf("another department's leader approved: %d", res.StatusCode)
		}
		if res, _ := e.as("reporter2").do("POST", "/api/v1/pieces/"+itoa(draft)+"/submit", nil); res.StatusCode < 400 {
			t.Fatalf("cross-department submit: %d", res.StatusCode)
		}
		r2 := e.as("reporter2")
		if res, _ := r2.form("/pieces/"+itoa(draft)+"/edit", url.Values{"title": {"改"}, "body": {"<p>改</p>"}}, true); res.StatusCode < 400 {
			t.Fatalf("cross-department edit: %d", res.StatusCode)
		}
		for _, want := range []struct {
			action, who string
			id          int64
		}{{"piece_approve", "leader2", submitted}, {"piece_submit", "reporter2", draft}, {"piece_edit", "reporter2", draft}} {
			rows := e.auditRows(domain.AuditFilter{Action: want.action, Object: obj(want.id)})
			if len(rows) != 1 || rows[0].Result != domain.AuditDenied || rows[0].Username != want.who {
				t.Errorf("%s by %s: audit rows %+v", want.action, want.who, rows)
			}
		}
	})
}

// Item 10 (web side): weak passwords are refused when an account's holder
// sets one (an administrator sets none: issue 20 item 3).
func TestAttackWeakPasswords(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLite(t))
	admin := e.as("admin")
	res, page := admin.form("/admin/users", url.Values{"username": {"newuser"}, "password": {"Hq7#vtLm-kx"}}, true)
	m := regexp.MustCompile(`id="account-code">([A-Z0-9-]+)<`).FindStringSubmatch(page)
	if res.StatusCode != 200 || m == nil {
		t.Fatalf("a new account: %d, no activation code on the page", res.StatusCode)
	}
	for _, pw := range []string{"Qwerty123!", "Aaaaaaaa1", "12345678Aa", "Qwerty123!\x00\x00\x00\x00", "Zhangwei1988!"} {
		res, body := e.anon().do("POST", "/api/v1/reset", map[string]string{"username": "newuser", "code": m[1], "password": pw})
		if res.StatusCode != 422 || !strings.Contains(body, `"field":"password"`) {
			t.Errorf("password %q: %d %.200s", pw, res.StatusCode, body)
		}
	}
}

// Item 11: the smaller things.
func TestAttackSmallerThings(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, storetest.SQLite(t), func(s *web.Server) { s.Secure = true })
	c := e.as("reporter")
	// A body-less POST without the JSON type.
	req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/logout", nil)
	if res, _ := c.send(req); res.StatusCode != 415 {
		t.Errorf("body-less API POST without Content-Type: %d, want 415", res.StatusCode)
	}
	// No listing of static folders; files still served.
	for path, want := range map[string]int{"/static/": 404, "/static/vendor/": 404, "/static/vendor": 404, "/static/vendor/README.md": 200} {
		if res, _ := c.do("GET", path, nil); res.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, res.StatusCode, want)
		}
	}
	// HSTS behind TLS.
	if res, _ := c.do("GET", "/healthz", nil); !strings.Contains(res.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Errorf("no HSTS with Secure: %v", res.Header)
	}
	// JSON with trailing data.
	req, _ = http.NewRequest("POST", e.ts.URL+"/api/v1/login", strings.NewReader(`{"username":"reporter","password":"x"} {"role":"admin"}`))
	req.Header.Set("Content-Type", "application/json")
	if res, body := e.anon().send(req); res.StatusCode != 422 || !strings.Contains(body, "多余") {
		t.Errorf("trailing JSON: %d %s", res.StatusCode, body)
	}
	// Length limits on free text.
	admin := e.as("admin")
	res, body := admin.form("/admin/users", url.Values{"username": {"longname"}, "role": {"office"}, "password": {"Hq7#vtLm-kx"}, "display_name": {strings.Repeat("名", 65)}}, true)
	if res.StatusCode != 422 || !strings.Contains(body, "64") {
		t.Errorf("a 65-character display name: %d", res.StatusCode)
	}
	id := e.newPiece("reporter", domain.StateSubmitted, false)
	if res, _ := e.as("leader").do("POST", "/api/v1/pieces/"+itoa(id)+"/return", map[string]string{"comment": strings.Repeat("改", app.MaxComment+1)}); res.StatusCode != 422 {
		t.Errorf("an over-long comment: %d", res.StatusCode)
	}
}

// Issue 20 item 14: a robot setting naming a department the plan does not
// have is a 4xx naming the field, not a 500.
func TestAttackWebhookUnknownDepartment(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLite(t))
	admin := e.as("admin")
	res, body := admin.form("/admin/delivery/webhooks/no-such-dept", url.Values{"kind": {"dingtalk"}, "url": {"https://oapi.dingtalk.com/robot/send?access_token=x"}}, true)
	if res.StatusCode < 400 || res.StatusCode >= 500 || !strings.Contains(body, "没有科室") {
		t.Errorf("an unknown department's robot: %d %.300s", res.StatusCode, body)
	}
}

// Issue 20 item 4: the system administrator's delivery page shows what a
// delivery is (kind, recipient, channel, status, tries), never the business
// message it carries (a return comment here).
func TestAttackDeliveryPageMetadataOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLite(t))
	rep := e.as("reporter")
	if res, _ := rep.form("/me/email", url.Values{"email": {"rep@example.org"}, "notify_email": {"1"}}, true); res.StatusCode != 303 {
		t.Fatalf("own e-mail: %d", res.StatusCode)
	}
	id := e.newPiece("reporter", domain.StateSubmitted, false)
	if res, body := e.as("leader").do("POST", "/api/v1/pieces/"+itoa(id)+"/return", map[string]string{"comment": "第三段数据有误请核对"}); res.StatusCode != 200 {
		t.Fatalf("return: %d %s", res.StatusCode, body)
	}
	_, page := e.as("admin").do("GET", "/admin/delivery", nil)
	if strings.Contains(page, "第三段数据有误") || strings.Contains(page, "稿件 submitted") {
		t.Errorf("the delivery page shows a message's content")
	}
	if !strings.Contains(page, "退回修改") || !strings.Contains(page, "r***@example.org") {
		t.Errorf("the delivery page does not show the delivery's kind and recipient: %.2000s", page[strings.Index(page, "最近的发送"):])
	}
}

// lockedBuffer is a log the server's goroutines write at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Issue 20 item 10: an ICS feed's token never reaches the server's log, and
// the feed ends with the holder's password change, role change or
// disabling.
func TestAttackCalendarFeedToken(t *testing.T) {
	t.Parallel()
	logs := &lockedBuffer{}
	e := newEnvWith(t, storetest.SQLite(t), func(s *web.Server) { s.Log = slog.New(slog.NewTextHandler(logs, nil)) })
	feed := func(c *client) string {
		t.Helper()
		res, body := c.do("POST", "/api/v1/calendar/token", nil)
		var out struct{ URL string }
		decodeJSON(t, body, &out)
		u, err := url.Parse(out.URL)
		if res.StatusCode != 200 || err != nil {
			t.Fatalf("a feed: %d %s", res.StatusCode, body)
		}
		return u.Path
	}
	answers := func(path string) int {
		res, _ := e.anon().do("GET", path, nil)
		return res.StatusCode
	}
	// A password change.
	rep := e.as("reporter")
	path := feed(rep)
	if st := answers(path); st != 200 {
		t.Fatalf("the feed: %d", st)
	}
	if strings.Contains(logs.String(), strings.TrimSuffix(strings.TrimPrefix(path, "/ics/"), ".ics")) {
		t.Error("the feed's token is in the server's log")
	}
	if res, body := rep.do("POST", "/api/v1/password", map[string]string{"old_password": testPassword, "new_password": "Brand-new-9x!feed"}); res.StatusCode != 200 && res.StatusCode != 204 {
		t.Fatalf("password change: %d %s", res.StatusCode, body)
	}
	if st := answers(path); st != 404 {
		t.Errorf("the feed after a password change: %d", st)
	}
	// A role change, and disabling.
	path = feed(e.as("head"))
	if err := e.app.AssignRole(context.Background(), e.actor("security"), e.users["head"].ID, domain.Reporter, nil); err != nil {
		t.Fatal(err)
	}
	if st := answers(path); st != 404 {
		t.Errorf("the feed after a role change: %d", st)
	}
	path = feed(e.as("office"))
	u := e.users["office"]
	if err := e.app.UpdateUser(context.Background(), e.actor("admin"), u.ID, app.UserInput{Username: u.Username, DisplayName: u.DisplayName, Role: u.Role, Disabled: true}); err != nil {
		t.Fatal(err)
	}
	if st := answers(path); st != 404 {
		t.Errorf("the feed after disabling: %d", st)
	}
}

// Issue 20 item 9: a robot's address (its key) and the 钉钉 signing secret
// are sealed in the database and shown masked to the last 4 characters.
func TestAttackWebhookSecretsSealed(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		admin := e.as("admin")
		if res, body := admin.form("/admin/delivery/webhooks/hightech", url.Values{"kind": {"dingtalk"},
			"url": {"https://oapi.dingtalk.com/robot/send?access_token=TOKEN1234567890abcd"}, "secret": {"SECwxyz0123456789pqrs"}}, true); res.StatusCode != 303 {
			t.Fatalf("webhook: %d %.300s", res.StatusCode, body)
		}
		var u, sec string
		if err := e.db.SQL().QueryRow(`SELECT url, secret FROM department_webhooks`).Scan(&u, &sec); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(u, "TOKEN") || strings.Contains(sec, "SECwxyz") || !strings.HasPrefix(u, "sm4gcm:") || !strings.HasPrefix(sec, "sm4gcm:") {
			t.Errorf("stored in clear: %q %q", u, sec)
		}
		_, page := admin.do("GET", "/admin/delivery", nil)
		if strings.Contains(page, "TOKEN1234") || strings.Contains(page, "SECwxyz") || !strings.Contains(page, "abcd") || !strings.Contains(page, "pqrs") {
			t.Errorf("the page does not show the robot masked to its last 4 characters")
		}
		for _, r := range e.auditRows(domain.AuditFilter{Action: "webhook_update"}) {
			if strings.Contains(r.Reason, "TOKEN") || strings.Contains(r.Reason, "SECwxyz") {
				t.Errorf("an audit row holds the robot's key: %q", r.Reason)
			}
		}
	})
}

// Issue 20 item 5: one visibility policy for score data (app.CanSeeDetail),
// walked over every route that returns it, as every role: totals and ranks
// for everyone, a department's ledger lines, adjustment reasons and
// corrections for that department, its leaders, the office and the chief.
func TestAttackScoreVisibility(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		id := e.newPiece("reporter", domain.StateApproved, false)
		office := e.as("office")
		if res, body := office.do("POST", "/api/v1/pieces/"+itoa(id)+"/adoptions", map[string]any{"channel": "intranet", "date": "2017-03-02"}); res.StatusCode != 201 {
			t.Fatalf("adopt: %d %s", res.StatusCode, body)
		}
		if res, body := office.do("POST", "/api/v1/periods", map[string]any{"period": "2017-03", "reason": "三月已通报"}); res.StatusCode != 201 && res.StatusCode != 200 {
			t.Fatalf("close March: %d %s", res.StatusCode, body)
		}
		const secret = "知识产权科补记三月加分"
		if res, body := office.do("POST", "/api/v1/adjustments", map[string]any{"department": "ip", "date": "2017-03-20", "points": 1, "reason": secret}); res.StatusCode != 201 {
			t.Fatalf("adjust: %d %s", res.StatusCode, body)
		}
		p, _ := plan.Builtin()
		for _, acc := range testAccounts {
			u := e.users[acc.Username]
			if !u.Role.Can(domain.PermScore) {
				continue
			}
			c := e.as(acc.Username)
			for _, d := range p.Departments {
				sees := app.CanSeeDetail(u, d.Code)
				want := map[bool]int{true: 200, false: 403}[sees]
				for _, path := range []string{"/api/v1/ledger/" + d.Code + "?year=2017", "/ledger/" + d.Code + "?year=2017"} {
					if res, _ := c.do("GET", path, nil); res.StatusCode != want {
						t.Errorf("%s %s: %d, want %d", acc.Username, path, res.StatusCode, want)
					}
				}
				if u.Role.Can(domain.PermExport) {
					want := map[bool]int{true: 200, false: 403}[app.CanExportLedger(u, d.Code)]
					if res, _ := c.do("GET", "/ledger/"+d.Code+"/export?format=csv&year=2017", nil); res.StatusCode != want {
						t.Errorf("%s: the export of %s's ledger: %d, want %d", acc.Username, d.Code, res.StatusCode, want)
					}
				}
			}
			seesIP := app.CanSeeDetail(u, "ip")
			_, body := c.do("GET", "/api/v1/report?year=2017&as_of=2017-12-31", nil)
			var rep struct {
				Departments []struct {
					Code   string
					Total  float64
					Ledger []any
				}
			}
			decodeJSON(t, body, &rep)
			for _, d := range rep.Departments {
				if len(d.Ledger) > 0 && !app.CanSeeDetail(u, d.Code) {
					t.Errorf("%s reads %s's ledger in the report", acc.Username, d.Code)
				}
			}
			if len(rep.Departments) != len(p.Departments) {
				t.Errorf("%s sees %d departments' totals, want all %d", acc.Username, len(rep.Departments), len(p.Departments))
			}
			if strings.Contains(body, secret) != seesIP {
				t.Errorf("%s: the report shows ip's adjustment reason: %v, want %v", acc.Username, !seesIP, seesIP)
			}
			_, body = c.do("GET", "/api/v1/periods/2017-03", nil)
			if strings.Contains(body, secret) != seesIP {
				t.Errorf("%s: the closed March shows ip's correction reason: %v, want %v", acc.Username, !seesIP, seesIP)
			}
			_, page := c.do("GET", "/periods/2017-03", nil)
			if strings.Contains(page, secret) && !seesIP {
				t.Errorf("%s: the closed March's page shows ip's correction reason", acc.Username)
			}
		}
	})
}

// Issue 20 items 2 and 3: a reset or a new account hands the administrator
// no credential. With the holder's e-mail (and the site's address) the link
// goes there and the page shows no code; without, a one-time code that only
// sets a new password — with the second factor where the account has one.
// The holder is told who reset it.
func TestAttackResetHandsNoCredential(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		admin := e.as("admin")
		if res, body := admin.form("/admin/delivery/mail", url.Values{"host": {"smtp.example.org"}, "port": {"587"}, "tls": {"starttls"},
			"from": {"kexuan@example.org"}, "site_url": {"https://kx.example.org"}}, true); res.StatusCode != 303 {
			t.Fatalf("mail settings: %d %.300s", res.StatusCode, body)
		}
		leader := e.users["leader"]
		if err := e.app.SetUserEmail(ctx, e.actor("leader"), leader.ID, "leader@example.org", false); err != nil {
			t.Fatal(err)
		}
		sec := e.as("security")
		_, page := sec.form("/admin/users/"+itoa(leader.ID)+"/password", url.Values{}, true)
		if !strings.Contains(page, "l***@example.org") || strings.Contains(page, `id="account-code"`) {
			t.Fatalf("a reset of an account with an e-mail: %.500s", page[strings.Index(page, "<main"):])
		}
		var body string
		if err := e.db.SQL().QueryRow(`SELECT body FROM deliveries WHERE kind = 'reset'`).Scan(&body); err != nil {
			t.Fatalf("the reset mail: %v", err)
		}
		m := regexp.MustCompile(`https://kx\.example\.org/reset/([A-Za-z0-9_-]+)`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no link in the mail: %q", body)
		}
		// The old password still works until the holder sets a new one.
		if st, _ := login(e.anon(), "leader", testPassword); st != 200 {
			t.Errorf("the holder's password after a reset: %d", st)
		}
		if res, page := e.anon().do("GET", "/reset/"+m[1], nil); res.StatusCode != 200 || !strings.Contains(page, `name="token"`) {
			t.Errorf("the link's page: %d", res.StatusCode)
		}
		if res, body := e.anon().do("POST", "/api/v1/reset", map[string]string{"token": m[1], "password": "Lead#new-2017x"}); res.StatusCode != 204 {
			t.Fatalf("the holder sets a password with the link: %d %s", res.StatusCode, body)
		}
		if st, _ := login(e.anon(), "leader", "Lead#new-2017x"); st != 200 {
			t.Errorf("the new password: %d", st)
		}
		if res, _ := e.anon().do("POST", "/api/v1/reset", map[string]string{"token": m[1], "password": "Lead#again-2017"}); res.StatusCode != 422 {
			t.Errorf("the link used twice: %d", res.StatusCode)
		}
		ns, err := e.app.Notices(ctx, e.actor("leader"), app.PageQuery{Limit: 50})
		told := false
		for _, n := range ns.Items {
			told = told || strings.Contains(n.Text, "发起了密码重置") && strings.Contains(n.Text, "安全管理员")
		}
		if err != nil || !told {
			t.Errorf("the holder was not told of the reset: %v %+v", err, ns)
		}
		// No e-mail: a code, which with a second factor on the account
		// needs its code too.
		rep := e.users["reporter"]
		if _, err := e.db.SQL().Exec(`UPDATE users SET totp_enabled = $1, totp_secret = 'x' WHERE id = $2`, true, rep.ID); err != nil {
			t.Fatal(err)
		}
		_, page = sec.form("/admin/users/"+itoa(rep.ID)+"/password", url.Values{}, true)
		cm := regexp.MustCompile(`id="account-code">([A-Z0-9-]+)<`).FindStringSubmatch(page)
		if cm == nil {
			t.Fatal("no one-time code for an account without e-mail")
		}
		if res, body := e.anon().do("POST", "/api/v1/reset", map[string]string{"username": "reporter", "code": cm[1], "password": "Sec#taken-2017x"}); res.StatusCode != 422 || !strings.Contains(body, `"field":"second_factor"`) {
			t.Errorf("the code without the account's second factor: %d %s", res.StatusCode, body)
		}
		if st, _ := login(e.anon(), "reporter", "Sec#taken-2017x"); st == 200 {
			t.Error("the resetter took the account over")
		}
		// The page asks for no password when an account is made.
		_, page = admin.do("GET", "/admin/users/new", nil)
		if strings.Contains(page, `name="password"`) {
			t.Error("the new-account form asks the administrator for a password")
		}
	})
}
