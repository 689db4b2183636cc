package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kexuan/store/storetest"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// A closed month keeps its snapshot; a later import dated in it is refused
// without --reason (naming the row), and with one it goes in and is listed
// as corrections against the snapshot.
func TestPeriodCloseAndCorrect(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		mustRun(t, "init", "--db", dsn)
		mustRun(t, "import", "--db", dsn, "publications", write(t, "a.csv", "科室,渠道,日期,标题\n高新科,机关内网,2017-03-10,三月稿件\n"))
		if _, errs, code := run(t, "period", "close", "--db", dsn, "--month", "2017-03"); code != 2 || !strings.Contains(errs, "--reason") {
			t.Errorf("close without a reason: %d %s", code, errs)
		}
		if out := mustRun(t, "period", "close", "--db", dsn, "--month", "2017-03", "--reason", "三月份考核结果已通报"); !strings.Contains(out, "已结账：2017-03") {
			t.Fatalf("close: %s", out)
		}
		if _, errs, code := run(t, "period", "close", "--db", dsn, "--month", "2017-03", "--reason", "again"); code != 1 || !strings.Contains(errs, "已经结账") {
			t.Errorf("closed twice: %d %s", code, errs)
		}
		type shown struct {
			Period      string `json:"period"`
			ClosedBy    string `json:"closed_by"`
			Snapshot    jsonReport
			Corrections []struct {
				Department, Field, Reason string
				Before, After             float64
			} `json:"corrections"`
		}
		show := func() shown {
			t.Helper()
			var s shown
			if err := json.Unmarshal([]byte(mustRun(t, "period", "show", "--db", dsn, "--month", "2017-03")), &s); err != nil {
				t.Fatal(err)
			}
			return s
		}
		s := show()
		if s.Period != "2017-03" || s.Snapshot.AsOf != "2017-03-31" || len(s.Snapshot.Departments) != 6 || len(s.Corrections) != 0 {
			t.Fatalf("period show: %+v", s)
		}
		late := write(t, "late.csv", "科室,渠道,日期,标题\n高新科,机关内网,2017-05-02,五月稿件\n高新科,机关内网,2017-03-20,补登三月稿件\n")
		_, errs, code := run(t, "import", "--db", dsn, "publications", late)
		if code != 1 || !strings.Contains(errs, "late.csv:3") || !strings.Contains(errs, "--reason") || strings.Contains(errs, "late.csv:2") {
			t.Errorf("import into a closed month without a reason: %d %s", code, errs)
		}
		if out := mustRun(t, "import", "--db", dsn, "--reason", "漏登，经分管领导同意补录", "publications", late); !strings.Contains(out, "已导入 2 条") {
			t.Fatalf("import with a reason: %s", out)
		}
		s = show()
		var total bool
		for _, c := range s.Corrections {
			if c.Department == "hightech" && c.Field == "total" && c.After == c.Before+1 && strings.Contains(c.Reason, "漏登") {
				total = true
			}
			if c.Department != "hightech" {
				t.Errorf("a correction for %s: %+v", c.Department, c)
			}
		}
		if !total {
			t.Errorf("no correction of hightech's total: %+v", s.Corrections)
		}
		for _, d := range s.Snapshot.Departments {
			if d.Code == "hightech" && d.Categories["intranet"].Raw != 1 {
				t.Errorf("the snapshot changed: %+v", d)
			}
		}
		if out := mustRun(t, "period", "show", "--db", dsn, "--month", "2017-03", "--format", "table"); !strings.Contains(out, "结账后的更正") || !strings.Contains(out, "高新科") {
			t.Errorf("table:\n%s", out)
		}
	})
}

// kexuan bulletin writes the month's 通报 as a .docx.
func TestBulletinCommand(t *testing.T) {
	t.Parallel()
	dsn := storetest.SQLite(t)
	mustRun(t, "init", "--db", dsn)
	out := filepath.Join(t.TempDir(), "通报.docx")
	if got := mustRun(t, "bulletin", "--db", dsn, "--month", "2017-03", "--out", out); !strings.Contains(got, "关于2017年3月份科技宣传工作考核情况的通报") {
		t.Errorf("bulletin: %s", got)
	}
	b, err := os.ReadFile(out)
	if err != nil || !bytes.HasPrefix(b, []byte("PK")) {
		t.Fatalf("not a docx: %v", err)
	}
	if _, errs, code := run(t, "bulletin", "--db", dsn, "--month", "2017-03", "--year", "2017", "--out", out); code != 2 || !strings.Contains(errs, "用法") {
		t.Errorf("two periods: %d %s", code, errs)
	}
	// The register: the quarter takes number 7 as asked, with its date; the
	// month issued again keeps number 1 and takes the new date.
	mustRun(t, "bulletin", "--db", dsn, "--quarter", "2017Q1", "--date", "2017-04-10", "--number", "7", "--out", out)
	mustRun(t, "bulletin", "--db", dsn, "--month", "2017-03", "--date", "2017-04-06", "--out", out)
	if _, errs, code := run(t, "bulletin", "--db", dsn, "--month", "2017-04", "--number", "7", "--out", out); code == 0 || !strings.Contains(errs, "已用于") {
		t.Errorf("a taken number: %d %s", code, errs)
	}
	got := mustRun(t, "documents", "--db", dsn, "--year", "2017")
	lines := strings.Split(strings.TrimSpace(got), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "金科通〔2017〕1号\t关于2017年3月份") || !strings.Contains(lines[0], "成文日期 2017-04-06") ||
		!strings.HasPrefix(lines[1], "金科通〔2017〕7号\t关于2017年第一季度") || !strings.Contains(lines[1], "成文日期 2017-04-10") || !strings.Contains(lines[1], "命令行") {
		t.Errorf("documents:\n%s", got)
	}
}

