package web_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"kexuan/store/storetest"
)

// The package's one Chromium (Debian's chromium), started by the first test
// that needs it and closed by TestMain; each test has a browser context of
// its own in it (its own cookies and storage, like a separate profile), so
// tests do not see each other's sessions. Starting a Chromium for every
// test was a third of the browser tests' time.
var shared struct {
	once   sync.Once
	ctx    context.Context // the browser's first tab, kept open
	cancel func()
	err    error
}

func startBrowser(path, dir string) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-first-run", true), chromedp.Flag("disable-dev-shm-usage", true),
		// One renderer per site rather than per navigation (the tests open
		// one loopback site, hundreds of times): starting renderers was most
		// of Chromium's CPU.
		chromedp.Flag("disable-features", "Translate,BlinkGenPropertyTrees,site-per-process,IsolateOrigins,BackForwardCache,PaintHolding,OptimizationHints,MediaRouter"),
		chromedp.Flag("process-per-site", true), chromedp.Flag("disable-site-isolation-trials", true),
		chromedp.UserDataDir(dir), chromedp.WindowSize(1280, 1000))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	shared.ctx = ctx
	shared.cancel = func() { cancelCtx(); cancelAlloc(); os.RemoveAll(dir) }
	shared.err = chromedp.Do(ctx)
}

// closeBrowser ends the package's Chromium, if one was started.
func closeBrowser() {
	if shared.cancel != nil {
		shared.cancel()
	}
}

// browser gives the test a fresh browser context in the package's headless
// Chromium; without one the test is skipped, unless
// KEXUAN_REQUIRE_BROWSER=1 (scripts/test.sh).
func browser(t *testing.T) context.Context {
	t.Helper()
	var path string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("KEXUAN_REQUIRE_BROWSER") == "1" {
			t.Fatal("no chromium, but KEXUAN_REQUIRE_BROWSER=1")
		}
		t.Skip("no chromium: browser tests skipped (apt-get install chromium)")
	}
	shared.once.Do(func() {
		dir, err := os.MkdirTemp("", "kexuan-chromium")
		if err != nil {
			shared.err = err
			return
		}
		startBrowser(path, dir)
	})
	if shared.err != nil {
		t.Fatalf("start chromium: %v", shared.err)
	}
	ctx, cancelCtx := chromedp.NewContext(shared.ctx, chromedp.WithNewBrowserContext())
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a browser context: %v", err)
	}
	return ctx
}

type ui struct {
	t   *testing.T
	ctx context.Context
	e   *env
}

func (u *ui) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	u.t.Helper()
	if err := chromedp.Do(u.ctx, actions...); err != nil {
		u.fatal(what, err)
	}
}

func (u *ui) fatal(what string, err error) {
	u.t.Helper()
	loc, _ := chromedp.Run(u.ctx, chromedp.Location())
	text, _ := chromedp.Run(u.ctx, chromedp.Text("main"))
	u.t.Fatalf("%s: %v (at %s: %.300s)", what, err, loc, text)
}

// submitClick clicks a button that sends a form and waits for the next page.
func submitClick(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Evaluate[any](`window.__stale = true`)(ctx, t)
			return err
		}),
		chromedp.Click(sel),
		poll(`window.__stale !== true && document.readyState === "complete"`),
	)
}

// poll waits until a JavaScript expression is true.
// Errors while the page is being replaced are expected and retried.
func poll(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		deadline := time.Now().Add(15 * time.Second)
		var last error
		for time.Now().Before(deadline) {
			ok, err := chromedp.Evaluate[bool](expr)(ctx, t)
			if err == nil && ok {
				return nil
			}
			last = err
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
		return fmt.Errorf("timed out waiting for %s (last error: %v)", expr, last)
	})
}

func (u *ui) location() string {
	u.t.Helper()
	loc, err := chromedp.Run(u.ctx, chromedp.Location())
	if err != nil {
		u.fatal("location", err)
	}
	return loc
}

func (u *ui) eval(what, expr string) any {
	u.t.Helper()
	v, err := chromedp.Run(u.ctx, chromedp.Evaluate[any](expr))
	if err != nil {
		u.fatal(what, err)
	}
	return v
}

