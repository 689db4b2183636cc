package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
)

// Backup writes a consistent copy of the database to path, readable by its
// owner only, while it is in use: SQLite with VACUUM INTO (a snapshot, never
// a copy of a live file), PostgreSQL with pg_dump in its custom format (the
// database's schema only: one installation of several on a server), whose
// table of contents is then read back to check it.
func (s *DB) Backup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%s 已存在：备份不会覆盖已有文件", path)
	}
	// The copy is the owner's only, as the database is (VACUUM INTO and
	// pg_dump fill an empty file).
	if err := createPrivate(path); err != nil {
		return err
	}
	if s.dialect == postgresDialect {
		err := s.pgDump(ctx, path)
		if err != nil {
			os.Remove(path)
		}
		return err
	}
	_, err := s.sql.ExecContext(ctx, `VACUUM INTO ?`, path)
	return err
}

// pgConn splits a database URL into what the PostgreSQL tools take: the URL
// without its password (given by PGPASSWORD, not on a command line others
// can read) and without search_path (a pgx setting libpq does not know),
// the schema, and the environment.
func pgConn(dsn string) (conn, schema string, env []string, err error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", "", nil, err
	}
	env = os.Environ()
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+pw)
			u.User = url.User(u.User.Username())
		}
	}
	q := u.Query()
	schema = q.Get("search_path")
	if schema == "" {
		schema = "public"
	}
	q.Del("search_path")
	u.RawQuery = q.Encode()
	return u.String(), schema, env, nil
}

func commandWithInput(ctx context.Context, env []string, in io.Reader, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	cmd.Stdin = in
	return cmd
}

func run(ctx context.Context, env []string, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return nil, fmt.Errorf("找不到 %s：请安装 PostgreSQL 客户端（postgresql-client）", name)
		}
		return nil, fmt.Errorf("%s：%v：%s", name, err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

func (s *DB) pgDump(ctx context.Context, path string) error {
	conn, schema, env, err := pgConn(s.dsn)
	if err != nil {
		return err
	}
	if _, err := run(ctx, env, "pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--schema="+schema, "--file="+path, "--dbname="+conn); err != nil {
		return err
	}
	return checkDump(ctx, path)
}

// checkDump reads a custom-format dump's table of contents: it must be whole
// and hold the audit log's and the publications' data.
func checkDump(ctx context.Context, path string) error {
	toc, err := run(ctx, os.Environ(), "pg_restore", "--list", path)
	if err != nil {
		return fmt.Errorf("备份文件无法读取：%w", err)
	}
	for _, table := range []string{"audit_log", "publications", "users", "kexuan_schema"} {
		if !regexp.MustCompile(`TABLE DATA \S+ ` + table + ` `).Match(toc) {
			return fmt.Errorf("备份文件 %s 中没有表 %s 的数据", path, table)
		}
	}
	return nil
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
