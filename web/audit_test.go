package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"kexuan/domain"
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

// The audit log reads in Chinese and is searched in Chinese.
func TestAuditInChinese(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	admin := e.as("admin")
	_, page := admin.do("GET", "/admin/audit?action="+url.QueryEscape("登录"), nil)
	if !strings.Contains(page, `title="login">登录<`) || !strings.Contains(page, "成功") || strings.Contains(page, `title="user_create"`) {
		t.Errorf("the audit log searched for 登录 does not show the sign-ins in Chinese")
	}
}

// The password form asks for the new password twice; a mismatch is said,
// nothing changes.
func TestPasswordConfirm(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	c := e.as("reporter")
	res, page := c.form("/password", url.Values{"old_password": {testPassword}, "new_password": {"Brand-new-9x!"}, "confirm_password": {"Brand-new-9y!"}}, true)
	if res.StatusCode != 422 || !strings.Contains(page, "两次输入的新密码不一致") {
		t.Errorf("mismatch: %d", res.StatusCode)
	}
	if res, _ := e.anon().do("POST", "/api/v1/login", map[string]string{"username": "reporter", "password": testPassword}); res.StatusCode != 200 {
		t.Errorf("the password changed on a mismatch: %d", res.StatusCode)
	}
}

// The dashboard lists departments by rank (the plan's order on request),
// with 得分率 beside 完成率.
func TestDashboardByRank(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	id := e.newPiece("reporter2", domain.StateApproved, false) // ip gets a point: rank 1
	office := e.as("office")
	if res, body := office.do("POST", "/api/v1/pieces/"+itoa(id)+"/adoptions", map[string]any{"channel": "intranet", "date": "2017-03-02"}); res.StatusCode != 201 {
		t.Fatalf("adopt: %d %s", res.StatusCode, body)
	}
	order := func(path string) []string {
		_, page := office.do("GET", path, nil)
		var out []string
		for _, m := range regexp.MustCompile(`data-department="([a-z_]+)"`).FindAllStringSubmatch(page, -1) {
			out = append(out, m[1])
		}
		if !strings.Contains(page, "得分率") {
			t.Error("no 得分率 column")
		}
		return out
	}
	if got := order("/dashboard?year=2017&as_of=2017-03-30"); len(got) != 6 || got[0] != "ip" {
		t.Errorf("by rank: %v", got)
	}
	if got := order("/dashboard?year=2017&as_of=2017-03-30&order=plan"); len(got) != 6 || got[0] == "ip" {
		t.Errorf("in the plan's order: %v", got)
	}
}
