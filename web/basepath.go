package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Behind a proxy, under a path. The site's address (kexuan serve
// --site-url, e.g. https://kx.example.gov.cn/kexuan/) is the one source of
// every absolute link and of the base path the site is served under. The
// routes, handlers and the links they build are written at the root ("/pieces/5");
// the mount (below) takes the base path off each request, and puts it back
// on every link that leaves: Location headers here, cookies' paths
// (cookiePath), templates' links ({{base}}), scripts' (body data-base).

// ParseSiteURL checks the site's address and returns it without its final
// slash, and its path (the base path: "" or "/kexuan").
func ParseSiteURL(raw string) (site, base string, err error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", "", nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", "", fmt.Errorf("site_url %q：应为 https://主机/路径/ 这样的地址", raw)
	}
	base = strings.TrimRight(u.EscapedPath(), "/")
	if strings.Contains(base, "//") || strings.ContainsAny(base, `"'<>\ `) {
		return "", "", fmt.Errorf("site_url %q：路径不合规", raw)
	}
	return u.Scheme + "://" + u.Host + base, base, nil
}

// SetSiteURL sets the address people open kexuan at: "" for none (links
// take the request's host, and the site is served at the root). Set it
// before serving.
func (s *Server) SetSiteURL(raw string) error {
	site, base, err := ParseSiteURL(raw)
	if err != nil {
		return err
	}
	s.siteURL, s.base = site, base
	return nil
}

// SiteURL is the site's address without its final slash ("" when unset).
func (s *Server) SiteURL() string { return s.siteURL }

// Base is the path the site is served under ("" at the root, "/kexuan").
func (s *Server) Base() string { return s.base }

// absolute is the address of a path of the site for use outside it (a
// calendar feed, a link in a message): the site's address when set, else
// the address this request came to.
func (s *Server) absolute(r *http.Request, path string) string {
	if s.siteURL != "" {
		return s.siteURL + path
	}
	scheme := "http"
	if r.TLS != nil || s.Secure {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}

// cookiePath is a cookie's path under the base path.
func (s *Server) cookiePath(p string) string {
	if p == "/" {
		return s.base + "/"
	}
	return s.base + p
}

// mount serves the site under its base path: a request outside it is sent
// in (the bare host, the base without its slash) or answered 404; inside,
// the handler sees the path without the base, and a Location it sets at
// the root gets the base back.
func (s *Server) mount(next http.Handler) http.Handler {
	if s.base == "" {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, s.base)
		switch {
		case ok && rest == "" || r.URL.Path == "/":
			to := s.base + "/"
			if r.URL.RawQuery != "" {
				to += "?" + r.URL.RawQuery
			}
			http.Redirect(w, r, to, http.StatusMovedPermanently)
			return
		case !ok || !strings.HasPrefix(rest, "/"):
			// Not ours (another application's path on the same host).
			http.NotFound(w, r)
			return
		}
		r2 := new(http.Request)
		*r2 = *r
		r2.URL = new(url.URL)
		*r2.URL = *r.URL
		r2.URL.Path = rest
		if r.URL.RawPath != "" {
			if raw, ok := strings.CutPrefix(r.URL.RawPath, s.base); ok {
				r2.URL.RawPath = raw
			} else {
				r2.URL.RawPath = ""
			}
		}
		next.ServeHTTP(&basedWriter{ResponseWriter: w, base: s.base}, r2)
	})
}

// basedWriter puts the base path on a Location at the root.
type basedWriter struct {
	http.ResponseWriter
	base  string
	wrote bool
}

func (w *basedWriter) WriteHeader(status int) {
	if !w.wrote {
		w.wrote = true
		h := w.ResponseWriter.Header()
		if loc := h.Get("Location"); strings.HasPrefix(loc, "/") && !strings.HasPrefix(loc, "//") {
			h.Set("Location", w.base+loc)
		}
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *basedWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *basedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
