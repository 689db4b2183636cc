package web_test

import (
	"strings"
	"testing"

	"kexuan/store/storetest"
)

// similarBody is a piece's text long enough to measure.
const similarBody = "<p>金水区召开科技创新大会，全区一百余家高新技术企业参加，会议部署了全年科技宣传工作。</p>" +
	"<p>会上，区科学技术局负责同志通报了上年度科技项目申报与专利授权情况，表彰了先进单位。</p>" +
	"<p>与会企业代表交流了研发投入、成果转化和人才引进的经验，并就科技金融政策提出建议。</p>" +
	"<p>会议要求各单位把科技宣传纳入年度工作计划，按月报送信息，确保宣传任务落到实处。</p>"

// Two departments send the same text: the second, when submitted, is shown
// beside the first — in full with what differs to a reader who may see it,
// as a department and a number to one who may not — and in the API.
func TestNearDuplicates(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		submit := func(who, body string) int64 {
			t.Helper()
			c := e.as(who)
			res, out := c.do("POST", "/api/v1/pieces", map[string]any{"title": "科技创新大会召开", "body": body, "themes": []int{1}})
			if res.StatusCode != 201 {
				t.Fatalf("create: %d %s", res.StatusCode, out)
			}
			var p pieceOut
			decodeJSON(t, out, &p)
			if res, out := c.do("POST", "/api/v1/pieces/"+itoa(p.ID)+"/submit", nil); res.StatusCode != 200 {
				t.Fatalf("submit: %d %s", res.StatusCode, out)
			}
			return p.ID
		}
		first := submit("reporter", similarBody)
		unrelated := submit("reporter", "<p>知识产权宣传周期间，专利代理机构走进园区，为企业讲解专利申请与保护的流程，发放资料两千余份。</p>")
		second := submit("reporter2", strings.Replace(similarBody, "一百余家", "二百余家", 1))
		var got struct {
			Similar []struct {
				ID         int64
				Title      string
				Department string
				Similarity float64
			}
		}
		_, body := e.as("chief").do("GET", "/api/v1/pieces/"+itoa(second), nil)
		decodeJSON(t, body, &got)
		if len(got.Similar) != 1 || got.Similar[0].ID != first || got.Similar[0].Title != "科技创新大会召开" || got.Similar[0].Similarity < 0.8 || got.Similar[0].Similarity >= 1 {
			t.Fatalf("the second piece's similar: %+v", got.Similar)
		}
		_, body = e.as("chief").do("GET", "/api/v1/pieces/"+itoa(unrelated), nil)
		got.Similar = nil
		if decodeJSON(t, body, &got); len(got.Similar) != 0 {
			t.Errorf("an unrelated piece is similar: %+v", got.Similar)
		}
		// Both ways: the first shows the second.
		_, page := e.as("chief").do("GET", "/pieces/"+itoa(first), nil)
		if !strings.Contains(page, `id="similar"`) || !strings.Contains(page, `href="/pieces/`+itoa(second)+`"`) || !strings.Contains(page, "<del>二</del><ins>一</ins>") {
			t.Errorf("the chief does not see the similar piece and what differs: %s", page[max(0, strings.Index(page, `id="similar"`)-20):][:min(900, len(page))])
		}
		// The leader of the second's department may not see the first: its
		// department and how similar, not its title or text.
		_, page = e.as("leader2").do("GET", "/pieces/"+itoa(second), nil)
		if !strings.Contains(page, `id="similar"`) || strings.Contains(page, `href="/pieces/`+itoa(first)+`"`) || !strings.Contains(page, "无权查看其内容") {
			t.Errorf("leader2's view of a piece they may not see: %.300s", page)
		}
		// While writing, before anything is sent: the editor's check says so.
		var checked struct {
			Similar []struct {
				ID    int64
				Title string
			}
		}
		_, body = e.as("reporter").do("POST", "/api/v1/checks", map[string]any{"title": "又一篇", "body": similarBody})
		if decodeJSON(t, body, &checked); len(checked.Similar) != 2 || checked.Similar[0].Title == "" {
			t.Errorf("similar while writing, to the writer of the first: %+v", checked.Similar)
		}
		_, body = e.as("reporter2").do("POST", "/api/v1/checks", map[string]any{"title": "又一篇", "body": similarBody, "piece_id": second})
		if decodeJSON(t, body, &checked); len(checked.Similar) != 1 || checked.Similar[0].ID != first || checked.Similar[0].Title != "" {
			t.Errorf("similar while editing the second, to its writer: %+v", checked.Similar)
		}
		_, body = e.as("reporter2").do("GET", "/api/v1/pieces/"+itoa(second), nil)
		got.Similar = nil
		if decodeJSON(t, body, &got); len(got.Similar) != 1 || got.Similar[0].Title != "" {
			t.Errorf("another department's title shown: %+v", got.Similar)
		}
	})
}
