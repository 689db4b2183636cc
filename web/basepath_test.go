package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	ics "github.com/arran4/golang-ical"

	"kexuan/store/storetest"
	"kexuan/web"
)

// Served under /kexuan/ (site_url with a path, as behind the proxy of
// deploy/nginx.conf): every page of every role, its links, forms, scripts
// and styles, every redirect and cookie, and the absolute links of the
// calendar feed stay under the path.
func TestServedUnderABasePath(t *testing.T) {
	t.Parallel()
	e, pw := demoEnvAt(t, storetest.SQLite(t), "/kexuan")
	for _, role := range demoRoles {
		if pages := crawl(t, e, role, e.demoAs(role, pw[role])); len(pages) < 5 {
			t.Errorf("%s: only %d pages reached under the base: %v", role, len(pages), pages)
		}
	}
	host := strings.TrimSuffix(e.ts.URL, "/kexuan")
	anon := e.anon()
	get := func(u string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", u, nil)
		res, _ := anon.send(req)
		return res
	}
	for _, c := range []struct {
		url, status, location string
	}{
		{host + "/kexuan", "301", "/kexuan/"},
		{host + "/", "301", "/kexuan/"},
		{host + "/pieces", "404", ""},
		{host + "/kexuanx/pieces", "404", ""},
		{host + "/kexuan/pieces", "303", "/kexuan/login?next=%2Fpieces"},
	} {
		res := get(c.url)
		if got := res.Status[:3]; got != c.status || res.Header.Get("Location") != c.location {
			t.Errorf("GET %s: %s %q, want %s %q", c.url, got, res.Header.Get("Location"), c.status, c.location)
		}
	}
	// Cookies belong to the path: another application on the host sees none.
	reporter := e.demoAs("reporter", pw["reporter"])
	u, _ := url.Parse(e.ts.URL + "/")
	if len(reporter.http.Jar.Cookies(u)) == 0 {
		t.Error("no session cookie under the base")
	}
	if other, _ := url.Parse(host + "/other/"); len(reporter.http.Jar.Cookies(other)) != 0 {
		t.Errorf("the session cookie is sent outside the base: %v", reporter.http.Jar.Cookies(other))
	}
	// The calendar feed's address and its events' links are the site's.
	res, body := reporter.do("POST", "/api/v1/calendar/token", nil)
	if res.StatusCode != 200 {
		t.Fatalf("token: %d %s", res.StatusCode, body)
	}
	var out struct{ URL string }
	decodeJSON(t, body, &out)
	if !strings.HasPrefix(out.URL, e.srv.SiteURL()+"/ics/") {
		t.Fatalf("feed url %q is not under %s", out.URL, e.srv.SiteURL())
	}
	res = get(out.URL + "?year=2017")
	if res.StatusCode != 200 {
		t.Fatalf("the feed under the base: %d", res.StatusCode)
	}
	req, _ := http.NewRequest("GET", out.URL+"?year=2017", nil)
	_, feed := anon.send(req)
	cal, err := ics.ParseCalendar(strings.NewReader(feed))
	if err != nil {
		t.Fatal(err)
	}
	links := 0
	for _, ev := range cal.Events() {
		if p := ev.GetProperty(ics.ComponentPropertyUrl); p != nil {
			links++
			if !strings.HasPrefix(p.Value, e.srv.SiteURL()+"/") {
				t.Errorf("an event links to %q", p.Value)
			}
		}
	}
	if links == 0 {
		t.Error("no event of the feed links to its page")
	}
}

// Every page under the base path opens in Chromium with its scripts and
// styles loaded (nothing refused, nothing failing to load).
func TestBrowserUnderABasePath(t *testing.T) {
	t.Parallel()
	e, pw := demoEnvAt(t, storetest.SQLite(t), "/kexuan")
	for _, role := range []string{"reporter", "office"} {
		t.Run(role, func(t *testing.T) {
			t.Parallel()
			cspPages(t, e.in(t), role, pw[role])
		})
	}
}

func TestParseSiteURL(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, site, base string }{
		{"", "", ""},
		{"https://kx.example.gov.cn", "https://kx.example.gov.cn", ""},
		{"https://kx.example.gov.cn/", "https://kx.example.gov.cn", ""},
		{"https://kx.example.gov.cn/kexuan/", "https://kx.example.gov.cn/kexuan", "/kexuan"},
		{" http://10.0.0.5:8080/a/b ", "http://10.0.0.5:8080/a/b", "/a/b"},
	} {
		site, base, err := web.ParseSiteURL(c.in)
		if err != nil || site != c.site || base != c.base {
			t.Errorf("%q: %q %q %v", c.in, site, base, err)
		}
	}
	for _, bad := range []string{"kx.example.gov.cn/kexuan", "ftp://x/", "https://x/a?b=1", "https://x/a#f", "https://u:p@x/", "https:///kexuan"} {
		if _, _, err := web.ParseSiteURL(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
