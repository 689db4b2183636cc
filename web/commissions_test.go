package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"kexuan/domain"
	"kexuan/store/storetest"
)

// 约稿 and 批示: the office or a leader commissions a piece from a department
// (a leader only from the departments they lead); it shows as open, then
// overdue, until the department answers with one of its pieces. A leader's
// 批示 on a piece is shown on it and told to its department.
func TestCommissionsAndInstructions(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		e.app.Now = func() time.Time { return time.Date(2017, 5, 10, 10, 0, 0, 0, time.UTC) }
		office, rep, rep2, leader, leader2 := e.as("office"), e.as("reporter"), e.as("reporter2"), e.as("leader"), e.as("leader2")
		res, body := leader.do("POST", "/api/v1/commissions", map[string]any{"department": "hightech", "title": "科技活动周专题报道", "theme": 1, "due": "2017-05-20", "notes": "800 字左右"})
		if res.StatusCode != 201 {
			t.Fatalf("commission: %d %s", res.StatusCode, body)
		}
		if res, _ = leader2.do("POST", "/api/v1/commissions", map[string]any{"department": "hightech", "title": "x", "due": "2017-05-20"}); res.StatusCode != 403 {
			t.Errorf("a leader commissions a department they do not lead: %d", res.StatusCode)
		}
		if res, _ = rep.do("POST", "/api/v1/commissions", map[string]any{"department": "hightech", "title": "x", "due": "2017-05-20"}); res.StatusCode != 403 {
			t.Errorf("a reporter commissions: %d", res.StatusCode)
		}
		if res, body = office.do("POST", "/api/v1/commissions", map[string]any{"department": "ip", "title": "专利周", "due": "2017-02-30"}); res.StatusCode != 422 || !strings.Contains(body, `"field":"due"`) {
			t.Errorf("a bad date: %d %s", res.StatusCode, body)
		}
		var notes struct{ Notices []struct{ Text string } }
		_, body = rep.do("GET", "/api/v1/notices", nil)
		decodeJSON(t, body, &notes)
		if len(notes.Notices) == 0 || !strings.Contains(notes.Notices[0].Text, "科技活动周专题报道") {
			t.Errorf("the department was not told: %+v", notes.Notices)
		}
		var list struct {
			Commissions []struct {
				ID      int64
				Overdue bool
				PieceID int64 `json:"piece_id"`
			}
		}
		_, body = rep2.do("GET", "/api/v1/commissions", nil)
		decodeJSON(t, body, &list)
		if len(list.Commissions) != 0 {
			t.Errorf("another department sees the commission: %s", body)
		}
		// Overdue after its date.
		e.app.Now = func() time.Time { return time.Date(2017, 5, 25, 10, 0, 0, 0, time.UTC) }
		office, rep, leader, leader2 = e.as("office"), e.as("reporter"), e.as("leader"), e.as("leader2") // sessions idle since the 10th
		_, body = rep.do("GET", "/api/v1/commissions", nil)
		decodeJSON(t, body, &list)
		if len(list.Commissions) != 1 || !list.Commissions[0].Overdue {
			t.Fatalf("overdue: %s", body)
		}
		cid := itoa(list.Commissions[0].ID)
		if _, page := rep.do("GET", "/departments/hightech", nil); !strings.Contains(page, `id="open-commissions"`) || !strings.Contains(page, "已逾期") {
			t.Error("the department's page does not show its open commission")
		}
		piece := e.newPiece("reporter", domain.StateSubmitted, false)
		other := e.newPiece("reporter2", domain.StateSubmitted, false)
		if res, _ := rep.form("/commissions/"+cid+"/fulfil", url.Values{"piece_id": {itoa(other)}}, true); res.StatusCode != 422 {
			t.Errorf("answered with another department's piece: %d", res.StatusCode)
		}
		if res, _ := rep.form("/commissions/"+cid+"/fulfil", url.Values{"piece_id": {itoa(piece)}}, true); res.StatusCode != 303 {
			t.Fatalf("fulfil: %d", res.StatusCode)
		}
		_, body = leader.do("GET", "/api/v1/commissions", nil)
		list.Commissions = nil
		decodeJSON(t, body, &list)
		if len(list.Commissions) != 1 || list.Commissions[0].PieceID != piece || list.Commissions[0].Overdue {
			t.Errorf("after the answer: %s", body)
		}
		// 批示.
		res, _ = leader.form("/pieces/"+itoa(piece)+"/instructions", url.Values{"text": {"请补充具体数据"}, "back": {"/pieces/" + itoa(piece)}}, true)
		if res.StatusCode != 303 {
			t.Fatalf("instruction: %d", res.StatusCode)
		}
		if res, _ = office.do("POST", "/api/v1/instructions", map[string]any{"object": "piece:" + itoa(piece), "text": "x"}); res.StatusCode != 403 {
			t.Errorf("the office gives an instruction: %d", res.StatusCode)
		}
		if res, _ = leader2.do("POST", "/api/v1/instructions", map[string]any{"object": "piece:" + itoa(piece), "text": "x"}); res.StatusCode != 404 {
			t.Errorf("a leader instructs on a piece they cannot see: %d", res.StatusCode)
		}
		_, page := rep.do("GET", "/pieces/"+itoa(piece), nil)
		if !strings.Contains(page, "请补充具体数据") || !strings.Contains(page, `id="instructions"`) {
			t.Error("the 批示 is not on the piece")
		}
		_, body = rep.do("GET", "/api/v1/notices", nil)
		decodeJSON(t, body, &notes)
		if !strings.Contains(notes.Notices[0].Text, "批示：请补充具体数据") {
			t.Errorf("the author was not told: %+v", notes.Notices[0])
		}
	})
}
