package web_test

import (
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"kexuan/domain"
	"kexuan/report/ooxmlcheck"
	"kexuan/store/storetest"
)

// 《金科文汇》: the office opens an issue, takes in an approved piece and
// outside material in the plan's sections, orders them and sends the issue
// for review; the chief (or the office's leader) publishes it; until then
// only they see it. The Word document has its contents with page numbers.
func TestJournal(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		office, rep, chief, leader := e.as("office"), e.as("reporter"), e.as("chief"), e.as("leader")
		piece := e.newPiece("reporter", domain.StateApproved, false)
		draft := e.newPiece("reporter", domain.StateDraft, false)
		res, _ := office.form("/journal", url.Values{"number": {"3"}, "date": {"2017-06-30"}, "editor": {"陈主任"}}, true)
		if res.StatusCode != 303 && res.StatusCode != 200 {
			t.Fatalf("new issue: %d", res.StatusCode)
		}
		if res, page := office.form("/journal", url.Values{"number": {"3"}, "date": {"2017-07-30"}}, true); res.StatusCode != 422 || !strings.Contains(page, "2017年第3期已经有了") {
			t.Errorf("the same number twice: %d", res.StatusCode)
		}
		var list struct{ Issues []struct{ ID int64 } }
		_, body := office.do("GET", "/api/v1/journal?year=2017", nil)
		decodeJSON(t, body, &list)
		if len(list.Issues) != 1 {
			t.Fatalf("issues: %s", body)
		}
		id := itoa(list.Issues[0].ID)
		act := func(c *client, action string, vals url.Values) int {
			t.Helper()
			res, _ := c.form("/journal/"+id+"/"+action, vals, true)
			return res.StatusCode
		}
		if code := act(office, "submit", url.Values{}); code != 422 {
			t.Errorf("an empty issue sent for review: %d", code)
		}
		if code := act(office, "add", url.Values{"section": {"2"}, "piece_id": {itoa(draft)}}); code != 422 {
			t.Errorf("a draft piece taken in: %d", code)
		}
		if code := act(office, "add", url.Values{"section": {"2"}, "piece_id": {itoa(piece)}}); code != 303 {
			t.Fatalf("add piece: %d", code)
		}
		if code := act(office, "add", url.Values{"section": {"1"}, "title": {"人工智能新进展"}, "source": {"科技日报"}, "body": {"<p>人工智能技术取得新突破。</p><script>x</script>"}}); code != 303 {
			t.Fatalf("add material: %d", code)
		}
		if code := act(office, "add", url.Values{"section": {"1"}, "title": {"第二篇"}, "body": {"<p>第二篇正文。</p>"}}); code != 303 {
			t.Fatalf("add material 2: %d", code)
		}
		_, page := office.do("GET", "/journal/"+id, nil)
		first, second := strings.Index(page, "人工智能新进展"), strings.Index(page, "第二篇")
		if first < 0 || second < first {
			t.Fatal("the items are not in order")
		}
		// Move the second up; remove nothing; only the office composes.
		var second2 int64
		if err := e.db.SQL().QueryRow(`SELECT id FROM journal_items WHERE title = $1`, "第二篇").Scan(&second2); err != nil {
			t.Fatal(err)
		}
		if code := act(office, "up", url.Values{"item": {itoa(second2)}}); code != 303 {
			t.Errorf("move: %d", code)
		}
		_, page = office.do("GET", "/journal/"+id, nil)
		if strings.Index(page, "第二篇") > strings.Index(page, "人工智能新进展") {
			t.Error("the item did not move up")
		}
		if code := act(rep, "add", url.Values{"section": {"1"}, "title": {"x"}, "body": {"<p>x</p>"}}); code != 403 {
			t.Errorf("a reporter composes: %d", code)
		}
		if res, _ := rep.do("GET", "/journal/"+id, nil); res.StatusCode != 404 {
			t.Errorf("a reporter sees the draft: %d", res.StatusCode)
		}
		if code := act(office, "submit", url.Values{}); code != 303 {
			t.Fatalf("submit: %d", code)
		}
		if code := act(office, "add", url.Values{"section": {"1"}, "title": {"x"}, "body": {"<p>x</p>"}}); code != 409 {
			t.Errorf("composing an issue in review: %d", code)
		}
		if code := act(leader, "publish", url.Values{}); code != 403 && code != 404 {
			t.Errorf("a leader who does not lead the office publishes: %d", code)
		}
		if code := act(chief, "publish", url.Values{"comment": {"同意"}}); code != 303 {
			t.Fatalf("publish: %d", code)
		}
		_, page = rep.do("GET", "/journal/"+id, nil)
		if !strings.Contains(page, "已印发") || !strings.Contains(page, "人工智能新进展") {
			t.Error("a published issue is not visible to all")
		}
		_, page = rep.do("GET", "/journal/"+id+"/print", nil)
		if !strings.Contains(page, `id="journal-print"`) || strings.Contains(page, "<script>x</script>") || !strings.Contains(page, "科技前沿") {
			t.Error("the print page")
		}
		res, doc := rep.do("GET", "/journal/"+id+"/docx", nil)
		if res.StatusCode != 200 || !strings.HasPrefix(doc, "PK") {
			t.Fatalf("docx: %d", res.StatusCode)
		}
		for _, p := range ooxmlcheck.Check([]byte(doc)) {
			t.Errorf("the journal's docx: %s", p)
		}
		soffice, err := exec.LookPath("soffice")
		if err != nil {
			if os.Getenv("KEXUAN_REQUIRE_OFFICE") != "" {
				t.Fatal("soffice not found")
			}
			return
		}
		dir := t.TempDir()
		path := filepath.Join(dir, "文汇.docx")
		os.WriteFile(path, []byte(doc), 0o644)
		if out, err := exec.Command(soffice, "--headless", "-env:UserInstallation=file://"+filepath.Join(dir, "lo"), "--convert-to", "pdf", "--outdir", dir, path).CombinedOutput(); err != nil {
			t.Fatalf("soffice: %v %s", err, out)
		}
		text, err := exec.Command("pdftotext", "-layout", filepath.Join(dir, "文汇.pdf"), "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		flat := strings.Join(strings.Fields(string(text)), "")
		for _, want := range []string{"金科文汇", "2017年第3期", "目录", "【科技前沿】", "【园区动态】", "人工智能技术取得新突破", "（科技日报）"} {
			if !strings.Contains(flat, want) {
				t.Errorf("the issue's document lacks %q", want)
			}
		}
		if !containsPageRef(flat, "人工智能新进展", "2") {
			t.Errorf("the contents do not give the article's page:\n%.500s", flat)
		}
	})
}
