package report

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"kexuan/plan"
	"kexuan/scoring"
)

// XLSX writes the year-end table in the seed's layout (任务分解表: 责任科室,
// 宣传重点, 基础分 and each category's target) with the assessment filled in,
// set up to print on one A4 page across; a second sheet holds the ledger.
func XLSX(w io.Writer, p *plan.Plan, r *scoring.Result, made time.Time) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "考核表"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	t := &yearTable{x: &xl{f: f, sheet: sheet}, f: f, sheet: sheet, p: p, r: r,
		targets: p.CategoriesOf(plan.KindTarget), quotas: p.CategoriesOf(plan.KindQuota), bonuses: p.CategoriesOf(plan.KindBonus)}
	t.columns()
	if err := t.styles(); err != nil {
		return err
	}
	t.header()
	row := 5
	t.sums = make([]float64, t.ncols+1)
	for i := range r.Departments {
		t.department(&r.Departments[i], row)
		row++
	}
	row = t.total(row)
	if err := t.footer(row, made.In(p.Location())); err != nil {
		return err
	}
	t.pageSetup()
	if t.x.err != nil {
		return t.x.err
	}
	if err := ledgerSheet(f, p, r, t.st.ledgerTitle, t.st.head, t.st.cell, t.st.left); err != nil {
		return err
	}
	_, err := f.WriteTo(w)
	return err
}

// yearTable is the year-end table being written.
type yearTable struct {
	x                        *xl
	f                        *excelize.File
	sheet                    string
	p                        *plan.Plan
	r                        *scoring.Result
	targets, quotas, bonuses []*plan.Category
	groups                   []columnGroup
	ncols                    int
	sums                     []float64 // the 合计 row, by column
	st                       tableStyles
}

// columnGroup is a header over one column or over its sub-columns.
type columnGroup struct {
	title string
	subs  []string
	width float64
}

type tableStyles struct {
	title, ledgerTitle, sub, head, sign, cell, left, num, bold, pct, note int
}

// columns plans the columns: name, focus, base; 3 per target; 2 per
// quota; 1 per bonus; the results. Header cells break where the plan's
// table breaks them (table_name), never inside a word.
func (t *yearTable) columns() {
	t.groups = []columnGroup{{"责任科室", nil, 11}, {"宣传重点", nil, 30}, {"基础分", nil, 6}}
	for _, c := range t.targets {
		t.groups = append(t.groups, columnGroup{cmp.Or(c.TableName, c.Name), []string{"任务", "完成", "得分"}, 6.5})
	}
	for _, c := range t.quotas {
		t.groups = append(t.groups, columnGroup{cmp.Or(c.TableName, c.Name), []string{"条/月", "少报"}, 5.5})
	}
	for _, c := range t.bonuses {
		title := cmp.Or(c.TableName, c.Label()) + "\n加分"
		if c.Cap != nil {
			title += fmt.Sprintf("\n（上限%s分）", num(*c.Cap))
		}
		t.groups = append(t.groups, columnGroup{title, nil, 10})
	}
	for _, title := range []string{"任务得分", "加分", "扣分", "加减分", "总分", "得分率", "完成率", "排名"} {
		t.groups = append(t.groups, columnGroup{title, nil, 8.5})
	}
	for _, g := range t.groups {
		t.ncols += max(1, len(g.subs))
	}
}

