// Package web serves kexuan's zh-CN pages and its JSON API over the app
// service. Every route is registered with the permission it needs, so the
// route table is the access policy (and the tests walk it for every role);
// object-level checks live in the app package, which both pages and API call.
package web

import (
	"cmp"
	"context"
	"crypto/tls"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"kexuan/app"
	"kexuan/domain"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

const sessionCookie = "kexuan_session"

// Server is the HTTP side of kexuan.
type Server struct {
	App    *app.App
	Log    *slog.Logger
	Secure bool // behind TLS: cookies marked Secure, HSTS sent
	// TLSCert and TLSKey make Run serve HTTPS itself (Secure follows), and
	// RedirectAddr, when set, a plain-HTTP listener that sends everyone to
	// the HTTPS address.
	TLSCert, TLSKey, RedirectAddr string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed (kexuan serve --trust-proxy); nobody else's is.
	TrustedProxies []netip.Prefix
	// BodyTimeout and UploadTimeout bound the time a request's body may
	// take to arrive (zero: the defaults below).
	BodyTimeout, UploadTimeout time.Duration

	// siteURL and base: SetSiteURL (web/basepath.go).
	siteURL, base string

	pages  map[string]*template.Template
	mux    *http.ServeMux
	routes []Route

	reportJSON encodedReports
	openAPI    servedDoc
}

// Route is one entry of the route table.
type Route struct {
	Method  string
	Path    string
	Perm    domain.Perm
	Public  bool  // reachable without signing in
	API     bool  // answers JSON
	Upload  bool  // takes multipart bodies (files), up to the attachment limit
	MaxBody int64 // request body limit; 0: DefaultMaxBody (Upload: UploadMaxBody)
	// Stage routes serve a session that has given its password but not yet
	// its second factor (or must enrol one); every other route sends it there.
	Stage   bool
	handler handlerFunc
}

// Request body limits, applied before anything reads the body.
const (
	DefaultMaxBody = 64 << 10
	// ContentMaxBody: a piece's body (app.MaxBody) as a form or JSON, where
	// escaping can triple its size.
	ContentMaxBody = 3*app.MaxBody + 64<<10
	UploadMaxBody  = app.MaxAttachment + 1<<20
	// Body read deadlines, well under the server's write timeout.
	BodyTimeout   = 30 * time.Second
	UploadTimeout = 60 * time.Second
)

func (rt *Route) maxBody() int64 {
	switch {
	case rt.MaxBody > 0:
		return rt.MaxBody
	case rt.Upload:
		return UploadMaxBody
	}
	return DefaultMaxBody
}

type handlerFunc func(w http.ResponseWriter, r *http.Request, c *reqCtx) error

// reqCtx is what a handler knows about the request.
type reqCtx struct {
	user    *domain.User
	session *domain.Session
	token   string
	actor   *app.Actor
	route   *Route
	// apiToken is the token a system called with (Authorization: Bearer):
	// the request acts with its scopes only, on the API only.
	apiToken *domain.APIToken

	revealed *revealedPhone // a page showing a phone number whole, once
	// formToken is the form token of a page outside any session (its
	// cookie set with the page).
	formToken string
}

// New builds the server: templates parsed once (a missing one fails here),
// routes registered with their permissions.
func New(a *app.App, log *slog.Logger) (*Server, error) {
	s := &Server{App: a, Log: log, mux: http.NewServeMux()}
	if err := s.parseTemplates(); err != nil {
		return nil, err
	}
	s.registerRoutes()
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	gz, err := compressedStatic()
	if err != nil {
		return nil, err
	}
	files := http.FileServer(http.FS(static))
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", noListing(static, cacheForever(gzipped(gz, files)))))
	// Whatever no route takes: a page in Chinese, in the site's layout.
	s.mux.HandleFunc("/", s.fallback)
	return s, nil
}

// fallback answers a path no route takes (404), or takes with other
// methods (405, with Allow): JSON under /api/, otherwise the error page in
// the layout — with the menu when signed in — and a way back.
func (s *Server) fallback(w http.ResponseWriter, r *http.Request) {
	c := &reqCtx{route: &Route{Method: r.Method, Path: "/", Public: true, API: strings.HasPrefix(r.URL.Path, "/api/")}}
	if ck, err := r.Cookie(sessionCookie); err == nil {
		if u, sess, err := s.App.Authenticate(r.Context(), ck.Value); err == nil {
			c.user, c.session, c.token = u, sess, ck.Value
			c.actor = &app.Actor{User: u, Address: clientIP(r)}
		}
	}
	var allowed []string
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		if m == r.Method || m == "GET" && r.Method == "HEAD" {
			continue
		}
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "" && pattern != "/" {
			allowed = append(allowed, m)
		}
	}
	if len(allowed) > 0 {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		s.fail(w, r, c, &domain.Error{Code: domain.EMethod, Message: "此页面不接受这种请求（" + r.Method + "）：请从页面上的链接或按钮进入"})
		return
	}
	s.fail(w, r, c, &domain.Error{Code: domain.ENotFound, Message: "没有这个页面：地址可能有误，或页面已移走"})
}

