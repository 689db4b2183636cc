package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"kexuan/domain"
	"kexuan/plan"
	"kexuan/scoring"
	"kexuan/store"
	"kexuan/store/storetest"
)

func open(t *testing.T, dsn string) *store.DB { return storetest.Ready(t, dsn) }

func TestMigrateIdempotentAndTooNew(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		if err := db.Ready(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().Exec(`INSERT INTO kexuan_schema (version, name, applied_at) VALUES (999, 'future', 'x')`); err != nil {
			t.Fatal(err)
		}
		db.Close()
		_, err := store.Open(ctx, dsn)
		if !errors.Is(err, store.ErrTooNew) || !strings.Contains(err.Error(), "999") {
			t.Fatalf("a newer database: %v", err)
		}
	})
}

func TestNotInitialised(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.BeginImport(ctx, false); !errors.Is(err, store.ErrNotInitialised) {
			t.Fatalf("import into an empty database: %v", err)
		}
	})
}

func TestPlansRoundTrip(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		p, err := db.Plan(ctx, 2017)
		if err != nil {
			t.Fatal(err)
		}
		if p.DocumentNumber != "金科〔2017〕3号" || len(p.Departments) != 6 {
			t.Fatalf("%+v", p)
		}
		if _, err := db.Plan(ctx, 2018); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing year: %v", err)
		}
		// Another year's plan: the same departments, another document.
		_, src := plan.Builtin()
		s := strings.Replace(strings.Replace(string(src), "year = 2017", "year = 2018", 1), "issued = 2017-02-23", "issued = 2018-02-20", 1)
		s = strings.ReplaceAll(strings.Replace(s, `quota_from = "2017-03"`, `quota_from = "2018-03"`, 1), "金科〔2017〕3号", "金科〔2018〕2号")
		p18, err := plan.Parse("2018.toml", []byte(s))
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SavePlan(ctx, p18, []byte(s)); err != nil {
			t.Fatal(err)
		}
		ps, err := db.Plans(ctx)
		if err != nil || len(ps) != 2 || ps[1].DocumentNumber != "金科〔2018〕2号" {
			t.Fatalf("plans: %v %v", ps, err)
		}
	})
}

func pub(dept, ch, day string, words int, title string) domain.Publication {
	return domain.Publication{Department: dept, Channel: ch, Day: plan.MustDate(day), Words: words, Title: title, Counted: true}
}

func TestImportAllOrNothingAndIdempotent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		// More rows than one batch, so both statement shapes run.
		var rows []domain.Publication
		for i := 0; i < 450; i++ {
			rows = append(rows, pub("hightech", "intranet", fmt.Sprintf("2017-%02d-%02d", i%12+1, i%28+1), 0, fmt.Sprintf("稿件 %d", i)))
		}
		add := func(rows []domain.Publication) (int64, int64) {
			im, err := db.BeginImport(ctx, false)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				if err := im.Add(r); err != nil {
					t.Fatal(err)
				}
			}
			ins, skip, err := im.Commit()
			if err != nil {
				t.Fatal(err)
			}
			return ins, skip
		}
		if ins, skip := add(rows); ins != 450 || skip != 0 {
			t.Fatalf("first import: %d %d", ins, skip)
		}
		if ins, skip := add(rows); ins != 0 || skip != 450 {
			t.Fatalf("second import: %d %d", ins, skip)
		}
		// A rolled-back import leaves nothing.
		im, err := db.BeginImport(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 300; i++ {
			if err := im.Add(pub("ip", "shixun", "2017-05-05", 10, fmt.Sprintf("回滚 %d", i))); err != nil {
				t.Fatal(err)
			}
		}
		im.Rollback()
		if n, _ := db.CountPublications(ctx); n != 450 {
			t.Fatalf("after rollback: %d rows", n)
		}
		// What CommitWith runs goes into the import's transaction: an
		// audit row written there lands with the rows; an error from it
		// takes both back. Small and bulk imports alike.
		for _, n := range []int{300, 25000} {
			for _, fail := range []bool{true, false} {
				im, err := db.BeginImport(ctx, false)
				if err != nil {
					t.Fatal(err)
				}
				for i := 0; i < n; i++ {
					if err := im.Add(pub("ip", "shixun", fmt.Sprintf("2017-06-%02d", i%28+1), 10, fmt.Sprintf("同一事务 %d/%d/%v", n, i, fail))); err != nil {
						t.Fatal(err)
					}
				}
				before, _ := db.CountPublications(ctx)
				_, _, err = im.CommitWith(func(q *store.Q, ins, skip int64) error {
					if ins != int64(n) || skip != 0 {
						t.Errorf("then saw %d inserted, %d skipped; want %d, 0", ins, skip, n)
					}
					if err := q.Audit(ctx, &domain.AuditEntry{Action: "import", Object: fmt.Sprintf("same-tx-%d-%v", n, fail), Result: domain.AuditOK}); err != nil {
						return err
					}
					if fail {
						return errors.New("planted")
					}
					return nil
				})
				after, _ := db.CountPublications(ctx)
				audited, aerr := db.Q().AuditEntries(ctx, domain.AuditFilter{Object: fmt.Sprintf("same-tx-%d-%v", n, fail)})
				if aerr != nil {
					t.Fatal(aerr)
				}
				switch {
				case fail && (err == nil || after != before || len(audited) != 0):
					t.Fatalf("%d rows, then failed: err %v, rows %d → %d, audit rows %d; want all taken back", n, err, before, after, len(audited))
				case !fail && (err != nil || after != before+int64(n) || len(audited) != 1):
					t.Fatalf("%d rows: err %v, rows %d → %d, audit rows %d; want both", n, err, before, after, len(audited))
				}
			}
		}
		// An unknown department is refused at Add.
		im, _ = db.BeginImport(ctx, false)
		if err := im.Add(pub("nosuch", "intranet", "2017-05-05", 0, "x")); err == nil {
			t.Fatal("unknown department accepted")
		}
		im.Rollback()
	})
}

