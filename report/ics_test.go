package report_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"kexuan/domain"
	"kexuan/plan"
	"kexuan/report"
)

// A title or note holding CR, LF, comma, semicolon or backslash is escaped
// per RFC 5545 (no property can be injected) and every line is folded at 75
// octets, a fold never splitting a character.
func TestICSEscapes(t *testing.T) {
	t.Parallel()
	p, _ := plan.Builtin()
	d := plan.MustDate("2017-05-20")
	entries := []domain.CalendarEntry{{UID: "event-1", Kind: "event", Title: "科技周\r\nX-INJECTED:1;a,b\\c\r启动", Note: "第一行\n第二行\rATTENDEE:mailto:x@example.org", First: d, Last: d},
		{UID: "event-2", Kind: "event", Title: strings.Repeat("长标题", 40), First: d, Last: d}}
	var buf bytes.Buffer
	if err := report.ICS(&buf, p, "科宣", entries, time.Date(2017, 5, 1, 0, 0, 0, 0, time.UTC), nil); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, line := range strings.Split(out, "\r\n") {
		if strings.HasPrefix(line, "X-INJECTED") || strings.HasPrefix(line, "ATTENDEE") {
			t.Errorf("a property was injected: %q", line)
		}
		if strings.ContainsAny(line, "\r\n") {
			t.Errorf("a bare line break in %q", line)
		}
		if len(line) > 75 {
			t.Errorf("a line of %d octets: %q", len(line), line)
		}
		if !utf8Valid(line) {
			t.Errorf("a fold split a character: %q", line)
		}
	}
	unfolded := strings.ReplaceAll(out, "\r\n ", "")
	if !strings.Contains(unfolded, `SUMMARY:科技周\nX-INJECTED:1\;a\,b\\c\n启动`) {
		t.Errorf("the summary is not escaped as RFC 5545 says:\n%s", unfolded)
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }
