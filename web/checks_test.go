package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kexuan/domain"
	"kexuan/plan"
	"kexuan/store/storetest"
)

// withChecks replaces the env's plan with the built-in one and a [checks]
// section: 绝密 forbidden, 科技局 to be written 科学技术局, the first channel
// at least 50 字.
func withChecks(t *testing.T, e *env) *plan.Plan {
	t.Helper()
	p0, src := plan.Builtin()
	s := string(src) + "\n[checks]\nforbidden = [\"绝密\"]\npreferred = { \"科技局\" = \"科学技术局\" }\nmin_words = { " + p0.Channels[0].Code + " = 50 }\n"
	p, err := plan.Parse("checks.toml", []byte(s))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.LoadPlan(t.Context(), nil, p, []byte(s), true, "质量检查规则"); err != nil {
		t.Fatal(err)
	}
	return p
}

// The quality gate through the API and the pages: the findings with their
// places and the text they count in; a piece holding a forbidden word is
// not submitted, and says why on its page; what remains is told on
// submission and shown to the reviewer.
func TestQualityGate(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		p := withChecks(t, e)
		ch := p.Channels[0].Code
		rep := e.as("reporter")
		res, body := rep.do("POST", "/api/v1/checks", map[string]any{"title": "召开大会。", "body": "<p>金水区科技局的的成果</p>", "channel": ch})
		if res.StatusCode != 200 {
			t.Fatalf("checks: %d %s", res.StatusCode, body)
		}
		var out struct {
			Checks []struct {
				Kind, Severity, Message, Suggestion string
				At, Length                          int
				Fix                                 bool
			}
			Text string
		}
		decodeJSON(t, body, &out)
		var got []string
		for _, c := range out.Checks {
			got = append(got, c.Kind)
		}
		if strings.Join(got, ",") != "title_punctuation,min_words,preferred,doubled" || out.Text != "召开大会。\n金水区科技局的的成果" {
			t.Errorf("findings %v in %q", got, out.Text)
		}
		if c := out.Checks[2]; c.At != 9 || c.Length != 3 || c.Suggestion != "科学技术局" || !c.Fix {
			t.Errorf("the preferred form: %+v", c)
		}
		if res, _ := e.as("office").do("POST", "/api/v1/checks", map[string]any{"title": "t", "body": "b"}); res.StatusCode != 403 {
			t.Errorf("the office checks (it writes no pieces): %d", res.StatusCode)
		}
		if res, _ := rep.do("POST", "/api/v1/checks", map[string]any{"title": "t", "body": "b", "channel": "no-such-channel"}); res.StatusCode != 422 {
			t.Errorf("an unknown channel: %d", res.StatusCode)
		}

		// A forbidden word: not submitted, by the page or the API.
		res, body = rep.do("POST", "/api/v1/pieces", map[string]any{"title": "关于绝密事项", "body": "<p>此事绝密。</p>", "themes": []int{1}, "channels": []string{ch}})
		if res.StatusCode != 201 {
			t.Fatalf("create: %d %s", res.StatusCode, body)
		}
		var pc pieceOut
		decodeJSON(t, body, &pc)
		res, page := rep.form("/pieces/"+itoa(pc.ID)+"/submit", url.Values{}, true)
		if res.StatusCode != 422 || !strings.Contains(page, `id="submit-error"`) || !strings.Contains(page, "标题第 3 字") || !strings.Contains(page, `id="piece-checks"`) {
			t.Errorf("submitting a forbidden word from the page: %d %.400s", res.StatusCode, page)
		}
		if res, body := rep.do("POST", "/api/v1/pieces/"+itoa(pc.ID)+"/submit", nil); res.StatusCode != 422 || !strings.Contains(body, "绝密") {
			t.Errorf("submitting a forbidden word by the API: %d %s", res.StatusCode, body)
		}
		if got, _ := e.db.Q().Piece(t.Context(), pc.ID); got.State != domain.StateDraft {
			t.Errorf("refused, yet %s", got.State)
		}

		// Warnings only: submitted, told how many remain; the leader sees them.
		res, body = rep.do("POST", "/api/v1/pieces", map[string]any{"title": "科技局召开大会。", "body": "<p>全区企业参加。</p>", "themes": []int{1}, "channels": []string{ch}})
		if res.StatusCode != 201 {
			t.Fatalf("create: %d %s", res.StatusCode, body)
		}
		decodeJSON(t, body, &pc)
		res, _ = rep.form("/pieces/"+itoa(pc.ID)+"/submit", url.Values{}, true)
		if res.StatusCode != 303 {
			t.Fatalf("submit with warnings: %d", res.StatusCode)
		}
		if _, page := rep.do("GET", "/pieces/"+itoa(pc.ID), nil); !strings.Contains(page, "检查还有 3 处提示") {
			t.Errorf("the submission does not say what remains: %.300s", page)
		}
		if _, page := e.as("leader").do("GET", "/pieces/"+itoa(pc.ID), nil); !strings.Contains(page, `id="piece-checks"`) || !strings.Contains(page, "宜写作“科学技术局”") {
			t.Error("the reviewer does not see the findings")
		}
	})
}

// In the editor the findings appear as one types, and a click applies a
// suggestion where it points, in the title or the text.
func TestBrowserQualityGate(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLite(t))
	withChecks(t, e)
	u := &ui{t: t, ctx: browser(t), e: e}
	u.login("reporter")
	u.run("write",
		chromedp.Navigate(e.ts.URL+"/pieces/new"),
		chromedp.WaitVisible(".ql-editor"),
		chromedp.SendKeys("#title", "召开大会。"),
		chromedp.Click(".ql-editor"),
		chromedp.SendKeys(".ql-editor", "金水区科技局召开会议的的成果"),
		poll(`document.querySelectorAll("#checks-list li").length >= 3`),
	)
	// The list is drawn anew after each answer: a button is clicked the
	// moment it is there, by the page's own script.
	click := func(kind string) chromedp.Action[chromedp.Void] {
		return poll(`(function () { var b = document.querySelector('#checks-list li[data-kind="` + kind + `"] button'); if (!b) { return false; } b.click(); return true; })()`)
	}
	u.run("apply the preferred form", click("preferred"),
		poll(`document.querySelector(".ql-editor").textContent.indexOf("金水区科学技术局召开") >= 0`))
	u.run("remove the doubled 的", click("doubled"),
		poll(`document.querySelector(".ql-editor").textContent.indexOf("会议的成果") >= 0`))
	u.run("the title's full stop", click("title_punctuation"),
		poll(`document.getElementById("title").value === "召开大会"`),
		poll(`document.querySelector('#checks-list li[data-kind="preferred"]') === null && document.querySelector('#checks-list li[data-kind="doubled"]') === null`))
}
