package web_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/store/storetest"
	"kexuan/testclock"
	"kexuan/testsmtp"
	"kexuan/web"
)

// proxyHost is the host name deploy/nginx.conf is written for.
const proxyHost = "kx.example.gov.cn"

// Behind real nginx running deploy/nginx.conf as written (only its ports,
// upstream and certificate changed), under /kexuan/: a person signs in on
// the form, uploads an 8 MB attachment, subscribes to the calendar and
// opens its feed, and opens the link of a mail; the addresses they are
// given are the site's. A client cannot name its own address to kexuan.
func TestBehindNginx(t *testing.T) {
	t.Parallel()
	bin := nginxBinary(t)
	dir := t.TempDir()
	httpsPort, httpPort := freePort(t), freePort(t)
	site := "https://" + proxyHost + ":" + httpsPort + "/kexuan/"
	smtp := testsmtp.Start(t)
	e := newEnvWith(t, storetest.SQLite(t), func(s *web.Server) {
		if err := s.SetSiteURL(site); err != nil {
			t.Fatal(err)
		}
		s.Secure = true
		s.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
		s.App.SiteURL = s.SiteURL()
		s.App.Delivery.MailHosts = []string{"127.0.0.1"}
	})
	cert := selfSigned(t, dir)
	startNginx(t, bin, dir, e.ts.Listener.Addr().String(), httpsPort, httpPort)

	// The clients reach kexuan only through nginx, by the site's name.
	via := *e
	via.base = "/kexuan"
	via.ts = &httptest.Server{URL: strings.TrimSuffix(site, "/")}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	via.transport = &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: proxyHost},
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			_, port, _ := net.SplitHostPort(addr)
			return (&net.Dialer{}).DialContext(ctx, network, "127.0.0.1:"+port)
		},
	}

	// Plain HTTP sends to HTTPS; the bare path to the path with its slash.
	anon := via.anon()
	req, _ := http.NewRequest("GET", "http://"+proxyHost+":"+httpPort+"/kexuan/login", nil)
	if res, _ := anon.send(req); res.StatusCode != 301 || !strings.HasPrefix(res.Header.Get("Location"), "https://"+proxyHost) {
		t.Errorf("plain HTTP: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := anon.do("GET", "", nil); res.StatusCode != 301 || !strings.HasSuffix(res.Header.Get("Location"), "/kexuan/") {
		t.Errorf("/kexuan: %d %q", res.StatusCode, res.Header.Get("Location"))
	}

	// Signing in on the form, as a person does; the cookie is the path's, Secure.
	rep := via.anon()
	res, page := rep.do("GET", "/login", nil)
	if res.StatusCode != 200 || !strings.Contains(page, `action="/kexuan/login"`) || !strings.Contains(page, `href="/kexuan/static/app.css"`) {
		t.Fatalf("the sign-in page through nginx: %d %.300s", res.StatusCode, page)
	}
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no form token on the sign-in page")
	}
	req, _ = http.NewRequest("POST", via.ts.URL+"/login", strings.NewReader("csrf="+m[1]+"&username=reporter&password="+testPassword))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://"+proxyHost+":"+httpsPort)
	req.Header.Set("X-Forwarded-For", "203.0.113.9") // a client naming itself
	res, body := rep.send(req)
	if res.StatusCode != 303 || res.Header.Get("Location") != "/kexuan/" {
		t.Fatalf("sign in through nginx: %d %q %.300s", res.StatusCode, res.Header.Get("Location"), body)
	}
	if ck := res.Header.Get("Set-Cookie"); !strings.Contains(ck, "Path=/kexuan/") || !strings.Contains(ck, "Secure") {
		t.Errorf("the session cookie: %s", ck)
	}
	if res, page := rep.do("GET", "/", nil); res.StatusCode != 200 || !strings.Contains(page, `id="whoami"`) {
		t.Fatalf("signed in, the first page: %d", res.StatusCode)
	}
	entries, err := e.db.Q().AuditEntries(t.Context(), domain.AuditFilter{Action: "login"})
	if err != nil || len(entries) == 0 {
		t.Fatalf("no sign-in audited: %v", err)
	}
	if got := entries[len(entries)-1].Address; got != "127.0.0.1" {
		t.Errorf("the sign-in is audited from %q: nginx should pass the client's own address", got)
	}

	// An 8 MB attachment goes through (nginx's default refuses over 1 MB).
	id := via.newPiece("reporter", domain.StateDraft, false)
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("0123456789abcdef"), 8<<20/16)...)
	if res, body := rep.upload("/pieces/"+itoa(id)+"/attachments", "扫描件.pdf", pdf); res.StatusCode != 303 || res.Header.Get("Location") != "/kexuan/pieces/"+itoa(id) {
		t.Fatalf("an 8 MB upload through nginx: %d %q %.300s", res.StatusCode, res.Header.Get("Location"), body)
	}
	atts, err := e.db.Q().Attachments(t.Context(), id)
	if err != nil || len(atts) != 1 || atts[0].Size != len(pdf) {
		t.Fatalf("the attachment as stored: %+v %v", atts, err)
	}

	// A calendar subscription: the address given is the site's, and opens.
	res, body = rep.do("POST", "/api/v1/calendar/token", nil)
	if res.StatusCode != 200 {
		t.Fatalf("calendar token: %d %s", res.StatusCode, body)
	}
	var feed struct{ URL string }
	decodeJSON(t, body, &feed)
	if !strings.HasPrefix(feed.URL, site+"ics/") {
		t.Fatalf("the feed's address %q is not under %s", feed.URL, site)
	}
	req, _ = http.NewRequest("GET", feed.URL+"?year=2017", nil)
	res, body = via.anon().send(req)
	if res.StatusCode != 200 || !strings.Contains(body, "BEGIN:VCALENDAR") || !strings.Contains(body, "URL:"+site) {
		t.Errorf("the feed through nginx: %d %.300s", res.StatusCode, body)
	}

	// A mail's link (a new account's activation) is the site's, and opens.
	ctx := t.Context()
	if err := e.app.SetMailSettings(ctx, e.actor("admin"), app.MailSettings{Host: "127.0.0.1", Port: smtp.Port(), From: "kexuan@example.gov.cn", TLS: "none"}); err != nil {
		t.Fatal(err)
	}
	if _, link, err := e.app.CreateAccount(ctx, e.actor("admin"), app.UserInput{Username: "newcomer", DisplayName: "新同事", Role: domain.Reporter,
		Department: e.users["reporter"].Department, Email: "newcomer@example.gov.cn"}); err != nil || !link.Sent {
		t.Fatalf("a new account's link: %+v %v", link, err)
	}
	for {
		sent, err := e.app.DeliverOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !sent {
			break
		}
	}
	msgs := smtp.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d mails, want the activation", len(msgs))
	}
	text, _ := io.ReadAll(quotedprintable.NewReader(strings.NewReader(msgs[0][strings.Index(msgs[0], "\r\n\r\n"):])))
	link := regexp.MustCompile(regexp.QuoteMeta(site) + `reset/[A-Za-z0-9_-]+`).FindString(string(text))
	if link == "" {
		t.Fatalf("no link under %s in the mail: %.600s", site, text)
	}
	req, _ = http.NewRequest("GET", link, nil)
	if res, page := via.anon().send(req); res.StatusCode != 200 || !strings.Contains(page, `id="reset-form"`) && !strings.Contains(page, `name="password"`) {
		t.Errorf("the mail's link through nginx: %d %.300s", res.StatusCode, page)
	}
}