// The aggregate entries and the per-publication entries give the same
// assessment, on both databases, and it equals the worked example.
func TestEntriesScoreTheWorkedExample(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		im, err := db.BeginImport(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		var rows []domain.Publication
		for i := 1; i <= 12; i++ {
			rows = append(rows, pub("hightech", "intranet", fmt.Sprintf("2017-03-%02d", i), 0, fmt.Sprintf("内网 %d", i)))
			rows = append(rows, pub("hightech", "city_site", fmt.Sprintf("2017-04-%02d", i), 0, fmt.Sprintf("市局 %d", i)))
		}
		rows = append(rows, pub("hightech", "intranet_special", "2017-04-10", 0, "专期"))
		for _, w := range []int{99, 100, 300, 500} {
			rows = append(rows, pub("hightech", "shixun", "2017-04-02", w, fmt.Sprintf("时讯 %d", w)))
		}
		m := pub("hightech", "media", "2017-03-15", 0, "报道")
		m.Outlet = "河南日报"
		rows = append(rows, m, pub("hightech", "park_news", "2017-03-31", 0, "园区"))
		for _, day := range []string{"2017-03-01", "2017-03-02", "2017-03-31", "2017-04-30"} {
			rows = append(rows, pub("hightech", "resource_highlight", day, 0, "亮点 "+day))
		}
		rows = append(rows, pub("hightech", "intranet", "2018-01-01", 0, "明年"))
		unverified := pub("hightech", "media", "2017-05-01", 0, "待核实")
		unverified.Counted = false
		rows = append(rows, unverified)
		for _, r := range rows {
			if err := im.Add(r); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := im.Commit(); err != nil {
			t.Fatal(err)
		}
		p, _ := db.Plan(ctx, 2017)
		want := map[string]float64{"2017-03-30": 17, "2017-03-31": 17, "2017-04-30": 28, "2017-12-31": 4}
		for asOf, total := range want {
			day := plan.MustDate(asOf)
			grouped, err := db.Entries(ctx, p, day)
			if err != nil {
				t.Fatal(err)
			}
			single, err := db.PublicationEntries(ctx, p, day, "hightech")
			if err != nil {
				t.Fatal(err)
			}
			a := scoring.Score(p, day, grouped, scoring.Options{NoLedger: true})
			b := scoring.Score(p, day, single, scoring.Options{NoLedger: true})
			if !reflect.DeepEqual(a, b) {
				t.Errorf("as of %s: grouped and single differ", asOf)
			}
			for _, d := range a.Departments {
				if d.Code == "hightech" && d.Total != total {
					t.Errorf("as of %s: total %v, want %v", asOf, d.Total, total)
				}
			}
		}
		if n, err := db.BaselineAggregate(ctx); err != nil || n == 0 {
			t.Fatalf("baseline: %d %v", n, err)
		}
	})
}

