package register

import (
	"errors"
	"io"
	"os"
	"time"

	"github.com/xuri/excelize/v2"
)

var excelEpoch = time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC)

// xlsxRows streams the first sheet of a workbook, cell values raw (a date
// is its serial day number, whatever its display format).
type xlsxRows struct {
	f    *excelize.File
	rows *excelize.Rows
	line int
}

func newXLSX(f *os.File, sc *schema) (*xlsxRows, error) {
	wb, err := excelize.OpenReader(f, excelize.Options{RawCellValue: true, UnzipSizeLimit: MaxXLSXUnpacked, UnzipXMLSizeLimit: xlsxSpool})
	if err != nil {
		return nil, err
	}
	sheets := wb.GetSheetList()
	if len(sheets) == 0 {
		wb.Close()
		return nil, errors.New("工作簿中没有工作表")
	}
	// The data may be on any sheet (an empty Sheet1 before it is common):
	// take the first whose first rows hold a header.
	sheet := sheets[0]
	for _, name := range sheets {
		ok, err := sheetHasHeader(wb, name, sc)
		if err != nil {
			wb.Close()
			return nil, err
		}
		if ok {
			sheet = name
			break
		}
	}
	rows, err := wb.Rows(sheet)
	if err != nil {
		wb.Close()
		return nil, err
	}
	return &xlsxRows{f: wb, rows: rows}, nil
}

func (x *xlsxRows) Serial() bool { return true }

func (x *xlsxRows) Next() ([]string, int, error) {
	if !x.rows.Next() {
		if err := x.rows.Error(); err != nil {
			return nil, 0, err
		}
		return nil, 0, io.EOF
	}
	x.line++
	cols, err := x.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, x.line, &lineError{line: x.line, msg: "无法读取此行：" + err.Error()}
	}
	return cols, x.line, nil
}

func (x *xlsxRows) Close() error {
	x.rows.Close()
	return x.f.Close()
}

// sheetHasHeader reads a sheet's first rows for a header.
func sheetHasHeader(wb *excelize.File, sheet string, sc *schema) (bool, error) {
	rows, err := wb.Rows(sheet)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	for i := 0; i <= maxTitleRows && rows.Next(); i++ {
		cols, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return false, nil
		}
		if sc.isHeader(cols) {
			return true, nil
		}
	}
	return false, rows.Error()
}
