// Package scoring computes each department's assessment under a plan, as of
// a date, exactly as SCORING.md reads the 2017 plan — and the ledger that
// explains every point: which publications earned what under which rule,
// where a cap cut in, and which month and quota each deduction comes from.
//
// It is pure and deterministic: the same plan, date and entries give the
// same result. It imports no storage or web code.
package scoring

import (
	"fmt"
	"sort"
	"strconv"

	"kexuan/plan"
)

// Entry is one publication (Count 1, Ref its id), or a group of publications
// of one department, channel, month and 字数 tier that score alike (Count n,
// Date the latest of them, Words any of theirs). Storage hands the engine
// groups when it only needs totals and single publications when the ledger
// must name each one; the arithmetic is the same.
type Entry struct {
	Department string
	Channel    string
	Date       plan.Date
	Words      int
	Count      int
	Ref        int64
	Title      string
	Outlet     string
}

// Ledger line kinds.
const (
	LinePoints    = "points"     // an appearance in a target category
	LineCap       = "cap"        // the part of a category's raw points above its target
	LineBonus     = "bonus"      // an appearance in a bonus category
	LineBonusCap  = "bonus_cap"  // the part of a bonus category above its cap
	LineQuota     = "quota"      // quota items reported in a month (no points)
	LineDeduction = "deduction"  // a closed month's shortfall
	LineAdjust    = "adjustment" // the office's manual 加减分, with its reason
)

// Adjustment is one manual 加减分 the office recorded: points (±, a multiple
// of 0.5) for a department on a day, under a category of the plan or none
// (其他), with its reason. Undoing one is another adjustment.
type Adjustment struct {
	Ref        int64
	Department string
	Date       plan.Date
	Points     float64
	Category   string
	Reason     string
}

// Line is one line of a department's ledger.
type Line struct {
	Kind     string  `json:"kind"`
	Category string  `json:"category"`
	Channel  string  `json:"channel,omitempty"`
	Month    string  `json:"month,omitempty"`
	Date     string  `json:"date,omitempty"`
	Count    int     `json:"count,omitempty"`
	Words    int     `json:"words,omitempty"`
	Tier     string  `json:"tier,omitempty"`
	Unit     float64 `json:"unit,omitempty"` // points per appearance or per missing item
	Points   float64 `json:"points"`         // signed: what this line adds to the total
	Rule     string  `json:"rule"`
	Ref      int64   `json:"ref,omitempty"`
	Title    string  `json:"title,omitempty"`
	Outlet   string  `json:"outlet,omitempty"`
}

// CategoryScore is a target category of one department.
type CategoryScore struct {
	Target float64 `json:"target"`
	Raw    float64 `json:"raw"`
	Score  float64 `json:"score"`
}

// BonusScore is a bonus category of one department.
type BonusScore struct {
	Count  int      `json:"count"`
	Raw    float64  `json:"raw"`
	Cap    *float64 `json:"cap,omitempty"`
	Points float64  `json:"points"`
}

// Quota month states.
const (
	QuotaMet      = "met"      // the month is closed and its quota was met
	QuotaMissed   = "missed"   // the month is closed and items were missing: deducted
	QuotaDue      = "due"      // the month is open: items still to report
	QuotaDone     = "done"     // the month is open and already met
	QuotaUpcoming = "upcoming" // the month has not begun
)

// QuotaMonth is one quota of one department in one month.
type QuotaMonth struct {
	Category  string  `json:"category"`
	Month     string  `json:"month"`
	Required  int     `json:"required"`
	Reported  int     `json:"reported"`
	Missing   int     `json:"missing"`
	Status    string  `json:"status"`
	Deduction float64 `json:"deduction"`
}

