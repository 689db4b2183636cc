package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/plan"
	"kexuan/store/storetest"
)

// The office's corrections to adoption records: a refused form keeps what was
// typed; a wrong record is deleted with a reason and the score, the piece's
// state, the audit log and the person who recorded it all follow; a rejected
// or deleted record stays visible on the piece with its reason.
func TestAdoptionCorrections(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		office, rep := e.as("office"), e.as("reporter")
		pid := e.newPiece("reporter", domain.StateApproved, false)
		id := itoa(pid)

		// A wrong date: the page comes back (422) with every field as typed
		// and the date named, not a dead end.
		res, body := office.form("/pieces/"+id+"/adoptions", url.Values{"channel": {"shixun"}, "date": {"2017-02-30"},
			"outlet": {"金水时讯"}, "issue": {"第 12 期"}, "words": {"640"}}, true)
		if res.StatusCode != 422 {
			t.Fatalf("bad date: %d", res.StatusCode)
		}
		for _, want := range []string{`id="adopt-error"`, `value="第 12 期"`, `value="640"`, `value="2017-02-30"`, `<label class="invalid">日期`,
			`<option value="shixun" selected>`} {
			if !strings.Contains(body, want) {
				t.Errorf("refused form lacks %s", want)
			}
		}

		score := func() float64 {
			t.Helper()
			_, res, err := e.app.Report(ctx, 2017, plan.MustDate("2017-12-31"))
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range res.Departments {
				if d.Code == "hightech" {
					return d.Total
				}
			}
			t.Fatal("no hightech in the report")
			return 0
		}
		before := score()
		res, body = office.do("POST", "/api/v1/pieces/"+id+"/adoptions", map[string]any{"channel": "shixun", "date": "2017-05-02", "issue": "https://example.org/a?b=1&c=<2>", "words": 520, "reason": "刊发时增补"})
		if res.StatusCode != 201 {
			t.Fatalf("record: %d %s", res.StatusCode, body)
		}
		var rec struct {
			ID int64 `json:"id"`
		}
		decodeJSON(t, body, &rec)
		recorded := score()
		if recorded <= before {
			t.Fatalf("a counted 时讯 record did not raise the score: %v → %v", before, recorded)
		}
		_, page := office.do("GET", "/pieces/"+id, nil)
		if !strings.Contains(page, `<a href="https://example.org/a?b=1&amp;c=%3c2%3e" target="_blank" rel="noopener noreferrer">`) {
			t.Errorf("the record's URL is not a safe link:\n%s", page[strings.Index(page, `id="adoptions"`):])
		}
		if !strings.Contains(page, " 分") {
			t.Error("no 得分 for the record")
		}

		// Deleting: a reason is required, only the office may, and the score follows.
		if res, body = office.do("POST", "/api/v1/adoptions/"+itoa(rec.ID)+"/delete", map[string]any{"reason": ""}); res.StatusCode != 422 || !strings.Contains(body, `"field":"reason"`) {
			t.Errorf("delete without a reason: %d %s", res.StatusCode, body)
		}
		if res, _ = rep.do("POST", "/api/v1/adoptions/"+itoa(rec.ID)+"/delete", map[string]any{"reason": "x"}); res.StatusCode != 403 {
			t.Errorf("a reporter deletes: %d", res.StatusCode)
		}
		res, _ = office.form("/adoptions/"+itoa(rec.ID)+"/delete", url.Values{"reason": {"登记错了期次"}, "piece": {id}}, true)
		if res.StatusCode != 303 && res.StatusCode != 200 {
			t.Fatalf("delete: %d", res.StatusCode)
		}
		if got := score(); got != before {
			t.Errorf("score after the deletion: %v, want %v", got, before)
		}
		p := must(e.app.PieceDetail(ctx, e.users["office"], pid))(t)
		if p.State != domain.StateApproved || len(p.Adoptions) != 0 || len(p.Removed) != 1 || p.Removed[0].Kind != domain.RemovalDeleted || p.Removed[0].Reason != "登记错了期次" {
			t.Fatalf("after the deletion: state %s, %d records, removed %+v", p.State, len(p.Adoptions), p.Removed)
		}
		if res, _ = office.do("POST", "/api/v1/adoptions/"+itoa(rec.ID)+"/delete", map[string]any{"reason": "again"}); res.StatusCode != 404 {
			t.Errorf("deleting twice: %d", res.StatusCode)
		}
		// The same record, right this time, may be recorded again.
		if res, body = office.do("POST", "/api/v1/pieces/"+id+"/adoptions", map[string]any{"channel": "shixun", "date": "2017-05-02", "words": 520, "reason": "刊发时增补"}); res.StatusCode != 201 {
			t.Errorf("record again after deletion: %d %s", res.StatusCode, body)
		}
		entries := must(e.app.AuditLog(ctx, e.actor("auditor"), domain.AuditFilter{Action: "adoption_delete", Result: domain.AuditOK}, app.PageQuery{Limit: 10}))(t)
		if len(entries.Items) != 1 || !strings.Contains(entries.Items[0].Reason, "登记错了期次") || !strings.Contains(entries.Items[0].Reason, "金水时讯") {
			t.Errorf("audit of the deletion: %+v", entries.Items)
		}

		// A department's record the office does not accept stays visible, with why.
		res, body = rep.do("POST", "/api/v1/pieces/"+id+"/adoptions", map[string]any{"channel": "media", "date": "2017-05-03", "outlet": "郑州日报", "issue": "第3版"})
		var pending struct {
			ID int64 `json:"id"`
		}
		decodeJSON(t, body, &pending)
		if res.StatusCode != 201 {
			t.Fatalf("media by the department: %d %s", res.StatusCode, body)
		}
		if res, body = office.do("POST", "/api/v1/adoptions/"+itoa(pending.ID)+"/verify", map[string]any{"accept": false, "reason": "未见报道原文"}); res.StatusCode != 200 {
			t.Fatalf("reject: %d %s", res.StatusCode, body)
		}
		_, page = rep.do("GET", "/pieces/"+id, nil)
		removed := page[strings.Index(page, `id="removed-adoptions"`):]
		for _, want := range []string{"不予认定", "未见报道原文", "已删除", "登记错了期次", "郑州日报"} {
			if !strings.Contains(removed, want) {
				t.Errorf("removed records lack %q", want)
			}
		}
	})
}
