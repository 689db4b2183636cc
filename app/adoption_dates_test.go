package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/plan"
	"kexuan/store/storetest"
)

// A piece cannot appear before it was approved: a record dated earlier is
// refused naming the date; the day of the approval and later are taken.
func TestAdoptionNotBeforeApproval(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		p, src := plan.Builtin()
		dept, other := p.Departments[1].Code, p.Departments[2].Code
		f := newFixture(t, dsn, p, src, dept, other)
		ctx := context.Background()
		loc := p.Location()
		f.cal.Set(time.Date(p.Year, 6, 15, 10, 0, 0, 0, loc))
		piece, err := f.app.CreatePiece(ctx, f.users["reporter"], app.PieceInput{Title: "六月的稿件", Body: "<p>" + strings.Repeat("科技创新", 40) + "</p>"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.Submit(ctx, f.users["reporter"], piece.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.Approve(ctx, f.users["leader"], piece.ID, ""); err != nil {
			t.Fatal(err)
		}
		ch := channelRecordedBy(p, plan.RecordedByOffice, plan.KindTarget)
		day := func(d int) string { return plan.Date{Year: p.Year, Month: 6, Day: d}.String() }
		_, err = f.app.RecordAdoption(ctx, f.users["office"], piece.ID, app.AdoptionInput{Channel: ch.Code, Date: day(14)})
		if e := domain.ErrorOf(err); e.Code != domain.EInvalid || e.Field != "date" || !strings.Contains(e.Message, day(15)) {
			t.Fatalf("a record dated the day before the approval: %v, want refused naming the date and the approval's day", err)
		}
		if _, err := f.app.RecordAdoption(ctx, f.users["office"], piece.ID, app.AdoptionInput{Channel: ch.Code, Date: day(15)}); err != nil {
			t.Fatalf("a record dated the day of the approval: %v", err)
		}
	})
}
