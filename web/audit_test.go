package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/store/storetest"
)

// The audit page verifies the hash chain on demand (it reads the whole log),
// not on every view.
func TestAuditChainOnDemand(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLite(t))
	admin := e.as("auditor")
	_, page := admin.do("GET", "/admin/audit", nil)
	if strings.Contains(page, `id="verify-result"`) || !strings.Contains(page, `id="verify-chain"`) {
		t.Errorf("the chain was verified on a plain view, or no way to ask for it")
	}
	_, page = admin.do("GET", "/admin/audit?verify=1", nil)
	if !strings.Contains(page, "审计日志完整：") || !strings.Contains(page, "链无断裂") {
		t.Errorf("?verify=1 did not report the chain")
	}
}

// The audit log reads in Chinese and is searched in Chinese.
func TestAuditInChinese(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLite(t))
	admin := e.as("auditor")
	_, page := admin.do("GET", "/admin/audit?action="+url.QueryEscape("登录"), nil)
	if !strings.Contains(page, `title="login">登录<`) || !strings.Contains(page, "成功") || strings.Contains(page, `title="user_create"`) {
		t.Errorf("the audit log searched for 登录 does not show the sign-ins in Chinese")
	}
}

// The password form asks for the new password twice; a mismatch is said,
// nothing changes.
func TestPasswordConfirm(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLite(t))
	c := e.as("reporter")
	res, page := c.form("/password", url.Values{"old_password": {testPassword}, "new_password": {"Brand-new-9x!"}, "confirm_password": {"Brand-new-9y!"}}, true)
	if res.StatusCode != 422 || !strings.Contains(page, "两次输入的新密码不一致") {
		t.Errorf("mismatch: %d", res.StatusCode)
	}
	if res, _ := e.anon().do("POST", "/api/v1/login", map[string]string{"username": "reporter", "password": testPassword}); res.StatusCode != 200 {
		t.Errorf("the password changed on a mismatch: %d", res.StatusCode)
	}
}

// The dashboard lists departments by rank (the plan's order on request),
// with 得分率 beside 完成率.
func TestDashboardByRank(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLite(t))
	id := e.newPiece("reporter2", domain.StateApproved, false) // ip gets a point: rank 1
	office := e.as("office")
	if res, body := office.do("POST", "/api/v1/pieces/"+itoa(id)+"/adoptions", map[string]any{"channel": "intranet", "date": "2017-03-02"}); res.StatusCode != 201 {
		t.Fatalf("adopt: %d %s", res.StatusCode, body)
	}
	order := func(path string) []string {
		_, page := office.do("GET", path, nil)
		var out []string
		for _, m := range regexp.MustCompile(`data-department="([a-z_]+)"`).FindAllStringSubmatch(page, -1) {
			out = append(out, m[1])
		}
		if !strings.Contains(page, "得分率") {
			t.Error("no 得分率 column")
		}
		return out
	}
	if got := order("/dashboard?year=2017&as_of=2017-03-30"); len(got) != 6 || got[0] != "ip" {
		t.Errorf("by rank: %v", got)
	}
	if got := order("/dashboard?year=2017&as_of=2017-03-30&order=plan"); len(got) != 6 || got[0] == "ip" {
		t.Errorf("in the plan's order: %v", got)
	}
}

