package web_test

import (
	"net/url"
	"strings"
	"testing"

	ics "github.com/arran4/golang-ical"

	"kexuan/store/storetest"
)

// The plan's calendar and a personal ICS feed: valid iCalendar (CRLF,
// folded lines, UID, DTSTAMP, the plan's time zone), read without a cookie,
// a new token revoking the old URL.
func TestCalendarFeed(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		office, rep := e.as("office"), e.as("reporter")
		if res, body := office.form("/calendar/events", url.Values{"title": {"科技活动周"}, "first": {"2017-05-20"}, "last": {"2017-05-27"}}, true); res.StatusCode != 303 {
			t.Fatalf("add event: %d %s", res.StatusCode, body)
		}
		if res, _ := rep.form("/calendar/events", url.Values{"title": {"x"}, "first": {"2017-05-20"}}, true); res.StatusCode != 403 {
			t.Errorf("a reporter sets the calendar: %d", res.StatusCode)
		}
		if _, page := rep.do("GET", "/calendar?year=2017", nil); !strings.Contains(page, "科技活动周") || !strings.Contains(page, "4.26世界知识产权日宣传") || !strings.Contains(page, "月度报送截止") {
			t.Error("the calendar page lacks an entry")
		}
		token := func() string {
			t.Helper()
			res, body := rep.do("POST", "/api/v1/calendar/token", nil)
			if res.StatusCode != 200 {
				t.Fatalf("token: %d %s", res.StatusCode, body)
			}
			var out struct{ URL string }
			decodeJSON(t, body, &out)
			u, err := url.Parse(out.URL)
			if err != nil || !strings.HasPrefix(u.Path, "/ics/") {
				t.Fatalf("feed url %q", out.URL)
			}
			return u.Path
		}
		feed := token()
		anon := e.anon()
		res, body := anon.do("GET", feed+"?year=2017", nil)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/calendar") {
			t.Fatalf("feed: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		if !strings.HasPrefix(body, "BEGIN:VCALENDAR\r\n") || strings.Contains(strings.ReplaceAll(body, "\r\n", ""), "\n") {
			t.Error("the feed's lines do not end in CRLF")
		}
		for _, line := range strings.Split(body, "\r\n") {
			if len(line) > 75 {
				t.Errorf("a line of %d octets: %q", len(line), line)
			}
		}
		cal, err := ics.ParseCalendar(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var summaries []string
		for _, ev := range cal.Events() {
			if ev.Id() == "" || ev.GetProperty(ics.ComponentPropertyDtstamp) == nil {
				t.Errorf("an event without UID or DTSTAMP: %s", ev.Serialize(nil))
			}
			summaries = append(summaries, ev.GetProperty(ics.ComponentPropertySummary).Value)
		}
		all := strings.Join(summaries, "|")
		for _, want := range []string{"科技活动周", "4.26世界知识产权日宣传", "2017-03 月度报送截止"} {
			if !strings.Contains(all, want) {
				t.Errorf("the feed lacks %q: %s", want, all)
			}
		}
		if !strings.Contains(body, "X-WR-TIMEZONE:Asia/Shanghai") || !strings.Contains(body, "DTSTART;VALUE=DATE:20170520") || !strings.Contains(body, "DTEND;VALUE=DATE:20170528") {
			t.Error("time zone or all-day dates missing")
		}
		// A new token: the old URL is gone.
		newer := token()
		if res, _ := anon.do("GET", feed, nil); res.StatusCode != 404 {
			t.Errorf("the revoked feed: %d", res.StatusCode)
		}
		if res, _ := anon.do("GET", newer, nil); res.StatusCode != 200 {
			t.Errorf("the new feed: %d", res.StatusCode)
		}
		if res, _ := anon.do("GET", "/ics/not-a-token-at-all-xxxxxxxx.ics", nil); res.StatusCode != 404 {
			t.Errorf("a made-up feed: %d", res.StatusCode)
		}
	})
}
