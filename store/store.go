// Package store keeps plans, departments and publications (adoption records)
// in SQLite (embedded, the default) or PostgreSQL, behind one API. The schema
// is versioned per dialect (migrations/sqlite, migrations/postgres, same
// version numbers); a database written by a newer kexuan is refused, never
// touched.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"
)

//go:embed migrations
var migrationsFS embed.FS

// Error codes, so that callers can tell a user what went wrong.
var (
	ErrNotFound       = errors.New("not found")
	ErrNotInitialised = errors.New("数据库尚未初始化：请先运行 kexuan init --db …")
	ErrTooNew         = errors.New("数据库由更新版本的 kexuan 创建")
)

// DB is a kexuan database.
type DB struct {
	sql       *sql.DB
	dialect   *dialect
	clock     func() time.Time
	wallClock func() time.Time
	plans     sync.Map // plan source text → *plan.Plan
	byStamp   sync.Map // planKey (year, loaded_at) → *plan.Plan

	auditMAC func([]byte) string // keys the audit chain (SetAuditMAC)
	dsn      string              // as opened: for pg_dump and the server lock

	takeForImports atomic.Bool // see TakeForImports

	// SQLite: one writing transaction of this process at a time, the others
	// waiting their turn in order for as long as their context allows
	// (waitTurn). SQLite itself has one writer; left to its busy handler,
	// fifty waiting writers retry by sleeping, unfairly, and some give up
	// after the busy timeout with SQLITE_BUSY.
	writeTurn chan struct{}
}

// waitTurn waits for this process's turn to write (SQLite; PostgreSQL's
// writers do not wait for each other) and returns its release.
func (s *DB) waitTurn(ctx context.Context) (release func(), err error) {
	if s.writeTurn == nil {
		return func() {}, nil
	}
	select {
	case s.writeTurn <- struct{}{}:
		var once sync.Once
		return func() { once.Do(func() { <-s.writeTurn }) }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

type dialect struct {
	name      string
	driver    string
	dayAs     func(col string) string // a day column as YYYY-MM-DD text (DATE on PostgreSQL)
	maxDay    string                  // the latest day of a group as YYYY-MM-DD text
	monthExpr string                  // the month number (1–12) of the day column
	leads     string                  // a user's led department codes, comma-separated in department order
}

var (
	sqliteDialect = &dialect{
		name: "sqlite", driver: "sqlite",
		dayAs:     func(col string) string { return col },
		maxDay:    "max(p.day)",
		monthExpr: "substr(p.day, 6, 2)",
		leads: `COALESCE((SELECT group_concat(ld.code, ',' ORDER BY ld.id) FROM leader_departments l JOIN departments ld ON ld.id = l.department_id
			WHERE l.user_id = u.id), '')`,
	}
	postgresDialect = &dialect{
		name: "postgres", driver: "pgx",
		dayAs:     func(col string) string { return "to_char(" + col + ", 'YYYY-MM-DD')" },
		maxDay:    "to_char(max(p.day), 'YYYY-MM-DD')",
		monthExpr: "extract(month from p.day)",
		leads: `COALESCE((SELECT string_agg(ld.code, ',' ORDER BY ld.id) FROM leader_departments l JOIN departments ld ON ld.id = l.department_id
			WHERE l.user_id = u.id), '')`,
	}
)

// IsPostgres reports whether dsn names a PostgreSQL server.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// busyTimeoutMS is how long a SQLite connection waits for another's lock.
const busyTimeoutMS = 5000

// sqliteDSN builds the connection string with the settings ENGINEERING.md
// asks for: WAL, synchronous=FULL (a committed record survives power loss),
// foreign keys, a busy timeout and immediate write transactions.
func sqliteDSN(p string) string {
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMS))
	q.Add("_pragma", "temp_store(MEMORY)") // statement journals of bulk inserts stay off disk
	q.Set("_txlock", "immediate")
	return "file:" + esc + "?" + q.Encode()
}

// pgPoolSize bounds the connections one server keeps to PostgreSQL (two
// servers on one database: twice as many, well under max_connections).
const pgPoolSize = 16

