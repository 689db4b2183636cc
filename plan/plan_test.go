package plan

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestBuiltinPlan(t *testing.T) {
	p, _ := Builtin()
	if p.DocumentNumber != "金科〔2017〕3号" || p.Year != 2017 || p.Issued != (Date{2017, 2, 23}) {
		t.Fatalf("header: %q %d %v", p.DocumentNumber, p.Year, p.Issued)
	}
	if got := p.QuotaFromMonth(); got != (Month{2017, 3}) {
		t.Errorf("quota_from = %v", got)
	}
	want := map[string][4]float64{ // base, intranet, shixun target, park/month
		"office": {12, 10, 2, 0}, "hightech": {20, 15, 5, 1}, "planning": {19, 15, 4, 1},
		"general": {12, 10, 2, 0}, "ip": {12, 10, 2, 2}, "productivity": {25, 20, 5, 3},
	}
	highlights := map[string]int{"office": 0, "hightech": 2, "planning": 2, "general": 1, "ip": 2, "productivity": 3}
	sum := 0.0
	for code, w := range want {
		d := p.Department(code)
		if d == nil {
			t.Fatalf("no department %s", code)
		}
		if d.Base != w[0] || d.Targets["intranet"] != w[1] || d.Targets["shixun"] != w[2] || float64(d.Quotas["park_news"]) != w[3] || d.Quotas["resource_highlight"] != highlights[code] {
			t.Errorf("%s: %+v", code, d)
		}
		if d.Focus == "" {
			t.Errorf("%s has no 宣传重点", code)
		}
		sum += d.Base
	}
	if sum != 100 || len(p.Departments) != 6 {
		t.Errorf("bases add to %v over %d departments", sum, len(p.Departments))
	}
	if len(p.Themes) != 9 || len(p.Forms) != 9 || len(p.Notes) != 6 || len(p.Journal.Sections) != 6 {
		t.Errorf("themes %d forms %d notes %d sections %d", len(p.Themes), len(p.Forms), len(p.Notes), len(p.Journal.Sections))
	}
	if f := p.Forms[3]; f.Lead[0] != "office" || len(f.Responsible) != 5 {
		t.Errorf("form 4: %+v", f)
	}
	if p.Review.Normal != "leader" || p.Review.Major != "chief" {
		t.Errorf("review: %+v", p.Review)
	}
	sx := p.Channel("shixun")
	for words, pts := range map[int]float64{0: 0.5, 99: 0.5, 100: 1, 299: 1, 300: 3, 499: 3, 500: 5, 100000: 5} {
		if got, _ := sx.PointsFor(words); got != pts {
			t.Errorf("shixun %d字 = %v, want %v", words, got, pts)
		}
	}
	if len(p.QuotaMonths()) != 10 {
		t.Errorf("quota months: %v", p.QuotaMonths())
	}
}

// Each broken plan yields an error naming the line and field of the fault.
func TestPlanErrors(t *testing.T) {
	_, good := Builtin()
	cases := []struct {
		name, old, new string
		line           int
		field, msg     string
	}{
		{"unknown department in a form", `lead = ["office"]
responsible = ["general", "ip", "planning", "hightech", "productivity"]
enterprises_target = 100`, `lead = ["office"]
responsible = ["general", "ipx", "planning", "hightech", "productivity"]
enterprises_target = 100`, 0, "forms[3].responsible[1]", "未知科室"},
		{"overlapping tiers", "max = 299, points = 1 },\n  { min = 300", "max = 350, points = 1 },\n  { min = 300", 0, "channels[2].tiers[2].min", "重叠"},
		{"gap in tiers", "{ min = 300, max = 499, points = 3 }", "{ min = 310, max = 499, points = 3 }", 0, "channels[2].tiers[2].min", "空缺"},
		{"targets do not add up", "base = 20\ntargets = { intranet = 15, shixun = 5 }", "base = 20\ntargets = { intranet = 15, shixun = 4 }", 0, "departments[1].targets", "不符"},
		{"unknown quota category", "quotas = { park_news = 1, resource_highlight = 2 }\n\n[[departments]]\ncode = \"planning\"", "quotas = { park_newz = 1, resource_highlight = 2 }\n\n[[departments]]\ncode = \"planning\"", 0, "departments[1].quotas.park_newz", "不是月度报送"},
		{"base total", "base_total = 100", "base_total = 120", 0, "base_total", "不符"},
		{"unknown field", "goal = ", "gaol = ", 0, "gaol", "未知字段"},
		{"wrong type", `year = 2017`, `year = "2017"`, 0, "year", "取值"},
		{"impossible date", "issued = 2017-02-23", "issued = 2017-02-30", 0, "issued", "取值"},
		{"half points", "points = 0.5\n", "points = 0.3\n", 0, "channels[3].points", "0.5"},
		{"quota month outside year", `quota_from = "2017-03"`, `quota_from = "2018-03"`, 0, "quota_from", "不在方案年度"},
		{"syntax", "[review]", "[review", 0, "", "语法"},
		{"duplicate theme code", "[[themes]]\nnumber = 2\n", "[[themes]]\nnumber = 2\ncode = \"1\"\n", 0, "themes[1].code", "重复"},
		{"theme code characters", "[[themes]]\nnumber = 2\n", "[[themes]]\nnumber = 2\ncode = \"改革\"\n", 0, "themes[1].code", "小写字母"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := string(good)
			if !strings.Contains(src, c.old) {
				t.Fatalf("fixture text %q not in the plan", c.old)
			}
			src = strings.Replace(src, c.old, c.new, 1)
			_, err := Parse("bad.toml", []byte(src))
			var es Errors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("want Errors, got %v", err)
			}
			e := es[0]
			wantLine := c.line
			if wantLine == 0 {
				wantLine = lineOfText(src, c.new)
			}
			if e.File != "bad.toml" || e.Line == 0 || !strings.Contains(e.Msg, c.msg) || (c.field != "" && e.Field != c.field) {
				t.Fatalf("got %q (line %d field %q)", err, e.Line, e.Field)
			}
			if c.field != "" && e.Line < wantLine || e.Line > wantLine+strings.Count(c.new, "\n") {
				t.Errorf("line %d, want about %d: %v", e.Line, wantLine, err)
			}
		})
	}
}

