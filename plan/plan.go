// Package plan holds a publicity plan as data: departments and their targets,
// channels and how an appearance scores, monthly quotas, themes, activity
// forms, the review rule and the journal's sections. A plan is read from a
// human-readable TOML file and validated; every error names the file, line
// and field. The first bureau's 2017 plan is built in (plans/).
//
// This package is part of the pure core: it imports no storage or web code.
package plan

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // plans name their time zone; a bare server may have no zoneinfo

	"github.com/pelletier/go-toml/v2"
)

// Category kinds.
const (
	KindTarget = "target" // points count toward 基础分, up to the department's target
	KindBonus  = "bonus"  // points on top of the task score, optionally capped
	KindQuota  = "quota"  // items required each month; a shortfall deducts
)

// Plan is one year's publicity plan of one bureau.
type Plan struct {
	Title          string         `toml:"title"`
	Bureau         string         `toml:"bureau"`
	DocumentNumber string         `toml:"document_number"`
	NoticeTitle    string         `toml:"notice_title"`
	TableTitle     string         `toml:"table_title"`
	IssuedRaw      toml.LocalDate `toml:"issued"`
	Issued         Date           `toml:"-"`
	Year           int            `toml:"year"`
	Timezone       string         `toml:"timezone"`
	QuotaFrom      string         `toml:"quota_from"`
	BaseTotal      float64        `toml:"base_total"`
	Goal           string         `toml:"goal"`
	Review         Review         `toml:"review"`
	Reminders      Reminders      `toml:"reminders"`
	Journal        Journal        `toml:"journal"`
	Documents      Documents      `toml:"documents"`
	Categories     []Category     `toml:"categories"`
	Channels       []Channel      `toml:"channels"`
	Departments    []Department   `toml:"departments"`
	Themes         []Theme        `toml:"themes"`
	Forms          []Form         `toml:"forms"`
	Notes          []string       `toml:"notes"`
	Checks         Checks         `toml:"checks"`

	// Derived on load.
	location  *time.Location
	quotaFrom Month
	source    string // where it was read from, for messages
}

// Checks are the plan's part of the quality gate a piece passes before it
// goes (the textcheck package): words a piece may not hold, the forms the
// bureau prefers (written → preferred), and the fewest 字 a piece proposed
// for a channel should have.
type Checks struct {
	Forbidden []string          `toml:"forbidden"`
	Preferred map[string]string `toml:"preferred"`
	MinWords  map[string]int    `toml:"min_words"`
}

// Reminders say when the office's month turns a quota red and tells the
// department: WarningDays before the month's last day (default 5).
type Reminders struct {
	WarningDays int `toml:"warning_days"`
}

// DefaultWarningDays is Reminders.WarningDays when a plan gives none.
const DefaultWarningDays = 5

// Review is the plan's review rule (seed 三(二)).
type Review struct {
	Normal string `toml:"normal"` // role that reviews an ordinary piece: the in-charge leader
	Major  string `toml:"major"`  // role that reviews a bureau-wide major matter after the leader
	Text   string `toml:"text"`
}

// Documents say how the bureau heads and closes its official documents
// (the 通报), in the terms of GB/T 9704-2012. Every field has a default
// from the plan's other fields.
type Documents struct {
	Mark      string   `toml:"mark"`       // 发文机关标志; default bureau + "文件"
	Code      string   `toml:"code"`       // 机关代字 of a 通报 (X通 in X通〔2017〕3号); default the plan's own prefix + "通"
	Addressee string   `toml:"addressee"`  // 主送机关; default 各科室
	PrintedBy string   `toml:"printed_by"` // 印发机关 in the 版记; default the bureau
	CopyTo    []string `toml:"copy_to"`    // 抄送机关; none: no 抄送 line
}

// Journal is the internal journal the plan asks for, by the name it gives.
type Journal struct {
	Name     string   `toml:"name"`
	Sections []string `toml:"sections"`
	// OmitEmptySections leaves out of an issue the sections it has nothing
	// in; otherwise each shows 本期无.
	OmitEmptySections bool `toml:"omit_empty_sections"`
}