// Department is one department's assessment.
type Department struct {
	Code       string                   `json:"code"`
	Name       string                   `json:"name"`
	Base       float64                  `json:"base"`
	Categories map[string]CategoryScore `json:"categories"`
	TaskScore  float64                  `json:"task_score"`
	Bonuses    map[string]BonusScore    `json:"bonuses"`
	Bonus      float64                  `json:"bonus"`
	Deduction  float64                  `json:"deduction"`
	Adjustment float64                  `json:"adjustment"`
	Total      float64                  `json:"total"`
	Completion float64                  `json:"completion"`
	Rank       int                      `json:"rank"`
	Quotas     []QuotaMonth             `json:"quotas"`
	Ledger     []Line                   `json:"ledger,omitempty"`
}

// Result is the assessment of every department of a plan as of a date.
type Result struct {
	Year        int          `json:"year"`
	AsOf        string       `json:"as_of"`
	Plan        string       `json:"plan"`
	Departments []Department `json:"departments"`
}

// Options tune what the result carries.
type Options struct {
	// NoLedger leaves the ledger out (totals only).
	NoLedger bool
	// Adjustments are the office's 加减分; those dated within the plan year
	// and on or before asOf count (SCORING.md step 6).
	Adjustments []Adjustment
}

// DefaultAsOf is the earlier of today in the plan's time zone and the plan
// year's last day.
func DefaultAsOf(p *plan.Plan, today plan.Date) plan.Date {
	if today.After(p.End()) {
		return p.End()
	}
	return today
}

// Score computes the assessment. Entries outside the plan year or after
// asOf, and entries of departments or channels the plan does not know, are
// not counted.
func Score(p *plan.Plan, asOf plan.Date, entries []Entry, opt Options) *Result {
	res := &Result{Year: p.Year, AsOf: asOf.String(), Plan: p.DocumentNumber}
	last := asOf
	if last.After(p.End()) {
		last = p.End()
	}
	byDept := make(map[string]*deptState, len(p.Departments))
	for i := range p.Departments {
		d := &p.Departments[i]
		byDept[d.Code] = &deptState{
			dept:       d,
			raw:        map[string]float64{},
			bonusRaw:   map[string]float64{},
			bonusCount: map[string]int{},
			quota:      map[string]map[plan.Month]int{},
		}
	}
	for _, e := range entries {
		st := byDept[e.Department]
		ch := p.Channel(e.Channel)
		if st == nil || ch == nil || e.Count <= 0 || e.Date.Before(p.Start()) || e.Date.After(last) {
			continue
		}
		st.add(p, ch, e, !opt.NoLedger)
	}
	for _, a := range opt.Adjustments {
		st := byDept[a.Department]
		if st == nil || a.Date.Before(p.Start()) || a.Date.After(last) {
			continue
		}
		st.adjustment += a.Points
		if !opt.NoLedger {
			what := "其他"
			if c := p.Category(a.Category); c != nil {
				what = c.Label()
			}
			sign := "加"
			if a.Points < 0 {
				sign = "减"
			}
			st.ledger = append(st.ledger, Line{Kind: LineAdjust, Category: a.Category, Date: a.Date.String(), Month: a.Date.MonthOf().String(),
				Points: a.Points, Rule: fmt.Sprintf("办公室%s分（%s）：%s", sign, what, a.Reason)})
		}
	}
	for i := range p.Departments {
		res.Departments = append(res.Departments, byDept[p.Departments[i].Code].finish(p, asOf, !opt.NoLedger))
	}
	rank(res.Departments)
	return res
}

type deptState struct {
	dept       *plan.Department
	raw        map[string]float64 // target category → raw points
	bonusRaw   map[string]float64
	bonusCount map[string]int
	quota      map[string]map[plan.Month]int // quota category → month → items
	ledger     []Line
	adjustment float64
}