func (t *yearTable) styles() error {
	var err error
	style := func(st *excelize.Style) int {
		id, e := t.f.NewStyle(st)
		err = errors.Join(err, e)
		return id
	}
	t.st = tableStyles{
		title:       style(&excelize.Style{Font: &excelize.Font{Family: "方正小标宋简体", Size: 16, Bold: true}, Alignment: center()}),
		ledgerTitle: style(&excelize.Style{Font: &excelize.Font{Family: "黑体", Size: 13, Bold: true}, Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center"}}),
		sub:         style(&excelize.Style{Font: font(10, false), Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "center"}}),
		head:        style(&excelize.Style{Font: font(10, true), Alignment: center(), Border: borders(), Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}}}),
		sign:        style(&excelize.Style{Font: font(10, false), Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center"}}),
		cell:        style(&excelize.Style{Font: font(10, false), Alignment: center(), Border: borders()}),
		left:        style(&excelize.Style{Font: font(9, false), Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center", WrapText: true}, Border: borders()}),
		num:         style(&excelize.Style{Font: font(10, false), Alignment: center(), Border: borders()}),
		bold:        style(&excelize.Style{Font: font(10, true), Alignment: center(), Border: borders()}),
		pct:         style(&excelize.Style{Font: font(10, false), Alignment: center(), Border: borders(), CustomNumFmt: strPtr("0.0%")}),
		note:        style(&excelize.Style{Font: font(9, false), Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center", WrapText: true}}),
	}
	return err
}

// header writes the title, the basis line and the two header rows: a
// group's title over its sub-columns, or one cell merged down.
func (t *yearTable) header() {
	x, f, sheet, last := t.x, t.f, t.sheet, col(t.ncols)
	x.merge("A1", last+"1", fmt.Sprintf("%s完成情况", t.p.TableTitle), t.st.title)
	f.SetRowHeight(sheet, 1, 30)
	x.merge("A2", last+"2", fmt.Sprintf("依据：%s　　考核截至：%s　　单位：分", t.p.DocumentNumber, t.r.AsOf), t.st.sub)
	c := 1
	for _, g := range t.groups {
		if len(g.subs) == 0 {
			x.merge(cell(c, 3), cell(c, 4), g.title, t.st.head)
			f.SetColWidth(sheet, col(c), col(c), g.width)
			c++
			continue
		}
		x.merge(cell(c, 3), cell(c+len(g.subs)-1, 3), g.title, t.st.head)
		for i, s := range g.subs {
			x.set(cell(c+i, 4), s, t.st.head)
			f.SetColWidth(sheet, col(c+i), col(c+i), g.width)
		}
		c += len(g.subs)
	}
	f.SetRowHeight(sheet, 3, 44)
	f.SetRowHeight(sheet, 4, 18)
}

// department writes one department's row and adds it to the sums.
func (t *yearTable) department(d *scoring.Department, row int) {
	x, st := t.x, t.st
	put := func(c int, v float64, style int) {
		x.num(cell(c, row), v, style)
		t.sums[c] += v
	}
	dep := t.p.Department(d.Code)
	name, focus := d.Name, ""
	if dep != nil {
		name, focus = cmp.Or(dep.TableName, d.Name), dep.Focus
	}
	x.set(cell(1, row), name, st.cell)
	x.set(cell(2, row), focus, st.left)
	put(3, d.Base, st.num)
	c := 4
	for _, tc := range t.targets {
		cs := d.Categories[tc.Code]
		for _, v := range []float64{cs.Target, cs.Raw, cs.Score} {
			put(c, v, st.num)
			c++
		}
	}
	for _, qc := range t.quotas {
		per := 0
		if dep != nil {
			per = dep.Quotas[qc.Code]
		}
		missing := 0
		for _, q := range d.Quotas {
			if q.Category == qc.Code && q.Status == scoring.QuotaMissed {
				missing += q.Missing
			}
		}
		if per > 0 {
			put(c, float64(per), st.num)
			put(c+1, float64(missing), st.num)
		} else {
			x.set(cell(c, row), "", st.cell)
			x.set(cell(c+1, row), "", st.cell)
			t.sums[c+1] += float64(missing)
		}
		c += 2
	}
	for _, bc := range t.bonuses {
		put(c, d.Bonuses[bc.Code].Points, st.num)
		c++
	}
	for _, v := range []float64{d.TaskScore, d.Bonus, d.Deduction, d.Adjustment} {
		put(c, v, st.num)
		c++
	}
	put(c, d.Total, st.bold)
	x.num(cell(c+1, row), scoreRate(d), st.pct)
	x.num(cell(c+2, row), d.Completion, st.pct)
	x.num(cell(c+3, row), float64(d.Rank), st.cell)
	t.f.SetRowHeight(t.sheet, row, 42)
}

// total writes the 合计 row, like the seed's last row; it returns the next.
func (t *yearTable) total(row int) int {
	x, st := t.x, t.st
	x.set(cell(1, row), "合计", st.head)
	x.set(cell(2, row), "", st.head)
	for c := 3; c <= t.ncols-3; c++ {
		x.num(cell(c, row), t.sums[c], st.bold)
	}
	for c := t.ncols - 2; c <= t.ncols; c++ {
		x.set(cell(c, row), "", st.cell)
	}
	t.f.SetRowHeight(t.sheet, row, 20)
	return row + 1
}

// footer writes the plan's notes, the rules as the engine applies them
// (stated from the plan's data; the notes are checked against the same
// numbers when a plan loads), how the figures are read, and who made the
// table and when, with a place for the reviewer to sign.
func (t *yearTable) footer(row int, now time.Time) error {
	x, f, sheet, p := t.x, t.f, t.sheet, t.p
	line := func(text string, height float64) {
		x.merge(cell(1, row), cell(t.ncols, row), text, t.st.note)
		f.SetRowHeight(sheet, row, height)
		row++
	}
	for i, n := range p.Notes {
		prefix := ""
		if i == 0 {
			prefix = "注释："
		}
		line(fmt.Sprintf("%s%d、%s", prefix, i+1, n), 16)
	}
	for i, r := range plan.Rules(p) {
		prefix := ""
		if i == 0 {
			prefix = "计分规则："
		}
		line(prefix+r, 16)
	}
	line(explanation(p), 28)
	x.merge(cell(1, row), cell(t.ncols, row), fmt.Sprintf("制表单位：%s　　　　制表日期：%d年%d月%d日　　　　审核：", p.Bureau, now.Year(), now.Month(), now.Day()), t.st.sign)
	f.SetRowHeight(sheet, row, 24)
	return docProps(f, p, fmt.Sprintf("%s完成情况（截至 %s）", p.TableTitle, t.r.AsOf), now)
}

// pageSetup prints on A4, landscape, one page across; headers repeat on
// every page.
func (t *yearTable) pageSetup() {
	f, sheet := t.f, t.sheet
	f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: intPtr(9), Orientation: strPtr("landscape"), FitToWidth: intPtr(1), FitToHeight: intPtr(0)})
	f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: boolPtr(true)})
	f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{Left: fPtr(0.4), Right: fPtr(0.4), Top: fPtr(0.6), Bottom: fPtr(0.6)})
	f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: fmt.Sprintf("'%s'!$3:$4", sheet), Scope: sheet})
	f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{OddFooter: "&C第 &P 页，共 &N 页"})
}