// Routes returns the route table.
func (s *Server) Routes() []Route { return s.routes }

func (s *Server) handle(method, path string, perm domain.Perm, h handlerFunc) {
	s.add(Route{Method: method, Path: path, Perm: perm, handler: h})
}

// upload registers a route that takes files.
func (s *Server) upload(method, path string, perm domain.Perm, h handlerFunc) {
	s.add(Route{Method: method, Path: path, Perm: perm, Upload: true, handler: h})
}

// content registers a route that takes a piece's text.
func (s *Server) content(method, path string, perm domain.Perm, h handlerFunc) {
	s.add(Route{Method: method, Path: path, Perm: perm, MaxBody: ContentMaxBody, handler: h})
}

func (s *Server) add(rt Route) {
	rt.API = rt.API || strings.HasPrefix(rt.Path, "/api/")
	s.routes = append(s.routes, rt)
	route := &s.routes[len(s.routes)-1]
	s.mux.HandleFunc(rt.Method+" "+rt.Path, func(w http.ResponseWriter, r *http.Request) {
		s.serve(w, r, route)
	})
}

// Handler is the whole application with its middleware.
func (s *Server) Handler() http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Log.Warn("cross-origin request refused", "method", r.Method, "path", logPath(r.URL.Path), "origin", r.Header.Get("Origin"))
		http.Error(w, "跨站请求被拒绝", http.StatusForbidden)
	}))
	return s.recoverer(s.realIP(s.logRequests(s.securityHeaders(s.mount(cop.Handler(s.mux))))))
}

// limitBody puts the route's size limit on the body before anything reads
// it: a declared length over the limit is answered 413 unread (and the
// connection closed), a longer chunked body fails its read at the limit;
// multipart bodies are refused except on upload routes; the body must
// arrive within its read deadline.
func (s *Server) limitBody(w http.ResponseWriter, r *http.Request, rt *Route) error {
	limit := rt.maxBody()
	if r.ContentLength > limit {
		w.Header().Set("Connection", "close")
		return tooLarge(limit)
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if isWrite(r.Method) || r.ContentLength != 0 {
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if mt == "multipart/form-data" && !rt.Upload {
			return &domain.Error{Code: domain.EUnsupported, Field: "Content-Type", Message: "此处不接受文件上传（multipart）"}
		}
	}
	timeout := cmp.Or(s.BodyTimeout, BodyTimeout)
	if rt.Upload {
		timeout = cmp.Or(s.UploadTimeout, UploadTimeout)
	}
	// Best effort: a test's recorder has no connection to set a deadline on.
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(timeout))
	return nil
}

func tooLarge(limit int64) error {
	return &domain.Error{Code: domain.ETooLarge, Field: "body", Message: fmt.Sprintf("请求内容过大（上限 %s）", sizeText(limit))}
}

func sizeText(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d KB", n>>10)
}

