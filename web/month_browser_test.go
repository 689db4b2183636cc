package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kexuan/store/storetest"
)

// In a real browser: the office's first page is 本月; 催报 from it reaches
// the department's reporter as a notice with a badge, which opens where it
// points; the office closes the month and downloads nothing broken.
func TestBrowserMonthAndNotices(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLite(t))
	u := &ui{t: t, ctx: browser(t), e: e}
	u.login("office")
	u.run("本月", chromedp.Navigate(e.ts.URL+"/"), chromedp.WaitVisible("#month-hightech"))
	if row := u.text("#month-hightech"); !strings.Contains(row, "高新科") || !strings.Contains(row, "还差") {
		t.Errorf("hightech's row: %s", row)
	}
	u.run("催报", submitClick(`#month-hightech form[action="/departments/hightech/remind"] button`), chromedp.WaitVisible(".flash"))
	if f := u.text(".flash"); !strings.Contains(f, "已催报") {
		t.Errorf("after 催报: %s", f)
	}
	// The month switcher sends its form when a month is chosen (its script
	// is a static file the Content-Security-Policy allows).
	u.run("switch the month", chromedp.Navigate(e.ts.URL+"/month"), chromedp.WaitVisible(`select[name="month"]`),
		js(`window.__stale = true; var s = document.querySelector('select[name="month"]'); s.value = "2017-03"; s.dispatchEvent(new Event("change"))`),
		poll(`window.__stale !== true && document.readyState === "complete"`))
	if loc := u.location(); !strings.HasSuffix(loc, "/month?month=2017-03") {
		t.Errorf("choosing 2017-03 went to %s", loc)
	}
	u.run("close the month", chromedp.Navigate(e.ts.URL+"/month?month=2017-03"), chromedp.WaitVisible("#close-form"),
		chromedp.SendKeys(`#close-form input[name="reason"]`, "三月已通报"), submitClick("#close-form button"), chromedp.WaitVisible("#snapshot"))
	u.logout()

	u.login("reporter")
	if badge := u.text("#unread"); badge == "" || badge == "0" {
		t.Errorf("no unread badge: %q", badge)
	}
	u.run("notices", chromedp.Click("#notices-link"), chromedp.WaitVisible("#notices"))
	if list := u.text("#notices"); !strings.Contains(list, "办公室催报") {
		t.Errorf("notices: %s", list)
	}
	u.run("open the 催报", submitClick(`#notices li.n-remind button`), chromedp.WaitVisible("#department-score"))
	if loc := u.location(); !strings.HasSuffix(loc, "/departments/hightech") {
		t.Errorf("the notice opened %s", loc)
	}
}
