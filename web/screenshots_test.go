package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kexuan/auth"
	"kexuan/demo"
	"kexuan/store/storetest"
)

// TestScreenshots writes PNGs of the main pages over the demo year, for
// people to look at: KEXUAN_SCREENSHOTS=DIR go test -run TestScreenshots ./web
func TestScreenshots(t *testing.T) {
	t.Parallel()
	dir := os.Getenv("KEXUAN_SCREENSHOTS")
	if dir == "" {
		t.Skip("set KEXUAN_SCREENSHOTS=DIR to write screenshots")
	}
	os.MkdirAll(dir, 0o755)
	e := newEnv(t, storetest.SQLite(t))
	// The demo year on top of the test accounts, with demo accounts of its own.
	for _, u := range e.users {
		if _, err := e.db.SQL().Exec(`UPDATE users SET username = 'test_' || username WHERE id = $1`, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := demo.Load(context.Background(), e.app); err != nil {
		t.Fatal(err)
	}
	for _, u := range e.users {
		// Accounts with rows that refer to them (notices, audit) stay, renamed.
		e.db.SQL().Exec(`DELETE FROM users WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM pieces WHERE author_id = $1)`, u.ID) //nolint:errcheck // best effort
	}
	shots := []struct{ user, path, name string }{
		{"office", "/", "month"},
		{"office", "/dashboard", "dashboard"},
		{"office", "/periods/2017-03", "period"},
		{"office", "/adjustments", "adjustments"},
		{"leader", "/notices", "notices"},
		{"office", "/departments/hightech", "department"},
		{"office", "/ledger/hightech", "ledger"},
		{"office", "/verify", "verify"},
		{"reporter", "/pieces", "pieces"},
		{"reporter", "/pieces/new", "piece_form"},
		{"leader", "/reviews", "reviews"},
		{"auditor", "/admin/audit?verify=1", "audit"},
		{"security", "/admin/users", "users"},
		{"security", "/admin/security", "policy"},
		{"admin", "/admin/users/{reporter}", "user_form"},
		{"auditor", "/second-factor", "second_factor"},
		{"office", "/pieces/1", "piece"},
		{"office", "/visits", "visits"},
		{"reporter", "/enterprises", "enterprises"},
	}
	for _, s := range shots {
		u := &ui{t: t, ctx: browser(t), e: e} // a fresh browser per page
		// Demo passwords are random: set a known one.
		hash, err := auth.HashPassword(context.Background(), testPassword)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.SQL().Exec(`UPDATE users SET password_hash = $1, must_change_password = $2 WHERE username = $3`, hash, false, s.user); err != nil {
			t.Fatal(err)
		}
		u.run("login", chromedp.Navigate(e.ts.URL+"/login"), chromedp.WaitVisible("#username"),
			chromedp.SendKeys("#username", s.user), chromedp.SendKeys("#password", testPassword), submitClick("#login-submit"))
		if strings.Contains(s.path, "{reporter}") {
			var id int64
			if err := e.db.SQL().QueryRow(`SELECT id FROM users WHERE username = 'reporter'`).Scan(&id); err != nil {
				t.Fatal(err)
			}
			s.path = strings.Replace(s.path, "{reporter}", itoa(id), 1)
		}
		u.run("open", chromedp.Navigate(e.ts.URL+s.path), chromedp.WaitVisible("main"), chromedp.Sleep(500_000_000))
		if s.name == "second_factor" {
			u.run("enrol", chromedp.SendKeys("#enrol-password", testPassword), submitClick("#enrol"), chromedp.WaitVisible("#totp-qr"))
		}
		png, err := chromedp.Run(u.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, s.name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s.png as %s", s.name, s.user)
	}
}
