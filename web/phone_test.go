package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kexuan/store/storetest"
)

// phoneCheck finds, on the page as a phone shows it, what does not fit:
// the page wider than the screen, an input under 16 px (the phone zooms
// in on focus), a visible button under 44 px high.
const phoneCheck = `(function () {
  var out = [];
  var w = Math.max(document.documentElement.scrollWidth, window.innerWidth);
  if (w > 390 + 1) {
    var wide = [];
    document.querySelectorAll("body *").forEach(function (el) {
      var r = el.getBoundingClientRect();
      if (r.right > 390 + 1 && r.width > 0 && !el.closest("table.grid") && getComputedStyle(el).position !== "fixed") {
        wide.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + String(el.className).split(" ")[0] : "") + " " + Math.round(r.right));
      }
    });
    out.push("the page is " + w + " px wide: " + wide.slice(0, 5).join(", "));
  }
  document.querySelectorAll("input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=file]), select, textarea").forEach(function (el) {
    if (el.offsetParent === null) return;
    var fs = parseFloat(getComputedStyle(el).fontSize);
    if (fs < 16) out.push("input " + (el.name || el.id) + " at " + fs + " px");
  });
  document.querySelectorAll("button, .button").forEach(function (el) {
    if (el.offsetParent === null) return;
    var h = el.getBoundingClientRect().height;
    if (h < 43.5) out.push("button " + (el.id || el.textContent.trim().slice(0, 12)) + " " + Math.round(h) + " px high");
  });
  return out;
})()`

// Every page every demo role can reach, on a phone (390 × 844): nothing
// scrolls sideways, inputs do not zoom, buttons can be hit; the menu folds
// behind a button that opens it.
func TestPagesFitAPhone(t *testing.T) {
	t.Parallel()
	e, pw := demoEnv(t, storetest.SQLite(t))
	for _, role := range demoRoles {
		t.Run(role, func(t *testing.T) {
			t.Parallel()
			e := e.in(t)
			pages := crawl(t, e, role, e.demoAs(role, pw[role]))
			ctx := browser(t)
			u := &ui{t: t, ctx: ctx, e: e}
			u.run("a phone's screen", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(3)))
			u.loginWith(role, pw[role])
			if w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`screen.width`)); err != nil || w != 390 {
				t.Fatalf("the screen is %d px wide, not a phone's (%v)", w, err)
			}
			// The menu: folded, and opened by its button.
			navShown := chromedp.Evaluate[bool](`getComputedStyle(document.getElementById("main-nav")).display !== "none"`)
			if shown, err := chromedp.Run(ctx, navShown); err != nil || shown {
				t.Errorf("the menu is open on a phone before its button is pressed (%v)", err)
			}
			u.run("the menu opens", chromedp.Click("#menu-toggle"))
			if shown, err := chromedp.Run(ctx, navShown); err != nil || !shown {
				t.Errorf("the menu button does not open the menu (%v)", err)
			}
			shapes := map[string]bool{}
			for _, p := range pages {
				pu, _ := url.Parse(p)
				if shapes[shape(pu)] {
					continue
				}
				shapes[shape(pu)] = true
				u.run("open "+p, chromedp.Navigate(e.ts.URL+p), poll(`document.readyState === "complete"`))
				probs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](phoneCheck))
				if err != nil {
					t.Fatalf("%s %s: %v", role, p, err)
				}
				for _, pr := range probs {
					t.Errorf("%s %s: %s", role, p, pr)
				}
			}
			if len(shapes) < 3 {
				t.Errorf("%s: only %d pages: %s", role, len(shapes), strings.Join(pages, " "))
			}
		})
	}
}
