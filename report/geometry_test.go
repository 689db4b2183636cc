package report_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"kexuan/plan"
	"kexuan/report"
	"kexuan/scoring"
)

// GB/T 9704-2012 in millimetres: A4, the 版心 156 × 225 mm from 28 mm left
// and 37 mm top; 22 lines of 3号 仿宋 of 28 characters.
const (
	vLeft, vRight, vTop, vBottom = 28.0, 184.0, 37.0, 262.0
	linePitchMM                  = 225.0 / 22
	char3                        = 15.75 * mmPerPt // a 3号 character as drawn
	char4                        = 14 * mmPerPt    // 4号
)

// yearBulletins are the 17 通报 of a year — each month, each quarter, the
// year — scored from a March with one department's pieces; the March one
// is sent to two offices (抄送).
func yearBulletins(t *testing.T) map[string]*report.Bulletin {
	t.Helper()
	p, _ := plan.Builtin()
	d := plan.MustDate
	entries := []scoring.Entry{
		{Department: p.Departments[1].Code, Channel: p.Channels[0].Code, Date: d("2017-03-02"), Count: 3},
		{Department: p.Departments[2].Code, Channel: p.Channels[0].Code, Date: d("2017-05-09"), Count: 2},
	}
	out := map[string]*report.Bulletin{}
	add := func(name, label string, months []plan.Month, n int) {
		last := months[len(months)-1].Last()
		res := scoring.Score(p, last, entries, scoring.Options{NoLedger: true})
		out[name] = &report.Bulletin{Plan: p, Result: res, Label: label, Months: months, Number: fmt.Sprintf("金科通〔2017〕%d号", n),
			Issued: last.AddDays(5)}
	}
	var all []plan.Month
	for m := 1; m <= 12; m++ {
		mo := plan.Month{Year: 2017, Month: m}
		all = append(all, mo)
		add(fmt.Sprintf("m%02d", m), fmt.Sprintf("2017年%d月份", m), []plan.Month{mo}, m)
		if m%3 == 0 {
			add(fmt.Sprintf("q%d", m/3), fmt.Sprintf("2017年第%s季度", plan.ChineseNumber(m/3)), all[m-3:m], 12+m/3)
		}
	}
	add("year", "2017年度", all, 17)
	cp := *p
	cp.Documents.CopyTo = []string{"市科学技术局", "区人民政府办公室"}
	out["m03"].Plan = &cp
	return out
}

// Every 通报 of a year, rendered by LibreOffice, holds each element of
// GB/T 9704-2012 that kexuan uses to its place within 1 mm: 发文机关标志
// 35 mm below the 版心's top; 发文字号 two lines under it and the red rule
// 4 mm under that, as wide as the 版心; the title two lines under the rule
// in whole phrases, never 通报 alone; 28 characters a line, 22 lines a
// page; page numbers 一字线 7 mm below the 版心, odd right and even left,
// one character in; the 署名 two characters in from the right and the
// 成文日期 (Arabic) two right of its start, never alone on a page; the 版记
// (抄送, 印发机关, 印发日期) the last thing of the last page, between
// rules of 0.35 and 0.25 mm.
func TestBulletinGeometry(t *testing.T) {
	t.Parallel()
	needOffice(t)
	bs := yearBulletins(t)
	docs := map[string][]byte{}
	for name, b := range bs {
		var buf bytes.Buffer
		if err := report.BulletinDOCX(&buf, b); err != nil {
			t.Fatal(err)
		}
		docs[name] = buf.Bytes()
	}
	pdfs := toPDF(t, docs)
	for name, b := range bs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			checkBulletin(t, b, pdfs[name])
		})
	}
}