// Open connects to a SQLite file path or a postgres:// URL. It does not
// create or upgrade the schema (Migrate does); it refuses a database written
// by a newer kexuan.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if dsn == "" {
		return nil, errors.New("缺少 --db：SQLite 文件路径或 postgres:// 地址")
	}
	d := sqliteDialect
	conn := dsn
	if IsPostgres(dsn) {
		d = postgresDialect
	} else {
		conn = sqliteDSN(dsn)
		// A new database file is the owner's only (0600): it holds password
		// and session hashes. SQLite gives its WAL and shared-memory files
		// the database file's mode.
		if err := createPrivate(dsn); err != nil {
			return nil, fmt.Errorf("创建数据库文件 %s：%w", dsn, err)
		}
	}
	db, err := sql.Open(d.driver, conn)
	if err != nil {
		return nil, fmt.Errorf("打开数据库 %s：%w", Redact(dsn), err)
	}
	if d == sqliteDialect {
		// One writer at a time is SQLite's model; readers go through WAL.
		db.SetMaxOpenConns(4)
		db.SetMaxIdleConns(sqliteIdleConns)
	} else {
		// A PostgreSQL connection is a server process: keep a pool of them
		// open rather than database/sql's two idle ones, which under ten
		// concurrent users meant a new connection (a fork) per request.
		db.SetMaxOpenConns(pgPoolSize)
		db.SetMaxIdleConns(pgPoolSize)
		db.SetConnMaxIdleTime(10 * time.Minute)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("连接数据库 %s：%w", Redact(dsn), err)
	}
	s := &DB{sql: db, dialect: d, dsn: dsn}
	if d == sqliteDialect {
		s.writeTurn = make(chan struct{}, 1)
	}
	v, err := s.version(ctx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("读取数据库 %s：%w", Redact(dsn), err)
	}
	if latest := latestVersion(d); v > latest {
		db.Close()
		return nil, fmt.Errorf("%w（数据库版本 %d，本程序支持到 %d）：请升级 kexuan，数据库未作任何改动", ErrTooNew, v, latest)
	}
	return s, nil
}

// Redact hides a password in a database URL, for messages and logs.
func Redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			return u.String()
		}
	}
	return dsn
}

// Close closes the database.
func (s *DB) Close() error { return s.sql.Close() }

// Dialect is "sqlite" or "postgres".
func (s *DB) Dialect() string { return s.dialect.name }

// SQL exposes the handle for benchmarks and tests in this module.
func (s *DB) SQL() *sql.DB { return s.sql }

// migrationHooks run after a migration's SQL, in its transaction, for what
// SQL alone cannot do: 4 fills the score aggregate, whose 字数 tiers come
// from the stored plans.
var migrationHooks = map[int]func(context.Context, *Q) error{
	4: func(ctx context.Context, q *Q) error { return q.rebuildAll(ctx) },
}

type migration struct {
	version int
	name    string
	sql     string
}

