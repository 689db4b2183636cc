package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"kexuan/plan"
	"kexuan/scoring"
)

var ledgerKinds = map[string]string{scoring.LinePoints: "得分", scoring.LineCap: "封顶", scoring.LineBonus: "加分",
	scoring.LineBonusCap: "加分封顶", scoring.LineQuota: "月度报送", scoring.LineDeduction: "扣分", scoring.LineAdjust: "加减分"}

var ledgerHeads = []string{"类型", "类别", "渠道", "月份", "日期", "稿件标题", "媒体", "字数", "条数", "分值", "说明"}

// ledgerNumeric are the ledger's columns of numbers (字数, 条数, 分值).
var ledgerNumeric = map[int]bool{7: true, 8: true, 9: true}

// ledgerRow is one ledger line as the exports print it.
func ledgerRow(p *plan.Plan, l scoring.Line) []string {
	cat, ch := l.Category, l.Channel
	if c := p.Category(l.Category); c != nil {
		cat = c.Label()
	}
	if c := p.Channel(l.Channel); c != nil {
		ch = c.Name
	}
	words, count := "", ""
	if l.Words > 0 {
		words = strconv.Itoa(l.Words)
	}
	if l.Count > 0 {
		count = strconv.Itoa(l.Count)
	}
	return []string{ledgerKinds[l.Kind], cat, ch, l.Month, l.Date, SafeCell(l.Title), SafeCell(l.Outlet), words, count, num(l.Points), SafeCell(l.Rule)}
}

func ledgerTitle(p *plan.Plan, r *scoring.Result, d *scoring.Department) string {
	return fmt.Sprintf("%s %d年度宣传工作积分台账（截至 %s）：总分 %s = 任务得分 %s + 加分 %s − 扣分 %s + 加减分 %s", d.Name, p.Year, r.AsOf,
		num(d.Total), num(d.TaskScore), num(d.Bonus), num(d.Deduction), num(d.Adjustment))
}

// LedgerCSV writes each department's ledger: a title line, the header,
// then every line (a publication with its title and outlet).
func LedgerCSV(w io.Writer, p *plan.Plan, r *scoring.Result) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	for i := range r.Departments {
		d := &r.Departments[i]
		if err := cw.Write([]string{ledgerTitle(p, r, d)}); err != nil {
			return err
		}
		if err := cw.Write(ledgerHeads); err != nil {
			return err
		}
		for _, l := range d.Ledger {
			if err := cw.Write(ledgerRow(p, l)); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// LedgerXLSX writes each department's ledger as a sheet for A4 landscape:
// a title row, the header row repeated on every printed page, page numbers
// "第 N 页 共 M 页" in the footer.
func LedgerXLSX(w io.Writer, p *plan.Plan, r *scoring.Result, made time.Time) error {
	f := excelize.NewFile()
	defer f.Close()
	var styleErr error
	style := func(st *excelize.Style) int {
		id, err := f.NewStyle(st)
		if err != nil && styleErr == nil {
			styleErr = err
		}
		return id
	}
	sTitle := style(&excelize.Style{Font: &excelize.Font{Family: "黑体", Size: 13, Bold: true}, Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center", WrapText: true}})
	sHead := style(&excelize.Style{Font: font(10, true), Alignment: center(), Border: borders(), Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}}})
	sCell := style(&excelize.Style{Font: font(10, false), Alignment: center(), Border: borders()})
	sLeft := style(&excelize.Style{Font: font(9, false), Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center", WrapText: true}, Border: borders()})
	if styleErr != nil {
		return styleErr
	}
	widths := []float64{8, 12, 16, 8, 11, 30, 12, 6, 5, 6, 48}
	if err := docProps(f, p, fmt.Sprintf("%d年度宣传工作积分台账（截至 %s）", p.Year, r.AsOf), made.In(p.Location())); err != nil {
		return err
	}
	for i := range r.Departments {
		d := &r.Departments[i]
		sheet := d.Name
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sheet); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(sheet); err != nil {
			return err
		}
		x := &xl{f: f, sheet: sheet}
		last := col(len(ledgerHeads))
		x.merge("A1", last+"1", ledgerTitle(p, r, d), sTitle)
		x.keep(f.SetRowHeight(sheet, 1, 36))
		for c, h := range ledgerHeads {
			x.set(cell(c+1, 2), h, sHead)
			x.keep(f.SetColWidth(sheet, col(c+1), col(c+1), widths[c]))
		}
		for n, l := range d.Ledger {
			for c, v := range ledgerRow(p, l) {
				st := sCell
				if c == 5 || c == 10 {
					st = sLeft
				}
				x.value(cell(c+1, n+3), v, st, ledgerNumeric[c])
			}
		}
		x.keep(f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}))
		x.keep(f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: intPtr(9), Orientation: strPtr("landscape"), FitToWidth: intPtr(1), FitToHeight: intPtr(0)}))
		x.keep(f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: boolPtr(true)}))
		x.keep(f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{OddFooter: "&C第 &P 页 共 &N 页"}))
		// The title and header rows repeat on every printed page.
		x.keep(f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: fmt.Sprintf("'%s'!$1:$2", sheet), Scope: sheet}))
		if x.err != nil {
			return x.err
		}
	}
	return f.Write(w)
}

// LedgerTable writes each department's ledger as an aligned table for a
// terminal: a title line, then a line per ledger line.
func LedgerTable(w io.Writer, p *plan.Plan, r *scoring.Result) error {
	for i := range r.Departments {
		d := &r.Departments[i]
		if _, err := fmt.Fprintln(w, ledgerTitle(p, r, d)); err != nil {
			return err
		}
		rows := [][]string{ledgerHeads}
		for _, l := range d.Ledger {
			rows = append(rows, ledgerRow(p, l))
		}
		if err := writeAligned(w, rows, map[int]bool{5: true, 6: true, 10: true}); err != nil {
			return err
		}
	}
	return nil
}

// LedgerTableEncoder is the ledger for a terminal.
var LedgerTableEncoder Encoder = encoder{"table", ".txt", "text/plain; charset=utf-8", undated(LedgerTable), false}