func (st *deptState) add(p *plan.Plan, ch *plan.Channel, e Entry, ledger bool) {
	cat := p.Category(ch.Category)
	line := Line{Category: cat.Code, Channel: ch.Code, Month: e.Date.MonthOf().String(), Count: e.Count, Ref: e.Ref, Title: e.Title, Outlet: e.Outlet}
	if e.Count == 1 {
		line.Date = e.Date.String()
	}
	switch cat.Kind {
	case plan.KindTarget, plan.KindBonus:
		unit, tier := ch.PointsFor(e.Words)
		pts := unit * float64(e.Count)
		line.Unit, line.Points = unit, pts
		line.Rule = fmt.Sprintf("%s：每条 %s 分", ch.Name, num(unit))
		if tier >= 0 {
			if e.Count == 1 {
				line.Words = e.Words
			}
			line.Tier = ch.TierLabel(tier)
			line.Rule = fmt.Sprintf("%s %s：每篇 %s 分", ch.Name, line.Tier, num(unit))
		}
		line.Rule += noteRef(p, cat)
		if cat.Kind == plan.KindTarget {
			line.Kind = LinePoints
			st.raw[cat.Code] += pts
		} else {
			line.Kind = LineBonus
			st.bonusRaw[cat.Code] += pts
			st.bonusCount[cat.Code] += e.Count
		}
	case plan.KindQuota:
		m := e.Date.MonthOf()
		if st.quota[cat.Code] == nil {
			st.quota[cat.Code] = map[plan.Month]int{}
		}
		st.quota[cat.Code][m] += e.Count
		line.Kind = LineQuota
		line.Rule = fmt.Sprintf("%s：计入 %s 的月度报送", ch.Name, m)
		if m.Compare(p.QuotaFromMonth()) < 0 {
			line.Rule = fmt.Sprintf("%s：月度报送从 %s 起考核，%s 的不计", ch.Name, p.QuotaFromMonth(), m)
		}
	}
	if ledger {
		st.ledger = append(st.ledger, line)
	}
}

func (st *deptState) finish(p *plan.Plan, asOf plan.Date, ledger bool) Department {
	d := st.dept
	out := Department{
		Code: d.Code, Name: d.Name, Base: d.Base,
		Categories: map[string]CategoryScore{},
		Bonuses:    map[string]BonusScore{},
		Quotas:     []QuotaMonth{},
	}
	lines := st.ledger
	targetRaw := 0.0
	for _, c := range p.CategoriesOf(plan.KindTarget) {
		raw, target := st.raw[c.Code], d.Targets[c.Code]
		score := raw
		if c.CapAtTarget && raw > target {
			score = target
			lines = append(lines, Line{Kind: LineCap, Category: c.Code, Points: target - raw,
				Rule: fmt.Sprintf("%s得分以任务分 %s 为上限，超出的 %s 分不计入（仍计入完成率）", c.Label(), num(target), num(raw-target))})
		}
		out.Categories[c.Code] = CategoryScore{Target: target, Raw: raw, Score: score}
		out.TaskScore += score
		targetRaw += raw
	}
	if d.Base > 0 && out.TaskScore > d.Base {
		// A plan whose targets add up to more than the base, or that caps no
		// category: the task score still stops at 基础分 (SCORING.md step 3).
		lines = append(lines, Line{Kind: LineCap, Points: d.Base - out.TaskScore,
			Rule: fmt.Sprintf("任务得分以基础分 %s 为上限，超出的 %s 分不计入（仍计入完成率）", num(d.Base), num(out.TaskScore-d.Base))})
		out.TaskScore = d.Base
	}
	for _, c := range p.CategoriesOf(plan.KindBonus) {
		raw := st.bonusRaw[c.Code]
		pts := raw
		if c.Cap != nil && raw > *c.Cap {
			pts = *c.Cap
			lines = append(lines, Line{Kind: LineBonusCap, Category: c.Code, Points: pts - raw,
				Rule: fmt.Sprintf("%s加分上限为 %s 分，超出的 %s 分不计%s", c.Label(), num(*c.Cap), num(raw-pts), noteRef(p, c))})
		}
		out.Bonuses[c.Code] = BonusScore{Count: st.bonusCount[c.Code], Raw: raw, Cap: c.Cap, Points: pts}
		out.Bonus += pts
	}
	for _, c := range p.CategoriesOf(plan.KindQuota) {
		need := d.Quotas[c.Code]
		if need == 0 {
			continue
		}
		for _, m := range p.QuotaMonths() {
			got := st.quota[c.Code][m]
			q := QuotaMonth{Category: c.Code, Month: m.String(), Required: need, Reported: got, Missing: max(0, need-got)}
			switch {
			case !asOf.Before(m.Last()):
				if q.Missing > 0 {
					q.Status = QuotaMissed
					q.Deduction = float64(q.Missing) * c.ShortfallPoints
					out.Deduction += q.Deduction
					lines = append(lines, Line{Kind: LineDeduction, Category: c.Code, Month: m.String(), Count: q.Missing,
						Unit: c.ShortfallPoints, Points: -q.Deduction,
						Rule: fmt.Sprintf("%s %s 应报 %d 条，实报 %d 条，少报 %d 条，每条扣 %s 分%s", m, c.Label(), need, got, q.Missing, num(c.ShortfallPoints), noteRef(p, c))})
				} else {
					q.Status = QuotaMet
				}
			case asOf.Before(m.First()):
				q.Status = QuotaUpcoming
			case q.Missing > 0:
				q.Status = QuotaDue
			default:
				q.Status = QuotaDone
			}
			out.Quotas = append(out.Quotas, q)
		}
	}
	out.Adjustment = st.adjustment
	out.Total = out.TaskScore + out.Bonus - out.Deduction + out.Adjustment
	if d.Base > 0 {
		out.Completion = targetRaw / d.Base // unrounded: encoders round for display
	}
	if ledger {
		sortLedger(lines)
		out.Ledger = lines
	}
	return out
}

