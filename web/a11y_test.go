package web_test

import (
	_ "embed"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kexuan/store/storetest"
)

// axe is axe-core (npm axe-core 4.10.2, MPL-2.0: testdata/axe/LICENSE),
// the accessibility checker, run in the page by the tests.
//
//go:embed testdata/axe/axe-4.10.2.min.js
var axe string

// axeRun checks the page against WCAG 2 A and AA and answers its serious
// and critical violations, one line each.
const axeRun = `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, resultTypes: ["violations"]}).then(function (r) {
  var out = [];
  r.violations.forEach(function (v) {
    if (v.impact !== "serious" && v.impact !== "critical") return;
    out.push(v.id + " (" + v.impact + ", " + v.nodes.length + "): " + v.nodes.slice(0, 3).map(function (n) { return n.target.join(" "); }).join(" | ") + " — " + v.help);
  });
  return out;
})`

// Every page every demo role can reach, checked by axe-core: no serious or
// critical violation of WCAG 2.1 A or AA.
func TestPagesAccessible(t *testing.T) {
	t.Parallel()
	e, pw := demoEnv(t, storetest.SQLite(t))
	for _, role := range demoRoles {
		t.Run(role, func(t *testing.T) {
			t.Parallel()
			e := e.in(t)
			pages := crawl(t, e, role, e.demoAs(role, pw[role]))
			ctx := browser(t)
			u := &ui{t: t, ctx: ctx, e: e}
			u.loginWith(role, pw[role])
			shapes := map[string]bool{}
			found := map[string]bool{}
			for _, p := range pages {
				pu, _ := url.Parse(p)
				if shapes[shape(pu)] {
					continue
				}
				shapes[shape(pu)] = true
				u.run("open "+p, chromedp.Navigate(e.ts.URL+p), poll(`document.readyState === "complete"`))
				if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axe+"\n;true")); err != nil {
					t.Fatalf("axe-core on %s: %v", p, err)
				}
				probs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](axeRun, chromedp.EvalAwaitPromise))
				if err != nil {
					t.Fatalf("%s %s: %v", role, p, err)
				}
				for _, pr := range probs {
					// The same fault on every page is told once.
					key := strings.SplitN(pr, " ", 2)[0] + fmt.Sprint(strings.Contains(pr, "footer"))
					if found[key] && strings.Contains(pr, "footer") {
						continue
					}
					found[key] = true
					t.Errorf("%s %s: %s", role, p, pr)
				}
			}
		})
	}
}
