package scoring

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"kexuan/plan"
)

func d(s string) plan.Date { return plan.MustDate(s) }

func one(dept, ch, date string, words int) Entry {
	return Entry{Department: dept, Channel: ch, Date: d(date), Words: words, Count: 1}
}

// workedExample is SCORING.md's worked example for 高新科.
func workedExample() []Entry {
	var es []Entry
	for i := 1; i <= 12; i++ {
		es = append(es, one("hightech", "intranet", fmt.Sprintf("2017-03-%02d", i), 0))
		es = append(es, one("hightech", "city_site", fmt.Sprintf("2017-04-%02d", i), 0))
	}
	es = append(es, one("hightech", "intranet_special", "2017-04-10", 0))
	for _, w := range []int{99, 100, 300, 500} {
		es = append(es, one("hightech", "shixun", "2017-04-02", w))
	}
	es = append(es, Entry{Department: "hightech", Channel: "media", Date: d("2017-03-15"), Count: 1, Outlet: "河南日报"})
	es = append(es, one("hightech", "park_news", "2017-03-31", 0))
	for _, day := range []string{"2017-03-01", "2017-03-02", "2017-03-31", "2017-04-30"} {
		es = append(es, one("hightech", "resource_highlight", day, 0))
	}
	es = append(es, one("hightech", "intranet", "2018-01-01", 0))
	return es
}

func dept(r *Result, code string) Department {
	for _, x := range r.Departments {
		if x.Code == code {
			return x
		}
	}
	panic(code)
}

func TestWorkedExample(t *testing.T) {
	p, _ := plan.Builtin()
	rows := []struct {
		asOf                                          string
		rawIntranet, rawShixun, task, bonus, ded, tot float64
	}{
		{"2017-03-30", 12, 0, 12, 5, 0, 17},
		{"2017-03-31", 12, 0, 12, 5, 0, 17},
		{"2017-04-30", 17, 9.5, 20, 10, 2, 28},
		{"2017-12-31", 17, 9.5, 20, 10, 26, 4},
	}
	for _, row := range rows {
		r := Score(p, d(row.asOf), workedExample(), Options{})
		h := dept(r, "hightech")
		got := []float64{h.Categories["intranet"].Raw, h.Categories["shixun"].Raw, h.TaskScore, h.Bonus, h.Deduction, h.Total}
		want := []float64{row.rawIntranet, row.rawShixun, row.task, row.bonus, row.ded, row.tot}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("as of %s: got %v, want %v", row.asOf, got, want)
		}
		if sum := ledgerSum(h); sum != h.Total {
			t.Errorf("as of %s: ledger adds to %v, total %v", row.asOf, sum, h.Total)
		}
	}
	r := Score(p, d("2017-12-31"), workedExample(), Options{})
	h := dept(r, "hightech")
	if h.Completion != 1.325 || h.Categories["intranet"].Score != 15 || h.Categories["shixun"].Score != 5 {
		t.Errorf("completion %v, scores %+v", h.Completion, h.Categories)
	}
	if h.Rank != 1 {
		t.Errorf("rank %d", h.Rank)
	}
	// April's deduction names its month and quotas.
	var april []string
	for _, l := range h.Ledger {
		if l.Kind == LineDeduction && l.Month == "2017-04" {
			april = append(april, fmt.Sprintf("%s %v", l.Category, l.Points))
		}
	}
	if !reflect.DeepEqual(april, []string{"park_news -1", "resource_highlight -1"}) {
		t.Errorf("April deductions: %v", april)
	}
}

func ledgerSum(dep Department) float64 {
	s := 0.0
	for _, l := range dep.Ledger {
		s += l.Points
	}
	return s
}

