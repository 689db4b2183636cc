package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"kexuan/domain"
	"kexuan/plan"
	"kexuan/report/ooxmlcheck"
	"kexuan/store"
	"kexuan/store/storetest"
	"kexuan/testclock"
)

func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Now: testclock.Now})
	return out.String(), errb.String(), code
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, errs, code := run(t, args...)
	if code != 0 {
		t.Fatalf("kexuan %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

func write(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// workedExampleCSV is SCORING.md's worked example as an office would type
// it: Chinese headers, names and aliases, the three date formats.
func workedExampleCSV() string {
	var b strings.Builder
	b.WriteString("\ufeff科室,渠道,日期,标题,字数,媒体,备注\n")
	for i := 1; i <= 12; i++ {
		fmt.Fprintf(&b, "高新科,机关内网科技动态信息,2017-03-%02d,内网动态%d,,,\n", i, i)
		fmt.Fprintf(&b, "hightech,city_site,2017/4/%d,市局网站%d,,,\n", i, i)
	}
	b.WriteString("高新科,专期,2017年4月10日,专期一篇,,,\n")
	for _, w := range []int{99, 100, 300, 500} {
		fmt.Fprintf(&b, "高新科,金水时讯,2017-04-02,时讯%d字,%d,,\n", w, w)
	}
	b.WriteString("高新科,media,2017-03-15,媒体报道,,河南日报,\n")
	b.WriteString("高新科,园区动态信息,2017-03-31,园区动态,,,\n")
	for _, d := range []string{"2017-03-01", "2017-03-02", "2017-03-31", "2017-04-30"} {
		fmt.Fprintf(&b, "高新科,科技资源亮点,%s,资源亮点%s,,,\n", d, d)
	}
	b.WriteString("高新科,intranet,2018-01-01,明年的内网,,,\n")
	return b.String()
}

type jsonReport struct {
	Year        int    `json:"year"`
	AsOf        string `json:"as_of"`
	Departments []struct {
		Code       string `json:"code"`
		Name       string `json:"name"`
		Base       float64
		Categories map[string]struct{ Target, Raw, Score float64 }
		TaskScore  float64 `json:"task_score"`
		Bonus      float64
		Deduction  float64
		Total      float64
		Completion float64
		Rank       int
	} `json:"departments"`
}

func TestContract(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		out := mustRun(t, "init", "--db", dsn)
		if !strings.Contains(out, "金科〔2017〕3号") {
			t.Errorf("init: %s", out)
		}
		if out := mustRun(t, "init", "--db", dsn); strings.Contains(out, "已载入内置方案") {
			t.Errorf("second init loaded the plan again: %s", out)
		}
		reg := write(t, "register.csv", workedExampleCSV())
		out, errs, code := run(t, "import", "--db", dsn, "publications", reg)
		if code != 0 || !strings.Contains(out, "已导入 36 条") || !strings.Contains(errs, "备注") {
			t.Fatalf("import: %d %s %s", code, out, errs)
		}
		if out := mustRun(t, "import", "--db", dsn, "publications", reg); !strings.Contains(out, "已导入 0 条；36 条已存在") {
			t.Fatalf("second import: %s", out)
		}
		for asOf, total := range map[string]float64{"2017-03-30": 17, "2017-03-31": 17, "2017-04-30": 28, "2017-12-31": 4} {
			var r jsonReport
			if err := json.Unmarshal([]byte(mustRun(t, "report", "--db", dsn, "--year", "2017", "--as-of", asOf, "--format", "json")), &r); err != nil {
				t.Fatal(err)
			}
			if r.Year != 2017 || r.AsOf != asOf || len(r.Departments) != 6 {
				t.Fatalf("%+v", r)
			}
			h := r.Departments[1]
			if h.Code != "hightech" || h.Name != "高新科" || h.Total != total {
				t.Errorf("as of %s: %+v", asOf, h)
			}
			if asOf == "2017-12-31" {
				if h.Base != 20 || h.Categories["intranet"] != (struct{ Target, Raw, Score float64 }{15, 17, 15}) ||
					h.Categories["shixun"] != (struct{ Target, Raw, Score float64 }{5, 9.5, 5}) ||
					h.TaskScore != 20 || h.Bonus != 10 || h.Deduction != 26 || h.Completion != 1.325 || h.Rank != 1 {
					t.Errorf("contract fields: %+v", h)
				}
			}
		}
		// The JSON prints numbers without noise.
		js := mustRun(t, "report", "--db", dsn, "--year", "2017", "--as-of", "2017-12-31", "--format", "json")
		for _, want := range []string{`"raw": 9.5`, `"completion": 1.325`, `"deduction": 26`, `"as_of": "2017-12-31"`} {
			if !strings.Contains(js, want) {
				t.Errorf("json lacks %s", want)
			}
		}
		// as_of defaults to the plan year's last day once the year is over.
		if js2 := mustRun(t, "report", "--db", dsn, "--year", "2017", "--format", "json"); js2 != js {
			t.Errorf("default as_of differs from 2017-12-31")
		}
		table := mustRun(t, "report", "--db", dsn, "--year", "2017", "--as-of", "2017-12-31", "--format", "table")
		if !strings.Contains(table, "高新科") || !strings.Contains(table, "132.5%") || !strings.Contains(table, "合计") || !strings.Contains(table, "少报") {
			t.Errorf("table:\n%s", table)
		}
		csvOut := mustRun(t, "report", "--db", dsn, "--year", "2017", "--as-of", "2017-12-31", "--format", "csv")
		// SCORING.md's worked example: April short 1 + 1, May–December 1 + 2 a month.
		if !strings.Contains(csvOut, "2017,2017-12-31,hightech,高新科,20,15,17,15,5,9.5,5,5,5,9,17,20,10,26,0,4,100.0%,132.5%,1") {
			t.Errorf("csv:\n%s", csvOut)
		}
		x := filepath.Join(t.TempDir(), "考核表.xlsx")
		mustRun(t, "report", "--db", dsn, "--year", "2017", "--as-of", "2017-12-31", "--format", "xlsx", "--out", x)
		checkXLSX(t, x)
		// The detailed ledger names every publication.
		det := mustRun(t, "report", "--db", dsn, "--year", "2017", "--as-of", "2017-12-31", "--format", "json", "--department", "hightech", "--detail")
		if !strings.Contains(det, `"title": "时讯500字"`) || !strings.Contains(det, `"total": 4`) {
			t.Errorf("detail ledger:\n%.2000s", det)
		}
	})
}

func checkXLSX(t *testing.T, path string) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 2 || got[0] != "考核表" || got[1] != "积分台账" {
		t.Fatalf("sheets %v", got)
	}
	title, _ := f.GetCellValue("考核表", "A1")
	if !strings.Contains(title, "2017年各科室科技工作宣传任务分解表") {
		t.Errorf("title %q", title)
	}
	merged, _ := f.GetMergeCells("考核表")
	if len(merged) < 10 {
		t.Errorf("only %d merged ranges", len(merged))
	}
	rows, _ := f.GetRows("考核表")
	var hightech []string
	for _, r := range rows {
		if len(r) > 0 && r[0] == "高新科" {
			hightech = r
		}
	}
	if len(hightech) < 10 || !strings.Contains(strings.Join(hightech, "|"), "企业培育") {
		t.Fatalf("高新科 row: %v", hightech)
	}
	// Totals: base 20, total 4, 得分率 100%, rank 1 at the end.
	n := len(hightech)
	if hightech[2] != "20" || hightech[n-4] != "4" || hightech[n-3] != "100.0%" || hightech[n-1] != "1" {
		t.Errorf("高新科 row: %v", hightech)
	}
	// Header cells break where the plan's table does, not inside a word.
	if head, _ := f.GetCellValue("考核表", "D3"); head != "机关内网科技\n动态信息（专期）" {
		t.Errorf("the first category's header %q", head)
	}
	// Who made it and when; real document properties.
	last := strings.Join(rows[len(rows)-1], "")
	if !strings.Contains(last, "制表单位：郑州市金水区科学技术局") || !strings.Contains(last, "制表日期：") || !strings.Contains(last, "审核：") {
		t.Errorf("no 制表 line: %q", last)
	}
	props, err := f.GetDocProps()
	if err != nil || props.Creator != "郑州市金水区科学技术局" || props.Created == "" || props.Language != "zh-CN" || !strings.Contains(props.Title, "完成情况") {
		t.Errorf("document properties %+v %v", props, err)
	}
	// The ledger sheet: a title, the piece titles, the header repeated on
	// every page, page numbers.
	lt, _ := f.GetCellValue("积分台账", "A1")
	lh, _ := f.GetRows("积分台账")
	if !strings.Contains(lt, "积分台账") || len(lh) < 3 || !slices.Contains(lh[1], "稿件标题") {
		t.Errorf("ledger sheet title %q, header %v", lt, lh[1])
	}
	if hf, err := f.GetHeaderFooter("积分台账"); err != nil || !strings.Contains(hf.OddFooter, "&P") {
		t.Errorf("ledger sheet footer %+v %v", hf, err)
	}
	if dn := f.GetDefinedName(); !slices.ContainsFunc(dn, func(d excelize.DefinedName) bool {
		return d.Name == "_xlnm.Print_Titles" && d.Scope == "积分台账"
	}) {
		t.Errorf("the ledger sheet's header does not repeat: %+v", dn)
	}
	// The notes, then the rules stated from the data, then the explanation.
	var tail []string
	for _, r := range rows[len(rows)-16:] {
		tail = append(tail, strings.Join(r, ""))
	}
	text := strings.Join(tail, "\n")
	for _, want := range []string{"各科室每月按要求报送", "计分规则：", "金水时讯 按字数：", "每个科室全年最多加 5 分", "每少一条扣 1 分", "完成率 ="} {
		if !strings.Contains(text, want) {
			t.Errorf("the sheet's notes lack %q:\n%s", want, text)
		}
	}
	lay, err := f.GetPageLayout("考核表")
	if err != nil || lay.Size == nil || *lay.Size != 9 || lay.Orientation == nil || *lay.Orientation != "landscape" {
		t.Errorf("page layout %+v %v", lay, err)
	}
}