// ledgerSheet is every department's ledger on one sheet, as the ledger
// export prints it (piece titles, outlets, 字数), with a title row, the
// header repeated on every printed page and page numbers.
func ledgerSheet(f *excelize.File, p *plan.Plan, r *scoring.Result, sTitle, sHead, sCell, sLeft int) error {
	const sheet = "积分台账"
	if _, err := f.NewSheet(sheet); err != nil {
		return err
	}
	x := &xl{f: f, sheet: sheet}
	heads := append([]string{"科室"}, ledgerHeads...)
	widths := []float64{12, 8, 12, 16, 8, 11, 30, 12, 6, 5, 6, 48}
	x.merge("A1", col(len(heads))+"1", fmt.Sprintf("%d年度各科室宣传工作积分台账（截至 %s）", p.Year, r.AsOf), sTitle)
	x.keep(f.SetRowHeight(sheet, 1, 28))
	for i, h := range heads {
		x.set(cell(i+1, 2), h, sHead)
		x.keep(f.SetColWidth(sheet, col(i+1), col(i+1), widths[i]))
	}
	row := 3
	for _, d := range r.Departments {
		for _, l := range d.Ledger {
			x.set(cell(1, row), d.Name, sCell)
			for c, v := range ledgerRow(p, l) {
				st := sCell
				if c == 5 || c == 10 {
					st = sLeft
				}
				x.value(cell(c+2, row), v, st, ledgerNumeric[c])
			}
			row++
		}
	}
	x.keep(f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}))
	x.keep(f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: intPtr(9), Orientation: strPtr("landscape"), FitToWidth: intPtr(1), FitToHeight: intPtr(0)}))
	x.keep(f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: boolPtr(true)}))
	x.keep(f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{OddFooter: "&C第 &P 页，共 &N 页"}))
	x.keep(f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: fmt.Sprintf("'%s'!$1:$2", sheet), Scope: sheet}))
	return x.err
}

