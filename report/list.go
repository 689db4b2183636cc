package report

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"
)

// List is a plain list for a workbook: a title, column heads and widths,
// rows of text.
type List struct {
	Title  string
	Author string // the bureau, for the document's properties
	Heads  []string
	Widths []float64
	// Numeric marks the columns of numbers (counts, points, ids): their
	// values are written as number cells.
	Numeric []bool
	Rows    [][]string
	// Made is when the list was drawn up (the document's properties).
	Made time.Time
}

// ListXLSX writes a list as an A4 landscape sheet: the title, the header
// repeated on every printed page, page numbers, and the document's
// properties. A cell is a number where its column is Numeric, text
// otherwise (never a formula).
func ListXLSX(w io.Writer, l *List) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Sheet1"
	var styleErr error
	style := func(st *excelize.Style) int {
		id, err := f.NewStyle(st)
		styleErr = errors.Join(styleErr, err)
		return id
	}
	sTitle := style(&excelize.Style{Font: &excelize.Font{Family: "黑体", Size: 13, Bold: true}, Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center"}})
	sHead := style(&excelize.Style{Font: font(10, true), Alignment: center(), Border: borders(), Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}}})
	sCell := style(&excelize.Style{Font: font(10, false), Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center", WrapText: true}, Border: borders()})
	if styleErr != nil {
		return styleErr
	}
	x := &xl{f: f, sheet: sheet}
	last := col(len(l.Heads))
	x.merge("A1", last+"1", l.Title, sTitle)
	x.keep(f.SetRowHeight(sheet, 1, 28))
	for i, h := range l.Heads {
		x.set(cell(i+1, 2), h, sHead)
		if i < len(l.Widths) {
			x.keep(f.SetColWidth(sheet, col(i+1), col(i+1), l.Widths[i]))
		}
	}
	for r, row := range l.Rows {
		for c, v := range row {
			x.value(cell(c+1, r+3), v, sCell, c < len(l.Numeric) && l.Numeric[c])
		}
	}
	x.keep(f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}))
	x.keep(f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: intPtr(9), Orientation: strPtr("landscape"), FitToWidth: intPtr(1), FitToHeight: intPtr(0)}))
	x.keep(f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: boolPtr(true)}))
	x.keep(f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{OddFooter: "&C第 &P 页，共 &N 页"}))
	x.keep(f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: fmt.Sprintf("'%s'!$1:$2", sheet), Scope: sheet}))
	now := l.Made
	x.keep(f.SetDocProps(&excelize.DocProperties{Creator: l.Author, LastModifiedBy: l.Author, Title: l.Title, Language: "zh-CN",
		Created: now.Format("2006-01-02T15:04:05Z07:00"), Modified: now.Format("2006-01-02T15:04:05Z07:00")}))
	if x.err != nil {
		return x.err
	}
	_, err := f.WriteTo(w)
	return err
}
