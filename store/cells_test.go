package store_test

import (
	"context"
	"fmt"
	"testing"

	"kexuan/domain"
	"kexuan/plan"
	"kexuan/store/storetest"
)

// Imports keep the aggregate equal to a recomputation: a bulk one (past the
// threshold, SQLite's in-memory path; PostgreSQL's COPY), a small one on top
// of it, and the same file again (every row a duplicate).
func TestImportKeepsAggregate(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		db := storetest.Ready(t, dsn)
		ctx := context.Background()
		p, _ := plan.Builtin()
		load := func(n, seed int) {
			t.Helper()
			im, err := db.BeginImport(ctx, false)
			if err != nil {
				t.Fatal(err)
			}
			for i := range n {
				ch := p.Channels[(i+seed)%len(p.Channels)]
				d := plan.Date{Year: 2017, Month: 1 + (i*7+seed)%12, Day: 1 + (i*13)%28}
				err := im.Add(domain.Publication{Department: p.Departments[i%len(p.Departments)].Code, Channel: ch.Code, Day: d,
					Title: fmt.Sprintf("稿件 %d-%d", seed, i), Outlet: "河南日报", Words: (i * 37) % 900, Counted: i%5 != 0, Source: "import"})
				if err != nil {
					t.Fatal(err)
				}
			}
			if _, _, err := im.Commit(); err != nil {
				t.Fatal(err)
			}
			diffs, err := db.CheckAggregate(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(diffs) > 0 {
				t.Fatalf("after importing %d rows: %v", n, diffs[0])
			}
		}
		load(25000, 1)
		load(300, 2)
		load(25000, 1) // duplicates only
		load(300, 2)
		if res, err := db.IntegrityCheck(ctx); err != nil || res != "ok" {
			t.Errorf("integrity: %s %v", res, err)
		}
	})
}
