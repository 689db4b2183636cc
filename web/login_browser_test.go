package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kexuan/store/storetest"
)

// A mistyped password, then the right one in the form that came back: the
// first page, not 403 页面已过期 (the form's new token reached the browser).
func TestBrowserLoginAfterWrongPassword(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		u := &ui{t: t, ctx: browser(t), e: e}
		u.run("a wrong password",
			chromedp.Navigate(e.ts.URL+"/login"),
			chromedp.WaitVisible("#username"),
			chromedp.SendKeys("#username", "reporter"),
			chromedp.SendKeys("#password", "not-the-password"),
			submitClick("#login-submit"),
			chromedp.WaitVisible("#password"),
		)
		if msg := u.text("main"); !strings.Contains(msg, "用户名或密码") {
			t.Errorf("after a wrong password the form says %q", msg)
		}
		u.run("the right password",
			js(`document.getElementById("password").value = ""`),
			chromedp.SendKeys("#password", testPassword),
			submitClick("#login-submit"),
		)
		if text := u.text("body"); strings.Contains(text, "页面已过期") {
			t.Fatalf("the right password after a wrong one: %.200s", text)
		}
		u.run("the first page", chromedp.WaitVisible("#whoami"))
		if loc := u.location(); !strings.HasSuffix(loc, "/") {
			t.Errorf("signed in at %s, not the first page", loc)
		}
	})
}

// js runs a JavaScript statement in the page.
func js(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[any](expr)(ctx, t)
		return err
	})
}
