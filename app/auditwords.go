package app

import "kexuan/plan"

// The audit trail is read by people: its reasons are said in Chinese, with
// times in the plan's zone, never a code or an English sentence.

// chinaTime is the zone the audit trail's reasons write times in.
var chinaTime = plan.DefaultLocation()

// orNone is s, or 无 when s is empty.
func orNone(s string) string {
	if s == "" {
		return "无"
	}
	return s
}

// enabledName says whether an account is in use.
func enabledName(disabled bool) string {
	if disabled {
		return "已停用"
	}
	return "在用"
}
