package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/store/storetest"
)

// Visits: a department records its own, the office any; the board counts
// them against the plan's 每月不少于两次 by department and month; a
// department sees its own visits only.
func TestVisits(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		// The year is 2017, on its 20th of July.
		e.app.Now = func() time.Time { return time.Date(2017, 7, 20, 10, 0, 0, 0, time.UTC) }
		office, rep, rep2, leader := e.as("office"), e.as("reporter"), e.as("reporter2"), e.as("leader")
		res, body := office.do("POST", "/api/v1/enterprises", map[string]any{"name": "郑州云智科技有限公司", "credit_code": "91410105MA44PQ3R1K", "park": "金水科教园区"})
		if res.StatusCode != 201 {
			t.Fatalf("enterprise: %d %s", res.StatusCode, body)
		}
		var ent struct{ ID int64 }
		decodeJSON(t, body, &ent)
		visit := func(c *client, body map[string]any) (int, string) {
			t.Helper()
			res, out := c.do("POST", "/api/v1/visits", body)
			return res.StatusCode, out
		}
		// 高新科: two visits in March, one in April; none in May or June.
		for _, d := range []string{"2017-03-02", "2017-03-20", "2017-04-11"} {
			if code, out := visit(rep, map[string]any{"date": d, "people": []string{"李信息", "王科长"}, "enterprise_ids": []int64{ent.ID},
				"needs": "研发场地不足", "problems": "融资难", "highlights": "新获发明专利 3 项", "follow_up": "对接科技金融"}); code != 201 {
				t.Fatalf("visit %s: %d %s", d, code, out)
			}
		}
		// The office records for 知识产权科; a reporter cannot record for another department.
		if code, out := visit(office, map[string]any{"date": "2017-07-03", "department": "ip", "people": []string{"赵"}, "park": "北区"}); code != 201 {
			t.Fatalf("office for ip: %d %s", code, out)
		}
		if code, _ := visit(rep, map[string]any{"date": "2017-07-03", "department": "ip", "people": []string{"x"}, "park": "北区"}); code != 403 {
			t.Errorf("a reporter records for another department: %d", code)
		}
		for body, field := range map[string]map[string]any{
			"people":         {"date": "2017-07-03", "people": []string{}, "park": "北区"},
			"enterprise_ids": {"date": "2017-07-03", "people": []string{"x"}},
			"date":           {"date": "2017-07-21", "people": []string{"x"}, "park": "北区"},
		} {
			code, out := visit(rep, field)
			if code != 422 || !strings.Contains(out, `"field":"`+body+`"`) {
				t.Errorf("without %s: %d %s", body, code, out)
			}
		}
		if code, _ := visit(leader, map[string]any{"date": "2017-07-03", "department": "hightech", "people": []string{"x"}, "park": "北区"}); code != 403 {
			t.Errorf("a leader records a visit: %d", code)
		}
		var sum struct {
			Departments []struct {
				Code   string
				Months []struct {
					Month    string
					Visits   int
					Required int
					Met      bool
					Status   string
				}
			}
		}
		_, body = leader.do("GET", "/api/v1/visits/summary?year=2017", nil)
		decodeJSON(t, body, &sum)
		months := map[string]string{}
		for _, d := range sum.Departments {
			if d.Code != "hightech" {
				continue
			}
			if len(d.Months) != 7 {
				t.Fatalf("hightech has %d months as of July", len(d.Months))
			}
			for _, m := range d.Months {
				months[m.Month] = strings.Join([]string{itoa(int64(m.Visits)), itoa(int64(m.Required)), m.Status}, "/")
			}
		}
		for m, want := range map[string]string{"2017-03": "2/2/met", "2017-04": "1/2/short", "2017-05": "0/2/short", "2017-07": "0/2/open"} {
			if months[m] != want {
				t.Errorf("hightech %s: %s, want %s", m, months[m], want)
			}
		}
		if len(sum.Departments) != 5 {
			t.Errorf("%d departments owe visits, want the plan's 5", len(sum.Departments))
		}
		// A department sees its own visits; the leader all.
		var list struct{ Visits []struct{ Department string } }
		_, body = rep2.do("GET", "/api/v1/visits", nil)
		decodeJSON(t, body, &list)
		if len(list.Visits) != 1 || list.Visits[0].Department != "ip" {
			t.Errorf("ip's reporter sees %+v", list.Visits)
		}
		_, body = leader.do("GET", "/api/v1/visits", nil)
		list.Visits = nil
		decodeJSON(t, body, &list)
		if len(list.Visits) != 4 {
			t.Errorf("the leader sees %d visits", len(list.Visits))
		}
		// The page: the board, the list, and a refused form kept.
		res, page := rep.form("/visits", url.Values{"date": {"2017-07-05"}, "people": {"甲、乙"}, "needs": {"场地"}}, true)
		if res.StatusCode != 422 || !strings.Contains(page, `value="甲、乙"`) || !strings.Contains(page, ">场地</textarea>") {
			t.Errorf("refused visit form: %d", res.StatusCode)
		}
		_, page = office.do("GET", "/visits", nil)
		for _, want := range []string{`id="visit-board"`, `class="num v-short"`, "郑州云智科技有限公司", "研发场地不足"} {
			if !strings.Contains(page, want) {
				t.Errorf("the visits page lacks %s", want)
			}
		}
		// 本月 shows each department's visits against the plan (March: 高新科 met).
		_, page = office.do("GET", "/month?month=2017-03", nil)
		row := page[strings.Index(page, `id="month-hightech"`):]
		row = row[:strings.Index(row, "</tr>")]
		if !strings.Contains(row, `<span class="st st-green">2/2</span>`) {
			t.Errorf("本月 lacks 高新科's March visits: %s", row)
		}
		_, page = office.do("GET", "/month?month=2017-05", nil)
		row = page[strings.Index(page, `id="month-hightech"`):]
		if row = row[:strings.Index(row, "</tr>")]; !strings.Contains(row, `<span class="st st-red">0/2</span>`) {
			t.Errorf("本月 does not show 高新科 short of May's visits: %s", row)
		}
		if n := must(e.app.AuditLog(context.Background(), e.actor("auditor"), domain.AuditFilter{Action: "visit_record", Result: domain.AuditOK}, app.PageQuery{Limit: 10}))(t); len(n.Items) != 4 {
			t.Errorf("%d visit audit rows", len(n.Items))
		}
	})
}