// Static files go compressed to a browser that takes gzip, and the
// versioned libraries are cached for a year.
func TestStaticCompressed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLite(t))
	req, err := http.NewRequest("GET", e.ts.URL+"/static/vendor/echarts-5.6.0.min.js", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.Header.Get("Content-Encoding") != "gzip" || len(body) > 500_000 || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("echarts: %s, %d bytes, %s", res.Header.Get("Content-Encoding"), len(body), res.Header.Get("Cache-Control"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil || len(raw) < 900_000 {
		t.Errorf("decompressed %d bytes: %v", len(raw), err)
	}
	if res, _ := e.anon().do("GET", "/static/app.css", nil); res.StatusCode != 200 {
		t.Errorf("app.css: %d", res.StatusCode)
	}
}

// The audit log is searched by dates as well, and exported as a CSV a
// spreadsheet opens (Chinese headers and action names), the export itself
// audited.
func TestAuditDatesAndExport(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		admin := e.as("auditor")
		e.as("reporter")
		today := e.app.Now().In(e.app.Zone(context.Background())).Format("2006-01-02")
		count := func(query string) int {
			t.Helper()
			res, body := admin.do("GET", "/api/v1/audit?limit=100&"+query, nil)
			if res.StatusCode != 200 {
				t.Fatalf("%s: %d %s", query, res.StatusCode, body)
			}
			var out struct{ Entries []struct{ Action string } }
			decodeJSON(t, body, &out)
			return len(out.Entries)
		}
		if n := count("from=" + today + "&to=" + today); n == 0 {
			t.Error("nothing found for today")
		}
		if n := count("to=2000-01-01"); n != 0 {
			t.Errorf("%d entries before 2000", n)
		}
		if res, _ := admin.do("GET", "/api/v1/audit?from=2017-02-30", nil); res.StatusCode != 422 {
			t.Errorf("a bad date: %d", res.StatusCode)
		}
		res, body := admin.do("GET", "/admin/audit/export.csv?action="+url.QueryEscape("登录")+"&from="+today, nil)
		if res.StatusCode != 200 || !strings.HasPrefix(body, "\ufeff编号,时间,用户,角色,地址,操作,对象,结果,说明") || !strings.Contains(body, ",登录,") {
			t.Fatalf("export: %d %.300s", res.StatusCode, body)
		}
		if strings.Contains(body, "piece_create") || strings.Contains(body, ",login,") {
			t.Error("the export holds codes, not names")
		}
		if res, _ := e.as("office").do("GET", "/admin/audit/export.csv", nil); res.StatusCode != 403 {
			t.Errorf("the office exports the audit log: %d", res.StatusCode)
		}
		entries := must(e.app.AuditLog(context.Background(), e.actor("auditor"), domain.AuditFilter{Action: "export", Object: "audit_log.csv", Result: domain.AuditOK}, app.PageQuery{Limit: 5}))(t)
		if len(entries.Items) != 1 {
			t.Errorf("the export's audit rows: %d", len(entries.Items))
		}
	})
}

// The export link of a filtered audit search carries the search: the CSV it
// gives holds the filtered rows only. A reveal on a filtered enterprise list
// keeps the list's filters.
func TestAuditExportKeepsFilter(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		e.as("reporter")
		e.as("office")
		auditor := e.as("auditor")
		_, page := auditor.do("GET", "/admin/audit?result=ok&username=reporter", nil)
		m := regexp.MustCompile(`id="export-audit" href="([^"]+)"`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no export link on the filtered page")
		}
		link := html.UnescapeString(m[1])
		if strings.Contains(strings.ToLower(link), "%3d") || !strings.Contains(link, "username=reporter") {
			t.Fatalf("the export link lost the filter: %s", link)
		}
		res, body := auditor.do("GET", link, nil)
		if res.StatusCode != 200 {
			t.Fatalf("export %s: %d", link, res.StatusCode)
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
		if err != nil || len(rows) < 2 {
			t.Fatalf("export: %v %d rows", err, len(rows))
		}
		for _, r := range rows[1:] {
			if r[2] != "reporter" {
				t.Fatalf("the filtered export holds %v", r)
			}
		}
	})
}

// englishSentence is two English words in a row: what an audit row never
// says (a file name or HMAC-SM3 is one token).
var englishSentence = regexp.MustCompile(`[A-Za-z]{3,}[ ,;:=]+[A-Za-z]{3,}`)

