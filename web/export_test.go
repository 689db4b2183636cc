package web_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"net/http"
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

// The office issues a period's 通报 from its page: the register numbers
// them in the order issued, a period issued again keeps its number, a taken
// number or a bad date is refused on the form; others may not.
func TestBulletinIssue(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		office := e.as("office")
		if res, page := office.do("GET", "/documents", nil); res.StatusCode != 200 || !strings.Contains(page, `id="bulletin-form"`) ||
			!strings.Contains(page, `value="2017Q1"`) || !strings.Contains(page, "成文日期默认 2017-04-03") {
			t.Fatalf("documents page: %d", res.StatusCode)
		}
		issue := func(period, date, number string) (*http.Response, string) {
			return office.form("/bulletins", url.Values{"period": {period}, "date": {date}, "number": {number}}, true)
		}
		for i, p := range []string{"2017-03", "2017Q1", "2017"} {
			res, body := issue(p, "", "")
			if res.StatusCode != 200 || !strings.HasPrefix(body, "PK") || !strings.Contains(res.Header.Get("Content-Disposition"), ".docx") {
				t.Fatalf("bulletin %s: %d %s", p, res.StatusCode, res.Header.Get("Content-Disposition"))
			}
			if !strings.Contains(docxText(t, body), fmt.Sprintf("金科通〔2017〕%d号", i+1)) {
				t.Errorf("bulletin %s is not number %d", p, i+1)
			}
		}
		// Again, with another date: the same number, the new date.
		res, body := issue("2017-03", "2017-04-06", "")
		if text := docxText(t, body); res.StatusCode != 200 || !strings.Contains(text, "金科通〔2017〕1号") || !strings.Contains(text, "2017年4月6日") {
			t.Errorf("issued again: %d", res.StatusCode)
		}
		if res, body := office.do("GET", "/bulletins/2017-03", nil); res.StatusCode != 200 || !strings.Contains(docxText(t, body), "2017年4月6日") {
			t.Errorf("download of an issued bulletin: %d", res.StatusCode)
		}
		if res, _ := office.do("GET", "/bulletins/2017-06", nil); res.StatusCode != 303 || res.Header.Get("Location") != "/documents?period=2017-06" {
			t.Errorf("a bulletin not issued yet leads to the form: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		if _, page := office.do("GET", "/documents?period=2017-06", nil); !strings.Contains(page, `value="2017-06" selected`) {
			t.Error("the form does not offer the period asked for")
		}
		if res, page := issue("2017-04", "", "2"); res.StatusCode != 409 || !strings.Contains(page, "金科通〔2017〕2号 已用于") {
			t.Errorf("a taken number: %d", res.StatusCode)
		}
		if res, page := issue("2017-04", "2017-04-20", ""); res.StatusCode != 422 || !strings.Contains(page, "成文日期") {
			t.Errorf("a date inside the period: %d", res.StatusCode)
		}
		if res, _ := issue("2017-13", "", ""); res.StatusCode != 422 {
			t.Errorf("a bad period: %d", res.StatusCode)
		}
		if res, page := office.do("GET", "/documents", nil); res.StatusCode != 200 || strings.Count(page, "金科通〔2017〕") < 3 || strings.Contains(page, "金科通〔2017〕4号") {
			t.Errorf("the register lists what was issued, and no more")
		}
		if res, _ := e.as("head").do("GET", "/bulletins/2017-03", nil); res.StatusCode != 403 {
			t.Errorf("a head downloads the bulletin: %d", res.StatusCode)
		}
		if res, _ := e.as("head").form("/bulletins", url.Values{"period": {"2017-04"}}, true); res.StatusCode != 403 {
			t.Errorf("a head issues a bulletin: %d", res.StatusCode)
		}
		// The year closes from the same page.
		if _, page := office.do("GET", "/documents", nil); !strings.Contains(page, `id="close-year-form"`) {
			t.Error("no year-end close on the page")
		}
		if res, _ := office.form("/periods", url.Values{"period": {"2017"}, "reason": {"年度考核结果已通报"}}, true); res.StatusCode != 303 || res.Header.Get("Location") != "/periods/2017" {
			t.Errorf("closing the year: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		if _, page := office.do("GET", "/documents", nil); !strings.Contains(page, `id="year-period-link"`) || strings.Contains(page, `id="close-year-form"`) {
			t.Error("the page does not say the year is closed")
		}
		rows := must(e.db.Q().AuditEntries(t.Context(), domain.AuditFilter{Action: "export", Object: "bulletin:2017-03"}))(t)
		if len(rows) != 3 || !strings.Contains(rows[len(rows)-1].Reason, "金科通〔2017〕1号") {
			t.Errorf("audit: %+v", rows)
		}
	})
}

// docxText is the text of a Word document's body.
func docxText(t *testing.T, doc string) string {
	t.Helper()
	zr, err := zip.NewReader(strings.NewReader(doc), int64(len(doc)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			return regexp.MustCompile(`<[^>]+>`).ReplaceAllString(string(b), "")
		}
	}
	t.Fatal("no word/document.xml")
	return ""
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