func (u *ui) login(username string) {
	u.t.Helper()
	u.loginWith(username, testPassword)
}

// loginWith signs in through the login page with a password (a demo
// account's).
func (u *ui) loginWith(username, password string) {
	u.t.Helper()
	u.run("login as "+username,
		chromedp.Navigate(u.e.ts.URL+"/login"),
		chromedp.WaitVisible("#username"),
		chromedp.SendKeys("#username", username),
		chromedp.SendKeys("#password", password),
		submitClick("#login-submit"),
		chromedp.WaitVisible("#whoami"),
	)
}

func (u *ui) logout() {
	u.t.Helper()
	u.run("logout", submitClick(`form[action="/logout"] button`), chromedp.WaitVisible("#username"))
}

func (u *ui) text(sel string) string {
	u.t.Helper()
	s, err := chromedp.Run(u.ctx, chromedp.Text(sel))
	if err != nil {
		u.fatal("read "+sel, err)
	}
	return strings.TrimSpace(s)
}

func (u *ui) score(path, sel string) float64 {
	u.t.Helper()
	u.run("open "+path, chromedp.Navigate(u.e.ts.URL+path), chromedp.WaitVisible(sel))
	f, err := strconv.ParseFloat(u.text(sel), 64)
	if err != nil {
		u.t.Fatalf("%s %s: %v", path, sel, err)
	}
	return f
}

var pieceURL = regexp.MustCompile(`/pieces/(\d+)$`)

