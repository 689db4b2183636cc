package web_test

import (
	"strings"
	"testing"

	"kexuan/store/storetest"
)

// The audit page verifies the hash chain on demand (it reads the whole log),
// not on every view.
func TestAuditChainOnDemand(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	admin := e.as("admin")
	_, page := admin.do("GET", "/admin/audit", nil)
	if strings.Contains(page, "完整（共") || !strings.Contains(page, `id="verify-chain"`) {
		t.Errorf("the chain was verified on a plain view, or no way to ask for it")
	}
	_, page = admin.do("GET", "/admin/audit?verify=1", nil)
	if !strings.Contains(page, "哈希链完整（共") {
		t.Errorf("?verify=1 did not report the chain")
	}
}
