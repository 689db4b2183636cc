package web_test

import (
	"bytes"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"kexuan/domain"
	"kexuan/report/ooxmlcheck"
	"kexuan/store/storetest"
)

// A department's ledger as .xlsx and .csv: the piece titles, a title row,
// the header repeated on printed pages, page numbers; its own department
// only; audited.
func TestLedgerExport(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		id := e.newPiece("reporter", domain.StateApproved, false)
		office := e.as("office")
		if res, body := office.do("POST", "/api/v1/pieces/"+itoa(id)+"/adoptions", map[string]any{"channel": "intranet", "date": "2017-05-02"}); res.StatusCode != 201 {
			t.Fatalf("adopt: %d %s", res.StatusCode, body)
		}
		head := e.as("head")
		res, body := head.do("GET", "/ledger/hightech/export?format=xlsx&year=2017&as_of=2017-12-31", nil)
		if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Disposition"), ".xlsx") {
			t.Fatalf("xlsx: %d %s", res.StatusCode, res.Header.Get("Content-Disposition"))
		}
		f, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := f.GetRows("高新科")
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) < 3 || !strings.Contains(rows[0][0], "高新科 2017年度宣传工作积分台账") || rows[1][5] != "稿件标题" {
			t.Fatalf("rows: %v", rows[:min(3, len(rows))])
		}
		found := false
		for _, r := range rows[2:] {
			found = found || len(r) > 5 && strings.HasPrefix(r[5], "稿件 ")
		}
		if !found {
			t.Errorf("no piece title in the ledger rows: %v", rows)
		}
		hf, err := f.GetHeaderFooter("高新科")
		if err != nil || !strings.Contains(hf.OddFooter, "&P") {
			t.Errorf("footer %+v %v", hf, err)
		}
		names := f.GetDefinedName()
		titles := false
		for _, n := range names {
			titles = titles || n.Name == "_xlnm.Print_Titles" && strings.Contains(n.RefersTo, "$1:$2")
		}
		if !titles {
			t.Errorf("no repeated print titles: %+v", names)
		}
		res, body = head.do("GET", "/ledger/hightech/export?format=csv&year=2017", nil)
		if res.StatusCode != 200 || !strings.Contains(body, "稿件标题") || !strings.Contains(body, "积分台账") {
			t.Errorf("csv: %d %.300s", res.StatusCode, body)
		}
		if res, _ := head.do("GET", "/ledger/ip/export?format=csv", nil); res.StatusCode != 403 {
			t.Errorf("another department's ledger: %d", res.StatusCode)
		}
		if res, _ := e.as("reporter").do("GET", "/ledger/hightech/export", nil); res.StatusCode != 403 {
			t.Errorf("a reporter exports: %d", res.StatusCode)
		}
		if res, _ := head.do("GET", "/ledger/hightech/export?format=pdf", nil); res.StatusCode != 422 {
			t.Errorf("an unknown format: %d", res.StatusCode)
		}
		rows2 := must(e.db.Q().AuditEntries(t.Context(), domain.AuditFilter{Action: "export", Result: domain.AuditOK}))(t)
		if len(rows2) != 2 || rows2[0].Object != "ledger:hightech.csv" {
			t.Errorf("export audit rows: %+v", rows2)
		}
	})
}

// The office downloads a month's 通报; others may not; unknown or unfinished
// periods are refused.
func TestBulletinDownload(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		office := e.as("office")
		res, body := office.do("GET", "/bulletins/2017-03", nil)
		if res.StatusCode != 200 || !strings.HasPrefix(body, "PK") || !strings.Contains(res.Header.Get("Content-Disposition"), ".docx") {
			t.Fatalf("bulletin: %d %s", res.StatusCode, res.Header.Get("Content-Disposition"))
		}
		for _, p := range []string{"2017Q1", "2017"} {
			if res, _ := office.do("GET", "/bulletins/"+p, nil); res.StatusCode != 200 {
				t.Errorf("bulletin %s: %d", p, res.StatusCode)
			}
		}
		if res, _ := office.do("GET", "/bulletins/2017-13", nil); res.StatusCode != 422 {
			t.Errorf("a bad period: %d", res.StatusCode)
		}
		if res, _ := e.as("head").do("GET", "/bulletins/2017-03", nil); res.StatusCode != 403 {
			t.Errorf("a head downloads the bulletin: %d", res.StatusCode)
		}
		rows := must(e.db.Q().AuditEntries(t.Context(), domain.AuditFilter{Action: "export", Object: "bulletin:2017-03"}))(t)
		if len(rows) != 1 || !strings.Contains(rows[0].Reason, "金科通〔2017〕3号") {
			t.Errorf("audit: %+v", rows)
		}
	})
}

// Every workbook the pages give opens clean: numbers are number cells and
// every part in schema order; every download carries its Chinese name both
// as filename* (UTF-8) and as an ASCII filename.
func TestDownloadsOpenClean(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		id := e.newPiece("reporter", domain.StateApproved, false)
		office := e.as("office")
		if res, body := office.do("POST", "/api/v1/pieces/"+itoa(id)+"/adoptions", map[string]any{"channel": "intranet", "date": "2017-05-02"}); res.StatusCode != 201 {
			t.Fatalf("adopt: %d %s", res.StatusCode, body)
		}
		for _, path := range []string{
			"/export/report.xlsx?year=2017&as_of=2017-12-31",
			"/ledger/hightech/export?format=xlsx&year=2017&as_of=2017-12-31",
			"/export/lists/activities?year=2017",
			"/export/lists/visits?year=2017",
			"/export/lists/policies?year=2017",
			"/export/lists/commissions?year=2017",
			"/export/lists/reaches?year=2017",
			"/export/enterprises.xlsx",
		} {
			res, body := office.do("GET", path, nil)
			if res.StatusCode != 200 {
				t.Errorf("%s: %d %.200s", path, res.StatusCode, body)
				continue
			}
			cd := res.Header.Get("Content-Disposition")
			m := regexp.MustCompile(`^attachment; filename="([\x21-\x7e]+)"; filename\*=UTF-8''([\x21-\x7e]+)$`).FindStringSubmatch(cd)
			if m == nil {
				t.Errorf("%s: Content-Disposition %q", path, cd)
			} else if name, err := url.PathUnescape(m[2]); err != nil || !strings.HasSuffix(name, ".xlsx") || !regexp.MustCompile(`\p{Han}`).MatchString(name) {
				t.Errorf("%s: the name %q (%v)", path, name, err)
			}
			for _, p := range ooxmlcheck.Check([]byte(body)) {
				t.Errorf("%s: %s", path, p)
			}
			text, err := ooxmlcheck.TextNumbers([]byte(body))
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if len(text) > 0 {
				t.Errorf("%s: numbers written as text: %v", path, text)
			}
		}
	})
}
