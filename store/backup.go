package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
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
	// The copy is the owner's only, as the database is (VACUUM INTO fills an
	// empty file).
	if err := createPrivate(path); err != nil {
		return err
	}
	_, err := s.sql.ExecContext(ctx, `VACUUM INTO ?`, path)
	return err
}

// IntegrityCheck checks the database and says "ok" when it is sound, else
// what is wrong, one finding a line: SQLite's own integrity check (pages,
// indexes) and foreign keys; on both databases every table read whole (row
// counts), references that point nowhere, the audit log's hash chain, and
// the score aggregate against a recomputation from the publications.
func (s *DB) IntegrityCheck(ctx context.Context) (string, error) {
	var findings []string
	if s.dialect == sqliteDialect {
		var res string
		if err := s.sql.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil {
			return "", err
		}
		if res != "ok" {
			findings = append(findings, "SQLite integrity_check: "+res)
		}
		rows, err := s.sql.QueryContext(ctx, `PRAGMA foreign_key_check`)
		if err != nil {
			return "", err
		}
		n := 0
		for rows.Next() {
			n++
		}
		rows.Close()
		if n > 0 {
			findings = append(findings, fmt.Sprintf("%d 行外键指向不存在的记录", n))
		}
	}
	for _, table := range []string{"plans", "departments", "publications", "users", "sessions", "pieces", "piece_events", "attachments", "audit_log", "score_cells"} {
		var n int64
		if err := s.sql.QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
			findings = append(findings, fmt.Sprintf("表 %s 不可读：%v", table, err))
		}
	}
	for _, c := range []struct{ what, query string }{
		{"采用记录指向不存在的稿件", `SELECT count(*) FROM publications p WHERE p.piece_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pieces x WHERE x.id = p.piece_id)`},
		{"采用记录指向不存在的科室", `SELECT count(*) FROM publications p WHERE NOT EXISTS (SELECT 1 FROM departments d WHERE d.id = p.department_id)`},
		{"稿件历史指向不存在的稿件", `SELECT count(*) FROM piece_events e WHERE NOT EXISTS (SELECT 1 FROM pieces x WHERE x.id = e.piece_id)`},
		{"已采用的稿件没有计分的采用记录", `SELECT count(*) FROM pieces x WHERE x.state = 'adopted' AND NOT EXISTS (SELECT 1 FROM publications p WHERE p.piece_id = x.id AND p.counted)`},
	} {
		var n int64
		if err := s.sql.QueryRowContext(ctx, c.query).Scan(&n); err != nil {
			return "", err
		}
		if n > 0 {
			findings = append(findings, fmt.Sprintf("%s：%d 行", c.what, n))
		}
	}
	broken, _, err := s.Q().VerifyAuditChain(ctx)
	if err != nil {
		return "", err
	}
	if broken != 0 {
		findings = append(findings, fmt.Sprintf("审计日志的哈希链在第 %d 条处断裂", broken))
	}
	diffs, err := s.CheckAggregate(ctx)
	if err != nil {
		return "", err
	}
	for _, d := range diffs {
		findings = append(findings, "得分汇总与重算不符："+d.String())
	}
	if len(findings) == 0 {
		return "ok", nil
	}
	return strings.Join(findings, "\n"), nil
}