// The whole year's routine through the pages, in a real browser: draft and
// submit, return with a comment, revise and resubmit, approve; a flagged
// piece waits for the chief; the office records an adoption; the
// department's and the bureau's dashboards show the new points.
func TestBrowserWorkflow(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		u := &ui{t: t, ctx: browser(t), e: e}

		u.login("reporter")
		u.run("draft a piece",
			chromedp.Navigate(e.ts.URL+"/pieces/new"),
			chromedp.WaitVisible(".ql-editor"),
			chromedp.SendKeys("#title", "金水区举办科技活动周启动仪式"),
			chromedp.Click(".ql-editor"),
			chromedp.SendKeys(".ql-editor", "你好，世界！"),
		)
		// Live 字数, counted by the server.
		u.run("live word count", poll(`document.getElementById("wordcount").textContent.trim() === "6"`))
		u.run("save", submitClick("#save"), chromedp.WaitVisible("#piece-state"))
		loc := u.location()
		m := pieceURL.FindStringSubmatch(loc)
		if m == nil {
			t.Fatalf("after saving: %s", loc)
		}
		id := m[1]
		if s := u.text("#piece-words"); s != "6" {
			t.Errorf("stored 字数 %s", s)
		}
		u.run("submit", submitClick("#submit"))
		if s := u.text("#piece-state"); s != "待审核" {
			t.Errorf("after submit: %s", s)
		}
		u.logout()

		u.login("leader")
		u.run("review queue", chromedp.Navigate(e.ts.URL+"/reviews"), chromedp.WaitVisible("#review-queue"))
		if q := u.text("#review-queue"); !strings.Contains(q, "科技活动周启动仪式") {
			t.Errorf("not in the leader's queue: %s", q)
		}
		u.run("return with a comment",
			chromedp.Navigate(e.ts.URL+"/pieces/"+id),
			chromedp.WaitVisible("#return-comment"),
			chromedp.SendKeys("#return-comment", "请补充参加企业数量。"),
			submitClick("#return"),
		)
		u.logout()

		u.login("reporter")
		u.run("see the comment", chromedp.Navigate(e.ts.URL+"/pieces/"+id), chromedp.WaitVisible("#history"))
		if h := u.text("#history"); !strings.Contains(h, "请补充参加企业数量。") || u.text("#piece-state") != "退回" {
			t.Errorf("history after return: %s", h)
		}
		u.run("revise",
			chromedp.Click("#edit"),
			chromedp.WaitVisible(".ql-editor"),
			chromedp.Click(".ql-editor"),
			chromedp.KeyEvent("\ue010"), // End
			chromedp.SendKeys(".ql-editor", "共有120家企业参加。"),
			poll(`document.getElementById("wordcount").textContent.trim() !== "6"`),
			submitClick("#save"),
			chromedp.WaitVisible("#submit"),
			submitClick("#submit"),
		)
		if s := u.text("#piece-state"); s != "待审核" {
			t.Errorf("after resubmit: %s", s)
		}
		if b := u.text("#piece-body"); !strings.Contains(b, "120家企业") {
			t.Errorf("revised body: %s", b)
		}

		// A flagged piece.
		u.run("draft a major piece",
			chromedp.Navigate(e.ts.URL+"/pieces/new"),
			chromedp.WaitVisible(".ql-editor"),
			chromedp.SendKeys("#title", "全区科技创新大会召开"),
			chromedp.Click(".ql-editor"),
			chromedp.SendKeys(".ql-editor", "全区科技创新大会隆重召开。"),
			chromedp.Click("#major"),
			submitClick("#save"),
			chromedp.WaitVisible("#submit"),
		)
		majorID := pieceURL.FindStringSubmatch(u.location())[1]
		u.run("submit the major piece", submitClick("#submit"))
		u.logout()

		// The reviews are done early in the plan's year, before the day
		// the piece appeared; the office records on today's calendar.
		e.cal.Set(e.yearStart())
		u.login("leader")
		u.run("approve", chromedp.Navigate(e.ts.URL+"/pieces/"+id), chromedp.WaitVisible("#approve"),
			submitClick("#approve"))
		u.run("approve the major piece", chromedp.Navigate(e.ts.URL+"/pieces/"+majorID), chromedp.WaitVisible("#approve"),
			submitClick("#approve"))
		if f := u.text(".flash"); !strings.Contains(f, "主要领导") {
			t.Errorf("major piece after the leader: %s", f)
		}
		u.logout()

		u.login("chief")
		u.run("chief's queue", chromedp.Navigate(e.ts.URL+"/reviews"), chromedp.WaitVisible("#review-queue"))
		if q := u.text("#review-queue"); !strings.Contains(q, "全区科技创新大会召开") || strings.Contains(q, "科技活动周") {
			t.Errorf("chief's queue: %s", q)
		}
		u.run("chief approves", chromedp.Navigate(e.ts.URL+"/pieces/"+majorID), chromedp.WaitVisible("#approve"),
			submitClick("#approve"))
		u.run("open the major piece", chromedp.Navigate(e.ts.URL+"/pieces/"+majorID), chromedp.WaitVisible("#piece-state"))
		if s := u.text("#piece-state"); s != "已审核" {
			t.Errorf("major piece after the chief: %s", s)
		}
		u.logout()

		e.cal.Set(time.Time{})
		u.login("office")
		deptBefore := u.score("/departments/hightech", "#dept-total")
		bureauBefore := u.score("/dashboard", `tr[data-department="hightech"] td.total`)
		u.run("record an adoption",
			chromedp.Navigate(e.ts.URL+"/pieces/"+id),
			chromedp.WaitVisible("#adopt-channel"),
			chromedp.SetValue("#adopt-channel", "intranet"),
			chromedp.SetValue("#adopt-date", "2017-06-01"),
			submitClick("#adopt-submit"),
			chromedp.WaitVisible("#adoptions"),
		)
		if s := u.text("#piece-state"); s != "已采用" {
			t.Errorf("after adoption: %s", s)
		}
		if d := u.score("/departments/hightech", "#dept-total"); d != deptBefore+1 {
			t.Errorf("department total %v → %v, want +1", deptBefore, d)
		}
		if b := u.score("/dashboard", `tr[data-department="hightech"] td.total`); b != bureauBefore+1 {
			t.Errorf("bureau total %v → %v, want +1", bureauBefore, b)
		}
		// The number opens onto the ledger line behind it.
		u.run("ledger", chromedp.Navigate(e.ts.URL+"/ledger/hightech?category=intranet"), chromedp.WaitVisible("#ledger"))
		if l := u.text("#ledger"); !strings.Contains(l, "金水区举办科技活动周启动仪式") || !strings.Contains(l, "2017-06-01") {
			t.Errorf("ledger: %s", l)
		}
		u.run("chart", chromedp.Navigate(e.ts.URL+"/dashboard"), chromedp.WaitVisible("#chart canvas"))
		if n := u.eval("chart", `document.querySelectorAll("#chart canvas").length`); n == float64(0) {
			t.Error("no chart drawn")
		}
	})
}

