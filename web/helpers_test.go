package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/store"
	"kexuan/store/storetest"
	"kexuan/testclock"
	"kexuan/web"
)

// env is a running kexuan on a real database and a real HTTP listener.
type env struct {
	t     *testing.T
	db    *store.DB
	app   *app.App
	srv   *web.Server
	ts    *httptest.Server
	users map[string]*domain.User
	// base is the path the server is mounted under (web.Server.SetSiteURL):
	// ts.URL ends with it, so a test's paths are written at the root; the
	// links the pages show begin with it.
	base string
	// transport, when set, carries the clients' requests (through a proxy).
	transport http.RoundTripper
	// cal is the plan's calendar: the tests' clock until a test moves it
	// (newPiece approves at the start of the plan's year, before any day a
	// test dates a publication).
	cal *testclock.Calendar
}

// in is the same running kexuan seen from subtest t (its failures are t's):
// for parallel subtests sharing one server.
func (e *env) in(t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}

const testPassword = "Kx!2017-test"

// The test accounts: one per role, plus a reporter of another department
// and a head who later becomes a leader.
var testAccounts = []app.UserInput{
	{Username: "reporter", Role: domain.Reporter, Department: "hightech", DisplayName: "高新科信息员"},
	{Username: "reporter2", Role: domain.Reporter, Department: "ip", DisplayName: "知识产权科信息员"},
	{Username: "head", Role: domain.Head, Department: "hightech", DisplayName: "高新科负责人"},
	{Username: "leader", Role: domain.Leader, Leads: []string{"hightech", "planning"}, DisplayName: "分管局领导"},
	{Username: "leader2", Role: domain.Leader, Leads: []string{"ip"}, DisplayName: "另一位分管局领导"},
	{Username: "chief", Role: domain.Chief, DisplayName: "主要领导"},
	{Username: "office", Role: domain.Office, DisplayName: "办公室"},
	{Username: "admin", Role: domain.Admin, DisplayName: "系统管理员"},
	{Username: "security", Role: domain.Security, DisplayName: "安全管理员"},
	{Username: "auditor", Role: domain.Auditor, DisplayName: "审计管理员"},
}

func newEnv(t *testing.T, dsn string) *env {
	t.Helper()
	return newEnvWith(t, dsn, nil)
}

// newEnvWith is newEnv with the server configured by set before it starts.
func newEnvWith(t *testing.T, dsn string, set func(*web.Server)) *env {
	t.Helper()
	ctx := context.Background()
	db := storetest.Ready(t, dsn)
	a := app.New(db)
	a.Now = testclock.Now
	cal := &testclock.Calendar{}
	a.PlanClock = cal.Or(func() time.Time { return a.Now() })
	a.UseKey(storetest.Key(t))
	e := &env{t: t, db: db, app: a, users: map[string]*domain.User{}, cal: cal}
	for _, in := range testAccounts {
		in.Password = testPassword
		u, err := a.CreateUser(ctx, nil, in, false)
		if err != nil {
			t.Fatal(err)
		}
		e.users[in.Username] = u
	}
	// These tests sign the administrators in by password alone; the second
	// factor the policy requires of them by default is tested by itself
	// (security_test.go).
	optional := app.SecondFactorOptional
	if _, err := a.SetPolicy(ctx, nil, app.PolicyChange{SecondFactor: &optional}); err != nil {
		t.Fatal(err)
	}
	// KEXUAN_TEST_LOG=1 shows the server's log (internal errors in full).
	var logTo io.Writer = io.Discard
	if os.Getenv("KEXUAN_TEST_LOG") == "1" {
		logTo = os.Stderr
	}
	srv, err := web.New(a, slog.New(panicsFail{t, slog.NewTextHandler(logTo, nil)}))
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	if set != nil {
		set(srv)
	}
	e.ts = httptest.NewServer(srv.Handler())
	t.Cleanup(e.ts.Close)
	return e
}

// client is one signed-in (or anonymous) API user.
type client struct {
	e    *env
	http *http.Client
}

