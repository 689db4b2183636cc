package web_test

import (
	"strings"
	"testing"

	"kexuan/domain"
	"kexuan/store/storetest"
)

// A notice for what concerns the person: the author hears the piece passed
// review and was adopted, the recorder that the record counts or was taken
// back; each once, newest first, and read as its page is opened.
func TestNoticesMeanSomething(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		office, rep := e.as("office"), e.as("reporter")
		id := e.newPiece("reporter", domain.StateApproved, false)
		link := "/pieces/" + itoa(id)
		n := notices(t, rep)
		if len(n.Notices) == 0 || n.Notices[0].Kind != domain.NoticeApproved || n.Notices[0].Link != link || n.Notices[0].Read {
			t.Fatalf("the author is not told the piece passed: %+v", n.Notices)
		}
		if res, body := office.do("POST", "/api/v1/pieces/"+itoa(id)+"/adoptions", map[string]any{"channel": "intranet", "date": "2017-05-02"}); res.StatusCode != 201 {
			t.Fatalf("adopt: %d %s", res.StatusCode, body)
		}
		// The ledger's line links to its piece.
		if _, page := office.do("GET", "/ledger/"+e.users["reporter"].Department, nil); !strings.Contains(page, `href="/pieces/`+itoa(id)+`#adoptions"`) {
			t.Error("the ledger line does not link to its piece")
		}
		var rec struct {
			ID int64 `json:"id"`
		}
		res, body := rep.do("POST", "/api/v1/pieces/"+itoa(id)+"/adoptions", map[string]any{"channel": "media", "date": "2017-05-03", "outlet": "郑州日报", "issue": "第2版"})
		decodeJSON(t, body, &rec)
		if res.StatusCode != 201 {
			t.Fatalf("record: %d %s", res.StatusCode, body)
		}
		office.do("POST", "/api/v1/adoptions/"+itoa(rec.ID)+"/verify", map[string]any{"accept": true})
		office.do("POST", "/api/v1/adoptions/"+itoa(rec.ID)+"/unverify", map[string]any{"reason": "版面待核"})
		n = notices(t, rep)
		var kinds []string
		for _, x := range n.Notices {
			kinds = append(kinds, x.Kind)
		}
		want := []string{domain.NoticeUndone, domain.NoticeAdopted, domain.NoticeAdopted, domain.NoticeApproved}
		if strings.Join(kinds, ",") != strings.Join(want, ",") {
			t.Fatalf("the author's notices, newest first: %v, want %v", kinds, want)
		}
		if n.Unread != 4 {
			t.Errorf("unread %d, want 4", n.Unread)
		}
		// Opening the piece reads what was said about it.
		if res, _ := rep.do("GET", link, nil); res.StatusCode != 200 {
			t.Fatalf("the piece: %d", res.StatusCode)
		}
		if n = notices(t, rep); n.Unread != 0 {
			t.Errorf("after opening the piece %d notices about it are unread", n.Unread)
		}
	})
}

// The demo year ends with a handful unread for each account, not a year's.
func TestDemoNoticesAHandful(t *testing.T) {
	t.Parallel()
	e, pw := demoEnv(t, storetest.SQLite(t))
	for _, role := range []string{"office", "leader", "reporter", "chief"} {
		if n := notices(t, e.demoAs(role, pw[role])); n.Unread > 4 {
			t.Errorf("%s starts with %d unread notices", role, n.Unread)
		}
	}
}

// The office sees who has read a 催报 and a 约稿: 已读 n / 共 m, moving as
// the department's people open what they were told about.
func TestReadReceipts(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		office, rep, leader := e.as("office"), e.as("reporter"), e.as("leader")
		dept := e.users["reporter"].Department
		if res, body := office.do("POST", "/api/v1/departments/"+dept+"/remind", map[string]string{"text": "请按时报送本月稿件"}); res.StatusCode != 200 {
			t.Fatalf("remind: %d %s", res.StatusCode, body)
		}
		count := func(c *client, path, prefix string) string {
			t.Helper()
			_, page := c.do("GET", path, nil)
			i := strings.Index(page, prefix)
			if i < 0 {
				return ""
			}
			rest := page[i+len(prefix):]
			return strings.TrimSpace(rest[:strings.Index(rest, "<")])
		}
		// Once a department a day: the second click is told so, and sends nothing.
		if res, body := office.do("POST", "/api/v1/departments/"+dept+"/remind", map[string]string{"text": "再催一次"}); res.StatusCode != 409 || !strings.Contains(body, "今天已") {
			t.Errorf("a second 催报 the same day: %d %s", res.StatusCode, body)
		}
		before := count(office, "/month", "上次催报已读 ")
		if !strings.HasPrefix(before, "0 / 共 ") {
			t.Fatalf("the 催报 before anyone read it: %q", before)
		}
		rep.do("GET", "/departments/"+dept, nil)
		if after := count(office, "/month", "上次催报已读 "); !strings.HasPrefix(after, "1 / 共 ") || after[len("1 / 共 "):] != before[len("0 / 共 "):] {
			t.Errorf("after the reporter opened it: %q (before %q)", after, before)
		}
		if res, body := leader.do("POST", "/api/v1/commissions", map[string]any{"department": dept, "title": "科技活动周专题", "due": "2017-05-20"}); res.StatusCode != 201 {
			t.Fatalf("commission: %d %s", res.StatusCode, body)
		}
		if got := count(leader, "/commissions", "已读 "); !strings.HasPrefix(got, "0 / 共 ") {
			t.Errorf("the 约稿 before anyone read it: %q", got)
		}
		rep.do("GET", "/commissions", nil)
		if got := count(leader, "/commissions", "已读 "); !strings.HasPrefix(got, "1 / 共 ") {
			t.Errorf("after the reporter opened the list: %q", got)
		}
		if _, page := rep.do("GET", "/commissions", nil); strings.Contains(page, "已读 ") {
			t.Error("the department sees the read count meant for who asked")
		}
	})
}
