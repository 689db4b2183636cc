package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/secret"
	"kexuan/store"
	"kexuan/store/storetest"
	"kexuan/testclock"
)

// Two kexuan serve processes on one PostgreSQL database, as a city runs
// them behind a load balancer: a session made on one works on the other;
// adoptions recorded through both at once leave the score aggregate equal
// to a recomputation from the publications, and the audit chain whole.
func TestTwoServersOnePostgres(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("servers test skipped in -short mode")
	}
	dsn := storetest.Postgres(t)
	ctx := context.Background()
	a, _, err := prepare(ctx, dsn, Env{Stderr: io.Discard, Now: testclock.Now})
	if err != nil {
		t.Fatal(err)
	}
	lead := reviewerEarly(t, a, []app.UserInput{
		{Username: "rep", Role: domain.Reporter, Department: "hightech"},
		{Username: "lead", Role: domain.Leader, Leads: []string{"hightech"}},
		{Username: "off", Role: domain.Office},
	})

	srvA, baseA := startServer(t, dsn)
	srvB, baseB := startServer(t, dsn)
	t.Cleanup(func() {
		for _, s := range []interface{ Kill() error }{srvA.Process, srvB.Process} {
			s.Kill()
		}
		srvA.Wait()
		srvB.Wait()
	})

	// A session made on A is good on B (the cookie jar is per URL: copy it).
	rep := apiLogin(t, baseA, "rep")
	offA := apiLogin(t, baseA, "off")
	req, _ := http.NewRequest("GET", baseA+"api/v1/me", nil)
	cookies := rep.Jar.Cookies(req.URL)
	reqB, _ := http.NewRequest("GET", baseB+"api/v1/me", nil)
	rep.Jar.SetCookies(reqB.URL, cookies)
	offB := &http.Client{Jar: offA.Jar}
	offB.Jar.SetCookies(reqB.URL, offA.Jar.Cookies(req.URL))
	res, err := rep.Do(reqB)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("a session made on A, used on B: %d %s", res.StatusCode, body)
	}

	// Approved pieces, written on A and B, approved early in the plan's
	// year (before the days they appeared).
	const n = 24
	ids := make([]int64, n)
	for i := range ids {
		var p struct {
			ID int64 `json:"id"`
		}
		base := []string{baseA, baseB}[i%2]
		if code := post(rep, base+"api/v1/pieces", map[string]any{"title": fmt.Sprintf("双机稿件 %d", i), "body": "<p>金水区科技创新工作稳步推进，企业踊跃参加。</p>"}, &p); code != 201 {
			t.Fatalf("create on %s: %d", base, code)
		}
		if code := post(rep, fmt.Sprintf("%sapi/v1/pieces/%d/submit", base, p.ID), nil, nil); code != 200 {
			t.Fatalf("submit: %d", code)
		}
		if err := lead(p.ID); err != nil {
			t.Fatalf("approve: %v", err)
		}
		ids[i] = p.ID
	}
	// The office records through both servers at once: two channels a
	// piece, same days, so that both servers bump the same cells.
	var wg sync.WaitGroup
	errs := make(chan string, 4*n)
	for w, c := range []struct {
		base string
		cl   *http.Client
	}{{baseA, offA}, {baseB, offB}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, id := range ids {
				ch := []string{"intranet", "shixun"}[(i+w)%2]
				day := fmt.Sprintf("2017-%02d-%02d", 3+i%3, 10)
				if code := post(c.cl, fmt.Sprintf("%sapi/v1/pieces/%d/adoptions", c.base, id), map[string]any{"channel": ch, "date": day}, nil); code != 201 {
					errs <- fmt.Sprintf("adoption of %d in %s through %s: %d", id, ch, c.base, code)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}

	db := keyedStore(t, dsn)
	diffs, err := db.CheckAggregate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		t.Errorf("aggregate differs from a recomputation: %s", d)
	}
	if res, err := db.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Errorf("integrity check: %s %v", res, err)
	}
	count, err := db.CountPublications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if count != 2*n {
		t.Errorf("%d publications recorded, want %d", count, 2*n)
	}
	for _, id := range ids {
		p, err := db.Q().Piece(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if p.State != domain.StateAdopted {
			t.Errorf("piece %d: %s after two counted records", id, p.State)
		}
	}
}

// keyedStore opens a database with the tests' installation key, so that its
// keyed audit chain can be checked.
func keyedStore(t *testing.T, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	k, err := secret.Load(os.Getenv("KEXUAN_KEY_FILE"))
	if err != nil {
		t.Fatal(err)
	}
	db.SetAuditMAC(k.AuditMAC)
	return db
}

// Issue 21 item 4: two processes starting on one new database at once —
// schema, built-in plan, the three administrators, the database's name —
// both succeed and make each thing once.
func TestTwoStartsOnANewDatabase(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		type result struct {
			id      string
			initial int
			err     error
		}
		results := make(chan result, 2)
		dir := t.TempDir()
		getenv := func(k string) string {
			switch k {
			case "KEXUAN_KEY_FILE":
				return filepath.Join(dir, "kexuan.key")
			case "KEXUAN_CHECKPOINT_FILE":
				return filepath.Join(dir, "kexuan.checkpoints")
			}
			return ""
		}
		for range 2 {
			go func() {
				a, _, err := prepare(ctx, dsn, Env{Stderr: io.Discard, Now: testclock.Now, Getenv: getenv})
				if err != nil {
					results <- result{err: err}
					return
				}
				r := func() result {
					defer a.Close() // before the result: the test then reads the database alone
					if _, err := a.Initialise(ctx); err != nil {
						return result{err: err}
					}
					initial, err := a.Bootstrap(ctx)
					if err != nil {
						return result{err: err}
					}
					id, err := a.DatabaseID(ctx)
					return result{id, len(initial), err}
				}()
				results <- r
			}()
		}
		r1, r2 := <-results, <-results
		if r1.err != nil || r2.err != nil {
			t.Fatalf("two starts: %v / %v", r1.err, r2.err)
		}
		if r1.id != r2.id || r1.id == "" {
			t.Errorf("the database has two names: %q and %q", r1.id, r2.id)
		}
		if r1.initial+r2.initial != 3 {
			t.Errorf("%d + %d administrators made, want 3 in all", r1.initial, r2.initial)
		}
		db := raw(t, dsn)
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'plan_load'`).Scan(&n); err != nil || n != 1 {
			t.Errorf("the built-in plan loaded %d times: %v", n, err)
		}
	})
}
