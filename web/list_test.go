package web_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/store/storetest"
)

type pageOut struct {
	Pieces []pieceOut `json:"pieces"`
	Next   *string    `json:"next_cursor"`
	Prev   *string    `json:"prev_cursor"`
}

// walk follows a piece list's cursors from its first page to its last and
// back, and returns the ids in list order (checking both walks agree).
func walk(t *testing.T, c *client, path string) []int64 {
	t.Helper()
	get := func(cursor string) pageOut {
		t.Helper()
		u := path
		if cursor != "" {
			u += "&cursor=" + url.QueryEscape(cursor)
		}
		res, body := c.do("GET", u, nil)
		if res.StatusCode != 200 {
			t.Fatalf("GET %s: %d %s", u, res.StatusCode, body)
		}
		var pg pageOut
		decodeJSON(t, body, &pg)
		return pg
	}
	var ids []int64
	var pages []pageOut
	pg := get("")
	if pg.Prev != nil {
		t.Errorf("%s: the first page has a prev_cursor", path)
	}
	for {
		pages = append(pages, pg)
		for _, p := range pg.Pieces {
			ids = append(ids, p.ID)
		}
		if pg.Next == nil {
			break
		}
		if len(pages) > 1000 {
			t.Fatal("paging does not end")
		}
		pg = get(*pg.Next)
	}
	// Back from the last page: the same pages, in reverse.
	var back []int64
	pg = pages[len(pages)-1]
	for i := len(pages) - 1; ; i-- {
		chunk := []int64{}
		for _, p := range pg.Pieces {
			chunk = append(chunk, p.ID)
		}
		back = append(chunk, back...)
		if pg.Prev == nil {
			if i != 0 {
				t.Errorf("%s: walking back ended after %d pages, forward took %d", path, len(pages)-i, len(pages))
			}
			break
		}
		pg = get(*pg.Prev)
	}
	if fmt.Sprint(back) != fmt.Sprint(ids) {
		t.Errorf("%s: walking back gives another list", path)
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Errorf("%s: piece %d listed twice", path, id)
		}
		seen[id] = true
	}
	return ids
}

