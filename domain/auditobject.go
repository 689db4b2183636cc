package domain

import (
	"strings"
	"unicode"
)

// auditKinds names the kinds of audited objects ("piece:12") in Chinese.
var auditKinds = map[string]string{
	"piece": "稿件", "publication": "发布记录", "user": "账户", "department": "科室", "activity": "活动",
	"journal": "文汇", "commission": "约稿", "adjustment": "加减分", "plan": "考核方案", "enterprise": "企业",
	"policy": "政策", "policy_reach": "政策进企业", "visit": "走访", "period": "结账期", "calendar_event": "日程",
	"delivery": "投递", "bulletin": "通报", "month": "月份", "year": "年度", "ledger": "积分台账",
	"activity_reminded": "活动提醒", "quota_reminded": "月度催报", "adoption": "采用记录", "attachment": "附件",
}

// auditThings names the audited objects that are one thing, not a kind.
var auditThings = map[string]string{
	"audit_log": "审计日志", "audit_log.csv": "审计日志（CSV）", "database": "数据库", "users": "账户列表",
	"delivery": "消息投递", "score_cells": "得分汇总", "policies.docx": "科技政策汇编（Word）",
	"report.xlsx": "考核表（Excel）", "report.csv": "考核表（CSV）", "report.json": "考核表（JSON）", "report.txt": "考核表（文本）",
	"enterprises.xlsx": "企业名录（Excel）", "policy": "安全策略", "key": "安装密钥", "login": "登录", "settings": "系统设置",
	"visits.xlsx": "走访记录（Excel）", "activities.xlsx": "活动（Excel）", "reaches.xlsx": "政策进企业记录（Excel）",
	"policies.xlsx": "政策库（Excel）", "commissions.xlsx": "约稿（Excel）", "report (standard output)": "考核表（命令行输出）",
}

// AuditObjectKind splits an audited object into its kind and the rest:
// "piece:12" → "piece", "12"; one without a kind gives "", obj.
func AuditObjectKind(obj string) (kind, rest string) {
	if k, r, ok := strings.Cut(obj, ":"); ok {
		if _, known := auditKinds[k]; known {
			return k, r
		}
	}
	return "", obj
}

// AuditObjectLabel says an audited object in Chinese: its kind, its id and,
// when known, its title — "稿件 12《全区科技活动周启动》" — never the code
// alone. title may be "" (a deleted object, or a kind without titles).
func AuditObjectLabel(obj, title string) string {
	if obj == "" {
		return ""
	}
	kind, rest := AuditObjectKind(obj)
	if kind == "" {
		if n, ok := auditThings[obj]; ok {
			return n
		}
		if f, ok := strings.CutPrefix(obj, "report "); ok {
			return "考核表 " + f
		}
		if method, path, ok := strings.Cut(obj, " "); ok && strings.HasPrefix(path, "/") && strings.ToUpper(method) == method {
			return "页面 " + path + "（" + method + "）"
		}
		if strings.Contains(obj, ".") && !strings.ContainsFunc(obj, unicode.IsSpace) {
			return "文件 " + obj
		}
		return obj
	}
	name := auditKinds[kind]
	switch {
	case title == "":
		return name + " " + rest
	case kind == "piece" || kind == "publication" || kind == "policy" || kind == "commission":
		return name + " " + rest + "《" + title + "》"
	case kind == "department" || kind == "ledger" || kind == "plan":
		return name + " " + title
	}
	return name + " " + rest + " " + title
}

// AuditObject reads what a person types to search the audit log by object:
// "稿件 12" or "稿件12" gives "piece:12"; a code is kept as it is.
func AuditObject(s string) string {
	s = strings.TrimSpace(s)
	if f, ok := strings.CutPrefix(s, "文件 "); ok {
		return strings.TrimSpace(f)
	}
	for code, name := range auditKinds {
		if rest, ok := strings.CutPrefix(s, name); ok && rest != "" {
			return code + ":" + strings.TrimSpace(rest)
		}
	}
	for code, name := range auditThings {
		if s == name {
			return code
		}
	}
	return s
}
