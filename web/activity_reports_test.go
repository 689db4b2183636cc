package web_test

import (
	"fmt"
	"strings"
	"testing"

	"kexuan/app"
	"kexuan/store/storetest"
)

// An activity's reports page by keyset past the 200 the page used to stop
// at, each seen once, and only those the reader may see.
func TestActivityReportsPage(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := t.Context()
		res, body := e.as("leader2").do("GET", "/api/v1/activities?year=2017", nil)
		var list struct {
			Activities []struct {
				ID   int64
				Form int
			}
		}
		if res.StatusCode != 200 {
			t.Fatalf("activities: %d %s", res.StatusCode, body)
		}
		decodeJSON(t, body, &list)
		id := list.Activities[0].ID
		const n = 230
		for i := range n {
			if _, err := e.app.CreatePiece(ctx, e.actor("reporter2"), app.PieceInput{Title: fmt.Sprintf("活动报道 %d", i),
				Body: "<p>活动圆满结束。</p>", Themes: []string{"1"}, Activity: id}); err != nil {
				t.Fatal(err)
			}
		}
		seen := map[int64]bool{}
		pq := app.PageQuery{Limit: 100}
		pages := 0
		for {
			d, err := e.app.Activity(ctx, e.users["reporter2"], id, pq)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, p := range d.Reports {
				if seen[p.ID] || p.ActivityID != id {
					t.Fatalf("piece %d twice, or of another activity (%d)", p.ID, p.ActivityID)
				}
				seen[p.ID] = true
			}
			if d.ReportsPage.Next == "" {
				break
			}
			pq.Cursor = d.ReportsPage.Next
		}
		if len(seen) != n || pages != 3 {
			t.Fatalf("%d reports in %d pages, want %d in 3", len(seen), pages, n)
		}
		// Another department's reporter sees the activity, not ip's drafts.
		if d, err := e.app.Activity(ctx, e.users["reporter"], id, app.PageQuery{}); err != nil || len(d.Reports) != 0 {
			t.Fatalf("reporter of another department: %d reports, %v", len(d.Reports), err)
		}
		_, page := e.as("reporter2").do("GET", fmt.Sprintf("/activities/%d", id), nil)
		if !strings.Contains(page, `rel="next"`) || strings.Count(page, "活动报道 ") != 50 {
			t.Fatalf("the activity page: %d reports shown, next link %v", strings.Count(page, "活动报道 "), strings.Contains(page, `rel="next"`))
		}
	})
}
