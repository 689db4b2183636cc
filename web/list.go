package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/plan"
)

// pager is the 上一页/下一页 of a list page: links that keep the page's
// filters and move only the cursor.
type pager struct {
	Prev, Next string // "" at the ends
	// Where the reader is: items First–Last of Total (0: not known, the
	// list goes on past this page).
	First, Last, Total int
}

// pageQuery reads ?limit= and ?cursor=.
func pageQuery(r *http.Request) (app.PageQuery, error) {
	q := r.URL.Query()
	pq := app.PageQuery{Cursor: q.Get("cursor")}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 0 {
			return pq, domain.Invalid("limit", "每页条数应为正整数")
		}
		pq.Limit = n
	}
	return pq, nil
}

// pagerOf makes the links to the pages before and after one.
func pagerOf[T any](r *http.Request, pg *app.Page[T]) pager {
	link := func(cursor string) string {
		if cursor == "" {
			return ""
		}
		q := r.URL.Query()
		q.Set("cursor", cursor)
		return (&url.URL{Path: r.URL.Path, RawQuery: q.Encode()}).String()
	}
	return pager{Prev: link(pg.Prev), Next: link(pg.Next), First: pg.First, Last: pg.Last(), Total: pg.Total}
}

// cursorJSON is a cursor for the API: null at the end of a list.
func cursorJSON(c string) *string {
	if c == "" {
		return nil
	}
	return &c
}

// pieceList reads a piece list's filters — ?state=, ?department=, ?q= (in
// the title) — and its page (?limit=, ?cursor=).
func pieceList(r *http.Request, loc *time.Location) (domain.PieceFilter, app.PageQuery, error) {
	pq, err := pageQuery(r)
	if err != nil {
		return domain.PieceFilter{}, pq, err
	}
	q := r.URL.Query()
	var f domain.PieceFilter
	if st := q.Get("state"); st != "" {
		s := domain.PieceState(st)
		if !s.Valid() {
			return f, pq, domain.Invalid("state", "没有“%s”这种稿件状态", st)
		}
		f.States = []domain.PieceState{s}
	}
	if d := q.Get("department"); d != "" {
		f.Departments = []string{d}
	}
	f.Title = q.Get("q")
	if len([]rune(f.Title)) > 100 {
		return f, pq, domain.Invalid("q", "搜索词太长（不超过 100 字）")
	}
	f.Channel = q.Get("channel")
	if len(f.Channel) > 64 {
		return f, pq, domain.Invalid("channel", "渠道不对")
	}
	f.Theme = q.Get("theme")
	if len(f.Theme) > 64 {
		return f, pq, domain.Invalid("theme", "宣传重点不对")
	}
	// from and to are days in the plan's time zone, both included.
	for _, b := range []struct {
		name string
		at   *time.Time
		next int
	}{{"from", &f.From, 0}, {"to", &f.Until, 1}} {
		v := q.Get(b.name)
		if v == "" {
			continue
		}
		d, err := plan.ParseDate(v)
		if err != nil {
			return f, pq, domain.Invalid(b.name, "日期 %q 不对，应为 YYYY-MM-DD", v)
		}
		*b.at = time.Date(d.Year, time.Month(d.Month), d.Day+b.next, 0, 0, 0, 0, loc)
	}
	if !f.From.IsZero() && !f.Until.IsZero() && !f.From.Before(f.Until) {
		return f, pq, domain.Invalid("to", "结束日期早于开始日期")
	}
	return f, pq, nil
}

// linkWith is path with the query q, as a link a template writes as it is:
// given as a string after "?", html/template would escape the query's "="
// and "&" (%3d), and the link would lose its filters.
func linkWith(path string, q url.Values) template.URL {
	if len(q) == 0 {
		return template.URL(path)
	}
	return template.URL((&url.URL{Path: path, RawQuery: q.Encode()}).String())
}
