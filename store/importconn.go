package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"runtime"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// sqliteIdleConns is how many idle connections a SQLite database keeps
// (database/sql's default, set explicitly so an import can put it back).
const sqliteIdleConns = 2

// importConn is a SQLite import's own connection and what it changed on
// it for the import's length.
//
// Always: the sorter that rebuilds a bulk import's index works on temporary
// files with helper threads. Under temp_store=MEMORY (every other
// connection's setting) SQLite keeps all of a sort's keys in one list and
// merge-sorts it whole — for a million rows 4 s and 50 MiB; on files it
// sorts page-cache-sized runs, on helper threads while the table is still
// being read, and merges them: half the time, and memory that stays flat.
//
// When the handle may take the database for its imports (TakeForImports:
// `kexuan import`, a command that runs alone), no server runs on it (its
// serving lock can be taken exclusively) and no other connection has it
// open, the connection also
// leaves WAL for the rollback journal while it imports. A bulk import's new
// pages are then written once, into the database file, where in WAL mode
// they are written to the log and then again by the checkpoint that
// follows the commit (a million rows: 185 MiB, and two fsyncs of it).
// Commits stay atomic and durable either way. The import holds the serving
// lock until the connection is back in WAL mode, so no server starts in
// between; another command that opens the database meanwhile waits for the
// import, as for any writer in rollback mode.
type importConn struct {
	db      *DB
	c       *sql.Conn
	lock    *ServingLock // held while in rollback-journal mode
	journal bool         // in rollback-journal mode
	release func()       // this process's turn to write (DB.waitTurn)
}

// TakeForImports lets this handle's SQLite imports write through the
// rollback journal when nothing else has the database open (see
// importConn). For commands that run alone; a server never sets it (its
// other requests open connections while an import runs).
func (s *DB) TakeForImports() { s.takeForImports.Store(true) }

func (s *DB) openImportConn(ctx context.Context) (*importConn, error) {
	release, err := s.waitTurn(ctx)
	if err != nil {
		return nil, err
	}
	ic := &importConn{db: s, release: release}
	if s.takeForImports.Load() {
		lock, err := lockServing(ctx, s.dsn, true)
		switch {
		case err == nil:
			ic.lock = lock
			// This process's idle connections keep the database open in
			// WAL mode: they would refuse the change.
			s.sql.SetMaxIdleConns(0)
		case !errors.Is(err, ErrInUse):
			release()
			return nil, err
		}
	}
	if ic.c, err = s.sql.Conn(ctx); err != nil {
		ic.close()
		return nil, err
	}
	if ic.lock != nil {
		if err := ic.leaveWAL(ctx); err != nil {
			ic.close()
			return nil, err
		}
	}
	if _, err := ic.c.ExecContext(ctx, fmt.Sprintf(`PRAGMA temp_store = FILE; PRAGMA threads = %d`, sorterThreads())); err != nil {
		ic.close()
		return nil, err
	}
	return ic, nil
}

// leaveWAL switches the connection to the rollback journal if nothing
// else has the database open; otherwise it stays in WAL mode. Another
// process's connection refuses the change at once (busy_timeout 0 for it).
func (ic *importConn) leaveWAL(ctx context.Context) error {
	if _, err := ic.c.ExecContext(ctx, `PRAGMA busy_timeout = 0`); err != nil {
		return err
	}
	var mode string
	err := ic.c.QueryRowContext(ctx, `PRAGMA journal_mode = DELETE`).Scan(&mode)
	if _, rerr := ic.c.ExecContext(ctx, fmt.Sprintf(`PRAGMA busy_timeout = %d`, busyTimeoutMS)); rerr != nil {
		return rerr
	}
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY {
		return nil // in use elsewhere: WAL it is
	}
	if err != nil {
		return err
	}
	ic.journal = mode == "delete"
	return nil
}

// close puts the connection's settings back and returns it to the pool.
// A connection whose settings could not be put back is discarded instead:
// every new connection is opened in WAL mode with temp_store=MEMORY (the
// DSN's pragmas), so the database is never left otherwise.
func (ic *importConn) close() {
	if ic.c != nil {
		ctx := context.Background()
		ok := true
		if ic.journal {
			var mode string
			err := ic.c.QueryRowContext(ctx, `PRAGMA journal_mode = WAL`).Scan(&mode)
			ok = err == nil && mode == "wal"
		}
		if _, err := ic.c.ExecContext(ctx, `PRAGMA temp_store = MEMORY; PRAGMA threads = 0`); err != nil {
			ok = false
		}
		if !ok {
			ic.c.Raw(func(any) error { return driver.ErrBadConn })
		}
		ic.c.Close()
	}
	if ic.lock != nil {
		ic.db.sql.SetMaxIdleConns(sqliteIdleConns)
		ic.lock.Release()
	}
	ic.release()
}

// sorterThreads is how many helper threads SQLite's sorter may use: one
// per CPU beyond the connection's own, at least one, at most four.
func sorterThreads() int {
	return min(max(runtime.NumCPU()-1, 1), 4)
}
