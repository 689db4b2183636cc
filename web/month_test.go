package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/plan"
	"kexuan/store/storetest"
)

// 本月: on 2017-03-28, three days before the month's end (within the plan's
// five warning days), hightech has verified its 园区动态信息, recorded one of
// its two 科技资源亮点 (waiting for the office) and has one piece waiting for
// review; the office sees red with what is missing, the pace to the year's
// targets, and may 催报; the department sees only itself.
func TestMonthPage(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		now := time.Date(2017, 3, 28, 10, 0, 0, 0, plan.DefaultLocation())
		e.app.Now = func() time.Time { return now }
		rep := &app.Actor{User: e.users["reporter"], Address: "test"}
		lead := &app.Actor{User: e.users["leader"], Address: "test"}
		office := &app.Actor{User: e.users["office"], Address: "test"}
		approved := func(title string) int64 {
			p, err := e.app.CreatePiece(ctx, rep, app.PieceInput{Title: title, Body: "<p>金水区科技创新。</p>"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.app.Submit(ctx, rep, p.ID); err != nil {
				t.Fatal(err)
			}
			e.onYearStart(func() {
				if _, err := e.app.Approve(ctx, lead, p.ID, ""); err != nil {
					t.Fatal(err)
				}
			})
			return p.ID
		}
		park, err := e.app.RecordAdoption(ctx, rep, approved("园区动态"), app.AdoptionInput{Channel: "park_news", Date: "2017-03-10"})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.app.Verify(ctx, office, park.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := e.app.RecordAdoption(ctx, rep, approved("资源亮点"), app.AdoptionInput{Channel: "resource_highlight", Date: "2017-03-20"}); err != nil {
			t.Fatal(err)
		}
		p, err := e.app.CreatePiece(ctx, rep, app.PieceInput{Title: "待审稿件", Body: "<p>待审。</p>"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.app.Submit(ctx, rep, p.ID); err != nil {
			t.Fatal(err)
		}

		mv, err := e.app.Month(ctx, office, plan.Month{})
		if err != nil {
			t.Fatal(err)
		}
		if mv.Month.String() != "2017-03" || mv.DaysLeft != 4 || mv.Over {
			t.Fatalf("month %s, %d days left, over %v", mv.Month, mv.DaysLeft, mv.Over)
		}
		var ht *app.MonthDept
		for i := range mv.Departments {
			if mv.Departments[i].Code == "hightech" {
				ht = &mv.Departments[i]
			}
		}
		if ht == nil || len(ht.Quotas) != 2 {
			t.Fatalf("hightech's month: %+v", ht)
		}
		for _, q := range ht.Quotas {
			switch q.Category.Code {
			case "park_news":
				if q.Verified != 1 || q.Status != app.StatusGreen {
					t.Errorf("园区动态信息: %+v", q)
				}
			case "resource_highlight":
				if q.Verified != 0 || q.Pending != 1 || q.Missing != 1 || q.Status != app.StatusRed {
					t.Errorf("科技资源亮点: %+v", q)
				}
			}
		}
		if ht.Status != app.StatusRed || ht.Reviews != 1 || ht.Verifications != 1 {
			t.Errorf("hightech: status %s, %d reviews, %d verifications", ht.Status, ht.Reviews, ht.Verifications)
		}
		if len(ht.Pace) == 0 || !strings.Contains(strings.Join(ht.Pace, "|"), "还差") {
			t.Errorf("no pace to the year targets: %v", ht.Pace)
		}
		// The office's first page is 本月, with 催报; a department sees itself only.
		_, page := e.as("office").do("GET", "/", nil)
		if !strings.Contains(page, `id="month-hightech"`) || !strings.Contains(page, "/departments/hightech/remind") || !strings.Contains(page, "还差 1 条") {
			t.Errorf("the office's 本月 page lacks hightech's row, its 催报 or what is missing")
		}
		_, page = e.as("reporter").do("GET", "/month", nil)
		if !strings.Contains(page, `id="month-hightech"`) || strings.Contains(page, `id="month-ip"`) || strings.Contains(page, "/remind") {
			t.Error("a reporter's 本月 shows other departments or 催报")
		}
		// After the month: red means deducted.
		now = time.Date(2017, 4, 2, 10, 0, 0, 0, plan.DefaultLocation())
		mv, err = e.app.Month(ctx, e.actor("reporter"), plan.Month{Year: 2017, Month: 3})
		if err != nil {
			t.Fatal(err)
		}
		if !mv.Over || len(mv.Departments) != 1 || mv.Departments[0].Status != app.StatusRed {
			t.Errorf("March seen in April by its reporter: %+v", mv)
		}
		if _, err := e.app.Month(ctx, e.actor("admin"), plan.Month{}); domain.ErrorOf(err).Code != domain.EForbidden {
			t.Errorf("the administrator reads 本月: %v", err)
		}
	})
}

// The office closes a month from 本月; a late record in it needs a reason
// and shows as a correction; only the chief reopens it.
func TestPeriodsWeb(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		office, chief := e.as("office"), e.as("chief")
		id := e.newPiece("reporter", domain.StateApproved, false)
		if res, body := office.do("POST", "/api/v1/pieces/"+itoa(id)+"/adoptions", map[string]any{"channel": "intranet", "date": "2017-03-05"}); res.StatusCode != 201 {
			t.Fatalf("adopt: %d %s", res.StatusCode, body)
		}
		_, page := office.do("GET", "/month?month=2017-03", nil)
		if !strings.Contains(page, `id="close-form"`) {
			t.Fatal("no 结账 form on a past month")
		}
		if res, _ := office.form("/periods", url.Values{"period": {"2017-03"}, "reason": {"三月已通报"}}, true); res.StatusCode != 303 {
			t.Fatalf("close: %d", res.StatusCode)
		}
		if _, page := office.do("GET", "/month?month=2017-03", nil); !strings.Contains(page, `id="period-link"`) {
			t.Error("本月 does not say March is closed")
		}
		id2 := e.newPiece("reporter", domain.StateApproved, false)
		res, body := office.do("POST", "/api/v1/pieces/"+itoa(id2)+"/adoptions", map[string]any{"channel": "intranet", "date": "2017-03-20"})
		if res.StatusCode != 422 || !strings.Contains(body, `"field":"reason"`) {
			t.Fatalf("a record in a closed month without a reason: %d %s", res.StatusCode, body)
		}
		if res, body := office.do("POST", "/api/v1/pieces/"+itoa(id2)+"/adoptions", map[string]any{"channel": "intranet", "date": "2017-03-20", "reason": "漏登"}); res.StatusCode != 201 {
			t.Fatalf("with a reason: %d %s", res.StatusCode, body)
		}
		var p struct {
			Snapshot struct {
				AsOf string `json:"as_of"`
			} `json:"snapshot"`
			Corrections []struct {
				Department, Field, Reason string
				Before, After             float64
			} `json:"corrections"`
		}
		_, body = office.do("GET", "/api/v1/periods/2017-03", nil)
		decodeJSON(t, body, &p)
		found := false
		for _, c := range p.Corrections {
			found = found || c.Department == "hightech" && c.Field == "total" && c.After == c.Before+1 && c.Reason == "漏登"
		}
		if p.Snapshot.AsOf != "2017-03-31" || !found {
			t.Errorf("period: %s", body)
		}
		if _, page := e.as("reporter").do("GET", "/periods/2017-03", nil); !strings.Contains(page, "漏登") {
			t.Error("the period page does not list the correction")
		}
		if res, _ := e.as("leader").do("POST", "/api/v1/periods/2017-03/reopen", map[string]string{"reason": "x"}); res.StatusCode != 403 {
			t.Errorf("a leader reopens: %d", res.StatusCode)
		}
		if res, body := chief.do("POST", "/api/v1/periods/2017-03/reopen", map[string]string{"reason": "数据需全面复核"}); res.StatusCode != 200 {
			t.Errorf("the chief reopens: %d %s", res.StatusCode, body)
		}
		if res, _ := office.do("GET", "/api/v1/periods/2017-03", nil); res.StatusCode != 404 {
			t.Errorf("a reopened period still shows closed: %d", res.StatusCode)
		}
	})
}