// Category groups channels for scoring.
type Category struct {
	Code            string   `toml:"code"`
	Name            string   `toml:"name"`
	ShortName       string   `toml:"short_name"`
	TableName       string   `toml:"table_name"` // as the task table's header writes it, line breaks included (default Name)
	Kind            string   `toml:"kind"`
	CapAtTarget     bool     `toml:"cap_at_target"`    // target: score = min(raw, target)
	Cap             *float64 `toml:"cap"`              // bonus: at most this much per department and year
	ShortfallPoints float64  `toml:"shortfall_points"` // quota: deducted per missing item
	Note            int      `toml:"note"`             // the table's note that states the rule
	// RecordedBy says who records an appearance in this category:
	// RecordedByOffice (the office, counted at once) or RecordedByDepartment
	// (the department, with evidence; counted once the office verifies it —
	// the office may also record these directly). Default: the office for
	// target categories, departments for the others.
	RecordedBy string `toml:"recorded_by"`
}

// Who records a category's appearances.
const (
	RecordedByOffice     = "office"
	RecordedByDepartment = "department"
)

// Label is the short name if there is one.
func (c *Category) Label() string {
	if c.ShortName != "" {
		return c.ShortName
	}
	return c.Name
}

// Channel is a place a piece can appear.
type Channel struct {
	Code           string   `toml:"code"`
	Name           string   `toml:"name"`
	Aliases        []string `toml:"aliases"`
	Outlets        []string `toml:"outlets"`
	Category       string   `toml:"category"`
	Points         *float64 `toml:"points"`
	Tiers          []Tier   `toml:"tiers"`
	OutletRequired bool     `toml:"outlet_required"`
}

// Tier gives the points of an appearance whose 字数 is in [Min, Max]
// (Max nil: no upper bound).
type Tier struct {
	Min    int     `toml:"min"`
	Max    *int    `toml:"max"`
	Points float64 `toml:"points"`
}

// Department is an assessment unit.
type Department struct {
	Code      string             `toml:"code"`
	Name      string             `toml:"name"`
	Aliases   []string           `toml:"aliases"`
	TableName string             `toml:"table_name"`
	Focus     string             `toml:"focus"`
	Base      float64            `toml:"base"`
	Targets   map[string]float64 `toml:"targets"`
	Quotas    map[string]int     `toml:"quotas"`
}

// Theme is one of the plan's 宣传重点.
type Theme struct {
	Number int `toml:"number"`
	// Code is what pieces and commissions store: it stays when the plan's
	// themes are renumbered or reordered. It defaults to the number.
	Code  string `toml:"code"`
	Title string `toml:"title"`
	Text  string `toml:"text"`
}

// Label is the theme's number as the plan writes it: （一）, （二）… （十二）.
func (t Theme) Label() string { return "（" + ChineseNumber(t.Number) + "）" }

