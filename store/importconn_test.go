package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"

	"kexuan/store"
	"kexuan/store/storetest"
)

// A SQLite import writes through the rollback journal only when nothing
// else has the database open — no server (its lock), no other connection —
// and the database is in WAL mode again after it, committed or not.
func TestImportJournal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := storetest.SQLite(t)
	db := open(t, path)
	n := 0
	importRows := func(rows int, commit bool) *store.Import {
		t.Helper()
		im, err := db.BeginImport(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		for i := range rows {
			if err := im.Add(pub("planning", "intranet", fmt.Sprintf("2017-%02d-%02d", i%12+1, i%28+1), 100, fmt.Sprintf("日志 %d-%d", n, i))); err != nil {
				t.Fatal(err)
			}
		}
		n++
		if !commit {
			im.Rollback()
			return im
		}
		if _, _, err := im.Commit(); err != nil {
			t.Fatal(err)
		}
		return im
	}
	walAgain := func(when string) {
		t.Helper()
		var mode string
		if err := db.SQL().QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
			t.Fatalf("%s: journal mode %q %v", when, mode, err)
		}
		if _, err := os.Stat(path + "-journal"); !os.IsNotExist(err) {
			t.Fatalf("%s: a rollback journal is left: %v", when, err)
		}
	}
	count := func(want int64) {
		t.Helper()
		if c, err := db.CountPublications(ctx); err != nil || c != want {
			t.Fatalf("%d publications (%v), want %d", c, err, want)
		}
	}

	// A handle not allowed to take the database (a server's): WAL.
	if im := importRows(100, true); im.RollbackJournal() {
		t.Fatal("an import left WAL mode without TakeForImports")
	}
	walAgain("without TakeForImports")
	db.TakeForImports()

	// Alone: the rollback journal, for a bulk import and a small one.
	if im := importRows(25000, true); !im.RollbackJournal() {
		t.Fatal("an import alone on the database stayed in WAL mode")
	}
	walAgain("after a bulk import")
	if im := importRows(10, true); !im.RollbackJournal() {
		t.Fatal("a small import alone stayed in WAL mode")
	}
	walAgain("after a small import")
	if im := importRows(25000, false); !im.RollbackJournal() {
		t.Fatal("a rolled-back import alone stayed in WAL mode")
	}
	walAgain("after a rollback")
	count(25110)

	// While an import writes through the rollback journal, a server does
	// not start on the database.
	im, err := db.BeginImport(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if lock, err := db.HoldServing(ctx); !errors.Is(err, store.ErrHeldExclusively) {
		lock.Release()
		t.Fatalf("a server started during an import in rollback-journal mode: %v", err)
	}
	im.Rollback()
	walAgain("after an empty rollback")

	// A server holds the serving lock: WAL, as its readers need.
	lock, err := db.HoldServing(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if im := importRows(25000, true); im.RollbackJournal() {
		t.Fatal("an import beside a server left WAL mode")
	}
	lock.Release()
	walAgain("beside a server")
	count(50110)

	// Another connection (another process, as far as SQLite can tell) has
	// the database open: WAL too, at once rather than after a busy wait.
	other, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.CountPublications(ctx); err != nil {
		t.Fatal(err)
	}
	if im := importRows(100, true); im.RollbackJournal() {
		t.Fatal("an import beside another open connection left WAL mode")
	}
	walAgain("beside another connection")
	if c, err := other.CountPublications(ctx); err != nil || c != 50210 {
		t.Fatalf("the other connection reads %d (%v)", c, err)
	}
}
