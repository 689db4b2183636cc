package web_test

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"kexuan/app"
	"kexuan/demo"
	"kexuan/store/storetest"
	"kexuan/testclock"
	"kexuan/web"
)

// demoRoles are the demo's accounts, one of each role.
var demoRoles = []string{"reporter", "head", "leader", "chief", "office", "admin", "security", "auditor"}

// demoEnv is a running kexuan holding the demo year; the administrators
// sign in by password alone (their second factor is tested by itself).
func demoEnv(t *testing.T, dsn string) (*env, map[string]string) {
	t.Helper()
	return demoEnvAt(t, dsn, "")
}

// demoEnvAt is demoEnv served under the base path base ("/kexuan"), its
// site's address that of the test server under that path.
func demoEnvAt(t *testing.T, dsn, base string) (*env, map[string]string) {
	t.Helper()
	ctx := context.Background()
	db := storetest.Ready(t, dsn)
	a := app.New(db)
	a.Now = testclock.Now
	a.UseKey(storetest.Key(t))
	accounts, err := demo.Load(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	optional := app.SecondFactorOptional
	if _, err := a.SetPolicy(ctx, nil, app.PolicyChange{SecondFactor: &optional}); err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(a, slog.New(panicsFail{t, slog.NewTextHandler(io.Discard, nil)}))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: db, app: a, srv: srv, base: base}
	e.ts = httptest.NewUnstartedServer(nil)
	if base != "" {
		if err := srv.SetSiteURL("http://" + e.ts.Listener.Addr().String() + base + "/"); err != nil {
			t.Fatal(err)
		}
		a.SiteURL = srv.SiteURL()
	}
	e.ts.Config.Handler = srv.Handler()
	e.ts.Start()
	e.ts.URL += base
	t.Cleanup(e.ts.Close)
	pw := map[string]string{}
	for _, acc := range accounts {
		pw[acc.Username] = acc.Password
	}
	return e, pw
}

func (e *env) demoAs(user, password string) *client {
	e.t.Helper()
	c := e.anon()
	res, body := c.do("POST", "/api/v1/login", map[string]string{"username": user, "password": password})
	if res.StatusCode != 200 {
		e.t.Fatalf("login %s: %d %s", user, res.StatusCode, body)
	}
	return c
}

var alertText = regexp.MustCompile(`role="alert">([^<]*)<`)

var hrefs = regexp.MustCompile(`<a\s[^>]*href="([^"]+)"`)

// rooted finds the addresses a page names at the root of its host.
var rooted = regexp.MustCompile(`\s(href|src|action|formaction|hx-post|hx-get)="(/[^"/][^"]*|/)"`)

// shape is a path with its numbers and query values taken out: the pages
// of one kind, of which a few are enough to visit.
func shape(u *url.URL) string {
	p := regexp.MustCompile(`\d+`).ReplaceAllString(u.Path, "N")
	keys := make([]string, 0)
	for k := range u.Query() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return p + "?" + strings.Join(keys, "&")
}

// crawl follows every link of every page a signed-in user is shown, from
// the first page: each answers with a page (or a download), never 400 or
// above. It returns the pages (HTML) it saw, a few of each shape.
func crawl(t *testing.T, e *env, role string, c *client) []string {
	t.Helper()
	type link struct{ to, from string }
	queue := []link{{"/", "(sign-in)"}}
	seen := map[string]bool{"/": true}
	shapes := map[string]int{}
	var pages []string
	for len(queue) > 0 && len(seen) < 600 {
		l := queue[0]
		queue = queue[1:]
		res, body := c.do("GET", l.to, nil)
		switch {
		case res.StatusCode >= 300 && res.StatusCode < 400:
			loc, ok := strings.CutPrefix(res.Header.Get("Location"), e.base)
			if !ok || !strings.HasPrefix(loc, "/") {
				t.Errorf("%s: %s (linked from %s) sends to %q, outside %s/", role, l.to, l.from, res.Header.Get("Location"), e.base)
				continue
			}
			if u, err := url.Parse(loc); err == nil && u.Host == "" && !seen[loc] {
				seen[loc] = true
				queue = append(queue, link{loc, l.to})
			}
			continue
		case res.StatusCode >= 400:
			msg := body
			if m := alertText.FindStringSubmatch(body); m != nil {
				msg = m[1]
			}
			t.Errorf("%s: %s (linked from %s) answers %d: %.200s", role, l.to, l.from, res.StatusCode, msg)
			continue
		}
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			continue
		}
		pages = append(pages, l.to)
		if e.base != "" {
			// Every address the page names at the root — link, form, script,
			// style, image — is under the base.
			for _, m := range rooted.FindAllStringSubmatch(body, -1) {
				if p := html.UnescapeString(m[2]); !strings.HasPrefix(p, e.base+"/") {
					t.Errorf("%s: %s has %s=%q, outside %s/", role, l.to, m[1], p, e.base)
				}
			}
		}
		for _, m := range hrefs.FindAllStringSubmatch(body, -1) {
			href, ok := strings.CutPrefix(html.UnescapeString(m[1]), e.base)
			if !ok {
				continue // reported above
			}
			u, err := url.Parse(href)
			if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "/static/") {
				continue
			}
			u.Fragment = ""
			to := u.String()
			if seen[to] {
				continue
			}
			seen[to] = true
			if shapes[shape(u)]++; shapes[shape(u)] > 3 {
				continue
			}
			queue = append(queue, link{to, l.to})
		}
	}
	return pages
}