// Visibility is part of the query, before the limit: a leader whose
// departments have 520 newer drafts still sees what waits for them; a
// reporter pages through every piece of their department.
func TestListsPage(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		rep := &app.Actor{User: e.users["reporter"], Address: "test"}
		var submitted []int64
		for i := 0; i < 3; i++ {
			p, err := e.app.CreatePiece(ctx, rep, app.PieceInput{Title: fmt.Sprintf("待审稿件%d", i), Body: "<p>金水区科技创新。</p>"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.app.Submit(ctx, rep, p.ID); err != nil {
				t.Fatal(err)
			}
			submitted = append(submitted, p.ID)
		}
		for i := 0; i < 520; i++ {
			if _, err := e.app.CreatePiece(ctx, rep, app.PieceInput{Title: fmt.Sprintf("草稿%03d", i), Body: "<p>草稿。</p>"}); err != nil {
				t.Fatal(err)
			}
		}
		// The leader's queue and list: the three submitted pieces, on the first page.
		leader := e.as("leader")
		res, body := leader.do("GET", "/api/v1/reviews", nil)
		var q pageOut
		decodeJSON(t, body, &q)
		if res.StatusCode != 200 || len(q.Pieces) != 3 || q.Next != nil {
			t.Fatalf("leader's review queue: %d, %d pieces, next %v", res.StatusCode, len(q.Pieces), q.Next)
		}
		if ids := walk(t, leader, "/api/v1/pieces?limit=2"); len(ids) != 3 {
			t.Errorf("leader sees %d pieces, want the 3 submitted (drafts are not theirs)", len(ids))
		}
		// The reporter pages through all 523, newest change first.
		ids := walk(t, e.as("reporter"), "/api/v1/pieces?limit=100")
		if len(ids) != 523 {
			t.Fatalf("reporter pages through %d pieces, want 523", len(ids))
		}
		if ids[len(ids)-1] != submitted[0] {
			t.Errorf("the oldest change is not last: %d", ids[len(ids)-1])
		}
		// Filters are part of the query, and the pages keep them.
		if got := walk(t, e.as("reporter"), "/api/v1/pieces?state=submitted&limit=1"); len(got) != 3 {
			t.Errorf("state filter: %d pieces, want 3", len(got))
		}
		if got := walk(t, e.as("reporter"), "/api/v1/pieces?q="+url.QueryEscape("草稿05")+"&limit=3"); len(got) != 10 {
			t.Errorf("title filter: %d pieces, want 10", len(got))
		}
		// Another department's reporter sees none of them.
		if got := walk(t, e.as("reporter2"), "/api/v1/pieces?limit=50"); len(got) != 0 {
			t.Errorf("another department sees %d pieces", len(got))
		}
		// Bad input: a clear error, not a page.
		for _, bad := range []string{"/api/v1/pieces?cursor=zzz", "/api/v1/pieces?limit=-1", "/api/v1/pieces?state=lost"} {
			if res, body := leader.do("GET", bad, nil); res.StatusCode != 422 {
				t.Errorf("GET %s: %d %s, want 422", bad, res.StatusCode, body)
			}
		}
		// The page: 下一页 keeps the filter; the last page has no 下一页.
		r := e.as("reporter")
		res, page := r.do("GET", "/pieces?state=draft", nil)
		if res.StatusCode != 200 || !strings.Contains(page, `rel="next"`) || strings.Contains(page, `rel="prev"`) {
			t.Fatalf("pieces page: %d, pager missing", res.StatusCode)
		}
		next := page[strings.Index(page, `rel="next"`)-300 : strings.Index(page, `rel="next"`)]
		next = next[strings.LastIndex(next, `href="`)+6:]
		next = strings.ReplaceAll(next[:strings.IndexByte(next, '"')], "&amp;", "&")
		if !strings.Contains(next, "state=draft") {
			t.Errorf("下一页 %q drops the filter", next)
		}
		if res, page := r.do("GET", next, nil); res.StatusCode != 200 || !strings.Contains(page, `rel="prev"`) {
			t.Errorf("second page: %d, no 上一页", res.StatusCode)
		}
	})
}

func TestAdminListsPage(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		for i := 0; i < 25; i++ {
			if _, err := e.app.CreateUser(ctx, nil, app.UserInput{Username: fmt.Sprintf("rep%02d", i), Role: domain.Reporter, Department: "ip",
				Password: testPassword}, false); err != nil {
				t.Fatal(err)
			}
		}
		admin := e.as("admin")
		type usersOut struct {
			Users []struct {
				Username string      `json:"username"`
				Role     domain.Role `json:"role"`
				Leads    []string    `json:"leads"`
			} `json:"users"`
			Next *string `json:"next_cursor"`
		}
		var names []string
		cursor := ""
		for {
			res, body := admin.do("GET", "/api/v1/users?limit=7&cursor="+url.QueryEscape(cursor), nil)
			if res.StatusCode != 200 {
				t.Fatalf("users: %d %s", res.StatusCode, body)
			}
			var pg usersOut
			decodeJSON(t, body, &pg)
			for _, u := range pg.Users {
				names = append(names, u.Username)
			}
			if pg.Next == nil {
				break
			}
			cursor = *pg.Next
		}
		if len(names) != 25+len(testAccounts) {
			t.Errorf("paged through %d accounts, want %d", len(names), 25+len(testAccounts))
		}
		for i := 1; i < len(names); i++ {
			if names[i-1] >= names[i] {
				t.Errorf("accounts out of order: %s before %s", names[i-1], names[i])
			}
		}
		var leaders usersOut
		_, body := admin.do("GET", "/api/v1/users?role=leader", nil)
		decodeJSON(t, body, &leaders)
		if len(leaders.Users) != 2 || leaders.Users[0].Username != "leader" || strings.Join(leaders.Users[0].Leads, ",") != "hightech,planning" {
			t.Errorf("leaders with their departments: %+v", leaders.Users)
		}
		// The audit log pages newest first, with no entry twice.
		seen := map[float64]bool{}
		cursor, n := "", 0
		auditor := e.as("auditor")
		for {
			res, body := auditor.do("GET", "/api/v1/audit?action=user_create&limit=10&cursor="+url.QueryEscape(cursor), nil)
			if res.StatusCode != 200 {
				t.Fatalf("audit: %d %s", res.StatusCode, body)
			}
			var pg struct {
				Entries []map[string]any `json:"entries"`
				Next    *string          `json:"next_cursor"`
			}
			decodeJSON(t, body, &pg)
			for _, en := range pg.Entries {
				if id := en["id"].(float64); seen[id] {
					t.Errorf("audit entry %v twice", id)
				} else {
					seen[id] = true
				}
				n++
			}
			if pg.Next == nil {
				break
			}
			cursor = *pg.Next
		}
		if n != 25+len(testAccounts) {
			t.Errorf("%d user_create entries, want %d", n, 25+len(testAccounts))
		}
		if res, page := admin.do("GET", "/admin/users?role=reporter&department=ip", nil); res.StatusCode != 200 || !strings.Contains(page, "rep24") || strings.Contains(page, ">leader<") {
			t.Errorf("accounts page filtered: %d", res.StatusCode)
		}
	})
}

