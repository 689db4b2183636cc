package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kexuan/domain"
	"kexuan/store/storetest"
)

// A working day's fixes, as people meet them in a browser: the header's
// badges and a leader's departments; a refused adoption form that keeps what
// was typed; a wrong record deleted with a reason and kept visible; pieces
// found by theme.
func TestBrowserWorkingDay(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		u := &ui{t: t, ctx: browser(t), e: e}
		id := itoa(e.newPiece("reporter", domain.StateApproved, false))
		e.newPiece("reporter", domain.StateSubmitted, false)

		u.login("leader")
		if who := u.text("#whoami"); !strings.Contains(who, "分管高新科、发展计划科") {
			t.Errorf("the leader's header: %s", who)
		}
		if badge := u.text("#to-review"); !strings.Contains(badge, "1") {
			t.Errorf("the leader's review badge: %q", badge)
		}
		u.logout()

		u.login("office")
		if badge := u.text("#to-record"); !strings.Contains(badge, "1") {
			t.Errorf("the office's record badge: %q", badge)
		}
		// A date in the future is refused; the form comes back as typed.
		u.run("a refused adoption",
			chromedp.Navigate(e.ts.URL+"/pieces/"+id), chromedp.WaitVisible("#adopt-submit"),
			chromedp.SetValue("#adopt-date", "2030-01-01"), chromedp.SendKeys("#adopt-issue", "第 12 期"), chromedp.SendKeys("#adopt-words", "640"),
			submitClick("#adopt-submit"), chromedp.WaitVisible("#adopt-error"))
		if v := u.eval("issue kept", `document.getElementById("adopt-issue").value`); v != "第 12 期" {
			t.Errorf("the issue typed was lost: %v", v)
		}
		if v := u.eval("words kept", `document.getElementById("adopt-words").value`); v != "640" {
			t.Errorf("the 字数 typed was lost: %v", v)
		}
		// 640 字 is more than the piece has: refused until a reason is given.
		u.run("more 字 than the piece", chromedp.SetValue("#adopt-date", "2017-05-02"), submitClick("#adopt-submit"), chromedp.WaitVisible("#adopt-error"))
		if msg := u.text("#adopt-error"); !strings.Contains(msg, "640") {
			t.Errorf("the refusal does not name the 字数: %s", msg)
		}
		u.run("record it right", chromedp.SendKeys("#adopt-reason", "刊发时增补"), submitClick("#adopt-submit"), chromedp.WaitVisible("#adoptions"))
		if row := u.text("#adoptions tbody"); !strings.Contains(row, "分") {
			t.Errorf("no 得分 in the record: %s", row)
		}
		// Deleted with a reason, kept visible.
		u.run("delete the record",
			chromedp.Click("details.fix summary"), chromedp.WaitVisible(".delete-adoption input[name=reason]"),
			chromedp.SendKeys(".delete-adoption input[name=reason]", "期号登记错误"), submitClick(".delete-adoption button"),
			chromedp.WaitVisible("#removed-adoptions"))
		if removed := u.text("#removed-adoptions"); !strings.Contains(removed, "已删除") || !strings.Contains(removed, "期号登记错误") {
			t.Errorf("the removed record: %s", removed)
		}
		if state := u.text("#piece-state"); state != "已审核" && state != "已通过" {
			t.Logf("piece state after the deletion: %s", state)
		}
		u.logout()

		// Pieces by theme.
		u.login("reporter")
		u.run("filter by theme", chromedp.Navigate(e.ts.URL+"/pieces"), chromedp.WaitVisible("select[name=theme]"),
			chromedp.SetValue("select[name=theme]", "2"), submitClick(".filter-form button[type=submit]"))
		if loc := u.location(); !strings.Contains(loc, "theme=2") {
			t.Errorf("the filter was not applied: %s", loc)
		}
		if v := u.eval("theme kept", `document.querySelector("select[name=theme]").value`); v != "2" {
			t.Errorf("the theme chosen was not kept: %v", v)
		}
	})
}
