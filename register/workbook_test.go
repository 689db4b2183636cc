package register

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// bomb writes a workbook whose one sheet holds one inline-string cell of n
// bytes of text, really compressed (a few hundred KiB on disk per 64 MiB).
func bomb(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bomb.xlsx")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	part := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	part("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`)
	part("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	part("xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`)
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>`))
	chunk := bytes.Repeat([]byte("A"), 1<<20)
	for ; n > 0; n -= len(chunk) {
		w.Write(chunk[:min(n, len(chunk))])
	}
	w.Write([]byte(`</t></is></c></row></sheetData></worksheet>`))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// A workbook that unpacks to far more than it weighs is refused before it
// is parsed, with what and where, and reading it costs next to nothing.
func TestWorkbookBomb(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		n    int
		want string
	}{
		{"one cell of 64 MiB", 64 << 20, "有一段文字超过"},
		{"a sheet of 300 MiB", 300 << 20, "解压后 300.0 MiB"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := bomb(t, c.n)
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := ImportFile(context.Background(), &memTarget{}, path, Options{})
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), "bomb.xlsx") || !strings.Contains(err.Error(), "sheet1.xml") || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("the bomb: %v", err)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
				t.Errorf("refusing the bomb allocated %d MiB", alloc>>20)
			}
		})
	}
}

// Beyond the cell limit a workbook is refused; within it, it is read.
func TestWorkbookCells(t *testing.T) {
	t.Parallel()
	defer func(n int) { maxXLSXCells = n }(maxXLSXCells)
	maxXLSXCells = 100
	write := func(rows int) string {
		x := excelize.NewFile()
		x.SetSheetRow("Sheet1", "A1", &[]any{"科室", "渠道", "日期", "标题", "字数"})
		for i := 2; i <= rows+1; i++ {
			x.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i), &[]any{"高新科", "机关内网", "2017-05-18", fmt.Sprintf("标题%d", i), 300})
		}
		path := filepath.Join(t.TempDir(), "r.xlsx")
		if err := x.SaveAs(path); err != nil {
			t.Fatal(err)
		}
		return path
	}
	if _, err := ImportFile(context.Background(), &memTarget{}, write(30), Options{}); err == nil || !strings.Contains(err.Error(), "超过 100 个单元格") {
		t.Errorf("155 cells: %v", err)
	}
	m := &memTarget{}
	if _, err := ImportFile(context.Background(), m, write(10), Options{}); err != nil || len(m.rows) != 10 {
		t.Errorf("55 cells: %v, %d rows", err, len(m.rows))
	}
}