func count(t *testing.T, dsn string) int64 {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n, err := db.CountPublications(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportBadInput(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		mustRun(t, "init", "--db", dsn)
		mustRun(t, "import", "--db", dsn, "publications", write(t, "ok.csv", workedExampleCSV()))
		before := count(t, dsn)
		good := "高新科,机关内网,2017-05-01,正常的一条,,\n"
		head := "科室,渠道,日期,标题,字数,媒体\n"
		gbk := []byte("\xbf\xc6\xca\xd2,\xc7\xfe\xb5\xc0,\xc8\xd5\xc6\xda,\xb1\xea\xcc\xe2\n") // 科室,渠道,日期,标题 in GBK
		big := filepath.Join(t.TempDir(), "huge.csv")
		if f, err := os.Create(big); err == nil {
			f.Truncate(2 << 30) // a sparse 2 GiB file
			f.Close()
		}
		cases := []struct {
			name, file string
			want       []string
		}{
			{"gbk header only", writeBytes(t, "gbk.csv", gbk), []string{"gbk.csv", "只有表头"}},
			{"missing header", write(t, "nohead.csv", "高新科,机关内网,2017-05-01,标题\n"), []string{"nohead.csv:1", "表头缺少列"}},
			{"unknown department", write(t, "dept.csv", head+good+"宣传科,机关内网,2017-05-01,标题,,\n"), []string{"dept.csv:3", "[科室]", "未知科室 \"宣传科\""}},
			{"unknown channel", write(t, "ch.csv", head+good+"高新科,微博,2017-05-01,标题,,\n"), []string{"ch.csv:3", "[渠道]", "未知渠道"}},
			{"impossible date", write(t, "date.csv", head+good+"高新科,机关内网,2017-02-30,标题,,\n"), []string{"date.csv:3", "[日期]", "不存在"}},
			{"negative words", write(t, "neg.csv", head+good+"高新科,金水时讯,2017-05-01,标题,-5,\n"), []string{"neg.csv:3", "[字数]", "负数"}},
			{"non-numeric words", write(t, "nan.csv", head+good+"高新科,金水时讯,2017-05-01,标题,五百,\n"), []string{"nan.csv:3", "不是整数"}},
			{"empty title", write(t, "title.csv", head+good+"高新科,金水时讯,2017-05-01,  ,300,\n"), []string{"title.csv:3", "标题为空"}},
			{"media without outlet", write(t, "media.csv", head+good+"高新科,两报,2017-05-01,报道,,\n"), []string{"media.csv:3", "刊发媒体"}},
			{"every bad row listed", write(t, "many.csv", head+good+"x,机关内网,2017-05-01,a,,\n"+good+"高新科,y,2017-05-01,b,,\n"+"高新科,机关内网,2017-13-01,c,,\n"),
				[]string{"3 行有错误", "many.csv:3", "many.csv:5", "many.csv:6"}},
			{"binary", writeBytes(t, "bin.csv", []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00")), []string{"bin.csv"}},
			{"zip named csv", writeBytes(t, "zip.csv", []byte("PK\x03\x04rest")), []string{"zip.csv", ".xlsx"}},
			{"2 GB file", big, []string{"huge.csv", "文件过大"}},
			{"empty file", write(t, "empty.csv", ""), []string{"empty.csv", "空"}},
			{"header only", write(t, "head.csv", head), []string{"head.csv", "没有数据行"}},
			{"xls", write(t, "old.xls", "x"), []string{"old.xls", ".xlsx"}},
			{"not an xlsx", write(t, "fake.xlsx", "just text"), []string{"fake.xlsx", "不是有效的 .xlsx"}},
			{"bad quoting", write(t, "quote.csv", head+"高新科,机关内网,2017-05-01,\"未闭合,,\n"), []string{"quote.csv"}},
		}
		for _, c := range cases {
			out, errs, code := run(t, "import", "--db", dsn, "publications", c.file)
			if code != 1 {
				t.Errorf("%s: exit %d: %s %s", c.name, code, out, errs)
				continue
			}
			for _, w := range c.want {
				if !strings.Contains(errs, w) {
					t.Errorf("%s: message lacks %q:\n%s", c.name, w, errs)
				}
			}
			if n := count(t, dsn); n != before {
				t.Fatalf("%s: the database changed: %d → %d rows", c.name, before, n)
			}
		}
	})
}

func writeBytes(t *testing.T, name string, b []byte) string {
	t.Helper()
	return write(t, name, string(b))
}

func TestImportXLSX(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		mustRun(t, "init", "--db", dsn)
		f := excelize.NewFile()
		rows := [][]any{
			{"Title", "Department", "Channel", "Date", "Words", "Outlet"},
			{"用日期格式的单元格", "hightech", "shixun", time.Date(2017, 4, 2, 0, 0, 0, 0, time.UTC), 500, ""},
			{"用文字写的日期", "知识产权管理科", "机关内网", "2017年5月6日", "", ""},
			{"两报", "生产力促进中心", "两报及主流媒体", "2017/6/1", 1200, "郑州日报"},
		}
		for i, r := range rows {
			ref, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow("Sheet1", ref, &r); err != nil {
				t.Fatal(err)
			}
		}
		style, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
		f.SetCellStyle("Sheet1", "D2", "D2", style)
		path := filepath.Join(t.TempDir(), "register.xlsx")
		if err := f.SaveAs(path); err != nil {
			t.Fatal(err)
		}
		if out := mustRun(t, "import", "--db", dsn, "publications", path); !strings.Contains(out, "已导入 3 条") {
			t.Fatalf("%s", out)
		}
		var r jsonReport
		if err := json.Unmarshal([]byte(mustRun(t, "report", "--db", dsn, "--year", "2017", "--as-of", "2017-06-30", "--format", "json")), &r); err != nil {
			t.Fatal(err)
		}
		for _, d := range r.Departments {
			switch d.Code {
			case "hightech":
				if d.Categories["shixun"].Raw != 5 {
					t.Errorf("hightech shixun %v (the date cell was not read as 2017-04-02?)", d.Categories["shixun"])
				}
			case "ip":
				if d.Categories["intranet"].Raw != 1 {
					t.Errorf("ip intranet %v", d.Categories["intranet"])
				}
			case "productivity":
				if d.Bonus != 5 {
					t.Errorf("productivity bonus %v", d.Bonus)
				}
			}
		}
		// A bad row in a sheet is named by its row number.
		f.SetSheetRow("Sheet1", "A5", &[]any{"坏的一行", "hightech", "shixun", "2017-02-30", 10, ""})
		f.SaveAs(path)
		_, errs, code := run(t, "import", "--db", dsn, "publications", path)
		if code != 1 || !strings.Contains(errs, "register.xlsx:5") || !strings.Contains(errs, "不存在") {
			t.Errorf("bad xlsx row: %d %s", code, errs)
		}
	})
}

