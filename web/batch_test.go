package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kexuan/domain"
	"kexuan/store/storetest"
)

type batchOut struct {
	Done    []int64 `json:"done"`
	Refused []struct {
		ID    int64 `json:"id"`
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	} `json:"refused"`
}

// A leader approves a queue in one step and the office verifies a month of
// records in one step: each item as if alone, one refused item not
// stopping the others; a verification done by mistake is undone, with a
// reason, and the piece's page says so.
func TestBatchesAndUndo(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		leader, office, rep := e.as("leader"), e.as("office"), e.as("reporter")
		var queue []int64
		for range 3 {
			queue = append(queue, e.newPiece("reporter", domain.StateSubmitted, false))
		}
		draft := e.newPiece("reporter", domain.StateDraft, false)
		var out batchOut
		var res *http.Response
		var body string
		e.onYearStart(func() {
			res, body = leader.do("POST", "/api/v1/reviews/approve", map[string]any{"ids": append(append([]int64{}, queue...), draft), "comment": "同意发布"})
		})
		decodeJSON(t, body, &out)
		if res.StatusCode != 200 || len(out.Done) != 3 || len(out.Refused) != 1 || out.Refused[0].ID != draft || out.Refused[0].Error.Message == "" {
			t.Fatalf("batch approve: %d %s", res.StatusCode, body)
		}
		for _, id := range queue {
			if rows := must(e.db.Q().AuditEntries(t.Context(), domain.AuditFilter{Object: "piece:" + itoa(id)}))(t); len(rows) == 0 {
				t.Errorf("piece %d approved without its own audit row", id)
			}
		}
		if res, _ := rep.do("POST", "/api/v1/reviews/approve", map[string]any{"ids": queue}); res.StatusCode != 403 {
			t.Errorf("a reporter approves: %d", res.StatusCode)
		}
		if res, _ := leader.do("POST", "/api/v1/reviews/approve", map[string]any{"ids": []int64{}}); res.StatusCode != 422 {
			t.Errorf("an empty batch: %d", res.StatusCode)
		}

		// The department records outside coverage of each; the office verifies them at once.
		var recs []int64
		for i, id := range queue {
			var rec struct {
				ID int64 `json:"id"`
			}
			res, body := rep.do("POST", "/api/v1/pieces/"+itoa(id)+"/adoptions", map[string]any{"channel": "media", "date": "2017-05-0" + itoa(int64(i+3)), "outlet": "郑州日报", "issue": "第3版"})
			decodeJSON(t, body, &rec)
			if res.StatusCode != 201 {
				t.Fatalf("record: %d %s", res.StatusCode, body)
			}
			recs = append(recs, rec.ID)
		}
		out = batchOut{}
		res, body = office.do("POST", "/api/v1/adoptions/verify", map[string]any{"ids": append(append([]int64{}, recs...), 987654)})
		decodeJSON(t, body, &out)
		if res.StatusCode != 200 || len(out.Done) != 3 || len(out.Refused) != 1 || out.Refused[0].Error.Code != domain.ENotFound {
			t.Fatalf("batch verify: %d %s", res.StatusCode, body)
		}
		bonus := func() float64 {
			var r struct {
				Departments []struct {
					Code  string
					Bonus float64
				}
			}
			_, body := office.do("GET", "/api/v1/report?year=2017&as_of=2017-12-31", nil)
			decodeJSON(t, body, &r)
			for _, d := range r.Departments {
				if d.Code == e.users["reporter"].Department {
					return d.Bonus
				}
			}
			return -1
		}
		before := bonus()
		// Undo one: a reason is needed; it is pending again and counts no more.
		if res, body := office.do("POST", "/api/v1/adoptions/"+itoa(recs[0])+"/unverify", map[string]any{"reason": ""}); res.StatusCode != 422 || !strings.Contains(body, `"field":"reason"`) {
			t.Errorf("undo without a reason: %d %s", res.StatusCode, body)
		}
		if res, body := office.do("POST", "/api/v1/adoptions/"+itoa(recs[0])+"/unverify", map[string]any{"reason": "误点认定，版面待核"}); res.StatusCode != 200 {
			t.Fatalf("undo: %d %s", res.StatusCode, body)
		}
		if after := bonus(); after >= before {
			t.Errorf("the bonus after the undo: %v, before %v", after, before)
		}
		if res, _ := office.do("POST", "/api/v1/adoptions/"+itoa(recs[0])+"/unverify", map[string]any{"reason": "再撤一次"}); res.StatusCode != 409 {
			t.Errorf("undoing a pending record: %d", res.StatusCode)
		}
		if res, _ := rep.do("POST", "/api/v1/adoptions/"+itoa(recs[1])+"/unverify", map[string]any{"reason": "x"}); res.StatusCode != 403 {
			t.Errorf("a reporter undoes: %d", res.StatusCode)
		}
		_, page := office.do("GET", "/pieces/"+itoa(queue[0]), nil)
		if !strings.Contains(page, "撤销认定") || !strings.Contains(page, "误点认定，版面待核") || !strings.Contains(page, "待核实") {
			t.Error("the piece's page does not say the verification was undone, and why")
		}
		var pend struct {
			Adoptions []struct {
				ID int64 `json:"id"`
			} `json:"adoptions"`
		}
		_, body = office.do("GET", "/api/v1/adoptions/pending", nil)
		decodeJSON(t, body, &pend)
		if len(pend.Adoptions) != 1 || pend.Adoptions[0].ID != recs[0] {
			t.Errorf("pending after the undo: %s", body)
		}
		if rows := must(e.db.Q().AuditEntries(t.Context(), domain.AuditFilter{Action: "adoption_unverify"}))(t); len(rows) != 1 || rows[0].Reason != "误点认定，版面待核" {
			t.Errorf("undo audit: %+v", rows)
		}

		// The pages: ticked rows in one form each.
		if _, page := office.do("GET", "/verify", nil); !strings.Contains(page, `form="batch-verify"`) || !strings.Contains(page, `id="batch-verify"`) {
			t.Error("no batch form on /verify")
		}
		res, _ = office.form("/verify", url.Values{"ids": {itoa(recs[0])}}, true)
		if res.StatusCode != 303 {
			t.Errorf("batch verify form: %d", res.StatusCode)
		}
		more := e.newPiece("reporter", domain.StateSubmitted, false)
		if _, page := leader.do("GET", "/reviews", nil); !strings.Contains(page, `form="batch-approve"`) {
			t.Error("no batch form on /reviews")
		}
		if res, _ := leader.form("/reviews", url.Values{"ids": {itoa(more)}, "comment": {"同意"}}, true); res.StatusCode != 303 {
			t.Errorf("batch approve form: %d", res.StatusCode)
		}
		var p struct {
			State string `json:"state"`
		}
		_, body = leader.do("GET", "/api/v1/pieces/"+itoa(more), nil)
		decodeJSON(t, body, &p)
		if p.State != string(domain.StateApproved) {
			t.Errorf("approved from the page: %s", p.State)
		}
	})
}
