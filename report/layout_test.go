package report_test

import (
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// This file measures documents as LibreOffice lays them out: positions in
// millimetres from the page's top left, from the PDF's text boxes
// (pdftotext -bbox-layout) and from its ink (pdftoppm at 10 pixels a
// millimetre), so that a test can hold a document to a standard's figures.

// needOffice finds soffice, or skips (fails when KEXUAN_REQUIRE_OFFICE is set).
func needOffice(t *testing.T) string {
	t.Helper()
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		if os.Getenv("KEXUAN_REQUIRE_OFFICE") != "" {
			t.Fatal("soffice not found")
		}
		t.Skip("LibreOffice not installed")
	}
	return soffice
}

// toPDF converts .docx files to PDF in one LibreOffice run; it returns the
// PDFs' paths by the documents' names.
func toPDF(t *testing.T, docs map[string][]byte) map[string]string {
	t.Helper()
	soffice := needOffice(t)
	dir := t.TempDir()
	args := []string{"--headless", "-env:UserInstallation=file://" + filepath.Join(dir, "lo"), "--convert-to", "pdf", "--outdir", dir}
	out := map[string]string{}
	for name, b := range docs {
		p := filepath.Join(dir, name+".docx")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
		out[name] = filepath.Join(dir, name+".pdf")
	}
	if b, err := exec.Command(soffice, args...).CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v %s", err, b)
	}
	return out
}

// textLine is one line of text on a page, its box in millimetres.
type textLine struct {
	Page           int
	X0, Y0, X1, Y1 float64
	Text           string
}

func (l textLine) String() string {
	return fmt.Sprintf("p%d [%.1f,%.1f–%.1f,%.1f] %s", l.Page, l.X0, l.Y0, l.X1, l.Y1, l.Text)
}

var (
	pageRe = regexp.MustCompile(`(?s)<page width="[\d.]+" height="[\d.]+">(.*?)</page>`)
	lineRe = regexp.MustCompile(`(?s)<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</line>`)
	wordRe = regexp.MustCompile(`>([^<]+)</word>`)
)

const mmPerPt = 25.4 / 72

// textLines reads a PDF's lines of text, page by page.
func textLines(t *testing.T, pdf string) []textLine {
	t.Helper()
	b, err := exec.Command("pdftotext", "-bbox-layout", pdf, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	var out []textLine
	for i, pg := range pageRe.FindAllStringSubmatch(string(b), -1) {
		for _, m := range lineRe.FindAllStringSubmatch(pg[1], -1) {
			l := textLine{Page: i + 1}
			for j, f := range []*float64{&l.X0, &l.Y0, &l.X1, &l.Y1} {
				v, _ := strconv.ParseFloat(m[j+1], 64)
				*f = v * mmPerPt
			}
			for _, w := range wordRe.FindAllStringSubmatch(m[5], -1) {
				l.Text += w[1]
			}
			out = append(out, l)
		}
	}
	return out
}

// ink is a page rendered at 10 pixels a millimetre.
type ink struct{ img image.Image }

func pageInk(t *testing.T, pdf string, page int) ink {
	t.Helper()
	prefix := filepath.Join(t.TempDir(), "page")
	n := strconv.Itoa(page)
	if b, err := exec.Command("pdftoppm", "-r", "254", "-f", n, "-l", n, "-singlefile", "-png", pdf, prefix).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, b)
	}
	f, err := os.Open(prefix + ".png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return ink{img}
}

func red(r, g, b uint32) bool  { return r > 0xb000 && g < 0x6000 && b < 0x6000 }
func dark(r, g, b uint32) bool { return r < 0x8000 && g < 0x8000 && b < 0x8000 }

// rows are the rows (in mm, top to bottom) between y0 and y1 where a pixel
// of the colour lies between x0 and x1, with how wide (mm) its ink spans.
func (k ink) rows(x0, y0, x1, y1 float64, is func(r, g, b uint32) bool) (ys []float64, spans [][2]float64) {
	bd := k.img.Bounds()
	px := func(mm float64) int { return int(math.Round(mm * 10)) }
	for y := max(px(y0), bd.Min.Y); y < min(px(y1), bd.Max.Y); y++ {
		first, last := -1, -1
		for x := max(px(x0), bd.Min.X); x < min(px(x1), bd.Max.X); x++ {
			r, g, b, _ := k.img.At(x, y).RGBA()
			if is(r, g, b) {
				if first < 0 {
					first = x
				}
				last = x
			}
		}
		if first >= 0 {
			ys = append(ys, float64(y)/10)
			spans = append(spans, [2]float64{float64(first) / 10, float64(last+1) / 10})
		}
	}
	return ys, spans
}

// near reports whether got is within tol of want.
func near(got, want, tol float64) bool { return got >= want-tol && got <= want+tol }

// find is the first line whose text is s (spaces ignored), or nil.
func find(lines []textLine, s string) *textLine {
	for i := range lines {
		if strings.Join(strings.Fields(lines[i].Text), "") == s {
			return &lines[i]
		}
	}
	return nil
}