// ChineseNumber writes 1–99 in Chinese numerals (一, 十, 十二, 二十一), the
// way a document numbers its parts; other numbers in digits.
func ChineseNumber(n int) string {
	digits := []string{"", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	switch {
	case n >= 1 && n <= 9:
		return digits[n]
	case n >= 10 && n <= 99:
		s := "十"
		if n/10 > 1 {
			s = digits[n/10] + s
		}
		return s + digits[n%10]
	}
	return strconv.Itoa(n)
}

// Form is one of the plan's 主要形式 with its lead (牵头) and responsible
// (责任) departments.
type Form struct {
	Number         int      `toml:"number"` // activities are stored by it
	Title          string   `toml:"title"`
	Text           string   `toml:"text"`
	Lead           []string `toml:"lead"`
	Responsible    []string `toml:"responsible"`
	AllDepartments bool     `toml:"all_departments"`
	Dates          []string `toml:"dates"` // MM-DD days the activity is tied to
	VisitsPerMonth int      `toml:"visits_per_month"`
	// EnterprisesTarget is how many distinct enterprises a campaign form
	// (科技政策进百企) is to reach in the year.
	EnterprisesTarget int `toml:"enterprises_target"`
}

// Label is the form's number as the plan writes it: （一）…（九）.
func (f Form) Label() string { return "（" + ChineseNumber(f.Number) + "）" }

// DefaultTimezone is the time zone of a plan that names none.
const DefaultTimezone = "Asia/Shanghai"

// DefaultLocation is DefaultTimezone's location (the time zone database is
// embedded: time/tzdata).
func DefaultLocation() *time.Location {
	l, err := time.LoadLocation(DefaultTimezone)
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return l
}

// FindDepartment finds a department by code, name, table name or alias, as
// people write them (spaces ignored).
func (p *Plan) FindDepartment(s string) *Department {
	s = strings.Join(strings.Fields(s), "")
	for i := range p.Departments {
		d := &p.Departments[i]
		if d.Code == s || d.Name == s || d.TableName == s || slices.Contains(d.Aliases, s) {
			return d
		}
	}
	return nil
}

// Location is the plan's time zone.
func (p *Plan) Location() *time.Location { return p.location }

// QuotaFromMonth is the first month with quotas.
func (p *Plan) QuotaFromMonth() Month { return p.quotaFrom }

// Source names where the plan was read from.
func (p *Plan) Source() string { return p.source }

// Start and End are the first and last day of the plan year.
func (p *Plan) Start() Date { return Date{p.Year, 1, 1} }
func (p *Plan) End() Date   { return Date{p.Year, 12, 31} }

// Category returns the category with the code, or nil.
func (p *Plan) Category(code string) *Category {
	for i := range p.Categories {
		if p.Categories[i].Code == code {
			return &p.Categories[i]
		}
	}
	return nil
}

// Channel returns the channel with the code, or nil.
func (p *Plan) Channel(code string) *Channel {
	for i := range p.Channels {
		if p.Channels[i].Code == code {
			return &p.Channels[i]
		}
	}
	return nil
}

// Theme returns the theme with the code, or nil.
func (p *Plan) Theme(code string) *Theme {
	for i := range p.Themes {
		if p.Themes[i].Code == code {
			return &p.Themes[i]
		}
	}
	return nil
}

// Department returns the department with the code, or nil.
func (p *Plan) Department(code string) *Department {
	for i := range p.Departments {
		if p.Departments[i].Code == code {
			return &p.Departments[i]
		}
	}
	return nil
}

// CategoriesOf returns the categories of one kind, in plan order.
func (p *Plan) CategoriesOf(kind string) []*Category {
	var out []*Category
	for i := range p.Categories {
		if p.Categories[i].Kind == kind {
			out = append(out, &p.Categories[i])
		}
	}
	return out
}

// TieredChannels returns the channels scored by 字数 tiers.
func (p *Plan) TieredChannels() []*Channel {
	var out []*Channel
	for i := range p.Channels {
		if len(p.Channels[i].Tiers) > 0 {
			out = append(out, &p.Channels[i])
		}
	}
	return out
}

// TierOf returns the index of the tier that words falls in, or -1.
func (c *Channel) TierOf(words int) int {
	for i := len(c.Tiers) - 1; i >= 0; i-- {
		if words >= c.Tiers[i].Min {
			return i
		}
	}
	return -1
}

// PointsFor returns what one appearance of words 字 earns in the channel and
// the tier used (-1 when the channel is not tiered).
func (c *Channel) PointsFor(words int) (float64, int) {
	if len(c.Tiers) == 0 {
		if c.Points == nil {
			return 0, -1
		}
		return *c.Points, -1
	}
	t := c.TierOf(words)
	if t < 0 {
		return 0, -1
	}
	return c.Tiers[t].Points, t
}

// TierLabel describes tier i for people: "100–299字".
func (c *Channel) TierLabel(i int) string {
	t := c.Tiers[i]
	if t.Max == nil {
		return fmt.Sprintf("%d字及以上", t.Min)
	}
	return fmt.Sprintf("%d–%d字", t.Min, *t.Max)
}

// QuotaMonths returns the months with quotas: quota_from to December.
func (p *Plan) QuotaMonths() []Month {
	var out []Month
	for m := p.quotaFrom; m.Year == p.Year; m = m.Next() {
		out = append(out, m)
	}
	return out
}

// CheckRules says the plan's quality-gate rules in words, one a line (none
// when the plan states none), so that an office can read back what it wrote.
func (p *Plan) CheckRules() []string {
	var out []string
	if len(p.Checks.Forbidden) > 0 {
		out = append(out, "禁用词（稿件含有即不能报送）："+strings.Join(p.Checks.Forbidden, "、"))
	}
	if len(p.Checks.Preferred) > 0 {
		keys := make([]string, 0, len(p.Checks.Preferred))
		for k := range p.Checks.Preferred {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		forms := make([]string, 0, len(keys))
		for _, k := range keys {
			forms = append(forms, "“"+k+"”宜写作“"+p.Checks.Preferred[k]+"”")
		}
		out = append(out, "规范写法（提示，可一键替换）："+strings.Join(forms, "；"))
	}
	if len(p.Checks.MinWords) > 0 {
		var mins []string
		for _, ch := range p.Channels {
			if n := p.Checks.MinWords[ch.Code]; n > 0 {
				mins = append(mins, fmt.Sprintf("拟投“%s”的稿件至少 %d 字", ch.Name, n))
			}
		}
		out = append(out, "最少字数（提示）："+strings.Join(mins, "；"))
	}
	return out
}
