package cli

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"kexuan/plan"
	"kexuan/store"
	"kexuan/store/storetest"
	"kexuan/testclock"
)

// keyed runs kexuan with its own key and checkpoint files in dir.
func keyed(t *testing.T, dir string, now func() time.Time, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	if now == nil {
		now = testclock.Now
	}
	env := Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Now: now, Getenv: func(k string) string {
		switch k {
		case "KEXUAN_KEY_FILE":
			return filepath.Join(dir, "kexuan.key")
		case "KEXUAN_CHECKPOINT_FILE":
			return filepath.Join(dir, "kexuan.checkpoints")
		case "KEXUAN_CHECKPOINT_MIRROR":
			// A mirror when the test made its folder (another disk, in
			// production).
			if m := filepath.Join(dir, "mirror"); isDir(m) {
				return filepath.Join(m, "kexuan.checkpoints")
			}
		}
		return ""
	}}
	code := Run(context.Background(), args, env)
	return out.String(), errb.String(), code
}

func mustKeyed(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, errs, code := keyed(t, dir, nil, "", args...)
	if code != 0 {
		t.Fatalf("kexuan %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

// raw opens the database as an attacker with a copy of it would: no key.
func raw(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	driver, conn := "sqlite", dsn
	if store.IsPostgres(dsn) {
		driver = "pgx"
	}
	db, err := sql.Open(driver, conn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func dropAuditTriggers(t *testing.T, db *sql.DB, pg bool) {
	t.Helper()
	stmts := []string{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`}
	if pg {
		stmts = []string{`DROP TRIGGER audit_log_no_change ON audit_log`}
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
}

// prepared makes a database with audit entries and checkpoints: init, an
// import, an account.
func prepared(t *testing.T, dsn string) string {
	t.Helper()
	dir := t.TempDir()
	out, errs, code := keyed(t, dir, nil, "", "init", "--db", dsn)
	if code != 0 {
		t.Fatalf("init: %s%s", out, errs)
	}
	if !strings.Contains(errs, "已生成密钥文件") {
		t.Errorf("init did not say it made the key: %s", errs)
	}
	mustKeyed(t, dir, "import", "--db", dsn, "publications", "../examples/register-2017.csv")
	if _, errs, code := keyed(t, dir, nil, "Kx!2017-security-admin\n", "user", "add", "--db", dsn, "--username", "sec2", "--role", "security", "--password-stdin"); code != 0 {
		t.Fatalf("user add --role security: %s", errs)
	}
	return dir
}

// The key and checkpoint files are the owner's only; the audit log is keyed
// (HMAC-SM3) and checkpointed outside the database: deleting its last rows,
// rewriting a row and recomputing the unkeyed chain, or recomputing it under
// another key, are each found with the first entry that fails.
func TestAuditLogCannotBeCut(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		pg := store.IsPostgres(dsn)
		t.Run("truncated", func(t *testing.T) {
			dsn := fresh(t, dsn)
			dir := prepared(t, dsn)
			for _, f := range []string{"kexuan.key", "kexuan.checkpoints"} {
				if m := mode(t, filepath.Join(dir, f)); m != 0o600 {
					t.Errorf("%s has mode %04o", f, m)
				}
			}
			if !pg {
				for _, f := range []string{dsn, dsn + "-wal"} {
					if _, err := os.Stat(f); err == nil && mode(t, f) != 0o600 {
						t.Errorf("%s has mode %04o", f, mode(t, f))
					}
				}
			}
			out := mustKeyed(t, dir, "audit", "verify", "--db", dsn)
			if !strings.Contains(out, "审计日志完整") || !strings.Contains(out, "个检查点一致") {
				t.Fatalf("verify: %s", out)
			}
			db := raw(t, dsn)
			dropAuditTriggers(t, db, pg)
			var last int64
			db.QueryRow(`SELECT max(id) FROM audit_log`).Scan(&last)
			if _, err := db.Exec(`DELETE FROM audit_log WHERE id > $1`, last-2); err != nil {
				t.Fatal(err)
			}
			out, errs, code := keyed(t, dir, nil, "", "audit", "verify", "--db", dsn)
			if code == 0 || !strings.Contains(errs, "从第 "+strconv.FormatInt(last-1, 10)+" 条起") || !strings.Contains(errs, "已不在数据库中") {
				t.Errorf("the log's last two entries deleted: exit %d\n%s%s", code, out, errs)
			}
		})
		t.Run("rewritten", func(t *testing.T) {
			dsn := fresh(t, dsn)
			dir := prepared(t, dsn)
			db := raw(t, dsn)
			dropAuditTriggers(t, db, pg)
			// The attacker rewrites the import's entry and recomputes every
			// hash after it the old, unkeyed way.
			var target int64
			db.QueryRow(`SELECT min(id) FROM audit_log WHERE action = 'import'`).Scan(&target)
			rechain(t, db, target, "nothing imported", func(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) })
			_, errs, code := keyed(t, dir, nil, "", "audit", "verify", "--db", dsn)
			if code == 0 || !strings.Contains(errs, "从第 "+strconv.FormatInt(target, 10)+" 条起") {
				t.Errorf("a rewritten, rechained log: exit %d %s", code, errs)
			}
			// Even with an HMAC-SM3 of their own key, and the hashes
			// prefixed as kexuan's.
			rechain(t, db, target, "nothing at all", func(b []byte) string { return "sm3:" + hex.EncodeToString(b[:16]) })
			_, errs, code = keyed(t, dir, nil, "", "audit", "verify", "--db", dsn)
			if code == 0 || !strings.Contains(errs, "从第 "+strconv.FormatInt(target, 10)+" 条起") || !strings.Contains(errs, "签名不符") {
				t.Errorf("a log rechained under another key: exit %d %s", code, errs)
			}
		})
		t.Run("key", func(t *testing.T) {
			dsn := fresh(t, dsn)
			dir := prepared(t, dsn)
			key := filepath.Join(dir, "kexuan.key")
			os.Chmod(key, 0o644)
			if _, errs, code := keyed(t, dir, nil, "", "audit", "verify", "--db", dsn); code == 0 || !strings.Contains(errs, "权限 0644 过宽") {
				t.Errorf("a key others may read: %d %s", code, errs)
			}
			os.Rename(key, key+".moved")
			if _, errs, code := keyed(t, dir, nil, "", "report", "--db", dsn, "--year", "2017", "--format", "json"); code == 0 || !strings.Contains(errs, "密钥文件不存在") {
				t.Errorf("the key gone: %d %s", code, errs)
			}
			if _, err := os.Stat(key); err == nil {
				t.Error("a new key was made for a keyed log")
			}
			os.Rename(key+".moved", key)
			os.Chmod(key, 0o600)
			// A tampered checkpoint line is found too.
			cp := filepath.Join(dir, "kexuan.checkpoints")
			b, _ := os.ReadFile(cp)
			os.WriteFile(cp, regexp.MustCompile(`count=(\d+)`).ReplaceAll(b, []byte("count=1$1")), 0o600)
			if _, errs, code := keyed(t, dir, nil, "", "audit", "verify", "--db", dsn); code == 0 || !strings.Contains(errs, "签名不符：检查点被改动过") {
				t.Errorf("an edited checkpoint file: %d %s", code, errs)
			}
		})
	})
}

// fresh is a second database beside dsn's kind.
func fresh(t *testing.T, dsn string) string {
	if store.IsPostgres(dsn) {
		return storetest.Postgres(t)
	}
	return storetest.SQLite(t)
}

// rechain rewrites an entry's reason and recomputes the chain from it on.
func rechain(t *testing.T, db *sql.DB, from int64, reason string, hash func([]byte) string) {
	t.Helper()
	rows, err := db.Query(`SELECT id, at, COALESCE(user_id, 0), username, role, address, action, object, result, reason, prev_hash FROM audit_log WHERE id >= $1 ORDER BY id`, from)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		id     int64
		fields []string
	}
	var rs []row
	prev := ""
	for rows.Next() {
		var r row
		var at, username, role, address, action, object, result, why, p string
		var uid int64
		if err := rows.Scan(&r.id, &at, &uid, &username, &role, &address, &action, &object, &result, &why, &p); err != nil {
			t.Fatal(err)
		}
		if r.id == from {
			why, prev = reason, p
		}
		r.fields = []string{at, strconv.FormatInt(uid, 10), username, role, address, action, object, result, why}
		rs = append(rs, r)
	}
	rows.Close()
	for _, r := range rs {
		var b []byte
		for _, s := range append([]string{prev}, r.fields...) {
			b = append(append(b, s...), 0)
		}
		h := hash(b)
		if _, err := db.Exec(`UPDATE audit_log SET reason = $1, prev_hash = $2, hash = $3 WHERE id = $4`, r.fields[8], prev, h, r.id); err != nil {
			t.Fatal(err)
		}
		prev = h
	}
}

// Entries older than six months are archived to a signed file, which
// verifies with the log; younger ones cannot be.
func TestAuditArchive(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		dir := prepared(t, dsn)
		out := filepath.Join(dir, "archive.jsonl")
		// Today nothing is six months old.
		if _, errs, code := keyed(t, dir, nil, "", "audit", "archive", "--db", dsn, "--before", testclock.Today(plan.DefaultLocation()), "--out", out); code == 0 || !strings.Contains(errs, "六个月内") {
			t.Errorf("archiving today's entries: %d %s", code, errs)
		}
		// Seven months on, everything written today is older than six
		// months: the day after today, in the plan's zone, bounds it.
		later := func() time.Time { return testclock.Now().AddDate(0, 7, 0) }
		before := testclock.Now().In(plan.DefaultLocation()).AddDate(0, 0, 1).Format("2006-01-02")
		o, errs, code := keyed(t, dir, later, "", "audit", "archive", "--db", dsn, "--before", before, "--out", out)
		if code != 0 || !strings.Contains(o, "已归档") {
			t.Fatalf("archive seven months on: %d %s%s", code, o, errs)
		}
		if m := mode(t, out); m != 0o600 {
			t.Errorf("the archive has mode %04o", m)
		}
		o = mustKeyed(t, dir, "audit", "verify", "--db", dsn, "--archive", out)
		if !strings.Contains(o, "归档文件") || !strings.Contains(o, "审计日志完整") || !strings.Contains(o, "另有已归档") {
			t.Errorf("verify with the archive: %s", o)
		}
		b, _ := os.ReadFile(out)
		os.WriteFile(out, bytes.Replace(b, []byte(`"action":"import"`), []byte(`"action":"imprt"`), 1), 0o600)
		if _, errs, code := keyed(t, dir, nil, "", "audit", "verify", "--db", dsn, "--archive", out); code == 0 || !strings.Contains(errs, "签名不符") {
			t.Errorf("an edited archive: %d %s", code, errs)
		}
		// An archive record written by hand (to delete older entries
		// unseen) is found.
		db := raw(t, dsn)
		var head int64
		var hash string
		db.QueryRow(`SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&head, &hash)
		if _, err := db.Exec(`INSERT INTO audit_archives (up_to_id, entries, last_hash, file_mac, row_mac, created_at) VALUES ($1, 1, $2, 'x', 'y', 'z')`, head-1, hash); err != nil {
			t.Fatal(err)
		}
		if _, errs, code := keyed(t, dir, nil, "", "audit", "verify", "--db", dsn); code == 0 || !strings.Contains(errs, "归档记录") {
			t.Errorf("a forged archive record: %d %s", code, errs)
		}
	})
}

// Backups of both databases: written 0600 and checked; restore refuses a
// database a server runs on and a backup that does not check out, and
// otherwise puts the backup back whole, its audit log verifying.
func TestBackupRestore(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		dir := prepared(t, dsn)
		bak := filepath.Join(dir, "backup.dump")
		o := mustKeyed(t, dir, "backup", "--db", dsn, "--out", bak)
		if !strings.Contains(o, "已备份") || mode(t, bak) != 0o600 {
			t.Fatalf("backup: %s, mode %04o", o, mode(t, bak))
		}
		count := func() string {
			o := mustKeyed(t, dir, "report", "--db", dsn, "--year", "2017", "--format", "csv")
			return o
		}
		before := count()
		// A change after the backup.
		mustKeyed(t, dir, "import", "--db", dsn, "publications", write(t, "more.csv", "科室,渠道,日期,标题,字数\n发展计划科,机关内网,2017-06-02,恢复之后不应还在,400\n"))
		if count() == before {
			t.Fatal("the import changed nothing")
		}
		// A server running: refused.
		db, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		lock, err := db.HoldServing(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if _, errs, code := keyed(t, dir, nil, "", "restore", "--db", dsn, "--from", bak); code == 0 || !strings.Contains(errs, "正在使用") {
			t.Errorf("restore under a running server: %d %s", code, errs)
		}
		// And a second server takes the shared lock beside the first.
		if l2, err := db.HoldServing(context.Background()); err != nil {
			t.Errorf("a second server: %v", err)
		} else {
			l2.Release()
		}
		lock.Release()
		db.Close()
		// A damaged backup: refused, the database untouched.
		bad := filepath.Join(dir, "bad.dump")
		b, _ := os.ReadFile(bak)
		os.WriteFile(bad, b[:len(b)*2/3], 0o600)
		if _, errs, code := keyed(t, dir, nil, "", "restore", "--db", dsn, "--from", bad); code == 0 {
			t.Errorf("a damaged backup restored: %s", errs)
		}
		if count() == before {
			t.Error("a refused restore changed the database")
		}
		o, errs, code := keyed(t, dir, nil, "", "restore", "--db", dsn, "--from", bak)
		if code != 0 || !strings.Contains(o, "已从") {
			t.Fatalf("restore: %d %s%s", code, o, errs)
		}
		if count() != before {
			t.Error("the restored database differs from the backup")
		}
		o = mustKeyed(t, dir, "audit", "verify", "--db", dsn)
		if !strings.Contains(o, "审计日志完整") {
			t.Errorf("verify after the restore: %s", o)
		}
		mustKeyed(t, dir, "check", "--db", dsn)
		if !store.IsPostgres(dsn) && mode(t, dsn) != 0o600 {
			t.Errorf("the restored file has mode %04o", mode(t, dsn))
		}
	})
}

// `kexuan policy` prints the policy and changes what it is given, audited.
func TestPolicyCommand(t *testing.T) {
	t.Parallel()
	dsn := storetest.SQLite(t)
	dir := prepared(t, dsn)
	o := mustKeyed(t, dir, "policy", "--db", dsn)
	if !strings.Contains(o, "第二因素：admins（三员必须）") || !strings.Contains(o, "连续失败 5 次锁定 15 分钟") {
		t.Errorf("the default policy: %s", o)
	}
	o = mustKeyed(t, dir, "policy", "--db", dsn, "--second-factor", "all", "--password-history", "3", "--lockout-minutes", "30")
	if !strings.Contains(o, "all（所有人必须）") || !strings.Contains(o, "最近 3 次") || !strings.Contains(o, "锁定 30 分钟") {
		t.Errorf("the changed policy: %s", o)
	}
	if _, errs, code := keyed(t, dir, nil, "", "policy", "--db", dsn, "--lockout-failures", "50"); code == 0 || !strings.Contains(errs, "3–10") {
		t.Errorf("a lockout after 50: %d %s", code, errs)
	}
	db := raw(t, dsn)
	var n int
	db.QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'policy_change' AND address = 'cli'`).Scan(&n)
	if n != 3 {
		t.Errorf("%d policy_change entries, want 3", n)
	}
}

// serve --tls-cert/--tls-key serves HTTPS: HSTS, Secure cookies, and plain
// HTTP redirected.
func TestServeTLS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cert, key := selfSigned(t, dir)
	dsn := storetest.SQLite(t)
	free, _ := net.Listen("tcp", "127.0.0.1:0")
	redirect := free.Addr().String()
	free.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	lines := make(chan string, 100)
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"serve", "--db", dsn, "--addr", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key, "--redirect-http", redirect},
			Env{Stdin: strings.NewReader(""), Stdout: lineWriter{lines}, Stderr: io.Discard, Now: testclock.Now, Getenv: func(k string) string {
				if k == "KEXUAN_KEY_FILE" {
					return filepath.Join(dir, "kexuan.key")
				}
				return ""
			}})
	}()
	started := regexp.MustCompile(`已启动：(https://[0-9.:]+/)`)
	var base string
	for base == "" {
		select {
		case l := <-lines:
			if m := started.FindStringSubmatch(l); m != nil {
				base = m[1]
			}
		case code := <-done:
			t.Fatalf("serve exited %d", code)
		case <-time.After(time.Minute):
			t.Fatal("serve did not start")
		}
	}
	pool := x509.NewCertPool()
	pem, _ := os.ReadFile(cert)
	pool.AppendCertsFromPEM(pem)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(base + "login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.TLS == nil || res.TLS.Version < tls.VersionTLS12 {
		t.Errorf("https: %d %v", res.StatusCode, res.TLS)
	}
	if !strings.Contains(res.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Error("no HSTS over HTTPS")
	}
	for _, ck := range res.Cookies() {
		if !ck.Secure {
			t.Errorf("cookie %s is not Secure", ck.Name)
		}
	}
	res, err = c.Get("http://" + redirect + "/pieces?x=1")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 301 || !strings.HasPrefix(res.Header.Get("Location"), "https://127.0.0.1:") || !strings.HasSuffix(res.Header.Get("Location"), "/pieces?x=1") {
		t.Errorf("plain HTTP: %d → %s", res.StatusCode, res.Header.Get("Location"))
	}
	cancel()
	<-done
}

func selfSigned(t *testing.T, dir string) (string, string) {
	t.Helper()
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour) /* crypto/tls checks the wall clock */, NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(k)
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	return cert, key
}

// The three administrators' lockouts and lost second factors are repaired
// on the server's command line (the pages refuse it): kexuan user unlock and
// kexuan user reset-second-factor, each audited as the command line's.
func TestUserRepairCommands(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		dir := prepared(t, dsn)
		db := raw(t, dsn)
		if _, err := db.Exec(`UPDATE users SET locked_until = $1, failed_logins = 5, totp_secret = 'x', totp_enabled = $2 WHERE username = 'sec2'`,
			"2099-01-01T00:00:00.000000Z", true); err != nil {
			t.Fatal(err)
		}
		if out := mustKeyed(t, dir, "user", "unlock", "--db", dsn, "--username", "SEC2"); !strings.Contains(out, "已解除 sec2 的锁定") {
			t.Errorf("unlock: %s", out)
		}
		if out := mustKeyed(t, dir, "user", "reset-second-factor", "--db", dsn, "--username", "sec2"); !strings.Contains(out, "已清除 sec2 的第二因素") {
			t.Errorf("reset-second-factor: %s", out)
		}
		var locked sql.NullString
		var enabled bool
		if err := db.QueryRow(`SELECT locked_until, totp_enabled FROM users WHERE username = 'sec2'`).Scan(&locked, &enabled); err != nil {
			t.Fatal(err)
		}
		if locked.Valid || enabled {
			t.Errorf("after the repairs: locked %v, second factor %v", locked, enabled)
		}
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM audit_log WHERE action IN ('unlock', 'second_factor_reset') AND address = 'cli'`).Scan(&n); err != nil || n != 2 {
			t.Errorf("the repairs' audit rows: %d %v", n, err)
		}
		if _, errs, code := keyed(t, dir, nil, "", "user", "unlock", "--db", dsn, "--username", "nobody"); code == 0 || !strings.Contains(errs, "没有用户") {
			t.Errorf("unlock of an unknown user: %d %s", code, errs)
		}
	})
}

// Issue 20 item 8: entries are archived as the oldest run by id, and the
// rows deleted are exactly the rows archived. Here the first entries were
// written today and later ones dated 2017 (as the demo's replayed year
// writes them): archiving before 2018 may take none of them, and loses none.
func TestAuditArchiveLosesNothing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		dir := prepared(t, dsn) // entries written now
		in2017 := func() time.Time { return time.Date(2017, 6, 1, 9, 0, 0, 0, plan.DefaultLocation()) }
		for _, m := range []string{"2017-03", "2017-04"} {
			if _, errs, code := keyed(t, dir, in2017, "", "period", "close", "--db", dsn, "--month", m, "--reason", "已通报"); code != 0 {
				t.Fatalf("an entry dated 2017: %s", errs)
			}
		}
		db := raw(t, dsn)
		count := func() (n int) {
			t.Helper()
			if err := db.QueryRow(`SELECT count(*) FROM audit_log`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := count()
		out := filepath.Join(dir, "archive.jsonl")
		later := func() time.Time { return testclock.Now().AddDate(1, 0, 0) }
		_, errs, code := keyed(t, dir, later, "", "audit", "archive", "--db", dsn, "--before", "2018-01-01", "--out", out)
		if code == 0 || !strings.Contains(errs, "没有可归档") {
			t.Errorf("archiving before 2018 when the oldest entries are today's: %d %s", code, errs)
		}
		if n := count(); n != before {
			t.Fatalf("%d audit rows before, %d after: rows were lost", before, n)
		}
		if _, err := os.Stat(out); err == nil {
			t.Error("an archive file was left behind")
		}
		mustKeyed(t, dir, "audit", "verify", "--db", dsn)
	})
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// Issue 20 item 6: cutting the newest audit rows together with the last
// lines of the checkpoint file (no key needed) is found: each checkpoint is
// appended to a mirror too, and its signed line is in the server's log,
// which audit verify --checkpoints reads; a line taken from the middle of a
// file breaks the chain of checkpoints.
func TestAuditTailCutFound(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		pg := store.IsPostgres(dsn)
		dir := t.TempDir()
		if err := os.Mkdir(filepath.Join(dir, "mirror"), 0o700); err != nil {
			t.Fatal(err)
		}
		// prepared's steps, in this folder: each command checkpoints.
		if _, errs, code := keyed(t, dir, nil, "", "init", "--db", dsn); code != 0 {
			t.Fatalf("init: %s", errs)
		}
		mustKeyed(t, dir, "import", "--db", dsn, "publications", "../examples/register-2017.csv")
		mustKeyed(t, dir, "period", "close", "--db", dsn, "--month", "2017-03", "--reason", "三月已通报")
		mustKeyed(t, dir, "period", "close", "--db", dsn, "--month", "2017-04", "--reason", "四月已通报")
		primary := filepath.Join(dir, "kexuan.checkpoints")
		data, err := os.ReadFile(primary)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.SplitAfter(strings.TrimSpace(string(data))+"\n", "\n")
		lines = lines[:len(lines)-1] // the empty string after the last line break
		if len(lines) < 3 {
			t.Fatalf("%d checkpoints", len(lines))
		}
		// The server's log, as journald or syslog keeps it.
		var logLines []string
		for _, l := range lines {
			logLines = append(logLines, "Dec 03 10:00:00 host kexuan[42]: time=2026-12-03T10:00:00Z level=INFO msg=\"audit checkpoint\" line=\""+strings.TrimSpace(l)+"\"")
		}
		syslog := filepath.Join(t.TempDir(), "kexuan.log")
		os.WriteFile(syslog, []byte(strings.Join(logLines, "\n")+"\n"), 0o600)
		// The attacker cuts the last checkpoint's entries and the last line.
		cut := lines[len(lines)-1]
		var id int64
		fmt.Sscanf(cut[strings.Index(cut, " id=")+4:], "%d", &id)
		db := raw(t, dsn)
		dropAuditTriggers(t, db, pg)
		var before int64
		db.QueryRow(`SELECT max(id) FROM audit_log WHERE id < $1`, id).Scan(&before)
		if _, err := db.Exec(`DELETE FROM audit_log WHERE id > $1`, before); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(primary, []byte(strings.Join(lines[:len(lines)-1], "")), 0o600)
		// With the mirror (configured), found.
		if _, errs, code := keyed(t, dir, nil, "", "audit", "verify", "--db", dsn); code == 0 || !strings.Contains(errs, "落后于它") {
			t.Errorf("the tail cut, with the mirror: exit %d %s", code, errs)
		}
		// Without the mirror but with the server's log, found.
		os.RemoveAll(filepath.Join(dir, "mirror"))
		if _, errs, code := keyed(t, dir, nil, "", "audit", "verify", "--db", dsn, "--checkpoints", syslog); code == 0 || !strings.Contains(errs, "落后于它") {
			t.Errorf("the tail cut, with the server's log: exit %d %s", code, errs)
		}
		// A checkpoint taken from the middle of the file breaks their chain.
		rest := append(append([]string{}, lines[:1]...), lines[2:len(lines)-1]...)
		os.WriteFile(primary, []byte(strings.Join(rest, "")), 0o600)
		if _, errs, code := keyed(t, dir, nil, "", "audit", "verify", "--db", dsn); code == 0 || !strings.Contains(errs, "之前的检查点被删除") {
			t.Errorf("a checkpoint removed from the middle: exit %d %s", code, errs)
		}
	})
}
