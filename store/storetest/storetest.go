// Package storetest gives tests fresh, real databases: a SQLite file in a
// temporary folder, and a schema of its own on the PostgreSQL server named by
// KEXUAN_TEST_POSTGRES (started by scripts/test.sh). With
// KEXUAN_REQUIRE_POSTGRES=1 a missing server fails the test instead of
// skipping it, so CI cannot pass without PostgreSQL.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"kexuan/plan"
	"kexuan/secret"
	"kexuan/store"
)

// SQLite returns the path of a new SQLite file.
func SQLite(t testing.TB) string {
	return filepath.Join(t.TempDir(), "kexuan.db")
}

// Postgres returns a URL whose search_path is a new, empty schema, dropped
// when the test ends; it skips (or fails, under KEXUAN_REQUIRE_POSTGRES=1)
// when no server is configured.
func Postgres(t testing.TB) string {
	base := os.Getenv("KEXUAN_TEST_POSTGRES")
	if base == "" {
		if os.Getenv("KEXUAN_REQUIRE_POSTGRES") == "1" {
			t.Fatal("KEXUAN_TEST_POSTGRES is not set but KEXUAN_REQUIRE_POSTGRES=1")
		}
		t.Skip("KEXUAN_TEST_POSTGRES is not set: PostgreSQL tests skipped (scripts/test.sh starts a server)")
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err == nil {
			a.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
			a.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Each runs f once against a fresh SQLite file and once against a fresh
// PostgreSQL schema.
//
// The two run in parallel with each other and with the package's other
// parallel tests (go test -parallel): each has a database of its own, and
// most of a test's time is spent waiting on a server, a database or a
// browser. f must not share what it writes with the other database's run.
func Each(t *testing.T, f func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); f(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { t.Parallel(); f(t, Postgres(t)) })
}

// Open opens dsn and creates the schema, with no plan; the database is
// closed when the test ends.
func Open(t testing.TB, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("KEXUAN_TEST_ONE_CONNECTION") == "1" {
		// A pool of one: code that goes back to the pool inside a
		// transaction waits for itself, and the test's deadline shows it.
		db.SQL().SetMaxOpenConns(1)
	}
	return db
}

// Ready opens dsn, creates the schema and loads the built-in 2017 plan;
// the database is closed when the test ends.
func Ready(t testing.TB, dsn string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db := Open(t, dsn)
	p, src := plan.Builtin()
	if err := db.SavePlan(ctx, p, src); err != nil {
		t.Fatal(err)
	}
	return db
}

// Key returns a new installation key in a temporary folder.
func Key(t testing.TB) *secret.Key {
	t.Helper()
	k, err := secret.Create(filepath.Join(t.TempDir(), "kexuan.key"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}