func migrations(d *dialect) []migration {
	dir := path.Join("migrations", d.name)
	entries, err := fs.ReadDir(migrationsFS, dir)
	if err != nil {
		panic(err)
	}
	var ms []migration
	for _, e := range entries {
		n, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(n)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			panic("bad migration name " + e.Name())
		}
		b, err := migrationsFS.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			panic(err)
		}
		ms = append(ms, migration{v, e.Name(), string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms
}

func latestVersion(d *dialect) int {
	ms := migrations(d)
	return ms[len(ms)-1].version
}

// version is the schema version, 0 for an empty database.
func (s *DB) version(ctx context.Context) (int, error) {
	var exists bool
	var err error
	if s.dialect == sqliteDialect {
		err = s.sql.QueryRowContext(ctx, `SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'kexuan_schema'`).Scan(&exists)
	} else {
		err = s.sql.QueryRowContext(ctx, `SELECT to_regclass('kexuan_schema') IS NOT NULL`).Scan(&exists)
	}
	if err != nil || !exists {
		return 0, err
	}
	var v sql.NullInt64
	err = s.sql.QueryRowContext(ctx, `SELECT max(version) FROM kexuan_schema`).Scan(&v)
	return int(v.Int64), err
}

// Migrate creates or upgrades the schema, one transaction per version.
func (s *DB) Migrate(ctx context.Context) error {
	ms := migrations(s.dialect)
	for {
		done, err := s.migrateOne(ctx, ms)
		if err != nil || done {
			return err
		}
	}
}

// foreignKeysOff marks a SQLite migration that rebuilds a table others refer
// to: it runs with foreign keys off (SQLite's documented procedure for
// changes ALTER TABLE cannot make), and they are checked before it commits.
const foreignKeysOff = "-- kexuan: foreign keys off"

// migrateOne applies the next migration; done reports there was none.
func (s *DB) migrateOne(ctx context.Context, ms []migration) (done bool, err error) {
	conn, err := s.sql.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	fkOff := false
	defer func() {
		if fkOff {
			if _, ferr := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = ON`); ferr != nil && err == nil {
				err = ferr
			}
		}
	}()
	for {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return false, err
		}
		if s.dialect == postgresDialect {
			// Two servers starting at once must not both migrate.
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7262917)`); err != nil {
				tx.Rollback()
				return false, err
			}
		}
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS kexuan_schema (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
			tx.Rollback()
			return false, err
		}
		var cur sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT max(version) FROM kexuan_schema`).Scan(&cur); err != nil {
			tx.Rollback()
			return false, err
		}
		var next *migration
		for i := range ms {
			if ms[i].version > int(cur.Int64) {
				next = &ms[i]
				break
			}
		}
		if int(cur.Int64) > ms[len(ms)-1].version {
			tx.Rollback()
			return false, fmt.Errorf("%w（数据库版本 %d）", ErrTooNew, cur.Int64)
		}
		if next == nil {
			return true, tx.Commit()
		}
		if s.dialect == sqliteDialect && strings.HasPrefix(next.sql, foreignKeysOff) && !fkOff {
			// The pragma is a no-op inside a transaction: start again without one.
			tx.Rollback()
			if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
				return false, err
			}
			fkOff = true
			continue
		}
		if _, err := tx.ExecContext(ctx, next.sql); err != nil {
			tx.Rollback()
			return false, fmt.Errorf("迁移 %s/%s：%w", s.dialect.name, next.name, err)
		}
		if fkOff {
			var table string
			err := tx.QueryRowContext(ctx, `SELECT "table" FROM pragma_foreign_key_check LIMIT 1`).Scan(&table)
			if err == nil {
				tx.Rollback()
				return false, fmt.Errorf("迁移 %s/%s：表 %s 有指向不存在的行的外键", s.dialect.name, next.name, table)
			}
			if !errors.Is(err, sql.ErrNoRows) {
				tx.Rollback()
				return false, err
			}
		}
		if hook := migrationHooks[next.version]; hook != nil {
			if err := hook(ctx, s.txQ(tx)); err != nil {
				tx.Rollback()
				return false, fmt.Errorf("迁移 %s/%s：%w", s.dialect.name, next.name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO kexuan_schema (version, name, applied_at) VALUES ($1, $2, $3)`,
			next.version, next.name, time.Now().UTC().Format(time.RFC3339)); err != nil {
			tx.Rollback()
			return false, err
		}
		return false, tx.Commit()
	}
}

// Ready returns ErrNotInitialised unless the schema is current.
func (s *DB) Ready(ctx context.Context) error {
	v, err := s.version(ctx)
	if err != nil {
		return err
	}
	if v < latestVersion(s.dialect) {
		if v == 0 {
			return ErrNotInitialised
		}
		return fmt.Errorf("数据库版本 %d 需要升级：请运行 kexuan init --db …", v)
	}
	return nil
}

// createPrivate makes an empty file readable and writable by its owner only
// when none exists at path (an existing file keeps its mode). In-memory
// databases are left alone.
func createPrivate(path string) error {
	if path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}