// The readings of SCORING.md, one by one.
func TestReadings(t *testing.T) {
	p, _ := plan.Builtin()
	score := func(asOf string, es ...Entry) Department {
		return dept(Score(p, d(asOf), es, Options{}), "office")
	}
	t.Run("targets cap the task score, surplus does not fill another category", func(t *testing.T) {
		var es []Entry
		for i := 0; i < 4; i++ {
			es = append(es, one("office", "intranet_special", "2017-05-01", 0)) // 20 raw vs target 10
		}
		o := score("2017-12-31", es...)
		if o.Categories["intranet"].Score != 10 || o.Categories["shixun"].Score != 0 || o.TaskScore != 10 || o.Completion != 20.0/12 && o.Completion != 1.6667 {
			t.Errorf("%+v completion %v", o.Categories, o.Completion)
		}
	})
	t.Run("tiers are half-open", func(t *testing.T) {
		for words, want := range map[int]float64{99: 0.5, 100: 1, 299: 1, 300: 3, 499: 3, 500: 5} {
			if got := score("2017-12-31", one("office", "shixun", "2017-05-01", words)).Categories["shixun"].Raw; got != want {
				t.Errorf("%d字: %v, want %v", words, got, want)
			}
		}
	})
	t.Run("one appearance, one score", func(t *testing.T) {
		o := score("2017-12-31",
			one("office", "intranet", "2017-05-01", 0),
			Entry{Department: "office", Channel: "media", Date: d("2017-05-02"), Count: 1, Outlet: "郑州日报"},
			Entry{Department: "office", Channel: "media", Date: d("2017-05-02"), Count: 1, Outlet: "河南日报"})
		if o.Categories["intranet"].Raw != 1 || o.Bonus != 10 {
			t.Errorf("raw %v bonus %v", o.Categories["intranet"].Raw, o.Bonus)
		}
	})
	t.Run("city-site cap is per department per year", func(t *testing.T) {
		var es []Entry
		for i := 1; i <= 15; i++ {
			es = append(es, one("office", "city_site", fmt.Sprintf("2017-%02d-01", i%12+1), 0))
		}
		es = append(es, one("general", "city_site", "2017-05-01", 0))
		r := Score(p, d("2017-12-31"), es, Options{})
		if o := dept(r, "office"); o.Bonus != 5 || o.Bonuses["city_site"].Raw != 7.5 {
			t.Errorf("office bonus %v %+v", o.Bonus, o.Bonuses)
		}
		if g := dept(r, "general"); g.Bonus != 0.5 {
			t.Errorf("general bonus %v", g.Bonus)
		}
	})
	t.Run("monthly quotas do not carry over", func(t *testing.T) {
		es := []Entry{}
		for i := 0; i < 3; i++ {
			es = append(es, one("hightech", "park_news", "2017-03-10", 0))
		}
		h := dept(Score(p, d("2017-04-30"), es, Options{}), "hightech")
		// March: park met, highlights 0/2 → −2. April: park 0/1, highlights 0/2 → −3.
		if h.Deduction != 5 {
			t.Errorf("deduction %v: %+v", h.Deduction, h.Quotas)
		}
	})
	t.Run("a month is deducted only once it is over", func(t *testing.T) {
		h := dept(Score(p, d("2017-04-29"), nil, Options{}), "hightech")
		if h.Deduction != 3 { // March only
			t.Errorf("deduction %v", h.Deduction)
		}
		var april QuotaMonth
		for _, q := range h.Quotas {
			if q.Month == "2017-04" && q.Category == "resource_highlight" {
				april = q
			}
		}
		if april.Status != QuotaDue || april.Missing != 2 {
			t.Errorf("April: %+v", april)
		}
	})
	t.Run("quotas start at quota_from", func(t *testing.T) {
		h := dept(Score(p, d("2017-02-28"), nil, Options{}), "hightech")
		if h.Deduction != 0 {
			t.Errorf("deduction before March: %v", h.Deduction)
		}
	})
	t.Run("total may go below zero", func(t *testing.T) {
		pr := dept(Score(p, d("2017-12-31"), nil, Options{}), "productivity")
		if pr.Total != -60 { // (3+3) × 10 months
			t.Errorf("total %v", pr.Total)
		}
	})
	t.Run("only the plan year up to as_of counts", func(t *testing.T) {
		o := score("2017-06-30", one("office", "intranet", "2016-12-31", 0), one("office", "intranet", "2017-07-01", 0), one("office", "intranet", "2017-06-30", 0))
		if o.Categories["intranet"].Raw != 1 {
			t.Errorf("raw %v", o.Categories["intranet"].Raw)
		}
	})
}

func TestRankTies(t *testing.T) {
	ds := []Department{{Code: "a", Total: 5}, {Code: "b", Total: 9}, {Code: "c", Total: 5}, {Code: "d", Total: 1}}
	rank(ds)
	got := []int{ds[0].Rank, ds[1].Rank, ds[2].Rank, ds[3].Rank}
	if !reflect.DeepEqual(got, []int{2, 1, 2, 4}) {
		t.Errorf("ranks %v", got)
	}
}

