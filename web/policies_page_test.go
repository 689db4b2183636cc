package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/store/storetest"
)

// The policy library pages by keyset in the API and on the page: national
// first, then by date of issue, each policy once, forward and back.
func TestPoliciesPageByKeyset(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := t.Context()
		levels := []domain.PolicyLevel{domain.LevelDistrict, domain.LevelCity, domain.LevelProvincial, domain.LevelNational}
		const n = 130
		for i := range n {
			if _, err := e.app.AddPolicy(ctx, e.actor("office"), app.PolicyInput{Level: string(levels[i%4]), Issuer: "发文机关",
				DocNumber: fmt.Sprintf("文〔2017〕%d号", i), Title: fmt.Sprintf("政策 %03d", i), Issued: fmt.Sprintf("2017-%02d-%02d", 1+i%12, 1+i%28)}); err != nil {
				t.Fatal(err)
			}
		}
		office := e.as("office")
		type item struct {
			ID     int64  `json:"id"`
			Level  string `json:"level"`
			Issued string `json:"issued"`
		}
		type page struct {
			Policies []item  `json:"policies"`
			Next     *string `json:"next_cursor"`
			Prev     *string `json:"prev_cursor"`
		}
		get := func(q url.Values) page {
			t.Helper()
			res, body := office.do("GET", "/api/v1/policies?"+q.Encode(), nil)
			if res.StatusCode != 200 {
				t.Fatalf("%s: %d %s", q.Encode(), res.StatusCode, body)
			}
			var p page
			decodeJSON(t, body, &p)
			return p
		}
		rank := map[string]int{"national": 1, "provincial": 2, "city": 3, "district": 4}
		var all []item
		var pages []page
		q := url.Values{"limit": {"50"}}
		for {
			p := get(q)
			pages = append(pages, p)
			all = append(all, p.Policies...)
			if p.Next == nil {
				break
			}
			q.Set("cursor", *p.Next)
		}
		if len(all) != n || len(pages) != 3 {
			t.Fatalf("%d policies in %d pages, want %d in 3", len(all), len(pages), n)
		}
		seen := map[int64]bool{}
		for i, p := range all {
			if seen[p.ID] {
				t.Fatalf("policy %d twice", p.ID)
			}
			seen[p.ID] = true
			if i == 0 {
				continue
			}
			a, b := all[i-1], p
			if rank[a.Level] > rank[b.Level] || rank[a.Level] == rank[b.Level] && (a.Issued > b.Issued || a.Issued == b.Issued && a.ID > b.ID) {
				t.Fatalf("out of order at %d: %+v then %+v", i, a, b)
			}
		}
		back := get(url.Values{"limit": {"50"}, "cursor": {*pages[2].Prev}})
		if len(back.Policies) != 50 || back.Policies[0].ID != pages[1].Policies[0].ID {
			t.Fatalf("back from the last page: %d, first %d want %d", len(back.Policies), back.Policies[0].ID, pages[1].Policies[0].ID)
		}
		res, body := office.do("GET", "/policies", nil)
		if res.StatusCode != 200 || !strings.Contains(body, `rel="next"`) {
			t.Fatalf("the policies page: %d, no next link", res.StatusCode)
		}
	})
}