func TestNewerDatabaseRefused(t *testing.T) {
	t.Parallel()
	dsn := storetest.SQLite(t)
	mustRun(t, "init", "--db", dsn)
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	db.SQL().Exec(`INSERT INTO kexuan_schema (version, name, applied_at) VALUES (42, 'from the future', 'x')`)
	db.SQL().Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	db.Close()
	sum := func() [32]byte { b, _ := os.ReadFile(dsn); return sha256.Sum256(b) }
	before := sum()
	for _, args := range [][]string{
		{"init", "--db", dsn},
		{"report", "--db", dsn, "--year", "2017", "--format", "json"},
		{"import", "--db", dsn, "publications", write(t, "r.csv", workedExampleCSV())},
	} {
		_, errs, code := run(t, args...)
		if code != 1 || !strings.Contains(errs, "更新版本") || !strings.Contains(errs, "42") {
			t.Errorf("%s: %d %s", args[0], code, errs)
		}
	}
	if sum() != before {
		t.Error("the newer database was changed")
	}
}

func TestPlanCommands(t *testing.T) {
	t.Parallel()
	out := mustRun(t, "plan", "show")
	for _, w := range []string{"郑州市金水区科学技术局文件", "金科〔2017〕3号", "2017年2月23日印发", "任务类别", "责任科室", "机关内网科技", "动态信息（专期）",
		"办公室      科技工作", "财务室", "生产力促进中心", "合计", "100分", "7条/月", "10条/月", "500字以上计5分", "科技政策进百企", "（九）"} {
		if !strings.Contains(out, w) {
			t.Errorf("plan show lacks %q", w)
		}
	}
	_, src := plan.Builtin()
	bad := write(t, "bad.toml", strings.Replace(string(src), "base = 25", "base = 26", 1))
	_, errs, code := run(t, "plan", "check", bad)
	if code != 1 || !strings.Contains(errs, "bad.toml:") || !strings.Contains(errs, "departments[5]") {
		t.Errorf("plan check: %d %s", code, errs)
	}
	// Another year's plan, loaded and then used by report.
	s := strings.Replace(strings.Replace(string(src), "year = 2017", "year = 2018", 1), "issued = 2017-02-23", "issued = 2018-01-20", 1)
	s = strings.ReplaceAll(strings.Replace(s, `quota_from = "2017-03"`, `quota_from = "2018-02"`, 1), "金科〔2017〕3号", "金科〔2018〕1号")
	s = strings.Replace(s, "points = 5\noutlet_required", "points = 3\noutlet_required", 1) // media earns 3 in 2018,
	s = strings.Replace(s, "每篇稿件加5分", "每篇稿件加3分", 1)                                         // and its note says so
	p18 := write(t, "2018.toml", s)
	if out := mustRun(t, "plan", "check", p18); !strings.Contains(out, "方案有效") {
		t.Error(out)
	}
	dsn := storetest.SQLite(t)
	mustRun(t, "init", "--db", dsn)
	mustRun(t, "plan", "load", "--db", dsn, p18)
	mustRun(t, "import", "--db", dsn, "publications", write(t, "m.csv", "科室,渠道,日期,标题,媒体\n高新科,两报,2018-02-01,报道,河南日报\n高新科,两报,2017-02-01,报道,河南日报\n"))
	hightech := func(year, asOf string) (bonus, deduction float64) {
		t.Helper()
		var r jsonReport
		if err := json.Unmarshal([]byte(mustRun(t, "report", "--db", dsn, "--year", year, "--as-of", asOf, "--format", "json")), &r); err != nil {
			t.Fatal(err)
		}
		for _, d := range r.Departments {
			if d.Code == "hightech" {
				return d.Bonus, d.Deduction
			}
		}
		t.Fatalf("%s: no hightech in the report", year)
		return 0, 0
	}
	if b, d := hightech("2018", "2018-02-28"); b != 3 || d != 3 {
		t.Errorf("2018 under its own plan: bonus %v, deduction %v", b, d)
	}
	if b, _ := hightech("2017", "2017-02-28"); b != 5 {
		t.Errorf("2017 under its plan: bonus %v", b)
	}
	// Loading over a year that has a plan: refused without --replace, with
	// what would change; with it, replaced, the changes printed and audited.
	s19 := strings.Replace(strings.Replace(s, "points = 3\noutlet_required", "points = 4\noutlet_required", 1), "每篇稿件加3分", "每篇稿件加4分", 1)
	p18b := write(t, "2018b.toml", s19)
	out, errs, code = run(t, "plan", "load", "--db", dsn, p18b)
	if code != 1 || !strings.Contains(errs, "--replace") || !strings.Contains(out, "每篇 3 分") || !strings.Contains(out, "每篇 4 分") {
		t.Errorf("plan load over 2018: exit %d\n%s%s", code, out, errs)
	}
	if b, _ := hightech("2018", "2018-02-28"); b != 3 {
		t.Errorf("a refused load changed the rules: bonus %v", b)
	}
	if out := mustRun(t, "plan", "load", "--db", dsn, "--replace", p18b); !strings.Contains(out, "已替换") {
		t.Errorf("plan load --replace: %s", out)
	}
	if b, _ := hightech("2018", "2018-02-28"); b != 4 {
		t.Errorf("after --replace: bonus %v", b)
	}
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Q().AuditEntries(context.Background(), domain.AuditFilter{Action: "plan_replace"})
	if err != nil || len(rows) != 1 || !strings.Contains(rows[0].Reason, "每篇 4 分") || rows[0].Address != "cli" {
		t.Errorf("plan_replace audit: %+v %v", rows, err)
	}
	// Over a closed month a replace needs a reason; it lists and records
	// what it changes in that month's figures, in its transaction.
	mustRun(t, "period", "close", "--db", dsn, "--month", "2018-02", "--reason", "二月结账")
	p18c := write(t, "2018c.toml", strings.Replace(strings.Replace(s, "points = 3\noutlet_required", "points = 5\noutlet_required", 1), "每篇稿件加3分", "每篇稿件加5分", 1))
	out, errs, code = run(t, "plan", "load", "--db", dsn, "--replace", p18c)
	if code != 1 || !strings.Contains(errs, "--reason") || !strings.Contains(errs, "2018-02") {
		t.Errorf("replace over a closed month without a reason: exit %d\n%s%s", code, out, errs)
	}
	if b, _ := hightech("2018", "2018-02-28"); b != 4 {
		t.Errorf("a refused replace changed the rules: bonus %v", b)
	}
	out = mustRun(t, "plan", "load", "--db", dsn, "--replace", "--reason", "市局更正媒体加分", p18c)
	if !strings.Contains(out, "得分更正") || !strings.Contains(out, "2018-02 高新科 加分 4 → 5") || !strings.Contains(out, "2018-02 高新科 总分") {
		t.Errorf("replace over a closed month: the corrections are not listed:\n%s", out)
	}
	if b, _ := hightech("2018", "2018-02-28"); b != 5 {
		t.Errorf("after the replace with a reason: bonus %v", b)
	}
	if out := mustRun(t, "period", "show", "--db", dsn, "--month", "2018-02", "--format", "json"); !strings.Contains(out, "市局更正媒体加分") {
		t.Errorf("the month's corrections do not carry the replace's reason:\n%s", out)
	}
	rows, err = db.Q().AuditEntries(context.Background(), domain.AuditFilter{Action: "plan_replace"})
	if err != nil || len(rows) != 2 || !strings.Contains(rows[0].Reason+rows[1].Reason, "原因：市局更正媒体加分") {
		t.Errorf("plan_replace audit: %+v %v", rows, err)
	}
	// plan show states the numbers the engine uses, from the data.
	if out := mustRun(t, "plan", "show", p18b); !strings.Contains(out, "两报及主流媒体 每篇 4 分") || !strings.Contains(out, "每少一条扣 1 分") {
		t.Errorf("plan show's rules: %s", out)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	dsn := storetest.SQLite(t)
	for _, args := range [][]string{
		{},
		{"frobnicate"},
		{"import", "--db", dsn, "people", "x.csv"},
		{"report", "--db", dsn, "--format", "pdf"},
	} {
		if _, _, code := run(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	_, errs, code := run(t, "report", "--db", dsn, "--format", "json")
	if code != 1 || !strings.Contains(errs, "kexuan init") {
		t.Errorf("report before init: %d %s", code, errs)
	}
}

func TestUserAddAndAuditVerify(t *testing.T) {
	t.Parallel()
	dsn := storetest.SQLite(t)
	mustRun(t, "init", "--db", dsn)
	var out, errb bytes.Buffer
	code := Run(context.Background(), []string{"user", "add", "--db", dsn, "--username", "zhang", "--role", "leader", "--leads", "hightech,ip", "--password-stdin"},
		Env{Stdin: strings.NewReader("Kx!2017-leader\n"), Stdout: &out, Stderr: &errb, Now: testclock.Now})
	if code != 0 || !strings.Contains(out.String(), "zhang") {
		t.Fatalf("user add: %d %s %s", code, out.String(), errb.String())
	}
	code = Run(context.Background(), []string{"user", "add", "--db", dsn, "--username", "li", "--role", "reporter", "--department", "hightech", "--password-stdin"},
		Env{Stdin: strings.NewReader("password\n"), Stdout: &out, Stderr: &errb, Now: testclock.Now})
	if code != 1 || !strings.Contains(errb.String(), "密码") {
		t.Errorf("weak password accepted: %d %s", code, errb.String())
	}
	if out := mustRun(t, "audit", "verify", "--db", dsn); !strings.Contains(out, "完整") {
		t.Errorf("audit verify: %s", out)
	}
	db, _ := store.Open(context.Background(), dsn)
	// Tampering needs the trigger gone, as an attacker with file access would do.
	db.SQL().Exec(`DROP TRIGGER audit_log_no_update`)
	db.SQL().Exec(`UPDATE audit_log SET reason = 'forged'`)
	db.Close()
	if _, errs, code := run(t, "audit", "verify", "--db", dsn); code != 1 || !strings.Contains(errs, "不完整") {
		t.Errorf("tampered log: %d %s", code, errs)
	}
}

// An online backup is a sound database that reports the same assessment,
// and restoring it (using it as the database) works.
func TestBackupSQLiteCopy(t *testing.T) {
	t.Parallel()
	dsn := storetest.SQLite(t)
	mustRun(t, "init", "--db", dsn)
	mustRun(t, "import", "--db", dsn, "publications", write(t, "r.csv", workedExampleCSV()))
	out := filepath.Join(t.TempDir(), "backup.db")
	if o := mustRun(t, "backup", "--db", dsn, "--out", out); !strings.Contains(o, "检查通过") {
		t.Errorf("backup: %s", o)
	}
	if _, errs, code := run(t, "backup", "--db", dsn, "--out", out); code != 1 || !strings.Contains(errs, "已存在") {
		t.Errorf("backup over an existing file: %d %s", code, errs)
	}
	report := func(db string) string {
		return mustRun(t, "report", "--db", db, "--year", "2017", "--as-of", "2017-12-31", "--format", "json")
	}
	if report(out) != report(dsn) {
		t.Error("the backup reports differently")
	}
	if o := mustRun(t, "audit", "verify", "--db", dsn); !strings.Contains(o, "完整") {
		t.Errorf("audit after backup: %s", o)
	}
}

// kexuan check: sound after an import; a tampered aggregate or audit log is
// found (on PostgreSQL too); --repair rebuilds the aggregate.
func TestCheckCommand(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		mustRun(t, "init", "--db", dsn)
		mustRun(t, "import", "--db", dsn, "publications", write(t, "p.csv", "科室,渠道,日期,标题,字数\n高新科,金水时讯,2017-03-01,报道一,520\n高新科,金水时讯,2017-03-02,报道二,120\n办公室,机关内网,2017-04-01,信息,300\n"))
		if out := mustRun(t, "check", "--db", dsn); !strings.Contains(out, "检查通过") {
			t.Errorf("check: %s", out)
		}
		db, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.SQL().Exec(`UPDATE score_cells SET n = n + 1 WHERE floor = 500`); err != nil {
			t.Fatal(err)
		}
		out, _, code := run(t, "check", "--db", dsn)
		if code != 1 || !strings.Contains(out, "得分汇总与重算不符") || !strings.Contains(out, "汇总 2 条，按发布记录重算 1 条") {
			t.Errorf("a tampered aggregate: exit %d\n%s", code, out)
		}
		if out := mustRun(t, "check", "--db", dsn, "--repair"); !strings.Contains(out, "再次检查通过") {
			t.Errorf("check --repair: %s", out)
		}
		// An audit row rewritten behind the log's back.
		if db.Dialect() == "postgres" {
			if _, err := db.SQL().Exec(`ALTER TABLE audit_log DISABLE TRIGGER USER`); err != nil {
				t.Fatal(err)
			}
		} else {
			rows, err := db.SQL().Query(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'`)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for rows.Next() {
				var n string
				rows.Scan(&n)
				names = append(names, n)
			}
			rows.Close()
			for _, n := range names {
				if _, err := db.SQL().Exec(`DROP TRIGGER ` + n); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := db.SQL().Exec(`UPDATE audit_log SET reason = 'rewritten' WHERE id = (SELECT min(id) FROM audit_log)`); err != nil {
			t.Fatal(err)
		}
		if out, _, code := run(t, "check", "--db", dsn); code != 1 || !strings.Contains(out, "哈希链") {
			t.Errorf("a rewritten audit row: exit %d\n%s", code, out)
		}
	})
}

// A report the command line writes to a file is audited after it was
// written; one that could not be written leaves no row.
func TestReportExportAudited(t *testing.T) {
	t.Parallel()
	dsn := storetest.SQLite(t)
	mustRun(t, "init", "--db", dsn)
	out := filepath.Join(t.TempDir(), "考核表.xlsx")
	mustRun(t, "report", "--db", dsn, "--year", "2017", "--format", "xlsx", "--out", out)
	if _, _, code := run(t, "report", "--db", dsn, "--year", "2017", "--format", "csv", "--out", filepath.Join(t.TempDir(), "no", "such", "dir", "x.csv")); code == 0 {
		t.Fatal("a report to a folder that does not exist succeeded")
	}
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Q().AuditEntries(context.Background(), domain.AuditFilter{Action: "export"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Object != "report "+out || !strings.Contains(rows[0].Reason, "xlsx 格式，截至 2017-12-31") || rows[0].Address != "cli" {
		t.Errorf("export audit rows: %+v", rows)
	}
}

// Re-imports that differ: a row already imported whose 字数 now differs is
// refused with its line (nothing of the file is applied); with --update and a
// reason it is corrected, said so, audited, and the score follows.
func TestImportUpdate(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		mustRun(t, "init", "--db", dsn)
		head := "科室,渠道,日期,标题,字数,媒体\n"
		first := head + "高新科,金水时讯,2017-05-01,园区走访,600,\n高新科,机关内网,2017-05-02,专利培训,,\n"
		mustRun(t, "import", "--db", dsn, "publications", write(t, "first.csv", first))
		score := func() string {
			return mustRun(t, "report", "--db", dsn, "--year", "2017", "--as-of", "2017-12-31", "--format", "csv", "--department", "高新科")
		}
		before := score()
		second := head + "高新科,金水时讯,2017-05-01,园区走访,1600,\n高新科,机关内网,2017-05-03,新的一条,,\n"
		path := write(t, "second.csv", second)
		out, errs, code := run(t, "import", "--db", dsn, "publications", path)
		if code == 0 || !strings.Contains(errs, "second.csv:2") || !strings.Contains(errs, "原 600，现 1600") || !strings.Contains(errs, "--update") {
			t.Fatalf("a changed 字数 was not refused: %d\n%s%s", code, out, errs)
		}
		if got := count(t, dsn); got != 2 {
			t.Fatalf("a refused file left %d rows", got)
		}
		if _, errs, code = run(t, "import", "--db", dsn, "--update", "publications", path); code == 0 || !strings.Contains(errs, "--reason") {
			t.Fatalf("--update without a reason: %d %s", code, errs)
		}
		out = mustRun(t, "import", "--db", dsn, "--update", "--reason", "核对报纸原文", "publications", path)
		if !strings.Contains(out, "第 2 行《园区走访》字数 600 → 1600") || !strings.Contains(out, "已导入 1 条") {
			t.Fatalf("update output:\n%s", out)
		}
		if after := score(); after == before {
			t.Errorf("the score did not follow the corrected 字数:\n%s", after)
		}
		log := mustRun(t, "audit", "verify", "--db", dsn)
		if !strings.Contains(log, "审计日志完整") {
			t.Errorf("audit verify: %s", log)
		}
		if res := mustRun(t, "check", "--db", dsn); !strings.Contains(res, "得分汇总与按发布记录重算一致") {
			t.Errorf("check after the update: %s", res)
		}
		// Two rows of one file that disagree are refused even with --update.
		both := head + "高新科,机关内网,2017-06-01,两次,300,\n高新科,机关内网,2017-06-01,两次,500,\n"
		if _, errs, code = run(t, "import", "--db", dsn, "--update", "--reason", "x", "publications", write(t, "both.csv", both)); code == 0 || !strings.Contains(errs, "与第 2 行是同一条记录") {
			t.Fatalf("two rows that disagree: %d %s", code, errs)
		}
	})
}

// A register that names the newspaper where the channel belongs (渠道
// “河南日报”) records the media channel in that outlet; an unknown channel
// is refused with the names that are valid.
func TestImportOutletAsChannel(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		mustRun(t, "init", "--db", dsn)
		csv := "科室,渠道,日期,标题,字数,媒体\n高新科,河南日报,2017-05-01,高新区报道,800,\n计划科,人民网,2017-05-02,网上报道,300,\n"
		mustRun(t, "import", "--db", dsn, "publications", write(t, "outlets.csv", csv))
		out := mustRun(t, "report", "--db", dsn, "--year", "2017", "--as-of", "2017-12-31", "--format", "json", "--department", "高新科", "--detail")
		if !strings.Contains(out, `"outlet":"河南日报"`) && !strings.Contains(out, `"outlet": "河南日报"`) {
			t.Errorf("河南日报 as the channel: %s", out)
		}
		if !strings.Contains(out, `"channel":"media"`) && !strings.Contains(out, `"channel": "media"`) {
			t.Errorf("not the media channel: %s", out)
		}
		_, errs, code := run(t, "import", "--db", dsn, "publications", write(t, "bad.csv", "科室,渠道,日期,标题,字数,媒体\n高新科,微博,2017-05-01,标题,,\n宣传科,机关内网,2017-05-01,标题,,\n"))
		if code == 0 || !strings.Contains(errs, "应为：机关内网科技动态信息") || !strings.Contains(errs, "应为：办公室") {
			t.Errorf("unknown names do not list the valid ones: %s", errs)
		}
	})
}

// An enterprise list imports like a register: title rows and header
// synonyms read, every bad row listed (code length, character, check
// character, a code twice), all or nothing, and twice without change.
func TestImportEnterprises(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		mustRun(t, "init", "--db", dsn)
		good := "2017年科技政策进百企企业名单\n序号,企业名称,统一社会信用代码,所在园区,企业地址,联系人,所属行业\n" +
			"1,郑州云智科技有限公司,91410105ma44pq3r1k,金水科教园区,文化路1号,王经理,软件\n" +
			"2,河南中原新材料有限公司,91410100MA3X4XKN97,,,,新材料\n"
		out := mustRun(t, "import", "--db", dsn, "enterprises", write(t, "企业.csv", good))
		if !strings.Contains(out, "新增 2 家") {
			t.Fatalf("import: %s", out)
		}
		if out = mustRun(t, "import", "--db", dsn, "enterprises", write(t, "企业.csv", good)); !strings.Contains(out, "新增 0 家；2 家已登记") {
			t.Fatalf("again: %s", out)
		}
		bad := "企业名称,统一社会信用代码\n甲公司,9141010500000000\n乙公司,91410105MA44PQ3R1K\n丙公司,91410105MA44PQ3R1K\n丁公司,91410100MA3X4XKN98\n,91410105MA44PQ3R2Z\n"
		_, errs, code := run(t, "import", "--db", dsn, "enterprises", write(t, "坏.csv", bad))
		for _, want := range []string{"坏.csv:2 [统一社会信用代码]", "应为 18 位", "坏.csv:4", "与第 3 行重复", "坏.csv:5", "校验位", "坏.csv:6 [企业名称]"} {
			if code == 0 || !strings.Contains(errs, want) {
				t.Errorf("bad list: %q missing\n%s", want, errs)
			}
		}
		// A known code under another name refuses the file, naming both.
		other := "企业名称,统一社会信用代码\n新公司,91350100M000100Y43\n改名公司,91410105MA44PQ3R1K\n"
		_, errs, code = run(t, "import", "--db", dsn, "enterprises", write(t, "改名.csv", other))
		if code == 0 || !strings.Contains(errs, "改名.csv:3") || !strings.Contains(errs, "郑州云智科技有限公司") {
			t.Errorf("a known code under another name: %s", errs)
		}
		db, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if n, _ := db.Q().CountEnterprises(context.Background()); n != 2 {
			t.Errorf("%d enterprises after refused files", n)
		}
	})
}

// `report --department X --detail` gives X its place in the whole bureau —
// the rank the report without --department gives — not 1 for everyone.
func TestReportDetailRank(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		mustRun(t, "init", "--db", dsn)
		mustRun(t, "import", "--db", dsn, "publications", filepath.Join("..", "examples", "register-2017.csv"))
		var whole jsonReport
		if err := json.Unmarshal([]byte(mustRun(t, "report", "--db", dsn, "--year", "2017", "--as-of", "2017-12-31", "--format", "json")), &whole); err != nil {
			t.Fatal(err)
		}
		ranks := map[int]bool{}
		for _, d := range whole.Departments {
			ranks[d.Rank] = true
			var one jsonReport
			if err := json.Unmarshal([]byte(mustRun(t, "report", "--db", dsn, "--year", "2017", "--as-of", "2017-12-31", "--format", "json", "--department", d.Code, "--detail")), &one); err != nil {
				t.Fatal(err)
			}
			if len(one.Departments) != 1 || one.Departments[0].Rank != d.Rank || one.Departments[0].Total != d.Total {
				t.Errorf("%s: --detail gives %+v, the bureau's report rank %d total %v", d.Code, one.Departments, d.Rank, d.Total)
			}
		}
		if len(ranks) < 2 {
			t.Fatalf("the example register ranks every department alike: %v", ranks)
		}
	})
}