func checkBulletin(t *testing.T, b *report.Bulletin, pdf string) {
	lines := textLines(t, pdf)
	pages := 0
	for _, l := range lines {
		pages = max(pages, l.Page)
	}
	doc := b.Plan.Documents
	first := pageInk(t, pdf, 1)

	// 版头.
	mark := find(lines, doc.Mark)
	if mark == nil || mark.Page != 1 {
		t.Fatalf("no 发文机关标志 %q on page 1", doc.Mark)
	}
	ys, spans := first.rows(vLeft-5, vTop, vRight+5, mark.Y1+1, red)
	if len(ys) == 0 || !near(ys[0], vTop+35, 1) {
		t.Errorf("发文机关标志's top at %v mm, want %.0f", first1(ys), vTop+35)
	} else if c := (spans[len(spans)/2][0] + spans[len(spans)/2][1]) / 2; !near(c, (vLeft+vRight)/2, 1) {
		t.Errorf("发文机关标志 centred at %.1f mm", c)
	}
	number := find(lines, b.Number)
	if number == nil || number.Page != 1 || !near((number.X0+number.X1)/2, (vLeft+vRight)/2, 1) {
		t.Fatalf("发文字号 %q not centred on page 1: %v", b.Number, number)
	}
	if gap := number.Y0 - mark.Y1; gap < 2*linePitchMM || gap > 2.8*linePitchMM {
		t.Errorf("发文字号 %.1f mm under the 发文机关标志, want two lines", gap)
	}
	ys, spans = first.rows(vLeft-5, number.Y1-2, vRight+5, number.Y1+12, red)
	if len(ys) == 0 {
		t.Fatal("no red rule under 发文字号")
	}
	numInk, _ := first.rows(number.X0, number.Y0, number.X1, ys[0], dark)
	if len(numInk) == 0 || !near(ys[0]-numInk[len(numInk)-1], 4, 1) {
		t.Errorf("the red rule at %.1f mm, 发文字号's ink ends at %v mm", ys[0], last1(numInk))
	}
	if s := spans[0]; !near(s[0], vLeft, 1) || !near(s[1], vRight, 1) {
		t.Errorf("the red rule spans %.1f–%.1f mm, want the 版心's %.0f–%.0f", s[0], s[1], vLeft, vRight)
	}
	rule := ys[0]

	// 标题 and 主送机关.
	addressee := find(lines, doc.Addressee+"：")
	if addressee == nil || addressee.Page != 1 || !near(addressee.X0, vLeft, 1) {
		t.Fatalf("主送机关 not flush left on page 1: %v", addressee)
	}
	var title []textLine
	for _, l := range lines {
		if l.Page == 1 && l.Y0 > rule && l.Y1 < addressee.Y0 {
			title = append(title, l)
		}
	}
	if len(title) == 0 || len(title) > 2 {
		t.Fatalf("title lines: %v", title)
	}
	if gap := title[0].Y0 - rule; gap < 2*linePitchMM || gap > 2.8*linePitchMM {
		t.Errorf("the title %.1f mm under the rule, want two lines", gap)
	}
	joined := ""
	for _, l := range title {
		joined += l.Text
		if l.Text == "通报" || !strings.HasPrefix("关于"+b.Label+"科技宣传工作考核情况的通报", joined) {
			t.Errorf("title line %q is not a whole phrase", l.Text)
		}
	}

	// The body: 28 characters a line, on 22 lines a page.
	for _, l := range lines {
		if l.Page == 1 && l.Y0 > addressee.Y0 && l.X1 > vRight-1 && near(l.X0, vLeft, 0.5) && !strings.ContainsFunc(l.Text, func(r rune) bool { return r < 0x80 }) {
			if n := utf8.RuneCountInString(l.Text); n != 28 {
				t.Errorf("a full line of %d characters, want 28: %s", n, l)
			}
		}
	}
	var prev *textLine
	for i, l := range lines {
		body := near(l.X0, vLeft, 0.5) || near(l.X0, vLeft+2*char3, 0.8) // not a table's cell
		if l.Page == 1 && l.Y0 >= addressee.Y0 && l.Y1 < vBottom && body {
			if prev != nil && l.Y0-prev.Y0 > 1 {
				if k := (l.Y0 - prev.Y0) / linePitchMM; !near(k, float64(int(k+0.5)), 0.05) {
					t.Errorf("lines %.2f mm apart, not on the %.2f mm grid: %s", l.Y0-prev.Y0, linePitchMM, l)
				}
			}
			prev = &lines[i]
		}
	}

	// Page numbers.
	for pg := 1; pg <= pages; pg++ {
		num := find(lines, fmt.Sprintf("—%d—", pg))
		if num == nil || num.Page != pg {
			t.Errorf("page %d has no — %d —", pg, pg)
			continue
		}
		if pg%2 == 1 && !near(num.X1, vRight-char4, 1) || pg%2 == 0 && !near(num.X0, vLeft+char4, 1) {
			t.Errorf("page number %d at %.1f–%.1f mm, want one character in from the outside edge", pg, num.X0, num.X1)
		}
		if pg > 2 {
			continue // the ink of the first two is enough
		}
		k := first
		if pg != 1 {
			k = pageInk(t, pdf, pg)
		}
		dash, _ := k.rows(num.X0, vBottom+1, num.X0+char4*0.8, num.Y1+2, dark)
		if len(dash) == 0 || !near(dash[0], vBottom+7, 1) {
			t.Errorf("page %d: the 一字线 at %v mm, want %.0f", pg, first1(dash), vBottom+7)
		}
	}

	// 署名 and 成文日期.
	sign := find(lines, b.Plan.Bureau)
	date := find(lines, report.ArabicDate(b.Issued))
	if sign == nil || date == nil {
		t.Fatalf("no 署名 %q or 成文日期 %q", b.Plan.Bureau, report.ArabicDate(b.Issued))
	}
	ws, wd := sign.X1-sign.X0, date.X1-date.X0
	if wd+2*char3 <= ws {
		if !near(sign.X1, vRight-2*char3, 1) || !near(date.X0, sign.X0+2*char3, 1) {
			t.Errorf("署名 ends at %.1f (want %.1f), 成文日期 starts at %.1f (want %.1f)", sign.X1, vRight-2*char3, date.X0, sign.X0+2*char3)
		}
	} else if !near(date.X1, vRight-2*char3, 1.5) {
		t.Errorf("成文日期 ends at %.1f, want %.1f", date.X1, vRight-2*char3)
	}
	if date.Page != sign.Page || !near(date.Y0-sign.Y0, linePitchMM, 0.5) {
		t.Errorf("成文日期 not the line under the 署名: %v %v", sign, date)
	}
	alone := true
	for _, l := range lines {
		if l.Page == sign.Page && l.Y1 < sign.Y0 {
			alone = false
		}
	}
	if alone {
		t.Errorf("署名 and 成文日期 alone on page %d", sign.Page)
	}

	// 版记: the last thing of the last page, each part one character in.
	var by, on *textLine // 印发机关, 印发日期 (one line of text, or two)
	for i, l := range lines {
		if strings.HasPrefix(l.Text, doc.PrintedBy) {
			by = &lines[i]
		}
		if strings.HasSuffix(l.Text, report.ArabicDate(b.Issued)+"印发") {
			on = &lines[i]
		}
	}
	if by == nil || on == nil {
		t.Fatalf("no 版记 line %q … %s印发", doc.PrintedBy, report.ArabicDate(b.Issued))
	}
	if by.Page != pages || on.Page != pages || !near(by.Y1, vBottom, 1) || !near(on.Y1, vBottom, 1) || !near(by.X0, vLeft+char4, 1) || !near(on.X1, vRight-char4, 1) {
		t.Errorf("印发机关 and 印发日期 not on the last line of the last page, one character in: %v %v", by, on)
	}
	pl := *by
	top := pl.Y0
	if len(doc.CopyTo) > 0 {
		cc := find(lines, "抄送："+strings.Join(doc.CopyTo, "，")+"。")
		if cc == nil || cc.Page != pages || !near(cc.X0, vLeft+char4, 1) || cc.Y1 > pl.Y0+0.5 {
			t.Errorf("抄送 not above 印发机关, one character in: %v", cc)
		} else {
			top = cc.Y0
		}
	}
	for _, l := range lines {
		if l.Page == pages && l.Y0 > top-0.5 && l.Y1 < vBottom+0.5 && !strings.HasPrefix(l.Text, "抄送") && !strings.HasSuffix(l.Text, "印发") && l.Text != doc.PrintedBy {
			t.Errorf("%v inside the 版记", l)
		}
	}
	last := first
	if pages != 1 {
		last = pageInk(t, pdf, pages)
	}
	rys, _ := last.rows(vLeft+20, top-6, vRight-20, vBottom+1.5, dark)
	var rules []float64 // thickness of each rule, mm
	for i := 0; i < len(rys); {
		j := i
		for j+1 < len(rys) && rys[j+1]-rys[j] < 0.15 {
			j++
		}
		if _, sp := last.rows(vLeft, rys[i], vRight, rys[i]+0.1, dark); len(sp) > 0 && sp[0][1]-sp[0][0] > 150 {
			rules = append(rules, rys[j]-rys[i]+0.1)
		}
		i = j + 1
	}
	want := 2
	if len(doc.CopyTo) > 0 {
		want = 3
	}
	if len(rules) != want {
		t.Fatalf("版记 rules: %v mm thick, want %d", rules, want)
	}
	if !near(rules[0], 0.35, 0.15) || !near(rules[len(rules)-1], 0.35, 0.15) || want == 3 && !near(rules[1], 0.25, 0.1) {
		t.Errorf("版记 rules %v mm thick, want 0.35 outside and 0.25 between", rules)
	}
}

func first1(xs []float64) any {
	if len(xs) == 0 {
		return "none"
	}
	return xs[0]
}

func last1(xs []float64) any {
	if len(xs) == 0 {
		return "none"
	}
	return xs[len(xs)-1]
}
