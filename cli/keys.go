package cli

import (
	"context"
	"fmt"
	"os"
	"strings"

	"kexuan/app"
	"kexuan/secret"
	"kexuan/store"
)

// keyFile is where the installation's key is kept: $KEXUAN_KEY_FILE, or
// beside a SQLite database (kexuan.db → kexuan.db.key), or kexuan.key in the
// working directory for PostgreSQL.
func keyFile(dsn string, env Env) string {
	if p := env.getenv("KEXUAN_KEY_FILE"); p != "" {
		return p
	}
	if store.IsPostgres(dsn) {
		return "kexuan.key"
	}
	return dsn + ".key"
}

// checkpointFile is where the audit chain's head is checkpointed:
// $KEXUAN_CHECKPOINT_FILE, or beside the key (kexuan.db.key →
// kexuan.db.checkpoints).
func checkpointFile(key string, env Env) string {
	if p := env.getenv("KEXUAN_CHECKPOINT_FILE"); p != "" {
		return p
	}
	return strings.TrimSuffix(key, ".key") + ".checkpoints"
}

// checkpointMirrors are the places each checkpoint is appended to besides
// the file: $KEXUAN_CHECKPOINT_MIRROR, paths separated by commas (another
// disk, a mount the database's administrator cannot write).
func checkpointMirrors(env Env) []string {
	var out []string
	for _, p := range strings.Split(env.getenv("KEXUAN_CHECKPOINT_MIRROR"), ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// useKey loads the key (creating it, 0600, when the database has no keyed
// audit entry yet — a new installation, or one from before keys) and the
// checkpoint file, and seals personal data kept before.
func useKey(ctx context.Context, a *app.App, dsn string, env Env) error {
	path := keyFile(dsn, env)
	keyed, err := a.AuditKeyed(ctx)
	if err != nil {
		return err
	}
	k, created, err := secret.LoadOrCreate(path, !keyed)
	if err != nil {
		if keyed {
			return fmt.Errorf("%w（审计日志已用密钥签名：请把密钥文件放回原处，或用 KEXUAN_KEY_FILE 指明）", err)
		}
		return err
	}
	if created {
		fmt.Fprintf(env.Stderr, "已生成密钥文件 %s（权限 0600）：审计日志签名与个人信息加密用它，请与数据库分开备份。\n", path)
	}
	a.UseKey(k)
	a.UseCheckpoints(checkpointFile(path, env), checkpointMirrors(env)...)
	if created {
		if err := a.KeyCreated(ctx, path); err != nil {
			return err
		}
	}
	_, err = a.SealContacts(ctx)
	return err
}

func (e Env) getenv(k string) string {
	if e.Getenv != nil {
		return e.Getenv(k)
	}
	return os.Getenv(k)
}
