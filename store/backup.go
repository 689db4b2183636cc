package store

import (
	"context"
	"errors"
	"fmt"
	"os"
)

// Backup writes a consistent copy of a SQLite database to path while it is
// in use (VACUUM INTO: a snapshot, never a copy of a live file). PostgreSQL
// is backed up with its own tools (pg_dump), which know its server.
func (s *DB) Backup(ctx context.Context, path string) error {
	if s.dialect != sqliteDialect {
		return errors.New("PostgreSQL 请用 pg_dump 备份（kexuan backup 只用于 SQLite 文件）")
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%s 已存在：备份不会覆盖已有文件", path)
	}
	_, err := s.sql.ExecContext(ctx, `VACUUM INTO ?`, path)
	return err
}

// IntegrityCheck runs SQLite's integrity check ("ok" when sound); on
// PostgreSQL it only checks the server answers.
func (s *DB) IntegrityCheck(ctx context.Context) (string, error) {
	if s.dialect != sqliteDialect {
		return "ok", s.sql.PingContext(ctx)
	}
	var res string
	err := s.sql.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res)
	return res, err
}