// The year-end workbook opens clean in Excel: numbers are number cells,
// every part in schema order, and its 积分台账 sheet names and dates each
// piece (one line a publication, not months lumped).
func TestYearEndWorkbookClean(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		mustRun(t, "init", "--db", dsn)
		mustRun(t, "import", "--db", dsn, "publications", filepath.Join("..", "examples", "register-2017.csv"))
		dir := t.TempDir()
		for name, args := range map[string][]string{
			"year-end":   {"--format", "xlsx"},
			"department": {"--format", "xlsx", "--department", "office", "--detail"},
		} {
			out := filepath.Join(dir, name+".xlsx")
			mustRun(t, append([]string{"report", "--db", dsn, "--year", "2017", "--as-of", "2017-12-31", "--out", out}, args...)...)
			doc, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range ooxmlcheck.Check(doc) {
				t.Errorf("%s: %s", name, p)
			}
			text, err := ooxmlcheck.TextNumbers(doc)
			if err != nil {
				t.Fatal(err)
			}
			if len(text) > 0 {
				t.Errorf("%s: numbers written as text: %v", name, text)
			}
		}
		f, err := excelize.OpenFile(filepath.Join(dir, "year-end.xlsx"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := f.GetRows("积分台账")
		if err != nil {
			t.Fatal(err)
		}
		pieces := 0
		for _, r := range rows[2:] {
			if len(r) > 6 && r[1] == "得分" && r[3] != "" && r[3] != "加分" {
				pieces++
				if r[6] == "" || r[5] == "" {
					t.Errorf("a publication's line without its title or date: %q", r)
				}
			}
		}
		if pieces < 10 {
			t.Errorf("the 积分台账 sheet names %d pieces", pieces)
		}
	})
}