// bodyError turns a body that went over its limit while being read into 413.
func bodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge(mbe.Limit)
	}
	return err
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, rt *Route) {
	c := &reqCtx{route: rt}
	if err := s.limitBody(w, r, rt); err != nil {
		s.fail(w, r, c, err)
		return
	}
	if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		if err := s.tokenRequest(r, c, strings.TrimSpace(bearer)); err != nil {
			s.fail(w, r, c, err)
			return
		}
		s.serveToken(w, r, c)
		return
	}
	if ck, err := r.Cookie(sessionCookie); err == nil {
		u, sess, err := s.App.Authenticate(r.Context(), ck.Value)
		if err == nil {
			c.user, c.session, c.token = u, sess, ck.Value
			c.actor = &app.Actor{User: u, Address: clientIP(r)}
		} else if domain.ErrorOf(err).Code != domain.EUnauthorized {
			s.fail(w, r, c, err)
			return
		} else {
			s.clearSession(w)
		}
	}
	if !rt.Public {
		if c.user == nil {
			if rt.API {
				s.fail(w, r, c, &domain.Error{Code: domain.EUnauthorized, Message: "请先登录"})
			} else {
				http.Redirect(w, r, "/login?next="+urlPath(r), http.StatusSeeOther) // the mount adds the base
			}
			return
		}
		if c.session.Stage != domain.StageFull && !rt.Stage && rt.Path != "/logout" && rt.Path != "/api/v1/logout" {
			where, msg := "/login/code", "请先输入验证器应用上的验证码"
			if c.session.Stage == domain.StageEnrol {
				where, msg = "/second-factor", "请先绑定验证器应用（第二因素）"
			}
			if rt.API {
				s.fail(w, r, c, &domain.Error{Code: domain.EUnauthorized, Field: "second_factor", Message: msg})
			} else {
				http.Redirect(w, r, where, http.StatusSeeOther)
			}
			return
		}
		if c.user.MustChangePassword && !rt.Stage && !rt.API && rt.Path != "/password" && rt.Path != "/logout" {
			http.Redirect(w, r, "/password", http.StatusSeeOther)
			return
		}
		if c.user.MustChangePassword && !rt.Stage && rt.API && rt.Path != "/api/v1/me" && rt.Path != "/api/v1/logout" && rt.Path != "/api/v1/password" {
			s.fail(w, r, c, &domain.Error{Code: domain.EForbidden, Message: "请先修改初始密码"})
			return
		}
		if !c.user.Role.Can(rt.Perm) {
			s.App.AuditDenied(r.Context(), c.actor, "route", rt.Method+" "+rt.Path, c.user.Role.Name()+"无权访问此页面（"+rt.Method+" "+rt.Path+"）")
			s.fail(w, r, c, &domain.Error{Code: domain.EForbidden, Message: "无权访问此页面"})
			return
		}
	}
	if isWrite(r.Method) {
		if err := s.checkCSRF(r, c); err != nil {
			s.fail(w, r, c, err)
			return
		}
	}
	s.runIdempotent(w, r, c)
}

// parseForm reads a form body within the route's limit (files only on
// upload routes, kept in memory up to the limit).
func parseForm(r *http.Request, rt *Route) error {
	var err error
	if rt.Upload {
		err = r.ParseMultipartForm(UploadMaxBody)
		if errors.Is(err, http.ErrNotMultipart) {
			err = r.ParseForm()
		}
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		if err = bodyError(err); domain.ErrorOf(err).Code == domain.ETooLarge {
			return err
		}
		return &domain.Error{Code: domain.EInvalid, Field: "body", Message: "表单格式不对"}
	}
	return nil
}

func isWrite(method string) bool {
	return method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
}

// checkCSRF: forms carry the session's token; the API takes only JSON
// bodies, which no cross-site form can send (and CORS is never granted).
// Together with Go's cross-origin protection and SameSite cookies this
// holds for browsers that send neither Sec-Fetch-Site nor Origin.
func (s *Server) checkCSRF(r *http.Request, c *reqCtx) error {
	if c.route.API {
		// Every state-changing call, with a body or without: a cross-site
		// form cannot send this type.
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
			return &domain.Error{Code: domain.EUnsupported, Field: "Content-Type", Message: "API 只接受 Content-Type: application/json"}
		}
		return nil
	}
	if err := parseForm(r, c.route); err != nil {
		return err
	}
	var want string
	switch {
	case c.session != nil:
		want = c.session.CSRFToken
	default:
		ck, err := r.Cookie(loginCSRFCookie)
		if err != nil {
			return &domain.Error{Code: domain.EForbidden, Message: "页面已过期，请刷新后重试"}
		}
		want = ck.Value
	}
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostForm.Get("csrf")
	}
	if got == "" || got != want {
		return &domain.Error{Code: domain.EForbidden, Message: "页面已过期，请刷新后重试"}
	}
	return nil
}