// The sanitised body runs nothing in the browser: no script, no handler, no
// javascript: link.
func TestBrowserXSS(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLite(t))
	_, body := e.as("reporter").do("POST", "/api/v1/pieces", map[string]any{"title": "<img src=x onerror=window.__xss=9>标题", "body": xssBody})
	var p pieceOut
	decodeJSON(t, body, &p)
	ctx := browser(t)
	var dialogs atomic.Int32
	if err := chromedp.Listen(ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			dialogs.Add(1)
		}
	}); err != nil {
		t.Fatal(err)
	}
	u := &ui{t: t, ctx: ctx, e: e}
	u.login("reporter")
	u.run("view", chromedp.Navigate(e.ts.URL+"/pieces/"+itoa(p.ID)), chromedp.WaitVisible("#piece-body"))
	links := u.eval("links", `document.querySelectorAll("#piece-body a[href^='javascript']").length`)
	u.eval("click", `(document.querySelector("#piece-body a") || {click(){}}).click(), 0`)
	u.run("wait", chromedp.Sleep(300*time.Millisecond))
	xss := u.eval("xss", `typeof window.__xss === "undefined" ? null : window.__xss`)
	if xss != nil || dialogs.Load() != 0 || links != float64(0) {
		t.Errorf("script ran: __xss=%v dialogs=%d javascript links=%v", xss, dialogs.Load(), links)
	}
	if s := u.text("#piece-title"); !strings.Contains(s, "<img") {
		t.Errorf("title should show as text: %q", s)
	}
}

// Nothing typed is lost: the piece form is kept in the browser as it is
// written and offered back when opened again; saving with an expired
// session says so on the form and keeps the text, which saves once signed in.
func TestBrowserDraftKept(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		u := &ui{t: t, ctx: browser(t), e: e}
		u.login("reporter")
		u.run("type a draft",
			chromedp.Navigate(e.ts.URL+"/pieces/new"),
			chromedp.WaitVisible(".ql-editor"),
			chromedp.SendKeys("#title", "未保存的标题"),
			chromedp.Click(".ql-editor"),
			chromedp.SendKeys(".ql-editor", "写了一半的正文。"),
			poll(`document.getElementById("autosave-status").textContent.indexOf("已自动保存") >= 0`),
		)
		u.run("come back", chromedp.Navigate(e.ts.URL+"/pieces/new"), chromedp.WaitVisible("#draft-restore"))
		u.run("restore", chromedp.Click("#draft-restore-yes"),
			poll(`document.getElementById("title").value === "未保存的标题" && document.querySelector(".ql-editor").textContent.indexOf("写了一半") >= 0`))

		// The session ends (expired, or signed out elsewhere).
		if _, err := e.db.SQL().Exec(`DELETE FROM sessions`); err != nil {
			t.Fatal(err)
		}
		u.run("save with the session gone", chromedp.Click("#save"), chromedp.WaitVisible("#session-expired"))
		if loc := u.location(); !strings.HasSuffix(loc, "/pieces/new") {
			t.Errorf("the form was left: %s", loc)
		}
		u.login("reporter")
		u.run("back to the form", chromedp.Navigate(e.ts.URL+"/pieces/new"), chromedp.WaitVisible("#draft-restore"),
			chromedp.Click("#draft-restore-yes"), poll(`document.getElementById("title").value === "未保存的标题"`))
		u.run("save", submitClick("#save"), chromedp.WaitVisible("#piece-state"))
		if main := u.text("main"); !strings.Contains(main, "未保存的标题") || !strings.Contains(main, "写了一半的正文") {
			t.Errorf("the saved piece: %.300s", main)
		}
		u.run("a new form", chromedp.Navigate(e.ts.URL+"/pieces/new"), chromedp.WaitVisible(".ql-editor"))
		if v := u.eval("restore offer", `document.getElementById("draft-restore").hidden`); v != true {
			t.Error("a draft already saved is still offered")
		}
	})
}
