package app_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/plan"
	"kexuan/store/storetest"
)

// What XML forbids (Word refuses a .docx that holds it) is refused where it
// is typed, naming the field and the character; a reason of spaces and
// zero-width characters is no reason.
func TestTextDocumentsCanHold(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		p, src := plan.Builtin()
		dept, other := p.Departments[1].Code, p.Departments[2].Code
		f := newFixture(t, dsn, p, src, dept, other)
		ctx := context.Background()
		refused := func(what string, err error, field, char string) {
			t.Helper()
			e := domain.ErrorOf(err)
			if e.Code != domain.EInvalid || e.Field != field || !strings.Contains(e.Message, char) {
				t.Errorf("%s: %v (field %q), want refused on %s naming %s", what, err, e.Field, field, char)
			}
		}
		for _, bad := range []struct{ s, char string }{{"标题\uFFFF", "U+FFFF"}, {"标题\uFFFE", "U+FFFE"}, {"标\x07题", "U+0007"}, {"标题\xed\xa0\x80", "UTF-8"}} {
			_, err := f.app.CreatePiece(ctx, f.users["reporter"], app.PieceInput{Title: bad.s, Body: "<p>正文</p>"})
			refused("a title holding "+bad.char, err, "title", bad.char)
		}
		_, err := f.app.CreatePiece(ctx, f.users["reporter"], app.PieceInput{Title: "标题", Body: "<p>正文&#xFFFF;</p>"})
		refused("a body holding U+FFFF", err, "body", "U+FFFF")
		_, err = f.app.CreatePiece(ctx, f.users["reporter"], app.PieceInput{Title: "\u200b \u200b", Body: "<p>正文</p>"})
		refused("a title of zero-width spaces", err, "title", "标题")
		id := f.approved("科技活动周")
		_, err = f.app.Return(ctx, f.users["leader"], id, "意见\uFFFF")
		if e := domain.ErrorOf(err); e.Code != domain.EInvalid || e.Field != "comment" {
			t.Errorf("a comment holding U+FFFF: %v", err)
		}
		for _, blank := range []string{"   ", "\u200b\u200b\u200b", " \u200d\ufeff\u3000 "} {
			_, err := f.app.RecordAdjustment(ctx, f.users["office"], app.AdjustmentInput{Department: dept, Date: "2017-03-01", Points: 1, Reason: blank})
			refused("an adjustment whose reason is "+strings.ToValidUTF8(blank, "?"), err, "reason", "")
		}
		if _, err := f.app.RecordAdjustment(ctx, f.users["office"], app.AdjustmentInput{Department: dept, Date: "2017-03-01", Points: 1, Reason: "补报\u200b材料"}); err != nil {
			t.Errorf("a reason with a zero-width space inside: %v", err)
		}
	})
}

// Issue 20 item 7: failed sign-ins from an address pool (each address under
// its throttle) write at most FailedSignInRows rows a minute; the rest of
// the minute is one summary row: how many, from where, which names.
func TestFailedSignInRowsBounded(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		p, src := plan.Builtin()
		f := newFixture(t, dsn, p, src, p.Departments[1].Code, p.Departments[2].Code)
		ctx := context.Background()
		var now atomic.Int64
		now.Store(time.Date(2026, 12, 3, 15, 59, 1, 0, time.UTC).UnixNano())
		f.app.Now = func() time.Time { return time.Unix(0, now.Load()) }
		rows := func(action string) []*domain.AuditEntry {
			t.Helper()
			pg, err := f.app.AuditLog(ctx, f.users["auditor"], domain.AuditFilter{Action: action, Result: domain.AuditFailed}, app.PageQuery{Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			return pg.Items
		}
		before := len(rows("login"))
		const tries = app.FailedSignInRows + 40
		for i := range tries {
			user := fmt.Sprintf("guess%d", i)
			if i%2 == 0 {
				user = "reporter" // a wrong password still counts toward the lockout
			}
			f.app.Login(ctx, user, "wrong-password", fmt.Sprintf("198.51.100.%d", i))
		}
		if n := len(rows("login")) - before; n != app.FailedSignInRows {
			t.Errorf("%d failed sign-ins in a minute wrote %d rows, want %d", tries, n, app.FailedSignInRows)
		}
		if s := rows("login_failed_summary"); len(s) != 0 {
			t.Errorf("a summary before the minute ended: %+v", s)
		}
		now.Add(int64(time.Minute))
		f.app.FlushSignInSummary(ctx)
		f.app.FlushSignInSummary(ctx) // once
		s := rows("login_failed_summary")
		if len(s) != 1 || !strings.Contains(s[0].Reason, "另有 40 次") || !strings.Contains(s[0].Reason, "198.51.100.") || !strings.Contains(s[0].Reason, "guess") {
			t.Errorf("the minute's summary: %+v", s)
		}
	})
}

// Issue 21 item 3: overriding the 字数 of a record that waits for the
// office writes the piece's real state (已审核) into its history, not 已采用.
func TestWordsOverrideKeepsTheState(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		p, src := plan.Builtin()
		dept, other := p.Departments[1].Code, p.Departments[2].Code
		f := newFixture(t, dsn, p, src, dept, other)
		ctx := context.Background()
		deptCh := channelRecordedBy(p, plan.RecordedByDepartment, plan.KindBonus)
		id := f.approved("科技活动周")
		rec, err := f.app.RecordAdoption(ctx, f.users["reporter"], id, app.AdoptionInput{Channel: deptCh.Code, Date: "2017-03-10", Issue: "https://example.org/a"})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.app.OverrideWords(ctx, f.users["office"], rec.ID, 800, "原文删减"); err != nil {
			t.Fatal(err)
		}
		d, err := f.app.PieceDetail(ctx, f.users["office"].User, id)
		if err != nil {
			t.Fatal(err)
		}
		last := d.Events[len(d.Events)-1]
		if last.Action != "words" || last.FromState != domain.StateApproved || last.ToState != domain.StateApproved {
			t.Errorf("the history's 字数 event: %+v", last)
		}
	})
}
