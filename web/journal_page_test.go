package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"kexuan/app"
	"kexuan/store/storetest"
)

// A year's journal issues page by number in the API and on the page; drafts
// only for those who compose or review them; a new issue's default number
// follows the year's last, whatever page is shown.
func TestJournalPagesByNumber(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := t.Context()
		const n = 60
		for i := range n {
			if _, err := e.app.CreateIssue(ctx, e.actor("office"), app.IssueInput{Number: i + 1, Date: fmt.Sprintf("2017-%02d-%02d", 1+i%12, 1+i%28), Editor: "编辑"}); err != nil {
				t.Fatal(err)
			}
		}
		type page struct {
			Issues []struct {
				Number int `json:"number"`
			} `json:"issues"`
			Next *string `json:"next_cursor"`
			Prev *string `json:"prev_cursor"`
		}
		get := func(c *client, q url.Values) page {
			t.Helper()
			res, body := c.do("GET", "/api/v1/journal?"+q.Encode(), nil)
			if res.StatusCode != 200 {
				t.Fatalf("%s: %d %s", q.Encode(), res.StatusCode, body)
			}
			var p page
			decodeJSON(t, body, &p)
			return p
		}
		office := e.as("office")
		var numbers []int
		q := url.Values{"year": {"2017"}, "limit": {"25"}}
		pages := 0
		for {
			p := get(office, q)
			pages++
			for _, j := range p.Issues {
				numbers = append(numbers, j.Number)
			}
			if p.Next == nil {
				break
			}
			q.Set("cursor", *p.Next)
		}
		if len(numbers) != n || pages != 3 {
			t.Fatalf("%d issues in %d pages, want %d in 3", len(numbers), pages, n)
		}
		for i, num := range numbers {
			if num != i+1 {
				t.Fatalf("issue %d at place %d", num, i)
			}
		}
		if p := get(e.as("reporter"), url.Values{"year": {"2017"}}); len(p.Issues) != 0 {
			t.Errorf("a reporter sees %d drafts", len(p.Issues))
		}
		res, body := office.do("GET", "/journal?year=2017", nil)
		if res.StatusCode != 200 || !strings.Contains(body, `rel="next"`) || !strings.Contains(body, `value="61"`) {
			t.Fatalf("the journal page: %d; a next link and the number 61 for a new issue expected", res.StatusCode)
		}
	})
}