// A large import takes the bulk path on SQLite (index dropped and rebuilt in
// the transaction); it must be exactly as idempotent and all-or-nothing.
func TestBulkImport(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		const n = 25000
		importRows := func(from, to int, commit bool) (int64, int64) {
			im, err := db.BeginImport(ctx, false)
			if err != nil {
				t.Fatal(err)
			}
			for i := from; i < to; i++ {
				if err := im.Add(pub("planning", "intranet", fmt.Sprintf("2017-%02d-%02d", i%n%12+1, i%n%28+1), 0, fmt.Sprintf("批量 %d", i%n))); err != nil {
					t.Fatal(err)
				}
			}
			if !commit {
				im.Rollback()
				return 0, 0
			}
			ins, skip, err := im.Commit()
			if err != nil {
				t.Fatal(err)
			}
			return ins, skip
		}
		// Rows n..n+100 repeat rows 0..100 inside the same file.
		if ins, skip := importRows(0, n+100, true); ins != n || skip != 100 {
			t.Fatalf("bulk import: %d inserted, %d skipped", ins, skip)
		}
		if ins, skip := importRows(0, n, true); ins != 0 || skip != n {
			t.Fatalf("bulk import again: %d inserted, %d skipped", ins, skip)
		}
		importRows(0, n, false) // a rolled-back bulk import
		// The identity index is back: a small import still finds duplicates.
		if ins, skip := importRows(0, 10, true); ins != 0 || skip != 10 {
			t.Fatalf("small import after bulk rollback: %d %d", ins, skip)
		}
		if c, _ := db.CountPublications(ctx); c != int64(n) {
			t.Fatalf("%d rows", c)
		}
	})
}

// A bulk import writes plain rows (no body, counted, from an import) with a
// shorter statement and the others in full, in separate batches; every row
// must come back exactly as given, whichever way it went.
func TestBulkImportKeepsEveryColumn(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		const n = 25003 // neither kind fills its last batch
		want := map[string]domain.Publication{}
		im, err := db.BeginImport(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			p := pub("planning", "intranet", fmt.Sprintf("2017-%02d-%02d", i%12+1, i%28+1), i%900, fmt.Sprintf("列 %d", i))
			switch i % 7 {
			case 1:
				p.Body = fmt.Sprintf("<p>正文 %d</p>", i)
			case 2:
				p.Counted = false
			case 3:
				p.Source, p.Outlet = "history", "郑州日报"
			}
			want[p.Title] = p
			if err := im.Add(p); err != nil {
				t.Fatal(err)
			}
		}
		if ins, skip, err := im.Commit(); err != nil || ins != n || skip != 0 {
			t.Fatalf("commit: %d %d %v", ins, skip, err)
		}
		rows, err := db.SQL().QueryContext(ctx, `SELECT title, day, words, outlet, body, counted, source, created_at FROM publications`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		got := 0
		for rows.Next() {
			var title, day, outlet, body, source string
			var created any
			var words int
			var counted bool
			if err := rows.Scan(&title, &day, &words, &outlet, &body, &counted, &source, &created); err != nil {
				t.Fatal(err)
			}
			w, ok := want[title]
			if !ok {
				t.Fatalf("unexpected row %q", title)
			}
			src := w.Source
			if src == "" {
				src = "import"
			}
			if !strings.HasPrefix(day, w.Day.String()) || words != w.Words || outlet != w.Outlet || body != w.Body || counted != w.Counted || source != src || created == nil {
				t.Fatalf("%q came back as day %s words %d outlet %q body %q counted %v source %q created %v; want %+v", title, day, words, outlet, body, counted, source, created, w)
			}
			got++
		}
		if err := rows.Err(); err != nil || got != n {
			t.Fatalf("%d rows back, %v", got, err)
		}
	})
}

// A taken user name and a publication recorded twice are told apart from
// other failures by the drivers' error codes.
func TestUniqueViolations(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		u := &domain.User{Username: "same", DisplayName: "同名", Role: domain.Office, PasswordHash: "x"}
		if err := db.Q().CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if err := db.Q().CreateUser(ctx, &domain.User{Username: "same", DisplayName: "又一个", Role: domain.Office, PasswordHash: "x"}); !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("a taken user name: %v, want ErrDuplicate", err)
		}
		if err := db.Q().CreateUser(ctx, &domain.User{Username: "other", Role: domain.Reporter, Department: "nowhere", PasswordHash: "x"}); err == nil || errors.Is(err, store.ErrDuplicate) {
			t.Errorf("an unknown department: %v, want another error", err)
		}
	})
}

