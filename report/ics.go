package report

import (
	"io"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"kexuan/domain"
	"kexuan/plan"
)

// ICS writes calendar entries as an iCalendar feed (RFC 5545: CRLF line
// ends, lines folded at 75 octets, a UID and DTSTAMP per event): all-day
// events in the plan's time zone, named for calendar clients by
// X-WR-TIMEZONE. link makes an entry's local path absolute.
func ICS(w io.Writer, p *plan.Plan, name string, entries []domain.CalendarEntry, now time.Time, link func(string) string) error {
	cal := ics.NewCalendar()
	cal.SetMethod(ics.MethodPublish)
	cal.SetProductId("-//kexuan//科技宣传工作日历//ZH")
	cal.SetXWRCalName(name)
	cal.SetXWRTimezone(p.Timezone)
	loc := p.Location()
	for _, e := range entries {
		ev := cal.AddEvent(e.UID + "@kexuan")
		ev.SetDtStampTime(now)
		first := time.Date(e.First.Year, time.Month(e.First.Month), e.First.Day, 0, 0, 0, 0, loc)
		last := time.Date(e.Last.Year, time.Month(e.Last.Month), e.Last.Day, 0, 0, 0, 0, loc)
		ev.SetAllDayStartAt(first)
		ev.SetAllDayEndAt(last.AddDate(0, 0, 1)) // DTEND is exclusive
		ev.SetSummary(icsText(e.Title))
		if e.Note != "" {
			ev.SetDescription(icsText(e.Note))
		}
		if e.Link != "" && link != nil {
			ev.SetURL(link(e.Link))
		}
	}
	return cal.SerializeTo(w, ics.WithNewLineWindows)
}

// icsText is a text value with every line break as LF, which the writer
// escapes as \n (RFC 5545 §3.3.11) along with comma, semicolon and
// backslash: a bare CR would end the property and start another.
func icsText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}
