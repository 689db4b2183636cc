package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net/url"
	"os"
	"regexp"
	"syscall"
)

// ServingLock is held by every running server of a database, shared among
// them; a restore takes it exclusively, so it refuses to overwrite a
// database in use.
type ServingLock struct {
	release func()
}

// Release lets the lock go.
func (l *ServingLock) Release() {
	if l != nil && l.release != nil {
		l.release()
	}
}

// ErrInUse is a database a server is running on.
var ErrInUse = errors.New("数据库正在使用（有 kexuan serve 在运行）：先停止服务再恢复")

// ErrHeldExclusively is a database a restore, or an import writing through
// the rollback journal, holds for itself: a server waits until it is done.
var ErrHeldExclusively = errors.New("数据库正被 kexuan restore 或一次导入独占：等它结束再启动服务")

// HoldServing takes the database's serving lock, shared: for a SQLite file
// a lock on PATH.lock beside it, for PostgreSQL a session advisory lock
// keyed by the database and schema.
func (s *DB) HoldServing(ctx context.Context) (*ServingLock, error) {
	return lockServing(ctx, s.dsn, false)
}

func lockServing(ctx context.Context, dsn string, exclusive bool) (*ServingLock, error) {
	if !IsPostgres(dsn) {
		f, err := os.OpenFile(dsn+".lock", os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, err
		}
		how := syscall.LOCK_SH
		if exclusive {
			how = syscall.LOCK_EX
		}
		if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				return nil, inUse(exclusive)
			}
			return nil, err
		}
		return &ServingLock{release: func() { f.Close() }}, nil
	}
	conn, schema, _, err := pgConn(dsn)
	if err != nil {
		return nil, err
	}
	u, _ := url.Parse(conn)
	h := fnv.New64a()
	io.WriteString(h, u.Path+"\x00"+schema)
	key := int64(h.Sum64())
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	c, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	fn := "pg_try_advisory_lock_shared"
	if exclusive {
		fn = "pg_try_advisory_lock"
	}
	var ok bool
	if err := c.QueryRowContext(ctx, `SELECT `+fn+`($1)`, key).Scan(&ok); err != nil || !ok {
		c.Close()
		db.Close()
		if err == nil {
			err = inUse(exclusive)
		}
		return nil, err
	}
	// The lock ends with the session.
	return &ServingLock{release: func() { c.Close(); db.Close() }}, nil
}

// inUse is why the serving lock was refused: to a restore or an import
// (exclusive), servers; to a server (shared), one of those.
func inUse(exclusive bool) error {
	if exclusive {
		return ErrInUse
	}
	return ErrHeldExclusively
}

// Restore puts a backup in place of the database at dsn: refused while a
// server runs on it; the backup is first opened where it cannot hurt (a
// copy beside a SQLite file, a scratch PostgreSQL database) and checked —
// integrity, the audit chain under mac, the score aggregate — and only then
// replaces the database, whole or not at all.
func Restore(ctx context.Context, dsn, from string, mac func([]byte) string) error {
	if _, err := os.Stat(from); err != nil {
		return fmt.Errorf("备份文件 %s：%w", from, err)
	}
	lock, err := lockServing(ctx, dsn, true)
	if err != nil {
		return err
	}
	defer lock.Release()
	if IsPostgres(dsn) {
		return restorePostgres(ctx, dsn, from, mac)
	}
	return restoreSQLite(ctx, dsn, from, mac)
}

// checkRestored opens a restored copy and checks it.
func checkRestored(ctx context.Context, dsn string, mac func([]byte) string) error {
	db, err := Open(ctx, dsn)
	if err != nil {
		return fmt.Errorf("备份无法打开：%w", err)
	}
	defer db.Close()
	if err := db.Ready(ctx); err != nil {
		return fmt.Errorf("备份的数据库版本：%w", err)
	}
	db.SetAuditMAC(mac)
	res, err := db.IntegrityCheck(ctx)
	if err != nil {
		return fmt.Errorf("备份检查：%w", err)
	}
	if res != "ok" {
		return fmt.Errorf("备份未通过检查，未恢复：%s", res)
	}
	return nil
}

func restoreSQLite(ctx context.Context, dsn, from string, mac func([]byte) string) error {
	tmp := dsn + ".restoring"
	for _, f := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
		os.Remove(f)
	}
	if err := copyPrivate(from, tmp); err != nil {
		return err
	}
	if err := checkRestored(ctx, tmp, mac); err != nil {
		os.Remove(tmp)
		return err
	}
	for _, f := range []string{tmp + "-wal", tmp + "-shm", dsn + "-wal", dsn + "-shm"} {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return os.Rename(tmp, dsn)
}

// copyPrivate copies a file to a new one only its owner may read, synced.
func copyPrivate(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(to)
	}
	return err
}

var dumpSchema = regexp.MustCompile(`(?m)^\d+; \d+ \d+ SCHEMA - (\S+) `)

func restorePostgres(ctx context.Context, dsn, from string, mac func([]byte) string) error {
	if err := checkDump(ctx, from); err != nil {
		return err
	}
	conn, schema, env, err := pgConn(dsn)
	if err != nil {
		return err
	}
	toc, err := run(ctx, env, "pg_restore", "--list", from)
	if err != nil {
		return err
	}
	if m := dumpSchema.FindSubmatch(toc); m != nil && string(m[1]) != schema {
		return fmt.Errorf("备份是模式 %s 的，目标是模式 %s：只能恢复到同名模式", m[1], schema)
	}
	// Check the backup in a scratch database first.
	b := make([]byte, 6)
	rand.Read(b)
	scratch := "kexuan_restore_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", conn)
	if err != nil {
		return err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+scratch); err != nil {
		return fmt.Errorf("创建检查用的临时数据库（需要 CREATEDB 权限）：%w", err)
	}
	defer admin.ExecContext(context.WithoutCancel(ctx), `DROP DATABASE IF EXISTS `+scratch+` WITH (FORCE)`)
	su, _ := url.Parse(conn)
	su.Path = "/" + scratch
	if _, err := run(ctx, env, "pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--dbname="+su.String(), from); err != nil {
		return fmt.Errorf("备份无法还原到临时数据库：%w", err)
	}
	cu, _ := url.Parse(dsn)
	cu.Path = "/" + scratch
	q := cu.Query()
	q.Set("search_path", schema)
	cu.RawQuery = q.Encode()
	if err := checkRestored(ctx, cu.String(), mac); err != nil {
		return err
	}
	// Then replace the schema in one transaction: drop it, restore it.
	script, err := run(ctx, env, "pg_restore", "--no-owner", "--no-privileges", "--file=-", from)
	if err != nil {
		return err
	}
	var sqlText bytes.Buffer
	fmt.Fprintf(&sqlText, "DROP SCHEMA IF EXISTS %q CASCADE;\n", schema)
	sqlText.Write(script)
	cmd := commandWithInput(ctx, env, &sqlText, "psql", "--no-psqlrc", "--quiet", "--single-transaction", "-v", "ON_ERROR_STOP=1", "--dbname="+conn, "--file=-")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("恢复未完成，数据库未改动：psql：%v：%s", err, bytes.TrimSpace(out))
	}
	return nil
}
