package app_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"kexuan/app"
	"kexuan/plan"
	"kexuan/store/storetest"
)

// Two similar pieces submitted at the same moment find each other, on
// both databases: the year's submissions take turns at the comparison.
func TestSimilarSubmittedAtOnce(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		p, src := plan.Builtin()
		f := newFixture(t, dsn, p, src, p.Departments[1].Code, p.Departments[2].Code)
		ctx := context.Background()
		body := "<p>金水区召开科技创新大会，全区一百余家高新技术企业参加，会议部署了全年科技宣传工作。</p>" +
			"<p>会上通报了上年度科技项目申报与专利授权情况，表彰了先进单位，交流了成果转化经验。</p>"
		rep := f.users["reporter"]
		const n = 6
		ids := make([]int64, n)
		for i := range ids {
			pc, err := f.app.CreatePiece(ctx, rep, app.PieceInput{Title: "大会", Body: strings.Replace(body, "一百", []string{"一百", "二百", "三百", "四百", "五百", "六百"}[i], 1)})
			if err != nil {
				t.Fatal(err)
			}
			ids[i] = pc.ID
		}
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = f.app.Submit(ctx, rep, id)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("submit %d: %v", i, err)
			}
		}
		for _, id := range ids {
			d, err := f.app.PieceDetail(ctx, rep.User, id)
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Similar) != n-1 {
				t.Errorf("piece %d: %d similar, want the other %d", id, len(d.Similar), n-1)
			}
		}
	})
}