// Grouped entries give the same totals as the publications they stand for,
// whatever the order: the engine is deterministic.
func TestGroupedEqualsSingle(t *testing.T) {
	p, _ := plan.Builtin()
	rng := rand.New(rand.NewPCG(1, 2))
	chans := []string{"intranet", "intranet_special", "shixun", "city_site", "media", "park_news", "resource_highlight"}
	var singles []Entry
	for i := 0; i < 3000; i++ {
		dp := p.Departments[rng.IntN(len(p.Departments))].Code
		date := plan.Date{Year: 2017, Month: 1 + rng.IntN(12), Day: 1 + rng.IntN(28)}
		singles = append(singles, Entry{Department: dp, Channel: chans[rng.IntN(len(chans))], Date: date, Words: rng.IntN(800), Count: 1, Ref: int64(i + 1)})
	}
	type key struct {
		dept, ch string
		m        plan.Month
		tier     int
	}
	groups := map[key]*Entry{}
	var order []key
	for _, e := range singles {
		tier := -1
		if c := p.Channel(e.Channel); len(c.Tiers) > 0 {
			tier = c.TierOf(e.Words)
		}
		k := key{e.Department, e.Channel, e.Date.MonthOf(), tier}
		g := groups[k]
		if g == nil {
			g = &Entry{Department: e.Department, Channel: e.Channel, Date: e.Date, Words: e.Words}
			groups[k] = g
			order = append(order, k)
		}
		g.Count++
		if e.Date.After(g.Date) {
			g.Date = e.Date
		}
	}
	var grouped []Entry
	for i := len(order) - 1; i >= 0; i-- {
		grouped = append(grouped, *groups[order[i]])
	}
	asOf := d("2017-12-31")
	a := Score(p, asOf, singles, Options{NoLedger: true})
	b := Score(p, asOf, grouped, Options{NoLedger: true})
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("grouped result differs:\n%+v\n%+v", a, b)
	}
	full := Score(p, asOf, singles, Options{})
	for _, dep := range full.Departments {
		if s := ledgerSum(dep); s != dep.Total {
			t.Errorf("%s: ledger %v total %v", dep.Code, s, dep.Total)
		}
	}
}

func TestFormat(t *testing.T) {
	for x, want := range map[float64]string{12.5: "12.5", 17: "17", 0: "0", -26: "-26", 1.325: "1.325"} {
		if got := Format(x); got != want {
			t.Errorf("Format(%v) = %q", x, got)
		}
	}
}

// Whatever a plan says, the task score stops at 基础分: here every target is
// raised above the base and no category caps at its target.
func TestTaskScoreAtMostBase(t *testing.T) {
	p, _ := plan.Builtin()
	for i := range p.Categories {
		p.Categories[i].CapAtTarget = false
	}
	dp := &p.Departments[1]
	for k := range dp.Targets {
		dp.Targets[k] = dp.Base * 2
	}
	var es []Entry
	for i := 0; i < int(dp.Base)*4; i++ {
		es = append(es, one(dp.Code, "intranet", "2017-04-10", 0))
	}
	res := Score(p, plan.MustDate("2017-12-31"), es, Options{})
	for _, got := range res.Departments {
		if got.Code != dp.Code {
			continue
		}
		if got.TaskScore != dp.Base {
			t.Errorf("task score %v, want the base %v", got.TaskScore, dp.Base)
		}
		if got.Completion != float64(len(es))/dp.Base {
			t.Errorf("completion %v, want the unrounded %v", got.Completion, float64(len(es))/dp.Base)
		}
		found := false
		for _, l := range got.Ledger {
			found = found || l.Kind == LineCap && l.Category == "" && l.Points == dp.Base-float64(len(es))
		}
		if !found {
			t.Errorf("no ledger line explains the cap at the base: %+v", got.Ledger)
		}
	}
}

// SCORING.md step 6: total = task + bonus − deduction + adjustment; the
// office's 加减分 count when dated within the year and on or before as_of,
// each with its own ledger line.
func TestAdjustments(t *testing.T) {
	p, _ := plan.Builtin()
	adj := []Adjustment{
		{Ref: 1, Department: "hightech", Date: d("2017-06-01"), Points: 2.5, Category: "shixun", Reason: "优秀稿件"},
		{Ref: 2, Department: "hightech", Date: d("2017-07-01"), Points: -1, Reason: "迟报"},
		{Ref: 3, Department: "hightech", Date: d("2018-01-02"), Points: 9, Reason: "next year"},
	}
	at := func(asOf string) Department {
		res := Score(p, d(asOf), workedExample(), Options{Adjustments: adj})
		for _, x := range res.Departments {
			if x.Code == "hightech" {
				return x
			}
		}
		t.Fatal("no hightech")
		return Department{}
	}
	h := at("2017-12-31")
	if h.Adjustment != 1.5 || h.Total != 4+1.5 {
		t.Errorf("adjustment %v total %v, want 1.5 and 5.5", h.Adjustment, h.Total)
	}
	n := 0
	for _, l := range h.Ledger {
		if l.Kind == LineAdjust {
			n++
			if l.Ref != 0 || l.Rule == "" || (l.Points != 2.5 && l.Points != -1) {
				t.Errorf("adjustment line %+v", l)
			}
		}
	}
	if n != 2 {
		t.Errorf("%d adjustment lines, want 2", n)
	}
	if h := at("2017-06-15"); h.Adjustment != 2.5 {
		t.Errorf("as of June: adjustment %v, want 2.5", h.Adjustment)
	}
}
