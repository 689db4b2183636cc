package web_test

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"strings"
	"testing"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/plan"
	"kexuan/store/storetest"
)

type ledgerOut struct {
	Department struct {
		Code       string `json:"code"`
		Categories map[string]struct {
			Raw float64 `json:"raw"`
		} `json:"categories"`
	} `json:"department"`
	Summary []struct {
		Kind string `json:"kind"`
	} `json:"summary"`
	Lines []struct {
		Kind   string  `json:"kind"`
		Ref    int64   `json:"ref"`
		Date   string  `json:"date"`
		Points float64 `json:"points"`
	} `json:"lines"`
	Total int     `json:"total"`
	Next  *string `json:"next_cursor"`
	Prev  *string `json:"prev_cursor"`
}

// The ledger pages: at most 100 lines a page in (day, id) order, every
// publication once across the pages, back and forth by cursor, the totals
// of the whole selection on every page; on both databases.
func TestLedgerPages(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		im, err := e.db.BeginImport(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 250 {
			d := plan.Date{Year: 2017, Month: 1 + i%12, Day: 1 + i%28}
			if err := im.Add(domain.Publication{Department: "hightech", Channel: "shixun", Day: d, Title: fmt.Sprintf("时讯%d", i), Words: i * 3, Counted: true, Source: "import"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := im.Add(domain.Publication{Department: "hightech", Channel: "media", Day: plan.Date{Year: 2017, Month: 5, Day: 5}, Title: "报道", Outlet: "河南日报", Counted: true, Source: "import"}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := im.Commit(); err != nil {
			t.Fatal(err)
		}
		c := e.as("reporter")
		get := func(q string) ledgerOut {
			t.Helper()
			res, body := c.do("GET", "/api/v1/ledger/hightech?year=2017&as_of=2017-12-31&category=shixun&limit=100"+q, nil)
			if res.StatusCode != 200 {
				t.Fatalf("%d %s", res.StatusCode, body)
			}
			var out ledgerOut
			decodeJSON(t, body, &out)
			return out
		}
		seen := map[int64]bool{}
		sum := 0.0
		var pages []ledgerOut
		q := ""
		for {
			pg := get(q)
			pages = append(pages, pg)
			if len(pg.Lines) > 100 {
				t.Fatalf("a page of %d lines", len(pg.Lines))
			}
			last := ""
			for _, l := range pg.Lines {
				if seen[l.Ref] || l.Date < last {
					t.Fatalf("line %d repeated or out of order", l.Ref)
				}
				seen[l.Ref], last = true, l.Date
				sum += l.Points
			}
			if pg.Total != 250 {
				t.Errorf("total %d, want 250", pg.Total)
			}
			if pg.Next == nil {
				break
			}
			q = "&cursor=" + url.QueryEscape(*pg.Next)
		}
		if len(pages) != 3 || len(seen) != 250 {
			t.Errorf("%d pages, %d lines", len(pages), len(seen))
		}
		if raw := pages[0].Department.Categories["shixun"].Raw; math.Abs(raw-sum) > 1e-9 {
			t.Errorf("the lines add up to %v, the category's raw points are %v", sum, raw)
		}
		if pages[0].Prev != nil || pages[2].Next != nil {
			t.Errorf("cursors past the ends")
		}
		back := get("&cursor=" + url.QueryEscape(*pages[1].Prev))
		if len(back.Lines) != len(pages[0].Lines) || back.Lines[0].Ref != pages[0].Lines[0].Ref {
			t.Errorf("the previous page of page 2 is not page 1")
		}
		// The page: 上一页/下一页 and the filters kept in the links.
		_, page := c.do("GET", "/ledger/hightech?category=shixun", nil)
		if !strings.Contains(page, `id="next-page"`) || strings.Contains(page, `id="prev-page"`) || !strings.Contains(page, "category=shixun") || strings.Count(page, `class="l-points"`) != app.DefaultLedgerPage {
			t.Errorf("ledger page: pager or lines wrong")
		}
		if _, page := c.do("GET", "/ledger/hightech?category=shixun&limit=500", nil); strings.Count(page, `class="l-points"`) != app.MaxLedgerPage {
			t.Errorf("a page asked for 500 lines shows %d, want at most %d", strings.Count(page, `class="l-points"`), app.MaxLedgerPage)
		}
		if res, _ := c.do("GET", "/api/v1/ledger/hightech?cursor=garbage", nil); res.StatusCode != 422 {
			t.Errorf("a bad cursor: %d", res.StatusCode)
		}
	})
}