// The audit trail says in Chinese what happened to what: every row's object
// in Chinese with its name or title beside its id, no English sentence in
// its reason — on the page and in the export.
func TestAuditTrailInChinese(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		id := e.newPiece("reporter", domain.StateApproved, false)
		e.anon().do("POST", "/api/v1/login", map[string]string{"username": "reporter", "password": "wrong"})
		e.anon().do("POST", "/api/v1/login", map[string]string{"username": "nobody", "password": "wrong"})
		e.as("reporter").do("GET", "/admin/audit", nil) // refused: a route the role lacks
		office := e.as("office")
		office.do("POST", "/api/v1/pieces/"+itoa(id)+"/adoptions", map[string]any{"channel": "intranet", "date": "2017-05-02"})
		auditor := e.as("auditor")
		res, body := auditor.do("GET", "/api/v1/audit?limit=100", nil)
		var out struct {
			Entries []struct{ Action, Object, ObjectName, Reason string } `json:"entries"`
		}
		if res.StatusCode != 200 {
			t.Fatalf("audit: %d %s", res.StatusCode, body)
		}
		decodeJSON(t, strings.ReplaceAll(body, `"object_name"`, `"objectname"`), &out)
		han := regexp.MustCompile(`\p{Han}`)
		titled := false
		for _, en := range out.Entries {
			if en.Object != "" && !han.MatchString(en.ObjectName) {
				t.Errorf("%s: the object %q is said %q", en.Action, en.Object, en.ObjectName)
			}
			if m := englishSentence.FindString(en.Reason); m != "" {
				t.Errorf("%s on %s: the reason %q is English (%q)", en.Action, en.Object, en.Reason, m)
			}
			titled = titled || en.Object == "piece:"+itoa(id) && strings.Contains(en.ObjectName, "《稿件 approved》")
		}
		if !titled {
			t.Errorf("no row names the piece by its title: %+v", out.Entries)
		}
		_, page := auditor.do("GET", "/admin/audit", nil)
		if !strings.Contains(page, "稿件 "+itoa(id)+"《稿件 approved》") {
			t.Errorf("the audit page does not name the piece")
		}
		_, csvBody := auditor.do("GET", "/admin/audit/export.csv", nil)
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(csvBody, "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows[1:] {
			if r[6] != "" && !han.MatchString(r[6]) || englishSentence.MatchString(r[8]) {
				t.Errorf("the export's row %v", r)
			}
		}
		// A search by the object as it is said finds it.
		_, page = auditor.do("GET", "/admin/audit?object="+url.QueryEscape("稿件 "+itoa(id)), nil)
		if !strings.Contains(page, "起草稿件") {
			t.Errorf("searching 稿件 %d found nothing", id)
		}
	})
}

// The demo's whole year of audit rows, said in Chinese.
func TestDemoAuditTrailInChinese(t *testing.T) {
	t.Parallel()
	e, _ := demoEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	auditor, err := e.db.Q().UserByName(ctx, "auditor")
	if err != nil {
		t.Fatal(err)
	}
	han := regexp.MustCompile(`\p{Han}`)
	act := &app.Actor{User: auditor, Address: "test"}
	pq := app.PageQuery{Limit: 200}
	rows := 0
	for {
		pg, err := e.app.AuditLog(ctx, act, domain.AuditFilter{}, pq)
		if err != nil {
			t.Fatal(err)
		}
		labels, err := e.app.AuditLabels(ctx, pg.Items)
		if err != nil {
			t.Fatal(err)
		}
		for _, en := range pg.Items {
			rows++
			if en.Object != "" && !han.MatchString(labels[en.Object]) {
				t.Errorf("%s: the object %q is said %q", en.Action, en.Object, labels[en.Object])
			}
			if m := englishSentence.FindString(en.Reason); m != "" {
				t.Errorf("%s on %s: the reason %q is English (%q)", en.Action, en.Object, en.Reason, m)
			}
			if n := domain.AuditActionName(en.Action); n == en.Action {
				t.Errorf("the action %q has no Chinese name", en.Action)
			}
		}
		if pg.Next == "" {
			break
		}
		pq.Cursor = pg.Next
	}
	if rows < 100 {
		t.Errorf("the demo's audit trail has %d rows", rows)
	}
}
