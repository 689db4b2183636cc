package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// kexuan token add prints the token once (on its own line, for a script),
// list shows names and scopes but never a token, revoke ends it; bad input
// names its field.
func TestTokenCommands(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "kexuan.db")
	mustRun(t, "init", "--db", db)
	out := mustRun(t, "token", "add", "--db", db, "--name", "oa", "--scopes", "report:read,adoptions:write", "--expires", "2099-12-31")
	token := strings.TrimSpace(out)
	if !strings.HasPrefix(token, "kx_") || strings.Contains(token, "\n") {
		t.Fatalf("token add printed %q, want the token alone", out)
	}
	list := mustRun(t, "token", "list", "--db", db)
	if !strings.Contains(list, "oa\treport:read,adoptions:write\t有效至 2099-12-31") || strings.Contains(list, token) {
		t.Errorf("token list: %q", list)
	}
	if _, errs, code := run(t, "token", "add", "--db", db, "--name", "oa2", "--scopes", "everything"); code == 0 || !strings.Contains(errs, "everything") {
		t.Errorf("an unknown scope: exit %d %s", code, errs)
	}
	if _, errs, code := run(t, "token", "add", "--db", db, "--name", "oa", "--scopes", "report:read"); code == 0 || !strings.Contains(errs, "oa") {
		t.Errorf("a name taken: exit %d %s", code, errs)
	}
	mustRun(t, "token", "revoke", "--db", db, "--name", "oa")
	if list := mustRun(t, "token", "list", "--db", db); !strings.Contains(list, "已吊销") {
		t.Errorf("after revoke: %q", list)
	}
	if _, errs, code := run(t, "token", "revoke", "--db", db, "--name", "nobody"); code == 0 || !strings.Contains(errs, "nobody") {
		t.Errorf("revoking no token: exit %d %s", code, errs)
	}
}