func (e *env) anon() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, http: &http.Client{Transport: e.transport, Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (e *env) as(username string) *client {
	e.t.Helper()
	c := e.anon()
	res, body := c.do("POST", "/api/v1/login", map[string]string{"username": username, "password": testPassword})
	if res.StatusCode != 200 {
		e.t.Fatalf("login %s: %d %s", username, res.StatusCode, body)
	}
	return c
}

// do sends a JSON request (body nil: none) and returns the response and body.
func (c *client) do(method, path string, body any) (*http.Response, string) {
	c.e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.e.ts.URL+path, rd)
	if body != nil || method != "GET" {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.send(req)
}

// send sends a request and reads the whole answer.
func (c *client) send(req *http.Request) (*http.Response, string) {
	c.e.t.Helper()
	var sent []byte
	if req.GetBody != nil {
		if rd, err := req.GetBody(); err == nil {
			sent, _ = io.ReadAll(rd)
		}
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	c.e.checkAPI(req, sent, res, b)
	return res, string(b)
}

// form posts a form the way a page does, with the session's CSRF token.
func (c *client) form(path string, vals url.Values, withToken bool) (*http.Response, string) {
	c.e.t.Helper()
	if withToken {
		vals.Set("csrf", c.csrf())
	}
	req, _ := http.NewRequest("POST", c.e.ts.URL+path, strings.NewReader(vals.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.send(req)
}

// csrf reads the session's token from a page.
func (c *client) csrf() string {
	_, page := c.do("GET", "/password", nil)
	i := strings.Index(page, `name="csrf" value="`)
	if i < 0 {
		c.e.t.Fatalf("no csrf token on the page")
	}
	rest := page[i+len(`name="csrf" value="`):]
	return rest[:strings.IndexByte(rest, '"')]
}

func decodeJSON(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("%v: %s", err, s)
	}
}

type pieceOut struct {
	ID    int64  `json:"id"`
	State string `json:"state"`
	Words int    `json:"words"`
	Body  string `json:"body"`
	Title string `json:"title"`
}

// newPiece makes a piece through the API and brings it to a state.
func (e *env) newPiece(author string, state domain.PieceState, major bool) int64 {
	e.t.Helper()
	c := e.as(author)
	res, body := c.do("POST", "/api/v1/pieces", map[string]any{"title": "稿件 " + state, "body": "<p>金水区召开科技创新大会，共一百余家企业参加。</p>",
		"themes": []int{1}, "channels": []string{"intranet"}, "major": major})
	if res.StatusCode != 201 {
		e.t.Fatalf("create: %d %s", res.StatusCode, body)
	}
	var p pieceOut
	decodeJSON(e.t, body, &p)
	if state == domain.StateDraft {
		return p.ID
	}
	c.do("POST", "/api/v1/pieces/"+itoa(p.ID)+"/submit", nil)
	if state == domain.StateSubmitted {
		return p.ID
	}
	dept := e.users[author].Department
	leader := "leader"
	if dept == "ip" {
		leader = "leader2"
	}
	e.onYearStart(func() {
		res, body = e.as(leader).do("POST", "/api/v1/pieces/"+itoa(p.ID)+"/approve", map[string]string{"comment": "同意"})
	})
	if res.StatusCode != 200 {
		e.t.Fatalf("approve: %d %s", res.StatusCode, body)
	}
	return p.ID
}

// onYearStart runs f on the plan's calendar at the start of the year of
// the plan in force (before any day a test dates a publication). Whatever
// runs meanwhile sees that day too: call it where the test does one thing
// at a time.
func (e *env) onYearStart(f func()) {
	e.t.Helper()
	e.cal.On(e.yearStart(), f)
}

// yearStart is the morning of 3 January of the plan in force.
func (e *env) yearStart() time.Time {
	e.t.Helper()
	p, err := e.app.Plan(context.Background(), 0)
	if err != nil {
		e.t.Fatal(err)
	}
	return testclock.EarlyIn(p.Year, p.Location())
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// must checks a value and its error: must(f())(t) fails the test on an
// error instead of letting a zero value pass for a result.
func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// actor is a test account acting through app directly.
func (e *env) actor(username string) *app.Actor {
	return &app.Actor{User: e.users[username], Address: "test"}
}

// panicsFail fails the test on a handler's panic (which the server
// recovers from and answers 500): a page that panics is a defect even where
// a test does not look at its status.
type panicsFail struct {
	t *testing.T
	slog.Handler
}

func (h panicsFail) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "panic" {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "value" {
				h.t.Errorf("a handler panicked: %v", a.Value)
			}
			return true
		})
	}
	return h.Handler.Handle(ctx, r)
}

func (h panicsFail) WithAttrs(as []slog.Attr) slog.Handler {
	return panicsFail{h.t, h.Handler.WithAttrs(as)}
}
func (h panicsFail) WithGroup(g string) slog.Handler { return panicsFail{h.t, h.Handler.WithGroup(g)} }
