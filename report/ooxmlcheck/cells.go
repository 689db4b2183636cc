package ooxmlcheck

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// TextNumbers lists the cells of a workbook that hold a number written as
// text (Excel's green triangle: SUM skips them), by sheet and cell.
func TextNumbers(doc []byte) ([]string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(doc))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, err
		}
		for r, row := range rows {
			for c, v := range row {
				if v == "" {
					continue
				}
				if _, err := strconv.ParseFloat(v, 64); err != nil {
					continue
				}
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				typ, err := f.GetCellType(sheet, ref)
				if err != nil {
					return nil, err
				}
				if typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
					out = append(out, fmt.Sprintf("%s!%s %q", sheet, ref, v))
				}
			}
		}
	}
	return out, nil
}
