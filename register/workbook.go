package register

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"strings"
)

// Limits on what a workbook may unpack to, checked before a byte of it is
// parsed: a register of a few MiB can otherwise unpack to gigabytes (a
// "zip bomb"). The sizes are those the zip declares; archive/zip refuses a
// part that unpacks to more than it declared, so they cannot lie.
const (
	// MaxXLSXUnpacked is what all parts together may unpack to (the large
	// ones are spooled to temporary files, not held in memory).
	MaxXLSXUnpacked = 1 << 30
	// MaxXLSXPart is what one part may unpack to (a sheet of a million
	// short rows is about this).
	MaxXLSXPart = 256 << 20
	// MaxXLSXInMemory is what the parts held in memory may unpack to:
	// those of at most xlsxSpool bytes each.
	MaxXLSXInMemory = 64 << 20
	// MaxSharedStrings is the shared-string table's limit: it is read
	// whole into memory.
	MaxSharedStrings = 32 << 20
	// MaxXLSXParts is how many files the package may hold.
	MaxXLSXParts = 1000
	// MaxCellBytes is the longest text between two tags: a cell holds at
	// most 32,767 characters, 6 bytes each at worst once escaped.
	MaxCellBytes = 256 << 10
	// xlsxSpool is the part size above which the reader spools a part to a
	// temporary file rather than holding it.
	xlsxSpool = 4 << 20
)

// maxXLSXCells is how many cells all sheets may hold (ten million: a
// million rows of ten columns). A variable so that tests can lower it.
var maxXLSXCells = 10_000_000

// checkWorkbook refuses a workbook that would unpack beyond the limits, with
// what and where; it reads the parts through, a buffer at a time.
func checkWorkbook(f *os.File, fileSize int64) error {
	zr, err := zip.NewReader(f, fileSize)
	if err != nil {
		return fmt.Errorf("不是有效的 .xlsx 文件（%v）", err)
	}
	if len(zr.File) > MaxXLSXParts {
		return fmt.Errorf("工作簿含 %d 个部件，最多 %d 个", len(zr.File), MaxXLSXParts)
	}
	var total, inMemory uint64
	for _, zf := range zr.File {
		n := zf.UncompressedSize64
		total += n
		if n <= xlsxSpool {
			inMemory += n
		}
		name := strings.ToLower(zf.Name)
		switch {
		case n > MaxXLSXPart:
			return fmt.Errorf("工作簿部件 %s 解压后 %s，最多 %s：请分批导入，或用 CSV", zf.Name, size(int64(n)), size(MaxXLSXPart))
		case total > MaxXLSXUnpacked:
			return fmt.Errorf("工作簿解压后超过 %s（到 %s 为止已 %s）：请分批导入，或用 CSV", size(MaxXLSXUnpacked), zf.Name, size(int64(total)))
		case inMemory > MaxXLSXInMemory:
			return fmt.Errorf("工作簿的小部件解压后超过 %s（到 %s 为止）", size(MaxXLSXInMemory), zf.Name)
		case strings.HasSuffix(name, "sharedstrings.xml") && n > MaxSharedStrings:
			return fmt.Errorf("工作簿的共享文字表（%s）解压后 %s，最多 %s：请分批导入，或用 CSV", zf.Name, size(int64(n)), size(MaxSharedStrings))
		}
	}
	cells := 0
	buf := make([]byte, 64<<10)
	for _, zf := range zr.File {
		if zf.FileInfo().IsDir() || !strings.HasSuffix(strings.ToLower(zf.Name), ".xml") && !strings.HasSuffix(strings.ToLower(zf.Name), ".rels") {
			continue
		}
		sheet := strings.HasPrefix(strings.ToLower(zf.Name), "xl/worksheets/")
		rc, err := zf.Open()
		if err != nil {
			return fmt.Errorf("无法读取工作簿部件 %s：%v", zf.Name, err)
		}
		s := xmlScan{sheet: sheet}
		for {
			n, err := rc.Read(buf)
			if n > 0 {
				if msg := s.scan(buf[:n]); msg != "" {
					rc.Close()
					return fmt.Errorf("工作簿部件 %s：%s", zf.Name, msg)
				}
				if cells+s.cells > maxXLSXCells {
					rc.Close()
					return fmt.Errorf("工作簿超过 %d 个单元格（到 %s 为止）：请分批导入，或用 CSV", maxXLSXCells, zf.Name)
				}
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				rc.Close()
				return fmt.Errorf("无法读取工作簿部件 %s：%v", zf.Name, err)
			}
		}
		rc.Close()
		cells += s.cells
	}
	return nil
}

// xmlScan follows a part's bytes: the longest run between two of '<' and
// '>' (a cell's text, an attribute), and in a sheet the cells begun ("<c"
// then a space, '>' or '/'), across buffer boundaries.
type xmlScan struct {
	sheet bool
	run   int // bytes since the last '<' or '>'
	state int // 1: just after '<'; 2: just after "<c"
	cells int
}

func (s *xmlScan) scan(b []byte) string {
	for _, c := range b {
		switch c {
		case '<':
			s.run, s.state = 0, 1
			continue
		case '>':
			s.run = 0
		default:
			if s.run++; s.run > MaxCellBytes {
				return fmt.Sprintf("有一段文字超过 %s（单元格最多 32767 个字）", size(MaxCellBytes))
			}
		}
		switch {
		case s.state == 1 && c == 'c':
			s.state = 2
			continue
		case s.state == 2 && s.sheet && (c == ' ' || c == '>' || c == '/' || c == '\t' || c == '\n' || c == '\r'):
			s.cells++
		}
		s.state = 0
	}
	return ""
}
