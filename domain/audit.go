package domain

import (
	"strings"
	"time"
)

// AuditEntry is one line of the append-only audit log.
type AuditEntry struct {
	ID       int64
	At       time.Time
	UserID   int64
	Username string
	Role     string
	Address  string
	Action   string // login, login_failed, lockout, logout, user_create, piece_approve, adoption_record, …
	Object   string // piece:12, user:3, …
	Result   string // ok, denied, failed
	Reason   string
	PrevHash string
	Hash     string
}

// Results of audited actions.
const (
	AuditOK     = "ok"
	AuditDenied = "denied"
	AuditFailed = "failed"
)

// Audit field limits, in characters: whatever a caller passes (a user name
// typed at the sign-in form, a comment), a row stays small.
const (
	AuditMaxName   = 64
	AuditMaxShort  = 64 // role, address, action, result
	AuditMaxObject = 200
	AuditMaxReason = 1000
)

// ClipFields truncates every field to its limit, marking a cut with "…".
func (e *AuditEntry) ClipFields() {
	e.Username = Clip(e.Username, AuditMaxName)
	e.Role = Clip(e.Role, AuditMaxShort)
	e.Address = Clip(e.Address, AuditMaxShort)
	e.Action = Clip(e.Action, AuditMaxShort)
	e.Result = Clip(e.Result, AuditMaxShort)
	e.Object = Clip(e.Object, AuditMaxObject)
	e.Reason = Clip(e.Reason, AuditMaxReason)
}

// Clip returns s cut to at most n characters (runes), the last one "…" when
// it was cut; invalid UTF-8 is replaced.
func Clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n { // bytes ≥ runes: short enough
		return s
	}
	i, count := 0, 0
	for j := range s {
		if count == n-1 {
			i = j
		}
		count++
		if count > n {
			return s[:i] + "…"
		}
	}
	return s
}

// AuditFilter selects audit entries; empty fields select everything.
type AuditFilter struct {
	Action      string
	Username    string
	Object      string
	Result      string
	From, Until time.Time // at or after, before (zero: open)
}

// auditActions names the audited actions in Chinese, as the audit log page
// shows them and its search takes them.
var auditActions = map[string]string{
	"login": "登录", "login_failed": "登录失败", "login_throttled": "登录限流", "login_failed_summary": "登录失败汇总", "lockout": "账户锁定", "logout": "退出",
	"password_change": "修改密码", "password_reset": "重置密码", "user_create": "新建账户", "user_update": "修改账户",
	"user_list": "查看账户", "user_read": "查看账户", "route": "越权访问",
	"piece_create": "起草稿件", "piece_edit": "修改稿件", "piece_submit": "报送审核", "piece_approve": "审核通过", "piece_return": "退回",
	"attachment_add": "上传附件", "adoption_record": "登记采用", "adoption_verify": "核实通过", "adoption_reject": "不予认定", "adoption_delete": "删除采用记录",
	"adoption_pending": "查看待核实", "words_override": "修改计分字数", "adjustment_record": "加减分", "adjustment_reverse": "冲销加减分",
	"adjustment_list": "查看加减分", "period_close": "结账", "period_reopen": "重新打开结账期", "remind": "催报",
	"calendar_add": "设置日历", "calendar_token": "日历订阅地址", "export": "导出", "import": "导入", "import_update": "导入修改字数",
	"plan_load": "载入方案", "plan_replace": "替换方案", "backup": "备份", "aggregate_repair": "重建得分汇总",
	"audit_read": "查看审计日志", "enterprise_create": "登记企业", "enterprise_import": "导入企业名录", "visit_record": "登记走访", "activity_update": "修改活动", "activity_file": "上传活动材料", "policy_add": "录入政策", "policy_reach": "政策进企业", "booklet": "导出政策汇编", "journal_create": "新建内刊一期", "journal_item": "编辑内刊文章", "journal_submit": "内刊送审", "journal_review": "审核内刊", "commission_create": "约稿", "commission_fulfil": "回应约稿", "instruction": "批示", "audit_verify": "校验审计日志", "month_read": "查看本月",
	"key_create": "生成密钥", "policy_change": "修改安全策略", "second_factor_enrol": "绑定验证器", "second_factor_enable": "启用第二因素",
	"second_factor_reset": "重置第二因素", "login_second_factor": "验证码登录", "unlock": "解除锁定", "role_assign": "分配角色",
	"reveal": "查看完整个人信息", "personal_seal": "加密个人信息", "audit_archive": "归档审计日志", "restore": "恢复数据库",
	"user_email": "修改通知邮箱", "settings_update": "修改通知设置", "settings_read": "查看通知设置",
}

// AuditActionName is an audited action's Chinese name (the code when it has none).
func AuditActionName(action string) string {
	if n, ok := auditActions[action]; ok {
		return n
	}
	return action
}

// AuditAction reads what a person types to search the audit log: a
// Chinese name or a code; it returns the code.
func AuditAction(s string) string {
	for code, name := range auditActions {
		if name == s {
			return code
		}
	}
	return s
}

// AuditResultName is a result's Chinese name.
func AuditResultName(result string) string {
	switch result {
	case AuditOK:
		return "成功"
	case AuditDenied:
		return "拒绝"
	case AuditFailed:
		return "失败"
	}
	return result
}