// fail answers an error: JSON for the API, a page for people. Internal
// errors are logged with the request and shown as a generic message.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, c *reqCtx, err error) {
	e := domain.ErrorOf(err)
	if e.Code == domain.EInternal {
		s.Log.Error("request failed", "method", r.Method, "path", logPath(r.URL.Path), "err", err)
	}
	status := httpStatus(e.Code)
	switch {
	case c.route != nil && c.route.API || strings.HasPrefix(r.URL.Path, "/api/"):
		writeJSON(w, status, map[string]any{"error": map[string]string{"code": e.Code, "field": e.Field, "message": e.Message}})
		return
	case r.Header.Get("HX-Request") != "" && status != http.StatusUnauthorized:
		// An htmx fragment: the message alone, swapped where the answer goes.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		template.HTMLEscape(w, []byte(e.Message))
		return
	}
	if status == http.StatusUnauthorized {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	w.WriteHeader(status)
	s.render(w, r, c, "error", "", errorView{Status: status, Error: e})
}

// errorView is the page of a failed request.
type errorView struct {
	Status int
	Error  *domain.Error
}

// httpStatus is the HTTP status of a domain error code.
func httpStatus(code string) int {
	switch code {
	case domain.EInvalid:
		return http.StatusUnprocessableEntity
	case domain.EUnauthorized:
		return http.StatusUnauthorized
	case domain.EForbidden:
		return http.StatusForbidden
	case domain.ENotFound:
		return http.StatusNotFound
	case domain.EConflict:
		return http.StatusConflict
	case domain.ETooMany:
		return http.StatusTooManyRequests
	case domain.ETooLarge:
		return http.StatusRequestEntityTooLarge
	case domain.EUnsupported:
		return http.StatusUnsupportedMediaType
	case domain.EMethod:
		return http.StatusMethodNotAllowed
	case domain.EUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

func (s *Server) setSession(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: s.cookiePath("/"), HttpOnly: true, Secure: s.Secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(app.AbsoluteTimeout / time.Second)})
}

func (s *Server) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: s.cookiePath("/"), HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// sessionEnded clears the session cookie when err says the app ended the
// session (too many wrong passwords or codes), and says whether it did.
func (s *Server) sessionEnded(w http.ResponseWriter, err error) bool {
	if domain.ErrorOf(err).Code != domain.EUnauthorized {
		return false
	}
	s.clearSession(w)
	return true
}

// Run serves on addr until ctx ends, then shuts down gracefully.
func (s *Server) Run(ctx context.Context, addr string, ready func(addr string)) error {
	srv := &http.Server{Addr: addr, Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: UploadTimeout, WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 1 << 20}
	tlsOn := s.TLSCert != "" || s.TLSKey != ""
	if tlsOn {
		if s.TLSCert == "" || s.TLSKey == "" {
			return errors.New("--tls-cert 与 --tls-key 须同时给出")
		}
		cert, err := tls.LoadX509KeyPair(s.TLSCert, s.TLSKey)
		if err != nil {
			return fmt.Errorf("读取证书：%w", err)
		}
		s.Secure = true
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	var redirect *http.Server
	if tlsOn && s.RedirectAddr != "" {
		rln, err := net.Listen("tcp", s.RedirectAddr)
		if err != nil {
			ln.Close()
			return err
		}
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		redirect = &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			host := r.Host
			if h, _, err := net.SplitHostPort(host); err == nil {
				host = h
			}
			if port != "443" {
				host = net.JoinHostPort(host, port)
			}
			http.Redirect(w, r, "https://"+host+r.URL.RequestURI(), http.StatusMovedPermanently)
		})}
		go redirect.Serve(rln)
		defer redirect.Close()
	}
	if ready != nil {
		ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() {
		if tlsOn {
			errc <- srv.ServeTLS(ln, "", "")
			return
		}
		errc <- srv.Serve(ln)
	}()
	go s.sweepSessions(ctx)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.Log.Info("shutting down")
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (s *Server) sweepSessions(ctx context.Context) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.App.SweepSessions(ctx); err != nil && ctx.Err() == nil {
				s.Log.Warn("session sweep", "err", err)
			}
		}
	}
}
