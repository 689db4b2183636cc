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
	x := &xl{f: f, sheet: sheet}

	targets := p.CategoriesOf(plan.KindTarget)
	quotas := p.CategoriesOf(plan.KindQuota)
	bonuses := p.CategoriesOf(plan.KindBonus)

	// Column plan: name, focus, base; 3 per target; 2 per quota; 1 per bonus; 6 results.
	type group struct {
		title string
		subs  []string
		width float64
	}
	groups := []group{{"责任科室", nil, 11}, {"宣传重点", nil, 30}, {"基础分", nil, 6}}
	// Header cells break where the plan's table breaks them (table_name),
	// never inside a word.
	for _, c := range targets {
		groups = append(groups, group{cmp.Or(c.TableName, c.Name), []string{"任务", "完成", "得分"}, 6.5})
	}
	for _, c := range quotas {
		groups = append(groups, group{cmp.Or(c.TableName, c.Name), []string{"条/月", "少报"}, 5.5})
	}
	for _, c := range bonuses {
		title := cmp.Or(c.TableName, c.Label()) + "\n加分"
		if c.Cap != nil {
			title += fmt.Sprintf("\n（上限%s分）", num(*c.Cap))
		}
		groups = append(groups, group{title, nil, 10})
	}
	for _, t := range []string{"任务得分", "加分", "扣分", "加减分", "总分", "得分率", "完成率", "排名"} {
		groups = append(groups, group{t, nil, 8.5})
	}
	ncols := 0
	for _, g := range groups {
		ncols += max(1, len(g.subs))
	}
	last := col(ncols)

	var styleErr error
	title := func(st *excelize.Style) (int, error) {
		id, err := f.NewStyle(st)
		styleErr = errors.Join(styleErr, err)
		return id, err
	}
	sTitle, _ := title(&excelize.Style{Font: &excelize.Font{Family: "方正小标宋简体", Size: 16, Bold: true}, Alignment: center()})
	sLedgerTitle, _ := title(&excelize.Style{Font: &excelize.Font{Family: "黑体", Size: 13, Bold: true}, Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center"}})
	sSub, _ := title(&excelize.Style{Font: font(10, false), Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "center"}})
	sHead, _ := title(&excelize.Style{Font: font(10, true), Alignment: center(), Border: borders(), Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}}})
	sSign, _ := title(&excelize.Style{Font: font(10, false), Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center"}})
	sCell, _ := title(&excelize.Style{Font: font(10, false), Alignment: center(), Border: borders()})
	sLeft, _ := title(&excelize.Style{Font: font(9, false), Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center", WrapText: true}, Border: borders()})
	sNum, _ := title(&excelize.Style{Font: font(10, false), Alignment: center(), Border: borders()})
	sBold, _ := title(&excelize.Style{Font: font(10, true), Alignment: center(), Border: borders()})
	sPct, _ := title(&excelize.Style{Font: font(10, false), Alignment: center(), Border: borders(), CustomNumFmt: strPtr("0.0%")})
	sNote, _ := title(&excelize.Style{Font: font(9, false), Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center", WrapText: true}})
	if styleErr != nil {
		return styleErr
	}

	x.merge("A1", last+"1", fmt.Sprintf("%s完成情况", p.TableTitle), sTitle)
	f.SetRowHeight(sheet, 1, 30)
	x.merge("A2", last+"2", fmt.Sprintf("依据：%s　　考核截至：%s　　单位：分", p.DocumentNumber, r.AsOf), sSub)

	// Two header rows: a group's title over its sub-columns, or one cell merged down.
	c := 1
	for _, g := range groups {
		if len(g.subs) == 0 {
			x.merge(cell(c, 3), cell(c, 4), g.title, sHead)
			f.SetColWidth(sheet, col(c), col(c), g.width)
			c++
			continue
		}
		x.merge(cell(c, 3), cell(c+len(g.subs)-1, 3), g.title, sHead)
		for i, s := range g.subs {
			x.set(cell(c+i, 4), s, sHead)
			f.SetColWidth(sheet, col(c+i), col(c+i), g.width)
		}
		c += len(g.subs)
	}
	f.SetRowHeight(sheet, 3, 44)
	f.SetRowHeight(sheet, 4, 18)

	row := 5
	var sums = make([]float64, ncols+1)
	addSum := func(c int, v float64) { sums[c] += v }
	for i := range r.Departments {
		d := &r.Departments[i]
		dep := p.Department(d.Code)
		name := d.Name
		if dep != nil && dep.TableName != "" {
			name = dep.TableName
		}
		x.set(cell(1, row), name, sCell)
		focus := ""
		if dep != nil {
			focus = dep.Focus
		}
		x.set(cell(2, row), focus, sLeft)
		x.num(cell(3, row), d.Base, sNum)
		addSum(3, d.Base)
		c := 4
		for _, tc := range targets {
			cs := d.Categories[tc.Code]
			for _, v := range []float64{cs.Target, cs.Raw, cs.Score} {
				x.num(cell(c, row), v, sNum)
				addSum(c, v)
				c++
			}
		}
		for _, qc := range quotas {
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
				x.num(cell(c, row), float64(per), sNum)
				x.num(cell(c+1, row), float64(missing), sNum)
			} else {
				x.set(cell(c, row), "", sCell)
				x.set(cell(c+1, row), "", sCell)
			}
			addSum(c, float64(per))
			addSum(c+1, float64(missing))
			c += 2
		}
		for _, bc := range bonuses {
			v := d.Bonuses[bc.Code].Points
			x.num(cell(c, row), v, sNum)
			addSum(c, v)
			c++
		}
		for _, v := range []float64{d.TaskScore, d.Bonus, d.Deduction, d.Adjustment} {
			x.num(cell(c, row), v, sNum)
			addSum(c, v)
			c++
		}
		x.num(cell(c, row), d.Total, sBold)
		addSum(c, d.Total)
		x.num(cell(c+1, row), scoreRate(d), sPct)
		x.num(cell(c+2, row), d.Completion, sPct)
		x.num(cell(c+3, row), float64(d.Rank), sCell)
		f.SetRowHeight(sheet, row, 42)
		row++
	}
	// 合计, like the seed's last row.
	x.set(cell(1, row), "合计", sHead)
	x.set(cell(2, row), "", sHead)
	for c := 3; c <= ncols-3; c++ {
		x.num(cell(c, row), sums[c], sBold)
	}
	for c := ncols - 2; c <= ncols; c++ {
		x.set(cell(c, row), "", sCell)
	}
	f.SetRowHeight(sheet, row, 20)
	row++

	for i, n := range p.Notes {
		prefix := ""
		if i == 0 {
			prefix = "注释："
		}
		x.merge(cell(1, row), cell(ncols, row), fmt.Sprintf("%s%d、%s", prefix, i+1, n), sNote)
		f.SetRowHeight(sheet, row, 16)
		row++
	}
	// The rules as the engine applies them, stated from the plan's data (the
	// notes above are checked against the same numbers when a plan loads).
	for i, r := range plan.Rules(p) {
		prefix := ""
		if i == 0 {
			prefix = "计分规则："
		}
		x.merge(cell(1, row), cell(ncols, row), prefix+r, sNote)
		f.SetRowHeight(sheet, row, 16)
		row++
	}
	x.merge(cell(1, row), cell(ncols, row), explanation(p), sNote)
	f.SetRowHeight(sheet, row, 28)
	row++
	// Who made the table and when, and a place for the reviewer to sign.
	now := made.In(p.Location())
	x.merge(cell(1, row), cell(ncols, row), fmt.Sprintf("制表单位：%s　　　　制表日期：%d年%d月%d日　　　　审核：", p.Bureau, now.Year(), now.Month(), now.Day()), sSign)
	f.SetRowHeight(sheet, row, 24)
	if err := docProps(f, p, fmt.Sprintf("%s完成情况（截至 %s）", p.TableTitle, r.AsOf), now); err != nil {
		return err
	}

	// Print on A4, landscape, one page across; headers repeat on every page.
	f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: intPtr(9), Orientation: strPtr("landscape"), FitToWidth: intPtr(1), FitToHeight: intPtr(0)})
	f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: boolPtr(true)})
	f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{Left: fPtr(0.4), Right: fPtr(0.4), Top: fPtr(0.6), Bottom: fPtr(0.6)})
	f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: fmt.Sprintf("'%s'!$3:$4", sheet), Scope: sheet})
	f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{OddFooter: "&C第 &P 页，共 &N 页"})
	if x.err != nil {
		return x.err
	}
	if err := ledgerSheet(f, p, r, sLedgerTitle, sHead, sCell, sLeft); err != nil {
		return err
	}
	_, err := f.WriteTo(w)
	return err
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