var kindOrder = map[string]int{LinePoints: 0, LineCap: 1, LineBonus: 2, LineBonusCap: 3, LineQuota: 4, LineDeduction: 5}

// sortLedger orders lines as a reader goes through them: task points and
// caps, then bonuses, then quotas and deductions; within each, by category,
// kind, month, date, channel and publication.
func sortLedger(lines []Line) {
	group := func(l Line) int { return kindOrder[l.Kind] / 2 }
	sort.SliceStable(lines, func(i, j int) bool {
		a, b := lines[i], lines[j]
		switch {
		case group(a) != group(b):
			return group(a) < group(b)
		case a.Category != b.Category:
			return a.Category < b.Category
		case a.Kind != b.Kind:
			return kindOrder[a.Kind] < kindOrder[b.Kind]
		case a.Month != b.Month:
			return a.Month < b.Month
		case a.Date != b.Date:
			return a.Date < b.Date
		case a.Channel != b.Channel:
			return a.Channel < b.Channel
		}
		return a.Ref < b.Ref
	})
}

// rank orders by total, highest first; equal totals share a rank (1, 2, 2, 4).
func rank(ds []Department) {
	idx := make([]int, len(ds))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return ds[idx[a]].Total > ds[idx[b]].Total })
	for pos, i := range idx {
		if pos > 0 && ds[i].Total == ds[idx[pos-1]].Total {
			ds[i].Rank = ds[idx[pos-1]].Rank
		} else {
			ds[i].Rank = pos + 1
		}
	}
}

func noteRef(p *plan.Plan, c *plan.Category) string {
	if c.Note > 0 && c.Note <= len(p.Notes) {
		return fmt.Sprintf("（注释%d）", c.Note)
	}
	return ""
}

func num(x float64) string { return Format(x) }

// Format prints a score without noise: 12.5, not 12.500000001.
func Format(x float64) string {
	if x == 0 {
		return "0" // not "-0"
	}
	return strconv.FormatFloat(x, 'f', -1, 64)
}
