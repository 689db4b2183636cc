package web_test

import (
	"net/url"
	"strings"
	"testing"

	"kexuan/store/storetest"
)

// The return loop closes with what changed: when a returned piece comes
// back, its reviewer sees the text that was added and taken out since the
// submission they returned.
func TestRevisionShownOnResubmission(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		rep, leader := e.as("reporter"), e.as("leader")
		res, body := rep.do("POST", "/api/v1/pieces", map[string]any{"title": "科技大会", "body": "<p>全区共有一百家企业参加。</p><p>会议由局长主持。</p>",
			"themes": []int{1}, "channels": []string{"intranet"}})
		if res.StatusCode != 201 {
			t.Fatalf("create: %d %s", res.StatusCode, body)
		}
		var p pieceOut
		decodeJSON(t, body, &p)
		id := itoa(p.ID)
		rep.do("POST", "/api/v1/pieces/"+id+"/submit", nil)
		_, page := leader.do("GET", "/pieces/"+id, nil)
		if strings.Contains(page, `id="revision"`) {
			t.Error("a first submission shows a revision")
		}
		leader.do("POST", "/api/v1/pieces/"+id+"/return", map[string]string{"comment": "请写明企业数量的来源"})
		res, _ = rep.form("/pieces/"+id+"/edit", url.Values{"title": {"全区科技大会"}, "body": {"<p>全区共有一百二十家企业参加，数据来自区统计局。</p><p>会议由局长主持。</p>"},
			"themes": {"1"}, "channels": {"intranet"}}, true)
		if res.StatusCode != 303 && res.StatusCode != 200 {
			t.Fatalf("edit: %d", res.StatusCode)
		}
		if res, body = rep.do("POST", "/api/v1/pieces/"+id+"/submit", nil); res.StatusCode != 200 {
			t.Fatalf("resubmit: %d %s", res.StatusCode, body)
		}
		_, page = leader.do("GET", "/pieces/"+id, nil)
		i := strings.Index(page, `id="revision"`)
		if i < 0 {
			t.Fatal("the resubmitted piece shows no revision")
		}
		rev := page[i:]
		rev = rev[:strings.Index(rev, "</section>")]
		for _, want := range []string{"第 2 次报送", "<ins>二十</ins>", "数据来自区统计局", "<del>科技大会</del>", "会议由局长主持。</span>"} {
			if !strings.Contains(rev, want) {
				t.Errorf("the revision lacks %s:\n%s", want, rev)
			}
		}
	})
}