// A theme's code is its number unless the plan gives one.
func TestThemeCodes(t *testing.T) {
	t.Parallel()
	p, src := Builtin()
	for _, th := range p.Themes {
		if th.Code != strconv.Itoa(th.Number) {
			t.Fatalf("theme %d: code %q, want its number", th.Number, th.Code)
		}
	}
	text := strings.Replace(string(src), "[[themes]]\nnumber = 2\n", "[[themes]]\nnumber = 2\ncode = \"reform\"\n", 1)
	q, err := Parse("coded.toml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if th := q.Theme("reform"); th == nil || th.Number != 2 || q.Theme("2") != nil || q.Theme("1") == nil {
		t.Fatalf("themes by code: %+v", q.Themes[:3])
	}
}

func lineOfText(src, sub string) int {
	i := strings.Index(src, sub)
	return strings.Count(src[:i], "\n") + 1
}

func TestPlanFileGuards(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for name, tc := range map[string]struct {
		data []byte
		msg  string
	}{
		"binary.toml": {[]byte("title = \"x\"\n\x00\x01\x02"), "二进制"},
		"gbk.toml":    {[]byte("title = \"\xbf\xc6\xbc\xbc\"\n"), "UTF-8"},
		"big.toml":    {make([]byte, MaxFileSize+1), "过大"},
		"empty.toml":  {nil, "必填"},
	} {
		_, _, err := ReadFile(write(name, tc.data))
		if err == nil || !strings.Contains(err.Error(), tc.msg) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]Date{
		"2017-03-01": {2017, 3, 1}, "2017/3/1": {2017, 3, 1}, "2017年3月1日": {2017, 3, 1},
		" 2017-12-31 ": {2017, 12, 31}, "2016-02-29": {2016, 2, 29}, "2017.3.1": {2017, 3, 1},
	} {
		if got, err := ParseDate(in); err != nil || got != want {
			t.Errorf("ParseDate(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"2017-02-30", "2017-13-01", "2017-02-29", "", "2017-3", "abc", "2017-00-10", "-1-2-3"} {
		if _, err := ParseDate(in); err == nil {
			t.Errorf("ParseDate(%q) accepted", in)
		}
	}
}

// A plan whose notes say one thing while its data scores another is
// refused, naming the note and both numbers; so is a note with a number the
// data lacks.
func TestNotesMatchNumbers(t *testing.T) {
	_, good := Builtin()
	for _, c := range []struct{ old, new, field, msg string }{
		{"category = \"intranet\"\npoints = 5", "category = \"intranet\"\npoints = 4", "notes[1]", "机关内网专期每条的分数 4在注释中没有写；注释写的 5 在方案数据中没有对应"},
		{"cap = 5\n", "cap = 6\n", "notes[3]", "加分上限 6"},
		{"少报一条扣1分", "少报一条扣2分", "notes[5]", "注释写的 2"},
		{"500字以上计5分", "600字以上计5分", "notes[2]", "注释写的 600"},
	} {
		src := string(good)
		if !strings.Contains(src, c.old) {
			t.Fatalf("fixture text %q not in the plan", c.old)
		}
		src = strings.Replace(src, c.old, c.new, 1)
		_, err := Parse("bad.toml", []byte(src))
		var es Errors
		if !errors.As(err, &es) || len(es) != 1 {
			t.Fatalf("%s → %s: want one error, got %v", c.old, c.new, err)
		}
		if es[0].Field != c.field || !strings.Contains(es[0].Msg, c.msg) || es[0].Line == 0 {
			t.Errorf("%s → %s: got %v (field %s, line %d)", c.old, c.new, es[0], es[0].Field, es[0].Line)
		}
	}
	p, _ := Builtin()
	if d := NoteDifferences(p); len(d) != 0 {
		t.Errorf("the 2017 plan's notes differ from its data: %v", d)
	}
}

func TestChineseNumber(t *testing.T) {
	for n, want := range map[int]string{1: "一", 9: "九", 10: "十", 11: "十一", 12: "十二", 20: "二十", 21: "二十一", 99: "九十九", 100: "100", 0: "0"} {
		if got := ChineseNumber(n); got != want {
			t.Errorf("ChineseNumber(%d) = %s, want %s", n, got, want)
		}
	}
	if got := (Theme{Number: 3}).Label(); got != "（三）" {
		t.Errorf("label %s", got)
	}
}

// FuzzParse: any plan file is accepted or refused with an error that names
// where; nothing panics; what is accepted has a year and departments.
func FuzzParse(f *testing.F) {
	_, src := Builtin()
	f.Add(src)
	f.Add([]byte("year = 2017\n"))
	f.Add([]byte("[[departments]]\ncode = \"x\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("fuzz.toml", data)
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.toml") {
				t.Fatalf("an error that does not name the file: %v", err)
			}
			return
		}
		if p.Year == 0 || len(p.Departments) == 0 {
			t.Fatalf("accepted a plan without a year or departments")
		}
	})
}