// nginxBinary is nginx, or the test is skipped (failed where it must run).
func nginxBinary(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"nginx", "/usr/sbin/nginx"} {
		if bin, err := exec.LookPath(p); err == nil {
			return bin
		}
	}
	if os.Getenv("KEXUAN_REQUIRE_NGINX") != "" {
		t.Fatal("nginx is required (KEXUAN_REQUIRE_NGINX) but not installed")
	}
	t.Skip("no nginx")
	return ""
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// selfSigned writes a certificate for proxyHost and its key where the
// recipe's are, under dir.
func selfSigned(t *testing.T, dir string) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	start := testclock.Now().Add(-24 * time.Hour)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: proxyHost}, DNSNames: []string{proxyHost},
		NotBefore: start, NotAfter: start.Add(3650 * 24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "site.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(filepath.Join(dir, "site.key"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// startNginx runs nginx with deploy/nginx.conf inside a main configuration
// of its own (its files under dir), until the test ends.
func startNginx(t *testing.T, bin, dir, upstream, httpsPort, httpPort string) {
	t.Helper()
	recipe, err := os.ReadFile("../deploy/nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	conf := string(recipe)
	for _, r := range [][2]string{
		{"server 127.0.0.1:8080;", "server " + upstream + ";"},
		{"listen 443 ssl http2;", "listen 127.0.0.1:" + httpsPort + " ssl http2;"},
		{"listen 80;", "listen 127.0.0.1:" + httpPort + ";"},
		{"/etc/nginx/tls/kx.example.gov.cn.pem", filepath.Join(dir, "site.pem")},
		{"/etc/nginx/tls/kx.example.gov.cn.key", filepath.Join(dir, "site.key")},
	} {
		if !strings.Contains(conf, r[0]) {
			t.Fatalf("deploy/nginx.conf no longer has %q", r[0])
		}
		conf = strings.ReplaceAll(conf, r[0], r[1])
	}
	if err := os.WriteFile(filepath.Join(dir, "kexuan.conf"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;" // the workers write the request bodies under dir
	}
	main := fmt.Sprintf(`%s
worker_processes 1;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log warn;
events { worker_connections 64; }
http {
    access_log %[2]s/access.log;
    client_body_temp_path %[2]s/body;
    proxy_temp_path %[2]s/proxy;
    fastcgi_temp_path %[2]s/fastcgi;
    uwsgi_temp_path %[2]s/uwsgi;
    scgi_temp_path %[2]s/scgi;
    include %[2]s/kexuan.conf;
}
`, user, dir)
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(main), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cmd := exec.Command(bin, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"), "-g", "daemon off;")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	for i := 0; ; i++ {
		c, err := net.Dial("tcp", "127.0.0.1:"+httpsPort)
		if err == nil {
			c.Close()
			return
		}
		select {
		case err := <-done:
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx stopped: %v\n%s\n%s", err, out.String(), log)
		case <-time.After(50 * time.Millisecond):
		}
		if i > 200 {
			t.Fatalf("nginx does not listen on %s", httpsPort)
		}
	}
}