// A row that repeats a stored publication with other 字数 is refused with its
// line, unless the import updates: then the stored row is corrected and the
// aggregate follows. Two rows of one file that disagree are refused either
// way. Small and bulk imports alike, on both databases.
func TestImportRowsThatDiffer(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		for _, n := range []int{3, 25000} {
			base64, _ := db.CountPublications(ctx)
			base := int(base64)
			rows := func(words map[int]int) []domain.Publication {
				var out []domain.Publication
				for i := range n {
					w := 300 + i%500
					if v, ok := words[i]; ok {
						w = v
					}
					p := pub("planning", "shixun", fmt.Sprintf("2017-%02d-%02d", i%12+1, i%28+1), w, fmt.Sprintf("差异 %d-%d", n, i))
					p.Line = i + 2
					out = append(out, p)
				}
				return out
			}
			load := func(ps []domain.Publication, update bool) (*store.Import, int64, int64, error) {
				im, err := db.BeginImport(ctx, update)
				if err != nil {
					t.Fatal(err)
				}
				for _, p := range ps {
					if err := im.Add(p); err != nil {
						t.Fatal(err)
					}
				}
				ins, skip, err := im.Commit()
				return im, ins, skip, err
			}
			if _, ins, _, err := load(rows(nil), false); err != nil || ins != int64(n) {
				t.Fatalf("n=%d first import: %d %v", n, ins, err)
			}
			changed := rows(map[int]int{1: 1500})
			extra := pub("planning", "shixun", "2017-06-06", 100, fmt.Sprintf("新的一条 %d", n))
			_, _, _, err := load(append(changed, extra), false)
			var differs *domain.DiffersError
			if !errors.As(err, &differs) || len(differs.Changes) != 1 || differs.Changes[0].Line != 3 || differs.Changes[0].Old != 301 || differs.Changes[0].New != 1500 {
				t.Fatalf("n=%d: a changed 字数 gave %v (%+v)", n, err, differs)
			}
			if c, _ := db.CountPublications(ctx); c != int64(base+n) {
				t.Fatalf("n=%d: a refused import left %d rows", n, c)
			}
			im, ins, skip, err := load(append(changed, extra), true)
			if err != nil || ins != 1 || skip != int64(n) {
				t.Fatalf("n=%d update: %d %d %v", n, ins, skip, err)
			}
			if ch := im.Changed(); len(ch) != 1 || ch[0].New != 1500 {
				t.Fatalf("n=%d: changed %+v", n, ch)
			}
			var words int
			if err := db.SQL().QueryRowContext(ctx, `SELECT words FROM publications WHERE title = $1`, fmt.Sprintf("差异 %d-1", n)).Scan(&words); err != nil || words != 1500 {
				t.Fatalf("n=%d: stored 字数 %d %v", n, words, err)
			}
			if res, err := db.IntegrityCheck(ctx); err != nil || res != "ok" {
				t.Fatalf("n=%d: after the update: %s %v", n, res, err)
			}
			// The same publication twice in one file with other 字数.
			twice := rows(nil)
			again := twice[0]
			again.Words, again.Line = 999, n+5
			_, _, _, err = load(append(twice, again), true)
			if !errors.As(err, &differs) || differs.Changes[0].FirstLine == 0 || differs.Changes[0].Line != n+5 {
				t.Fatalf("n=%d: two rows that disagree: %v %+v", n, err, differs)
			}
		}
	})
}

// A new SQLite database, its WAL and its backups are the owner's only: they
// hold password and session hashes.
func TestFilesArePrivate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := dir + "/private.db"
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.Backup(ctx, dir+"/copy.db"); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal", path + "-shm", dir + "/copy.db"} {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s is %v, want -rw-------", f, st.Mode().Perm())
		}
	}
}

// A panic inside a transaction rolls it back and goes on up.
func TestInTxPanicRollsBack(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		db := storetest.Ready(t, dsn)
		ctx := context.Background()
		func() {
			defer func() {
				if recover() == nil {
					t.Error("the panic did not go on up")
				}
			}()
			db.InTx(ctx, func(q *store.Q) error {
				if err := q.SetSetting(ctx, "panic_test", "written"); err != nil {
					t.Fatal(err)
				}
				panic("in the middle")
			})
		}()
		s, err := db.Q().Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if s["panic_test"] != "" {
			t.Error("a transaction that panicked was committed")
		}
		// The pool is usable still.
		if err := db.InTx(ctx, func(q *store.Q) error { return q.SetSetting(ctx, "after", "ok") }); err != nil {
			t.Errorf("after the panic: %v", err)
		}
	})
}