// A CSV saved by Excel or WPS on Chinese Windows (GB18030) is read as such,
// and the command says so.
func TestImportGB18030(t *testing.T) {
	t.Parallel()
	dsn := storetest.SQLite(t)
	mustRun(t, "init", "--db", dsn)
	text := "科室,渠道,日期,标题\n高新科,机关内网,2017-05-01,国标编码的一条\n"
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	out, errs, code := run(t, "import", "--db", dsn, "publications", write(t, "gb.csv", gb))
	if code != 0 || !strings.Contains(out, "已导入 1 条") || !strings.Contains(errs, "GB18030") {
		t.Errorf("GB18030 import: %d %s %s", code, out, errs)
	}
	// Several problems in one row are counted as one row.
	_, errs, code = run(t, "import", "--db", dsn, "publications", write(t, "two.csv", "科室,渠道,日期,标题,字数\n宣传科,微博,2017-05-01,标题,-1\n"))
	if code != 1 || !strings.Contains(errs, "1 行有错误（") {
		t.Errorf("problems counted by row: %d %s", code, errs)
	}
}

// report --department takes a department's name as people write it.
func TestReportDepartmentByName(t *testing.T) {
	t.Parallel()
	dsn := storetest.SQLite(t)
	mustRun(t, "init", "--db", dsn)
	byName := mustRun(t, "report", "--db", dsn, "--year", "2017", "--format", "json", "--department", "高 新 科")
	byCode := mustRun(t, "report", "--db", dsn, "--year", "2017", "--format", "json", "--department", "hightech")
	if byName != byCode || !strings.Contains(byName, `"code": "hightech"`) {
		t.Errorf("by name:\n%.300s", byName)
	}
	if _, errs, code := run(t, "report", "--db", dsn, "--year", "2017", "--department", "宣传科"); code != 2 || !strings.Contains(errs, "高新科（hightech）") {
		t.Errorf("an unknown department: %d %s", code, errs)
	}
}

// report --detail with table or csv lists a ledger line per publication,
// with its title.
func TestReportDetailTableCSV(t *testing.T) {
	t.Parallel()
	dsn := storetest.SQLite(t)
	mustRun(t, "init", "--db", dsn)
	mustRun(t, "import", "--db", dsn, "publications", write(t, "d.csv", "科室,渠道,日期,标题,字数\n高新科,金水时讯,2017-05-02,五百字的一篇,520\n高新科,机关内网,2017-05-03,内网一条,\n"))
	for _, f := range []string{"table", "csv"} {
		out := mustRun(t, "report", "--db", dsn, "--year", "2017", "--format", f, "--department", "hightech", "--detail")
		if !strings.Contains(out, "五百字的一篇") || !strings.Contains(out, "内网一条") || !strings.Contains(out, "积分台账") {
			t.Errorf("%s --detail:\n%.600s", f, out)
		}
	}
}

// Registers as offices keep them: a title row and a 填报单位 line above the
// header, spaces inside header cells, the usual synonyms, a 合计 row at the
// bottom; the data sheet after an empty first sheet.
func TestRegisterAsKept(t *testing.T) {
	t.Parallel()
	dsn := storetest.SQLite(t)
	mustRun(t, "init", "--db", dsn)
	csvText := "2017年科技宣传信息登记表,,,\n填报单位：办公室,,,\n科 室,渠道,发布时间,稿件名称\n高新科,机关内网,2017-05-02,一条\n高新科,机关内网,2017-05-03,又一条\n合计,,,2\n"
	if out := mustRun(t, "import", "--db", dsn, "publications", write(t, "kept.csv", csvText)); !strings.Contains(out, "已导入 2 条") {
		t.Errorf("csv: %s", out)
	}
	f := excelize.NewFile()
	defer f.Close()
	if _, err := f.NewSheet("登记表"); err != nil {
		t.Fatal(err)
	}
	for i, row := range [][]any{{"2017年科技宣传信息登记表"}, {"科室名称", "渠道", "刊发日期", "题目"}, {"高新科", "机关内网", "2017-06-02", "六月一条"}} {
		if err := f.SetSheetRow("登记表", fmt.Sprintf("A%d", i+1), &row); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "kept.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	if out := mustRun(t, "import", "--db", dsn, "publications", path); !strings.Contains(out, "已导入 1 条") {
		t.Errorf("xlsx with an empty Sheet1: %s", out)
	}
	_, errs, code := run(t, "import", "--db", dsn, "publications", write(t, "bad.csv", "标题行\n名称,日期,内容\nx,2017-05-02,y\n"))
	if code != 1 || !strings.Contains(errs, "读作表头的这一行是") || !strings.Contains(errs, "可用的表头") {
		t.Errorf("no header found: %d %s", code, errs)
	}
}

// kexuan version names the version, the Go that built it and the platform.
func TestVersionCommand(t *testing.T) {
	t.Parallel()
	got := mustRun(t, "version")
	if !strings.HasPrefix(got, "kexuan dev，提交 ") || !strings.Contains(got, "go1.") || !strings.Contains(got, "linux/") {
		t.Errorf("version: %q", got)
	}
}