// Every link on every page, followed as every demo role, answers that role
// with a page: no 403 behind a link the role is shown, no 404.
func TestEveryLinkAnswers(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e, pw := demoEnv(t, dsn)
		for _, role := range demoRoles {
			pages := crawl(t, e, role, e.demoAs(role, pw[role]))
			if len(pages) < 5 {
				t.Errorf("%s: only %d pages reached: %v", role, len(pages), pages)
			}
		}
	})
}

// Unknown paths and wrong methods answer in Chinese, in the site's layout,
// with a way back; the API answers JSON.
func TestErrorPagesInChinese(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLite(t))
	office := e.as("office")
	for _, c := range []struct {
		method, path string
		status       int
		want         string
	}{
		{"GET", "/no-such-page", 404, "没有这个页面"},
		{"GET", "/pieces/new/extra", 404, "没有这个页面"},
		{"DELETE", "/pieces", 405, "不接受这种请求"},
		{"PUT", "/", 405, "不接受这种请求"},
	} {
		res, body := office.do(c.method, c.path, nil)
		if res.StatusCode != c.status || !strings.Contains(body, c.want) || !strings.Contains(body, `id="whoami"`) || !strings.Contains(body, `id="back"`) {
			t.Errorf("%s %s: %d %.300s", c.method, c.path, res.StatusCode, body)
		}
		if strings.Contains(body, "page not found") || strings.Contains(body, "Method Not Allowed") {
			t.Errorf("%s %s answers in English", c.method, c.path)
		}
	}
	if res, body := office.do("GET", "/api/v1/nothing", nil); res.StatusCode != 404 || !strings.Contains(body, `"code":"not_found"`) {
		t.Errorf("an unknown API path: %d %s", res.StatusCode, body)
	}
	if res, body := e.anon().do("GET", "/no-such-page", nil); res.StatusCode != 404 || !strings.Contains(body, "没有这个页面") {
		t.Errorf("an unknown path, signed out: %d %.200s", res.StatusCode, body)
	}
}

// recorder notes, from before any script of the page runs, what the
// Content-Security-Policy refused, what threw, and console errors.
const recorder = `(function () {
  window.__problems = [];
  var note = function (s) { window.__problems.push(String(s)); };
  document.addEventListener("securitypolicyviolation", function (e) {
    note("CSP " + e.violatedDirective + " refused " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber + " " + (e.sample || ""));
  });
  window.addEventListener("error", function (e) {
    if (e.target && e.target !== window && (e.target.src || e.target.href)) { note("failed to load " + (e.target.src || e.target.href)); return; }
    note("error " + e.message + " at " + e.filename + ":" + e.lineno);
  }, true);
  window.addEventListener("unhandledrejection", function (e) { note("unhandled rejection " + e.reason); });
  var error = console.error;
  console.error = function () { note("console.error " + Array.prototype.join.call(arguments, " ")); return error.apply(console, arguments); };
})();`

// Every page every demo role can reach, opened in Chromium under the
// Content-Security-Policy the server sends: nothing refused, nothing thrown.
func TestBrowserPagesUnderCSP(t *testing.T) {
	t.Parallel()
	e, pw := demoEnv(t, storetest.SQLite(t))
	for _, role := range demoRoles {
		t.Run(role, func(t *testing.T) {
			t.Parallel()
			cspPages(t, e.in(t), role, pw[role])
		})
	}
}

// cspPages opens every page role can reach in a browser context of its own.
func cspPages(t *testing.T, e *env, role, password string) {
	{
		pages := crawl(t, e, role, e.demoAs(role, password))
		ctx := browser(t)
		if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: recorder}); err != nil {
			t.Fatal(err)
		}
		u := &ui{t: t, ctx: ctx, e: e}
		u.loginWith(role, password)
		shapes := map[string]bool{}
		for _, p := range pages {
			pu, _ := url.Parse(p)
			if shapes[shape(pu)] {
				continue
			}
			shapes[shape(pu)] = true
			u.run("open "+p, chromedp.Navigate(e.ts.URL+p), poll(`document.readyState === "complete"`), chromedp.Sleep(50*time.Millisecond))
			probs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__problems || []`))
			if err != nil {
				t.Fatalf("%s %s: %v", role, p, err)
			}
			for _, pr := range probs {
				t.Errorf("%s %s: %s", role, p, pr)
			}
		}
		t.Logf("%s: %d pages opened in the browser", role, len(shapes))
	}
}
