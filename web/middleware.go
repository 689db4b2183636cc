package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/netip"
	"path"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The middleware around every route: the client's address behind a
// trusted proxy, security headers, static files (no listings, cached,
// gzipped), the request log and recovery from a panic.

type clientKey struct{}

// clientIP is the client's address: the peer, or, when the peer is a
// trusted proxy, the address it forwarded (realIP).
func clientIP(r *http.Request) string {
	if a, ok := r.Context().Value(clientKey{}).(string); ok {
		return a
	}
	return peerAddr(r).String()
}

func peerAddr(r *http.Request) netip.Addr {
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		return ap.Addr().Unmap()
	}
	return netip.Addr{}
}

// realIP finds the client's address once per request. X-Forwarded-For is
// read only when the peer is a trusted proxy, from the right: the first
// address that is not itself a trusted proxy is the client. Anything
// malformed leaves the nearest trusted hop as the client.
func (s *Server) realIP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr := peerAddr(r)
		if s.trusted(addr) {
		hops:
			for _, h := range slices.Backward(r.Header.Values("X-Forwarded-For")) {
				parts := strings.Split(h, ",")
				for _, p := range slices.Backward(parts) {
					a, err := netip.ParseAddr(strings.TrimSpace(p))
					if err != nil {
						break hops
					}
					addr = a.Unmap()
					if !s.trusted(addr) {
						break hops
					}
				}
			}
		}
		client := addr.String()
		if !addr.IsValid() {
			client = r.RemoteAddr
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientKey{}, client)))
	})
}

func (s *Server) trusted(a netip.Addr) bool {
	return a.IsValid() && slices.ContainsFunc(s.TrustedProxies, func(p netip.Prefix) bool { return p.Contains(a) })
}

// ParseProxies reads --trust-proxy: CIDR[,CIDR] (a bare address is /32 or /128).
func ParseProxies(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(v, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("--trust-proxy: %q 不是地址或 CIDR", f)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("--trust-proxy: %q 不是 CIDR", f)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func urlPath(r *http.Request) string {
	p := r.URL.Path
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
		return "/"
	}
	return template.URLQueryEscaper(p)
}

func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if s.Secure {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// noListing answers 404 for a folder under /static/ instead of listing it.
func noListing(files fs.FS, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimSuffix(r.URL.Path, "/")
		if name == "" || strings.HasSuffix(r.URL.Path, "/") {
			http.Error(w, "没有这个文件", http.StatusNotFound)
			return
		}
		if st, err := fs.Stat(files, name); err != nil || st.IsDir() {
			http.Error(w, "没有这个文件", http.StatusNotFound)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// cacheForever lets browsers keep static files: a day, and a year for the
// vendored libraries, whose names carry their versions.
func cacheForever(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "vendor/") {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=86400")
		}
		next.ServeHTTP(w, r)
	})
}

// gzipStatic compresses the text files of the static folder once, at start.
// compressedStatic is gzipStatic of the embedded assets, done once per
// process: they cannot change, and compressing ECharts at the best level
// takes a tenth of a second (every server a test started paid it).
var compressedStatic = sync.OnceValues(func() (map[string][]byte, error) {
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	return gzipStatic(static)
})

func gzipStatic(files fs.FS) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch path.Ext(name) {
		case ".js", ".css", ".svg", ".json", ".map":
		default:
			return nil
		}
		raw, err := fs.ReadFile(files, name)
		if err != nil {
			return err
		}
		var b bytes.Buffer
		zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
		if err != nil {
			return err
		}
		if _, err := zw.Write(raw); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
		out[name] = b.Bytes()
		return nil
	})
	return out, err
}

// gzipped answers with the compressed copy of a text file to a client that
// takes gzip (ECharts: 1 MB → ~330 KB on a cold load).
func gzipped(gz map[string][]byte, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept-Encoding")
		body, ok := gz[r.URL.Path]
		if !ok || !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			next.ServeHTTP(w, r)
			return
		}
		ct := mime.TypeByExtension(path.Ext(r.URL.Path))
		if ct == "" {
			ct = "application/octet-stream"
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		if r.Method != http.MethodHead {
			w.Write(body)
		}
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (read deadlines).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: 200}
		next.ServeHTTP(sw, r)
		if strings.HasPrefix(r.URL.Path, "/static/") {
			return
		}
		s.Log.Info("http", "method", r.Method, "path", logPath(r.URL.Path), "status", sw.status, "ms", time.Since(start).Milliseconds(), "addr", clientIP(r))
	})
}

// logPath is a request's path as the log may hold it: a secret in the path
// (an ICS feed's token) is cut to its first characters.
func logPath(p string) string {
	if rest, ok := strings.CutPrefix(p, "/ics/"); ok && len(rest) > 4 {
		return "/ics/" + rest[:4] + "…"
	}
	return p
}

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Log.Error("panic", "value", fmt.Sprint(v), "stack", string(debug.Stack()))
				http.Error(w, "服务器内部错误", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}