// Pieces are found by intended channel, theme and the day they were written,
// beside state, department and title.
func TestPieceFilters(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		rep := e.as("reporter")
		mk := func(title string, themes []int, channels []string) {
			res, body := rep.do("POST", "/api/v1/pieces", map[string]any{"title": title, "body": "<p>正文内容足够长，说明情况。</p>", "themes": themes, "channels": channels})
			if res.StatusCode != 201 {
				t.Fatalf("create %s: %d %s", title, res.StatusCode, body)
			}
		}
		mk("内网一篇", []int{1}, []string{"intranet"})
		mk("时讯一篇", []int{2}, []string{"shixun", "intranet"})
		mk("专期一篇", []int{9}, []string{"intranet_special"})
		titles := func(query string) []string {
			t.Helper()
			res, body := rep.do("GET", "/api/v1/pieces?"+query, nil)
			if res.StatusCode != 200 {
				t.Fatalf("%s: %d %s", query, res.StatusCode, body)
			}
			var out struct {
				Pieces []struct{ Title string }
			}
			decodeJSON(t, body, &out)
			var ts []string
			for _, it := range out.Pieces {
				ts = append(ts, it.Title)
			}
			slices.Sort(ts)
			return ts
		}
		for q, want := range map[string][]string{
			"channel=intranet":         {"内网一篇", "时讯一篇"},
			"channel=intranet_special": {"专期一篇"},
			"theme=1":                  {"内网一篇"},
			"theme=9":                  {"专期一篇"},
			"theme=2&channel=shixun":   {"时讯一篇"},
			"from=2000-01-01":          {"专期一篇", "内网一篇", "时讯一篇"},
			"to=2000-01-01":            nil,
			"from=2999-01-01":          nil,
		} {
			if got := titles(q); !slices.Equal(got, want) {
				t.Errorf("%s: %v, want %v", q, got, want)
			}
		}
		for _, bad := range []string{"theme=x", "from=2017-13-01", "from=2017-05-02&to=2017-05-01"} {
			if res, _ := rep.do("GET", "/api/v1/pieces?"+bad, nil); res.StatusCode != 422 {
				t.Errorf("%s: %d", bad, res.StatusCode)
			}
		}
		_, page := rep.do("GET", "/pieces?theme=2", nil)
		if !strings.Contains(page, `<option value="2" selected>（二）`) || !strings.Contains(page, "时讯一篇") || strings.Contains(page, "内网一篇") {
			t.Error("the pieces page does not filter by theme, or does not keep the choice")
		}
	})
}
