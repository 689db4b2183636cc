package report_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kexuan/plan"
	"kexuan/report"
	"kexuan/scoring"
)

// The year-end table looked at as the office prints it: LibreOffice makes a
// PDF of the workbook; the table is on A4 landscape, one page across (the
// last column, 排名, on the first page), with the 制表 line and page numbers;
// the ledger sheet follows with its title. KEXUAN_XLSX_PNG=DIR keeps the pages.
func TestYearEndXLSXRenders(t *testing.T) {
	t.Parallel()
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		if os.Getenv("KEXUAN_REQUIRE_OFFICE") != "" {
			t.Fatal("soffice not found")
		}
		t.Skip("LibreOffice not installed")
	}
	p, _ := plan.Builtin()
	d := plan.MustDate
	entries := []scoring.Entry{
		{Department: "hightech", Channel: "intranet", Date: d("2017-03-02"), Count: 17, Title: "高新区企业走访"},
		{Department: "hightech", Channel: "shixun", Date: d("2017-03-05"), Words: 520, Count: 1, Title: "科技园区建设纪实"},
		{Department: "planning", Channel: "media", Date: d("2017-03-09"), Count: 1, Outlet: "河南日报", Title: "科技计划管理见成效"},
	}
	res := scoring.Score(p, d("2017-12-31"), entries, scoring.Options{})
	var buf bytes.Buffer
	if err := report.XLSX(&buf, p, res, time.Date(2018, 1, 5, 9, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	xlsx := filepath.Join(dir, "考核表.xlsx")
	if err := os.WriteFile(xlsx, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(soffice, "--headless", "-env:UserInstallation=file://"+filepath.Join(dir, "lo"), "--convert-to", "pdf", "--outdir", dir, xlsx)
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "考核表.pdf") {
		t.Fatalf("soffice (is libreoffice-calc installed?): %v %s", err, out)
	}
	pdf := filepath.Join(dir, "考核表.pdf")
	info, err := exec.Command("pdfinfo", pdf).Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(info), "(A4)") || !strings.Contains(string(info), "841.89 x 595") {
		t.Errorf("not A4 landscape:\n%s", info)
	}
	first, err := exec.Command("pdftotext", "-f", "1", "-l", "1", "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(string(first)), "")
	for _, want := range []string{"2017年各科室科技工作宣传任务分解表完成情况", "排名", "得分率", "生产力", "合计", "制表单位：郑州市金水区科学技术局",
		"制表日期：2018年1月5日", "审核：", "第1页"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the first printed page lacks %q", want)
		}
	}
	all, err := exec.Command("pdftotext", "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	if flat := strings.Join(strings.Fields(string(all)), ""); !strings.Contains(flat, "2017年度各科室宣传工作积分台账") || !strings.Contains(flat, "科技园区建设纪实") {
		t.Error("the ledger sheet's title or piece titles are not printed")
	}
	out := os.Getenv("KEXUAN_XLSX_PNG")
	if out == "" {
		out = dir
	}
	if err := exec.Command("pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "2", pdf, filepath.Join(out, "year-end")).Run(); err != nil {
		t.Fatal(err)
	}
}
