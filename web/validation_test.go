package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"kexuan/domain"
	"kexuan/store/storetest"
)

// What cannot be right is refused naming the field; what is right is
// accepted: a recorded 字数 above the piece's own without a reason; a
// commission due in a year with no plan yet; a new record's channel is the
// one the piece was written for.
func TestDataThatCannotBeWrong(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		office, rep, leader := e.as("office"), e.as("reporter"), e.as("leader")
		res, body := rep.do("POST", "/api/v1/pieces", map[string]any{"title": "时讯一篇", "body": "<p>金水区召开科技创新大会，共一百余家企业参加。</p>",
			"themes": []string{"1"}, "channels": []string{"shixun"}})
		var p pieceOut
		decodeJSON(t, body, &p)
		if res.StatusCode != 201 {
			t.Fatalf("create: %d %s", res.StatusCode, body)
		}
		rep.do("POST", "/api/v1/pieces/"+itoa(p.ID)+"/submit", nil)
		e.onYearStart(func() {
			if res, body := leader.do("POST", "/api/v1/pieces/"+itoa(p.ID)+"/approve", map[string]string{"comment": "同意"}); res.StatusCode != 200 {
				t.Fatalf("approve: %d %s", res.StatusCode, body)
			}
		})
		// The office's form starts on the channel the piece was written for.
		if _, page := office.do("GET", "/pieces/"+itoa(p.ID), nil); !strings.Contains(page, `<option value="shixun" selected>`) {
			t.Error("the record's channel does not default to the piece's")
		}
		res, body = office.do("POST", "/api/v1/pieces/"+itoa(p.ID)+"/adoptions", map[string]any{"channel": "shixun", "date": "2017-05-02", "words": 320})
		if res.StatusCode != 422 || !strings.Contains(body, `"field":"words"`) || !strings.Contains(body, "320") {
			t.Errorf("320 字 recorded for a shorter piece without a reason: %d %s", res.StatusCode, body)
		}
		if res, body = office.do("POST", "/api/v1/pieces/"+itoa(p.ID)+"/adoptions", map[string]any{"channel": "shixun", "date": "2017-05-02", "words": 320, "reason": "刊发时增补了会议数据"}); res.StatusCode != 201 {
			t.Errorf("with a reason: %d %s", res.StatusCode, body)
		}
		if res, body = office.do("POST", "/api/v1/pieces/"+itoa(p.ID)+"/adoptions", map[string]any{"channel": "intranet", "date": "2017-05-03", "words": 10}); res.StatusCode != 201 {
			t.Errorf("fewer 字 than the piece, no reason needed: %d %s", res.StatusCode, body)
		}
		// A commission due next year (no plan for it yet) is accepted.
		if res, body := leader.do("POST", "/api/v1/commissions", map[string]any{"department": e.users["reporter"].Department, "title": "新年展望", "due": "2018-01-10"}); res.StatusCode != 201 {
			t.Errorf("a commission due next year: %d %s", res.StatusCode, body)
		}
		if res, body := leader.do("POST", "/api/v1/commissions", map[string]any{"department": e.users["reporter"].Department, "title": "旧账", "due": "2016-12-10"}); res.StatusCode != 422 || !strings.Contains(body, `"field":"due"`) {
			t.Errorf("a commission due in a year before any plan: %d %s", res.StatusCode, body)
		}
		if rows := must(e.db.Q().AuditEntries(t.Context(), domain.AuditFilter{Action: "adoption_record"}))(t); len(rows) != 2 {
			t.Errorf("adoption audit rows: %d", len(rows))
		}
	})
}

// A list says how many it holds, and exports what its filter shows — all
// of it, not one page; a department's people export their department's.
func TestListCountsAndExports(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		for range 3 {
			e.newPiece("reporter", domain.StateApproved, false)
		}
		e.newPiece("reporter", domain.StateDraft, false)
		office, rep := e.as("office"), e.as("reporter")
		if _, page := office.do("GET", "/pieces?state=approved&limit=2", nil); !strings.Contains(page, "共 3 篇") || !strings.Contains(page, "第 1–2 条，共 3 条") || !strings.Contains(page, `href="/pieces/export.xlsx?state=approved"`) {
			t.Errorf("the approved list's count or export link")
		}
		res, body := office.do("GET", "/pieces/export.xlsx?state=approved", nil)
		if res.StatusCode != 200 || !strings.HasPrefix(body, "PK") {
			t.Fatalf("export: %d", res.StatusCode)
		}
		f, err := excelize.OpenReader(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows(f.GetSheetName(0))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range rows {
			if len(r) > 4 && r[4] == domain.StateApproved.Name() {
				n++
			}
		}
		if n != 3 {
			t.Errorf("the export holds %d approved pieces, want 3: %v", n, rows)
		}
		if _, page := rep.do("GET", "/pieces", nil); !strings.Contains(page, "共 4 篇") {
			t.Error("the reporter's count")
		}
		if rows := must(e.db.Q().AuditEntries(t.Context(), domain.AuditFilter{Action: "export", Object: "pieces.xlsx"}))(t); len(rows) != 1 {
			t.Errorf("export audit rows: %d", len(rows))
		}
	})
}

// Under /api/ every error is the JSON error shape: an unknown path, a
// method a route does not take, a body that is not JSON.
func TestAPIErrorsAreJSON(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLite(t))
	office := e.as("office")
	for _, c := range []struct {
		method, path string
		status       int
		code         string
	}{
		{"GET", "/api/v1/nothing", 404, domain.ENotFound},
		{"DELETE", "/api/v1/pieces", 405, ""},
		{"PUT", "/api/v1/report", 405, ""},
	} {
		res, body := office.do(c.method, c.path, nil)
		if res.StatusCode != c.status || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") || !strings.Contains(body, `"error":{`) ||
			c.code != "" && !strings.Contains(body, `"code":"`+c.code+`"`) {
			t.Errorf("%s %s: %d %s %s", c.method, c.path, res.StatusCode, res.Header.Get("Content-Type"), body)
		}
	}
	req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/adjustments", strings.NewReader("{not json"))
	req.Header.Set("Content-Type", "application/json")
	if res, body := office.send(req); res.StatusCode != 400 && res.StatusCode != 422 || !strings.Contains(body, `"error":{`) {
		t.Errorf("a body that is not JSON: %d %s", res.StatusCode, body)
	}
}
