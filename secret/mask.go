package secret

import (
	"strings"
	"unicode/utf8"
)

// MaskPhone shows a phone number's first three and last four digits:
// 13812341234 → 138****1234. Shorter numbers keep only their last two.
func MaskPhone(s string) string {
	r := []rune(s)
	switch {
	case len(r) == 0:
		return ""
	case len(r) >= 11:
		return string(r[:3]) + "****" + string(r[len(r)-4:])
	case len(r) > 4:
		return strings.Repeat("*", len(r)-2) + string(r[len(r)-2:])
	default:
		return strings.Repeat("*", len(r))
	}
}

// MaskEmail keeps an address's first character and its domain:
// zhangsan@example.cn → z***@example.cn.
func MaskEmail(s string) string {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 {
		return MaskPhone(s)
	}
	first, _ := utf8.DecodeRuneInString(s)
	return string(first) + "***" + s[at:]
}
