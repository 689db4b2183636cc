package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"kexuan/app"
	"kexuan/store/storetest"
)

// Commissions page by keyset, past the 500 the list used to stop at: every
// one once, open ones first and by due date, forward and back, in the API
// and on the page; a leader sees only the departments they lead.
func TestCommissionsPageByKeyset(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := t.Context()
		const n = 520
		for i := range n {
			dept := "hightech"
			if i%4 == 3 {
				dept = "ip"
			}
			if _, err := e.app.CreateCommission(ctx, e.actor("office"), app.CommissionInput{Department: dept,
				Title: fmt.Sprintf("约稿 %03d", i), Due: fmt.Sprintf("2017-%02d-%02d", 1+i%12, 1+i%28)}); err != nil {
				t.Fatal(err)
			}
		}
		type item struct {
			ID         int64  `json:"id"`
			Department string `json:"department"`
			Due        string `json:"due"`
			PieceID    int64  `json:"piece_id"`
		}
		type page struct {
			Commissions []item  `json:"commissions"`
			Next        *string `json:"next_cursor"`
			Prev        *string `json:"prev_cursor"`
		}
		office := e.as("office")
		get := func(c *client, q url.Values) page {
			t.Helper()
			res, body := c.do("GET", "/api/v1/commissions?"+q.Encode(), nil)
			if res.StatusCode != 200 {
				t.Fatalf("%s: %d %s", q.Encode(), res.StatusCode, body)
			}
			var p page
			decodeJSON(t, body, &p)
			return p
		}
		var all []item
		var pages []page
		q := url.Values{"limit": {"200"}}
		for {
			p := get(office, q)
			pages = append(pages, p)
			all = append(all, p.Commissions...)
			if p.Next == nil {
				break
			}
			q.Set("cursor", *p.Next)
		}
		if len(all) != n || len(pages) != 3 {
			t.Fatalf("%d commissions in %d pages, want %d in 3", len(all), len(pages), n)
		}
		seen := map[int64]bool{}
		for i, c := range all {
			if seen[c.ID] {
				t.Fatalf("commission %d listed twice", c.ID)
			}
			seen[c.ID] = true
			if i > 0 && (all[i-1].Due > c.Due || all[i-1].Due == c.Due && all[i-1].ID > c.ID) {
				t.Fatalf("out of order at %d: %+v then %+v", i, all[i-1], c)
			}
		}
		// Back from the last page gives the middle one again.
		back := get(office, url.Values{"limit": {"200"}, "cursor": {*pages[2].Prev}})
		if len(back.Commissions) != 200 || back.Commissions[0].ID != pages[1].Commissions[0].ID || back.Commissions[199].ID != pages[1].Commissions[199].ID {
			t.Fatalf("back from the last page: %d items, first %d (want %d)", len(back.Commissions), back.Commissions[0].ID, pages[1].Commissions[0].ID)
		}
		// leader2, who leads ip alone, sees its 130 and no other.
		leader2 := e.as("leader2")
		var ip int
		q = url.Values{"limit": {"200"}}
		for {
			p := get(leader2, q)
			for _, c := range p.Commissions {
				if c.Department != "ip" {
					t.Fatalf("leader2 sees %+v", c)
				}
				ip++
			}
			if p.Next == nil {
				break
			}
			q.Set("cursor", *p.Next)
		}
		if ip != n/4 {
			t.Errorf("leader2 sees %d commissions, want %d", ip, n/4)
		}
		// The page shows its 50 with a link to the next.
		res, body := office.do("GET", "/commissions", nil)
		if res.StatusCode != 200 || !strings.Contains(body, `rel="next"`) {
			t.Fatalf("the commissions page: %d, no next link", res.StatusCode)
		}
		if res, _ := office.do("GET", "/api/v1/commissions?cursor=bad", nil); res.StatusCode != 422 {
			t.Errorf("a bad cursor: %d, want 422", res.StatusCode)
		}
	})
}
