package app_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/plan"
	"kexuan/store/storetest"
)

// The register numbers 通报 in the order they are issued, with no gap and
// no number twice, when the office issues many at once (two servers, say):
// each period once, and a period issued again — at the same moment too —
// keeps its number.
func TestBulletinRegisterConcurrent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		p, src := plan.Builtin()
		f := newFixture(t, dsn, p, src, p.Departments[1].Code, p.Departments[2].Code)
		ctx := context.Background()
		var periods []string
		for m := 1; m <= 12; m++ {
			periods = append(periods, fmt.Sprintf("%d-%02d", p.Year, m))
		}
		periods = append(periods, fmt.Sprintf("%dQ1", p.Year), fmt.Sprintf("%dQ2", p.Year), fmt.Sprint(p.Year))
		var wg sync.WaitGroup
		errs := make(chan error, 2*len(periods))
		for _, per := range append(slices.Clone(periods), periods...) { // each twice, all at once
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, _, err := f.app.Bulletin(ctx, f.users["office"], per, app.BulletinOptions{}); err != nil {
					errs <- fmt.Errorf("%s: %w", per, err)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		docs, err := f.app.Documents(ctx, f.users["office"].User, p.Year)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for i, d := range docs {
			if d.Seq != i+1 || seen[d.Period] || d.Number != fmt.Sprintf("%s〔%d〕%d号", p.Documents.Code, p.Year, i+1) {
				t.Errorf("register entry %d: %+v", i, d)
			}
			seen[d.Period] = true
			months, _, _, _ := app.BulletinPeriod(d.Period)
			if want := app.FirstWorkingDay(months[len(months)-1].Last()); d.Dated != want {
				t.Errorf("%s dated %s, want %s", d.Period, d.Dated, want)
			}
		}
		if len(docs) != len(periods) {
			t.Errorf("%d register entries for %d periods", len(docs), len(periods))
		}
		// A number asked for that another has, a date before the period's end,
		// a reporter: refused, nothing registered.
		if _, _, err := f.app.Bulletin(ctx, f.users["office"], fmt.Sprintf("%dQ3", p.Year), app.BulletinOptions{Number: 2}); domain.ErrorOf(err).Code != domain.EConflict {
			t.Errorf("a taken number: %v", err)
		}
		if _, _, err := f.app.Bulletin(ctx, f.users["office"], fmt.Sprintf("%dQ3", p.Year), app.BulletinOptions{Date: fmt.Sprintf("%d-09-30", p.Year)}); domain.ErrorOf(err).Field != "date" {
			t.Errorf("a date inside the period: %v", err)
		}
		if _, _, err := f.app.Bulletin(ctx, f.users["reporter"], fmt.Sprintf("%dQ3", p.Year), app.BulletinOptions{}); domain.ErrorOf(err).Code != domain.EForbidden {
			t.Errorf("a reporter issues: %v", err)
		}
		if docs2, _ := f.app.Documents(ctx, f.users["office"].User, p.Year); len(docs2) != len(docs) {
			t.Errorf("a refusal registered something: %d entries", len(docs2))
		}
		// Asked for a number: it takes it, and the next free one is after it.
		if _, _, err := f.app.Bulletin(ctx, f.users["office"], fmt.Sprintf("%dQ3", p.Year), app.BulletinOptions{Number: 40}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.app.Bulletin(ctx, f.users["office"], fmt.Sprintf("%dQ4", p.Year), app.BulletinOptions{}); err != nil {
			t.Fatal(err)
		}
		docs, _ = f.app.Documents(ctx, f.users["office"].User, p.Year)
		if n := len(docs); n < 2 || docs[n-2].Seq != 40 || docs[n-1].Seq != 41 {
			t.Errorf("after number 40: %+v", docs[len(docs)-2:])
		}
	})
}

// The first working day after a period: a weekend skipped.
func TestFirstWorkingDay(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"2017-03-31": "2017-04-03", "2017-05-31": "2017-06-01", "2017-09-29": "2017-10-02", "2017-12-31": "2018-01-01"} {
		if got := app.FirstWorkingDay(plan.MustDate(in)); got.String() != want {
			t.Errorf("after %s: %s, want %s", in, got, want)
		}
	}
}
