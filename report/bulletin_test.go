package report_test

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"kexuan/plan"
	"kexuan/report"
	"kexuan/report/ooxmlcheck"
	"kexuan/scoring"
)

func bulletinFixture(t *testing.T) (*report.Bulletin, map[string]string) {
	t.Helper()
	p, _ := plan.Builtin()
	d := plan.MustDate
	entries := []scoring.Entry{
		{Department: "hightech", Channel: "intranet", Date: d("2017-03-02"), Count: 3},
		{Department: "hightech", Channel: "shixun", Date: d("2017-03-05"), Words: 520, Count: 1},
		{Department: "planning", Channel: "media", Date: d("2017-03-09"), Count: 1},
	}
	res := scoring.Score(p, d("2017-03-31"), entries, scoring.Options{NoLedger: true,
		Adjustments: []scoring.Adjustment{{Ref: 1, Department: "ip", Date: d("2017-03-20"), Points: 1.5, Reason: "表扬"}}})
	b := &report.Bulletin{Plan: p, Result: res, Label: "2017年3月份", Months: []plan.Month{{Year: 2017, Month: 3}},
		Number: "金科通〔2017〕3号", Issued: d("2017-04-05")}
	var buf bytes.Buffer
	if err := report.BulletinDOCX(&buf, b); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		parts[f.Name] = string(b)
	}
	parts["docx"] = buf.String()
	return b, parts
}

// The 通报 in GB/T 9704-2012: A4, the margins, the fonts and sizes, the
// red 发文机关标志 and rule, page numbers in 4号 宋体 on the outside edges,
// 成文日期 in Arabic numerals, the 版记, and every number the report's.
func TestBulletinFormat(t *testing.T) {
	t.Parallel()
	b, parts := bulletinFixture(t)
	for _, p := range ooxmlcheck.Check([]byte(parts["docx"])) {
		t.Errorf("the 通报's docx: %s", p)
	}
	doc := parts["word/document.xml"]
	for _, want := range []string{
		`<w:pgSz w:w="11906" w:h="16838"/>`,
		`w:top="2098" w:right="1474" w:bottom="1984" w:left="1588"`,
		`<w:docGrid w:type="lines" w:linePitch="579"/>`,
		`w:eastAsia="方正小标宋简体"`, `<w:color w:val="FF0000"/>`, `w:color="FF0000"`, // 版头 and its rule
		`<w:sz w:val="44"/>`,                           // the title in 2号
		`w:eastAsia="仿宋_GB2312"`, `<w:sz w:val="32"/>`, // the body in 3号 仿宋
		"郑州市金水区科学技术局文件", "金科通〔2017〕3号", ">关于2017年3月份<", ">科技宣传工作考核情况的通报<", "各科室：",
		">2017年4月5日<", ">2017年4月5日印发<", // 成文日期 and 印发日期 in Arabic numerals
		`<wp:positionV relativeFrom="margin"><wp:align>bottom</wp:align></wp:positionV>`, // the 版记 at the foot of the last page
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("document.xml lacks %s", want)
		}
	}
	for name, side := range map[string]string{"word/footer1.xml": "right", "word/footer2.xml": "left"} {
		f := parts[name]
		if !strings.Contains(f, `<w:instrText xml:space="preserve"> PAGE </w:instrText>`) || !strings.Contains(f, `<w:jc w:val="`+side+`"/>`) ||
			!strings.Contains(f, "— ") || !strings.Contains(f, `w:eastAsia="宋体"`) || !strings.Contains(f, `<w:sz w:val="28"/>`) {
			t.Errorf("%s: no page field, side %s, 4号 宋体", name, side)
		}
	}
	if !strings.Contains(parts["word/settings.xml"], "<w:evenAndOddHeaders/>") || !strings.Contains(parts["word/fontTable.xml"], `<w:altName w:val="仿宋"/>`) {
		t.Error("settings or font fallbacks missing")
	}
	// Every number in the score table is the report's.
	cells := regexp.MustCompile(`<w:tc>.*?<w:t xml:space="preserve">([^<]*)</w:t>.*?</w:tc>`).FindAllStringSubmatch(doc, -1)
	var got []string
	for _, c := range cells {
		got = append(got, c[1])
	}
	table := strings.Join(got, "|")
	for _, d := range b.Result.Departments {
		row := strings.Join([]string{itoa(d.Rank), d.Name, scoring.Format(d.TaskScore), scoring.Format(d.Bonus), scoring.Format(d.Deduction),
			scoring.Format(d.Adjustment), scoring.Format(d.Total)}, "|")
		if !strings.Contains(table, row) {
			t.Errorf("the table lacks %s's row %s:\n%s", d.Name, row, table)
		}
	}
	if !strings.Contains(doc, "高新科：3月园区动态信息应报1条、实报0条，少报1条，扣1分") {
		t.Error("a missed quota is not named")
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// Looked at as a person would: LibreOffice makes a PDF of it, on A4, every
// page numbered; pdftoppm renders the pages (KEXUAN_BULLETIN_PNG=DIR keeps them).
func TestBulletinRenders(t *testing.T) {
	t.Parallel()
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		if os.Getenv("KEXUAN_REQUIRE_OFFICE") != "" {
			t.Fatal("soffice not found")
		}
		t.Skip("LibreOffice not installed")
	}
	_, parts := bulletinFixture(t)
	dir := t.TempDir()
	docx := filepath.Join(dir, "通报.docx")
	if err := os.WriteFile(docx, []byte(parts["docx"]), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(soffice, "--headless", "-env:UserInstallation=file://"+filepath.Join(dir, "lo"), "--convert-to", "pdf", "--outdir", dir, docx)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v %s", err, out)
	}
	pdf := filepath.Join(dir, "通报.pdf")
	info, err := exec.Command("pdfinfo", pdf).Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(info), "(A4)") {
		t.Errorf("not A4:\n%s", info)
	}
	text, err := exec.Command("pdftotext", "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(string(text)), "") // the title wraps; spacing varies
	for _, want := range []string{"关于2017年3月份科技宣传工作考核情况的通报", "—1—", "2017年4月5日印发", "金科通〔2017〕3号"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the PDF lacks %q", want)
		}
	}
	out := os.Getenv("KEXUAN_BULLETIN_PNG")
	if out == "" {
		out = dir
	}
	if err := exec.Command("pdftoppm", "-r", "60", "-png", pdf, filepath.Join(out, "bulletin")).Run(); err != nil {
		t.Fatal(err)
	}
}
