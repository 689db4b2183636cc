package web_test

import (
	"net/url"
	"strings"
	"testing"

	"kexuan/store/storetest"
)

// The office's 加减分 through the API and the pages: counted in the report
// and its JSON field, shown on the department's page and in its ledger,
// reversed once, refused to others.
func TestAdjustmentsWeb(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		office, rep := e.as("office"), e.as("reporter")
		report := func() (adj, total float64) {
			t.Helper()
			var r struct {
				Departments []struct {
					Code       string
					Adjustment float64
					Total      float64
				}
			}
			_, body := office.do("GET", "/api/v1/report?year=2017&as_of=2017-12-31", nil)
			decodeJSON(t, body, &r)
			for _, d := range r.Departments {
				if d.Code == "hightech" {
					return d.Adjustment, d.Total
				}
			}
			t.Fatal("no hightech")
			return 0, 0
		}
		_, before := report()
		if res, body := rep.do("POST", "/api/v1/adjustments", map[string]any{"department": "hightech", "date": "2017-06-01", "points": 5, "reason": "自己加"}); res.StatusCode != 403 {
			t.Errorf("a reporter adjusts: %d %s", res.StatusCode, body)
		}
		res, body := office.do("POST", "/api/v1/adjustments", map[string]any{"department": "hightech", "date": "2017-06-01", "points": 2.5, "category": "shixun", "reason": "稿件获市级表彰"})
		if res.StatusCode != 201 {
			t.Fatalf("record: %d %s", res.StatusCode, body)
		}
		var adj struct {
			ID     int64   `json:"id"`
			Points float64 `json:"points"`
		}
		decodeJSON(t, body, &adj)
		if a, tot := report(); a != 2.5 || tot != before+2.5 {
			t.Errorf("report after +2.5: adjustment %v total %v (before %v)", a, tot, before)
		}
		if res, body := office.do("POST", "/api/v1/adjustments", map[string]any{"department": "hightech", "date": "2017-06-01", "points": 1, "reason": ""}); res.StatusCode != 422 || !strings.Contains(body, `"field":"reason"`) {
			t.Errorf("no reason: %d %s", res.StatusCode, body)
		}
		// The department sees it on its page and in its ledger; another department does not list it.
		if _, page := rep.do("GET", "/departments/hightech?year=2017&as_of=2017-12-31", nil); !strings.Contains(page, "加减分") {
			t.Error("the department page does not show the adjustment")
		}
		if _, page := rep.do("GET", "/ledger/hightech?year=2017&as_of=2017-12-31&kind=adjustment", nil); !strings.Contains(page, "稿件获市级表彰") {
			t.Error("the ledger does not show the adjustment's reason")
		}
		if _, body := e.as("reporter2").do("GET", "/api/v1/adjustments?year=2017", nil); strings.Contains(body, "稿件获市级表彰") {
			t.Error("another department lists hightech's adjustment")
		}
		// Reversed through the page form, once.
		vals := url.Values{"reason": {"录入有误"}}
		if res, body := office.form("/adjustments/"+itoa(adj.ID)+"/reverse", vals, true); res.StatusCode != 303 {
			t.Fatalf("reverse: %d %s", res.StatusCode, body)
		}
		if res, _ := office.do("POST", "/api/v1/adjustments/"+itoa(adj.ID)+"/reverse", map[string]string{"reason": "again"}); res.StatusCode != 409 {
			t.Errorf("reversed twice: %d", res.StatusCode)
		}
		if a, tot := report(); a != 0 || tot != before {
			t.Errorf("after the reversal: adjustment %v total %v", a, tot)
		}
		if _, page := office.do("GET", "/adjustments?year=2017", nil); !strings.Contains(page, `id="adjustment-form"`) || !strings.Contains(page, "冲销第 "+itoa(adj.ID)+" 笔") {
			t.Error("the office's page lacks the form or the reversal")
		}
		if _, page := rep.do("GET", "/adjustments?year=2017", nil); strings.Contains(page, `id="adjustment-form"`) {
			t.Error("a reporter sees the form")
		}
	})
}