// docProps gives a workbook real properties: the bureau as author, now as
// created, the title, Chinese as its language.
func docProps(f *excelize.File, p *plan.Plan, title string, now time.Time) error {
	return f.SetDocProps(&excelize.DocProperties{
		Creator: p.Bureau, LastModifiedBy: p.Bureau, Title: title, Subject: p.DocumentNumber + "《" + p.Title + "》",
		Description: "科宣 · 科技宣传工作管理与考核系统生成", Language: "zh-CN",
		Created: now.Format(time.RFC3339), Modified: now.Format(time.RFC3339),
	})
}

// xl writes cells and keeps the first error.
type xl struct {
	f     *excelize.File
	sheet string
	err   error
}

func (x *xl) keep(err error) {
	if x.err == nil && err != nil {
		x.err = err
	}
}

func (x *xl) set(ref, s string, style int) {
	x.keep(x.f.SetCellStr(x.sheet, ref, s)) // always a string, never a formula
	x.keep(x.f.SetCellStyle(x.sheet, ref, ref, style))
}

// value writes a column's value: a number cell where the column holds
// numbers and v is one (SUM works, no "number stored as text"), text
// otherwise (made safe from formula injection).
func (x *xl) value(ref, v string, style int, numeric bool) {
	if numeric && v != "" {
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			x.num(ref, f, style)
			return
		}
	}
	x.set(ref, SafeCell(v), style)
}

func (x *xl) num(ref string, v float64, style int) {
	x.keep(x.f.SetCellFloat(x.sheet, ref, v, -1, 64))
	x.keep(x.f.SetCellStyle(x.sheet, ref, ref, style))
}

func (x *xl) merge(from, to, s string, style int) {
	x.keep(x.f.MergeCell(x.sheet, from, to))
	x.keep(x.f.SetCellStr(x.sheet, from, s))
	x.keep(x.f.SetCellStyle(x.sheet, from, to, style))
}

func col(n int) string {
	s, _ := excelize.ColumnNumberToName(n)
	return s
}

func cell(c, r int) string { return col(c) + strconv.Itoa(r) }

func font(size float64, bold bool) *excelize.Font {
	return &excelize.Font{Family: "宋体", Size: size, Bold: bold}
}

func center() *excelize.Alignment {
	return &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}
}

func borders() []excelize.Border {
	var bs []excelize.Border
	for _, t := range []string{"left", "right", "top", "bottom"} {
		bs = append(bs, excelize.Border{Type: t, Color: "000000", Style: 1})
	}
	return bs
}

func intPtr(v int) *int       { return &v }
func strPtr(v string) *string { return &v }
func boolPtr(v bool) *bool    { return &v }
func fPtr(v float64) *float64 { return &v }

// explanation is the line under the notes that says how the table reads,
// in the plan's own names.
func explanation(p *plan.Plan) string {
	labels := func(kind string) []string {
		var out []string
		for _, c := range p.CategoriesOf(kind) {
			out = append(out, c.Label())
		}
		return out
	}
	text := "说明：“完成”为按注释计算的原始分，“得分”以任务分为上限"
	if q := labels(plan.KindQuota); len(q) > 0 {
		text += "；扣分为已结束月份少报的" + strings.Join(q, "、")
	}
	return text + "；完成率 =（" + strings.Join(labels(plan.KindTarget), "＋") + "原始分）÷ 基础分。"
}
