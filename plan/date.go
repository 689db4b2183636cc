package plan

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Date is a calendar day with no time zone: the date a piece was published.
type Date struct {
	Year, Month, Day int
}

// Month is a calendar month.
type Month struct {
	Year, Month int
}

// ParseDate reads 2017-03-01, 2017/3/1, 2017.3.1 or 2017年3月1日 and refuses
// impossible days such as 2017-02-30.
func ParseDate(s string) (Date, error) {
	if len(s) == 10 && s[4] == '-' && s[7] == '-' { // the common case, without allocating
		if y, ok := digits(s[0:4]); ok {
			if m, ok := digits(s[5:7]); ok {
				if dd, ok := digits(s[8:10]); ok {
					if d := (Date{y, m, dd}); d.Valid() {
						return d, nil
					}
					return Date{}, fmt.Errorf("日期 %q 不存在", s)
				}
			}
		}
	}
	t := strings.TrimSpace(s)
	orig := t
	if strings.HasSuffix(t, "日") && strings.Contains(t, "年") && strings.Contains(t, "月") {
		t = strings.TrimSuffix(t, "日")
		t = strings.NewReplacer("年", "-", "月", "-").Replace(t)
	} else {
		t = strings.NewReplacer("/", "-", ".", "-").Replace(t)
	}
	parts := strings.Split(t, "-")
	if len(parts) != 3 {
		return Date{}, fmt.Errorf("日期 %q 格式不对，应为 2017-03-01、2017/3/1 或 2017年3月1日", orig)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || v < 0 {
			return Date{}, fmt.Errorf("日期 %q 格式不对，应为 2017-03-01、2017/3/1 或 2017年3月1日", orig)
		}
		n[i] = v
	}
	d := Date{n[0], n[1], n[2]}
	if !d.Valid() {
		return Date{}, fmt.Errorf("日期 %q 不存在", orig)
	}
	return d, nil
}

// MustDate parses a date known to be good (tests, built-in data).
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// Valid reports whether the day exists (1000–9999 AD).
func (d Date) Valid() bool {
	if d.Year < 1000 || d.Year > 9999 || d.Month < 1 || d.Month > 12 || d.Day < 1 {
		return false
	}
	return d.Day <= daysIn(d.Year, d.Month)
}

func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// DateOf returns the calendar day of t in its location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, int(m), d}
}

func (d Date) String() string {
	if d.Year < 0 || d.Year > 9999 || d.Month < 0 || d.Month > 99 || d.Day < 0 || d.Day > 99 {
		return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
	}
	b := [10]byte{'0' + byte(d.Year/1000), '0' + byte(d.Year/100%10), '0' + byte(d.Year/10%10), '0' + byte(d.Year%10), '-',
		'0' + byte(d.Month/10), '0' + byte(d.Month%10), '-', '0' + byte(d.Day/10), '0' + byte(d.Day%10)}
	return string(b[:])
}

// Compare returns -1, 0 or 1.
func (d Date) Compare(o Date) int {
	switch {
	case d.Year != o.Year:
		return cmpInt(d.Year, o.Year)
	case d.Month != o.Month:
		return cmpInt(d.Month, o.Month)
	default:
		return cmpInt(d.Day, o.Day)
	}
}

func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }
func (d Date) After(o Date) bool  { return d.Compare(o) > 0 }
func (d Date) IsZero() bool       { return d == Date{} }

// MonthOf is the month the day is in.
func (d Date) MonthOf() Month { return Month{d.Year, d.Month} }

// MarshalText and UnmarshalText make a Date read and write as 2017-03-01.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ParseMonth reads 2017-03.
func ParseMonth(s string) (Month, error) {
	var m Month
	parts := strings.Split(strings.TrimSpace(s), "-")
	if len(parts) == 2 {
		y, err1 := strconv.Atoi(parts[0])
		mo, err2 := strconv.Atoi(parts[1])
		if err1 == nil && err2 == nil && y >= 1000 && y <= 9999 && mo >= 1 && mo <= 12 {
			return Month{y, mo}, nil
		}
	}
	return m, fmt.Errorf("月份 %q 格式不对，应为 2017-03", s)
}

func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, m.Month) }

// First and Last are the month's first and last day.
func (m Month) First() Date { return Date{m.Year, m.Month, 1} }
func (m Month) Last() Date  { return Date{m.Year, m.Month, daysIn(m.Year, m.Month)} }

// Next is the following month.
func (m Month) Next() Month {
	if m.Month == 12 {
		return Month{m.Year + 1, 1}
	}
	return Month{m.Year, m.Month + 1}
}

// Compare returns -1, 0 or 1.
func (m Month) Compare(o Month) int {
	if m.Year != o.Year {
		return cmpInt(m.Year, o.Year)
	}
	return cmpInt(m.Month, o.Month)
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// AddDays is the day n days later (earlier for n < 0).
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, time.Month(d.Month), d.Day+n, 12, 0, 0, 0, time.UTC))
}

// Weekday is the day of the week of d.
func (d Date) Weekday() time.Weekday {
	return time.Date(d.Year, time.Month(d.Month), d.Day, 12, 0, 0, 0, time.UTC).Weekday()
}
