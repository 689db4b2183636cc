package web_test

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"kexuan/store/storetest"
)

// creditCode makes a valid 统一社会信用代码 from a 17-character body (the
// check character by GB 32100-2015; domain's tests hold the algorithm to
// codes computed apart).
func creditCode(body string) string {
	const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	w := []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i, r := range body {
		sum += strings.IndexRune(chars, r) * w[i]
	}
	return body + string(chars[(31-sum%31)%31])
}

func TestEnterprises(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		office, rep, leader := e.as("office"), e.as("reporter"), e.as("leader")
		code := creditCode("91410105MA44PQ3R1")
		res, body := rep.do("POST", "/api/v1/enterprises", map[string]any{"name": "郑州云智科技有限公司", "credit_code": strings.ToLower(code),
			"park": "金水科教园区", "address": "金水区文化路 1 号", "contact": "王经理 13800000000", "industry": "软件"})
		if res.StatusCode != 201 || !strings.Contains(body, `"credit_code":"`+code+`"`) || !strings.Contains(body, `"park":"金水科教园区"`) {
			t.Fatalf("create: %d %s", res.StatusCode, body)
		}
		for bad, want := range map[string]string{
			code[:17]:                   "18 位",
			code[:16] + "I" + code[17:]: "第 17 位“I”",
			code[:17] + "0":             "校验位",
		} {
			if bad == code {
				continue
			}
			res, body := office.do("POST", "/api/v1/enterprises", map[string]any{"name": "另一家", "credit_code": bad})
			if res.StatusCode != 422 || !strings.Contains(body, `"field":"credit_code"`) || !strings.Contains(body, want) {
				t.Errorf("%s: %d %s, want 422 naming credit_code and %q", bad, res.StatusCode, body, want)
			}
		}
		res, body = office.do("POST", "/api/v1/enterprises", map[string]any{"name": "重名公司", "credit_code": code})
		if res.StatusCode != 409 || !strings.Contains(body, "郑州云智科技有限公司") {
			t.Errorf("a known code: %d %s", res.StatusCode, body)
		}
		// The same name under another code: the first is named.
		res, body = office.do("POST", "/api/v1/enterprises", map[string]any{"name": "郑州云智科技有限公司", "credit_code": creditCode("91410105MA44PQ3R9")})
		if res.StatusCode != 409 || !strings.Contains(body, `"field":"name"`) || !strings.Contains(body, code) {
			t.Errorf("a known name under another code: %d %s", res.StatusCode, body)
		}
		if res, _ = leader.do("POST", "/api/v1/enterprises", map[string]any{"name": "x", "credit_code": creditCode("91410105MA44PQ3R2")}); res.StatusCode != 403 {
			t.Errorf("a leader adds an enterprise: %d", res.StatusCode)
		}
		if res, _ = e.as("admin").do("GET", "/api/v1/enterprises", nil); res.StatusCode != 403 {
			t.Errorf("the administrator reads the register: %d", res.StatusCode)
		}
		// Pages by name, filters by text and park.
		for i := range 60 {
			res, body := office.do("POST", "/api/v1/enterprises", map[string]any{"name": fmt.Sprintf("测试企业%02d", i),
				"credit_code": creditCode(fmt.Sprintf("914101050000%05d", i)), "park": "北区"})
			if res.StatusCode != 201 {
				t.Fatalf("enterprise %d: %d %s", i, res.StatusCode, body)
			}
		}
		var pg struct {
			Enterprises []struct{ Name, CreditCode string }
			Next        *string `json:"next_cursor"`
		}
		_, body = leader.do("GET", "/api/v1/enterprises?park="+url.QueryEscape("北区"), nil)
		decodeJSON(t, body, &pg)
		if len(pg.Enterprises) != 50 || pg.Next == nil || pg.Enterprises[0].Name != "测试企业00" {
			t.Fatalf("first page: %d, next %v", len(pg.Enterprises), pg.Next)
		}
		_, body = leader.do("GET", "/api/v1/enterprises?park="+url.QueryEscape("北区")+"&cursor="+*pg.Next, nil)
		pg.Next = nil
		decodeJSON(t, body, &pg)
		if len(pg.Enterprises) != 10 || pg.Next != nil || pg.Enterprises[9].Name != "测试企业59" {
			t.Fatalf("second page: %+v", pg)
		}
		_, body = leader.do("GET", "/api/v1/enterprises?q="+code[10:], nil)
		if !strings.Contains(body, "郑州云智科技有限公司") || strings.Contains(body, "测试企业") {
			t.Errorf("search by code: %s", body)
		}
		// The page keeps a refused form and names the field.
		res, page := rep.form("/enterprises", url.Values{"name": {"表单企业"}, "credit_code": {code[:17] + "0"}, "park": {"南区"}}, true)
		if res.StatusCode != 422 || !strings.Contains(page, `value="表单企业"`) || !strings.Contains(page, `<label class="invalid">统一社会信用代码`) {
			t.Errorf("refused form: %d", res.StatusCode)
		}
		// The register as a workbook, audited.
		res, body = leader.do("GET", "/export/enterprises.xlsx?park="+url.QueryEscape("北区"), nil)
		if res.StatusCode != 200 {
			t.Fatalf("export: %d", res.StatusCode)
		}
		f, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := f.GetRows("Sheet1")
		if len(rows) != 62 || rows[1][2] != "统一社会信用代码" {
			t.Errorf("exported %d rows: %v", len(rows), rows[:2])
		}
		_, page = rep.do("GET", "/enterprises?q="+url.QueryEscape("云智"), nil)
		if !strings.Contains(page, "郑州云智科技有限公司") || !strings.Contains(page, `id="enterprise-form"`) {
			t.Error("the register page")
		}
	})
}

// Every list of the plan's work exports as a workbook, with what the user
// may see, and the export is audited.
func TestListExports(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		for _, kind := range []string{"visits", "activities", "reaches", "policies", "commissions"} {
			res, body := e.as("leader").do("GET", "/export/lists/"+kind+"?year=2017", nil)
			if res.StatusCode != 200 {
				t.Fatalf("%s: %d %s", kind, res.StatusCode, body)
			}
			f, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
			if err != nil {
				t.Fatalf("%s: %v", kind, err)
			}
			rows, _ := f.GetRows("Sheet1")
			if len(rows) < 2 || rows[0][0] == "" {
				t.Errorf("%s: %v", kind, rows)
			}
			if kind == "activities" && len(rows) != 2+9 {
				t.Errorf("activities: %d rows, want the plan's 9 forms", len(rows)-2)
			}
		}
		if res, _ := e.as("leader").do("GET", "/export/lists/nothing", nil); res.StatusCode != 404 {
			t.Errorf("an unknown list: %d", res.StatusCode)
		}
		if res, _ := e.as("admin").do("GET", "/export/lists/visits", nil); res.StatusCode != 403 {
			t.Errorf("the administrator exports visits: %d", res.StatusCode)
		}
	})
}
