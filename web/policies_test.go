package web_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kexuan/report/ooxmlcheck"
	"kexuan/store/storetest"
)

// 科技政策进百企: the office keeps the policy library; departments record the
// enterprises they reach and the policies explained; progress counts
// distinct enterprises against the plan's 100; the library compiles into a
// booklet with a table of contents whose page numbers LibreOffice fills in.
func TestPolicyCampaign(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		e.app.Now = func() time.Time { return time.Date(2017, 9, 1, 10, 0, 0, 0, time.UTC) }
		office, rep, leader := e.as("office"), e.as("reporter"), e.as("leader")
		var ids []int64
		for _, p := range []map[string]any{
			{"level": "national", "issuer": "国务院", "doc_number": "国发〔2016〕43号", "title": "关于印发“十三五”国家科技创新规划的通知", "issued": "2016-07-28",
				"summary": "明确“十三五”时期科技创新的总体思路、发展目标、主要任务和重大举措。"},
			{"level": "provincial", "issuer": "河南省人民政府", "doc_number": "豫政〔2017〕5号", "title": "关于加快推进科技型中小企业发展的若干意见", "issued": "2017-02-10",
				"summary": "支持科技型中小企业研发投入。\n对首次认定的高新技术企业给予奖励。"},
			{"level": "district", "issuer": "金水区人民政府", "title": "金水区科技创新奖励办法", "issued": "2017-03-01", "summary": "区级科技奖励。"},
			{"level": "city", "issuer": "郑州市人民政府", "title": "已废止的旧办法", "issued": "2010-01-01", "status": "repealed"},
		} {
			res, body := office.do("POST", "/api/v1/policies", p)
			if res.StatusCode != 201 {
				t.Fatalf("policy: %d %s", res.StatusCode, body)
			}
			var out struct{ ID int64 }
			decodeJSON(t, body, &out)
			ids = append(ids, out.ID)
		}
		if res, _ := rep.do("POST", "/api/v1/policies", map[string]any{"level": "national", "issuer": "x", "title": "x", "issued": "2017-01-01"}); res.StatusCode != 403 {
			t.Errorf("a reporter edits the library: %d", res.StatusCode)
		}
		if res, body := office.do("POST", "/api/v1/policies", map[string]any{"level": "county", "issuer": "x", "title": "x", "issued": "2017-01-01"}); res.StatusCode != 422 || !strings.Contains(body, `"field":"level"`) {
			t.Errorf("an unknown level: %d %s", res.StatusCode, body)
		}
		ent := func(name, code string) int64 {
			res, body := office.do("POST", "/api/v1/enterprises", map[string]any{"name": name, "credit_code": code})
			if res.StatusCode != 201 {
				t.Fatalf("enterprise: %d %s", res.StatusCode, body)
			}
			var out struct{ ID int64 }
			decodeJSON(t, body, &out)
			return out.ID
		}
		a, b := ent("甲科技有限公司", "91410105MA44PQ3R1K"), ent("乙新材料有限公司", "91410100MA3X4XKN97")
		reach := func(c *client, body map[string]any) int {
			res, _ := c.do("POST", "/api/v1/policies/reaches", body)
			return res.StatusCode
		}
		if code := reach(rep, map[string]any{"date": "2017-05-10", "enterprise_id": a, "policy_ids": []int64{ids[0], ids[1]}, "asked": "希望了解研发费用加计扣除"}); code != 201 {
			t.Fatalf("reach: %d", code)
		}
		if code := reach(rep, map[string]any{"date": "2017-06-10", "enterprise_id": a, "policy_ids": []int64{ids[2]}}); code != 201 {
			t.Fatalf("reach again: %d", code)
		}
		if code := reach(office, map[string]any{"date": "2017-06-12", "department": "ip", "enterprise_id": b, "policy_ids": []int64{ids[1]}}); code != 201 {
			t.Fatalf("office for ip: %d", code)
		}
		if code := reach(rep, map[string]any{"date": "2017-06-12", "enterprise_id": b}); code != 422 {
			t.Errorf("no policy explained: %d", code)
		}
		var camp struct {
			Target, Reached int
			Departments     []struct {
				Code    string
				Reached int
			}
		}
		_, body := leader.do("GET", "/api/v1/policies/campaign?year=2017", nil)
		decodeJSON(t, body, &camp)
		per := map[string]int{}
		for _, d := range camp.Departments {
			per[d.Code] = d.Reached
		}
		if camp.Target != 100 || camp.Reached != 2 || per["hightech"] != 1 || per["ip"] != 1 || len(camp.Departments) != 6 { // the lead (办公室) and the five responsible
			t.Errorf("campaign: %+v", camp)
		}
		_, page := leader.do("GET", "/policies", nil)
		for _, want := range []string{"已走进企业 <strong>2</strong> 家，目标 100 家", "甲科技有限公司", "希望了解研发费用加计扣除", "豫政〔2017〕5号"} {
			if !strings.Contains(page, want) {
				t.Errorf("the campaign page lacks %s", want)
			}
		}
		// The booklet: policies in force only, by level, with a table of contents.
		res, doc := leader.do("GET", "/policies/booklet.docx?year=2017", nil)
		if res.StatusCode != 200 || !strings.HasPrefix(doc, "PK") {
			t.Fatalf("booklet: %d", res.StatusCode)
		}
		for _, p := range ooxmlcheck.Check([]byte(doc)) {
			t.Errorf("the booklet's docx: %s", p)
		}
		soffice, err := exec.LookPath("soffice")
		if err != nil {
			if os.Getenv("KEXUAN_REQUIRE_OFFICE") != "" {
				t.Fatal("soffice not found")
			}
			return
		}
		dir := t.TempDir()
		path := filepath.Join(dir, "汇编.docx")
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(soffice, "--headless", "-env:UserInstallation=file://"+filepath.Join(dir, "lo"), "--convert-to", "pdf", "--outdir", dir, path)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("soffice: %v %s", err, out)
		}
		text, err := exec.Command("pdftotext", "-layout", filepath.Join(dir, "汇编.pdf"), "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		flat := strings.Join(strings.Fields(string(text)), "")
		for _, want := range []string{"2017年各级科技政策汇编", "目录", "一、国家级政策", "二、省级政策", "三、区级政策", "国发〔2016〕43号", "对首次认定的高新技术企业给予奖励"} {
			if !strings.Contains(flat, want) {
				t.Errorf("the booklet lacks %q", want)
			}
		}
		if strings.Contains(flat, "已废止的旧办法") {
			t.Error("a repealed policy is in the booklet")
		}
		// The contents give each policy's page: the cover is page 1, the contents 2, the policies from 3.
		if !containsPageRef(flat, "国家科技创新规划的通知", "3") {
			t.Errorf("the contents do not give the first policy's page:\n%.600s", flat[strings.Index(flat, "目录"):])
		}
	})
}

// containsPageRef: a contents line's title, dot leaders, then the page.
func containsPageRef(text, title, page string) bool {
	i := strings.Index(text, title)
	if i < 0 {
		return false
	}
	rest := strings.TrimLeft(text[i+len(title):], ".…·")
	return strings.HasPrefix(rest, page)
}
