package plan

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // plans name time zones; a minimal machine may have no zoneinfo
	"unicode/utf8"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

//go:embed plans/*.toml
var builtinFS embed.FS

// BuiltinName is the file name of the built-in 2017 plan.
const BuiltinName = "plans/jinshui-2017.toml"

// MaxFileSize bounds a plan file: a plan is a page of text, not a data set.
const MaxFileSize = 1 << 20

// Builtin returns the built-in 2017 plan and its source text.
func Builtin() (*Plan, []byte) {
	data, err := builtinFS.ReadFile(BuiltinName)
	if err != nil {
		panic(err)
	}
	p, err := Parse("builtin:jinshui-2017.toml", data)
	if err != nil {
		panic("the built-in plan does not load: " + err.Error())
	}
	return p, data
}

// Error is one problem in a plan file, located by line and field.
type Error struct {
	File  string
	Line  int // 0 when unknown
	Field string
	Msg   string
}

func (e Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": %s", e.Field)
	}
	fmt.Fprintf(&b, ": %s", e.Msg)
	return b.String()
}

// Errors is every problem found in one plan file.
type Errors []Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// ReadFile loads and validates a plan file.
func ReadFile(path string) (*Plan, []byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if st.Size() > MaxFileSize {
		return nil, nil, Errors{{File: path, Msg: fmt.Sprintf("文件过大（%d 字节）：方案文件不应超过 %d 字节", st.Size(), MaxFileSize)}}
	}
	data := make([]byte, st.Size())
	if _, err := f.ReadAt(data, 0); err != nil && st.Size() > 0 {
		return nil, nil, err
	}
	p, err := Parse(path, data)
	return p, data, err
}

// Parse decodes and validates a plan. The error, if any, is an Errors.
func Parse(file string, data []byte) (*Plan, error) {
	if len(data) > MaxFileSize {
		return nil, Errors{{File: file, Msg: "文件过大：方案文件不应超过 1 MiB"}}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, Errors{{File: file, Line: lineAt(data, bytes.IndexByte(data, 0)), Msg: "这是二进制文件，不是 TOML 文本方案文件"}}
	}
	if !utf8.Valid(data) {
		off := invalidUTF8(data)
		return nil, Errors{{File: file, Line: lineAt(data, off), Msg: "文件不是 UTF-8 编码（可能是 GBK），请另存为 UTF-8"}}
	}
	lines, err := indexLines(data)
	if err != nil {
		var pe *unstable.ParserError
		if errors.As(err, &pe) {
			return nil, Errors{{File: file, Line: lineAt(data, offsetIn(data, pe.Highlight)), Msg: "TOML 语法错误：" + pe.Message}}
		}
		return nil, Errors{{File: file, Msg: "TOML 语法错误：" + err.Error()}}
	}
	var p Plan
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, decodeErrors(file, err)
	}
	p.source = file
	v := validator{file: file, lines: lines}
	v.validate(&p)
	if len(v.errs) > 0 {
		sort.SliceStable(v.errs, func(i, j int) bool { return v.errs[i].Line < v.errs[j].Line })
		return nil, v.errs
	}
	return &p, nil
}

func decodeErrors(file string, err error) error {
	var sm *toml.StrictMissingError
	if errors.As(err, &sm) {
		var es Errors
		for _, de := range sm.Errors {
			row, _ := de.Position()
			es = append(es, Error{File: file, Line: row, Field: strings.Join(de.Key(), "."), Msg: "未知字段（拼写错误？）"})
		}
		return es
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		row, _ := de.Position()
		return Errors{{File: file, Line: row, Field: strings.Join(de.Key(), "."), Msg: "取值不对：" + strings.TrimPrefix(de.Error(), "toml: ")}}
	}
	return Errors{{File: file, Msg: err.Error()}}
}

func lineAt(data []byte, off int) int {
	if off < 0 {
		return 0
	}
	if off > len(data) {
		off = len(data)
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
}

func invalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return -1
}

// offsetIn finds where sub (a slice of data) starts in data, or -1.
func offsetIn(data, sub []byte) int {
	if len(sub) == 0 || len(data) == 0 {
		return -1
	}
	s0 := &sub[0]
	for i := range data {
		if &data[i] == s0 {
			return i
		}
	}
	return -1
}

// indexLines maps every field path (departments[1].targets.intranet) to the
// line it is written on, so that validation errors can name the line.
func indexLines(data []byte) (map[string]int, error) {
	var p unstable.Parser
	p.Reset(data)
	lines := map[string]int{}
	counts := map[string]int{} // array-of-tables path → elements seen
	cur := ""
	lineOf := func(n *unstable.Node) int { return p.Shape(n.Raw).Start.Line }
	// resolve turns a header's keys into an indexed path: [[channels]] seen
	// twice makes channels.tiers resolve to channels[1].tiers.
	resolve := func(keys []string) string {
		path := ""
		for _, k := range keys {
			if path != "" {
				path += "."
			}
			path += k
			if n, ok := counts[path]; ok {
				path = fmt.Sprintf("%s[%d]", path, n-1)
			}
		}
		return path
	}
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			keys, first := keyParts(e)
			line := 0
			if first != nil {
				line = lineOf(first)
			}
			if e.Kind == unstable.ArrayTable {
				base := resolve(keys[:len(keys)-1])
				name := keys[len(keys)-1]
				if base != "" {
					name = base + "." + name
				}
				lines[name] = min1(lines[name], line)
				cur = fmt.Sprintf("%s[%d]", name, counts[name])
				counts[name]++
			} else {
				cur = resolve(keys)
			}
			lines[cur] = line
		case unstable.KeyValue:
			indexKeyValue(&p, e, cur, lines)
		}
	}
	return lines, p.Error()
}

func min1(old, line int) int {
	if old == 0 || line < old {
		return line
	}
	return old
}

func keyParts(n *unstable.Node) ([]string, *unstable.Node) {
	var keys []string
	var first *unstable.Node
	it := n.Key()
	for it.Next() {
		k := it.Node()
		if first == nil {
			first = k
		}
		keys = append(keys, string(k.Data))
	}
	return keys, first
}

func indexKeyValue(p *unstable.Parser, kv *unstable.Node, prefix string, lines map[string]int) {
	keys, first := keyParts(kv)
	if first == nil {
		return
	}
	line := p.Shape(first.Raw).Start.Line
	path := prefix
	for _, k := range keys {
		if path != "" {
			path += "."
		}
		path += k
		if _, ok := lines[path]; !ok {
			lines[path] = line
		}
	}
	indexValue(p, kv.Value(), path, line, lines)
}

func indexValue(p *unstable.Parser, v *unstable.Node, path string, line int, lines map[string]int) {
	if v == nil {
		return
	}
	switch v.Kind {
	case unstable.InlineTable:
		it := v.Children()
		for it.Next() {
			indexKeyValue(p, it.Node(), path, lines)
		}
	case unstable.Array:
		it := v.Children()
		i := 0
		for it.Next() {
			el := it.Node()
			elPath := fmt.Sprintf("%s[%d]", path, i)
			elLine := line
			if el.Kind == unstable.InlineTable {
				c := el.Children()
				if c.Next() {
					if _, k := keyParts(c.Node()); k != nil {
						elLine = p.Shape(k.Raw).Start.Line
					}
				}
			} else if el.Raw.Length > 0 {
				elLine = p.Shape(el.Raw).Start.Line
			}
			lines[elPath] = elLine
			indexValue(p, el, elPath, elLine, lines)
			i++
		}
	}
}

// validator collects every problem of a decoded plan.
type validator struct {
	file  string
	lines map[string]int
	errs  Errors
}

// line finds the line of a field path, falling back to its parents.
func (v *validator) line(path string) int {
	for p := path; p != ""; {
		if l, ok := v.lines[p]; ok {
			return l
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return 0
}

func (v *validator) errf(path, format string, args ...any) {
	v.errs = append(v.errs, Error{File: v.file, Line: v.line(path), Field: path, Msg: fmt.Sprintf(format, args...)})
}

func (v *validator) required(path, value string) {
	if strings.TrimSpace(value) == "" {
		v.errf(path, "必填，不能为空")
	}
}

// halfPoints checks a point value is a non-negative multiple of 0.5, which
// keeps every score exact in binary floating point.
func (v *validator) halfPoints(path string, x float64) {
	if x < 0 || math.IsNaN(x) || math.IsInf(x, 0) || x*2 != math.Trunc(x*2) || x > 1e6 {
		v.errf(path, "分值 %s 不对：应为 0.5 的非负整数倍", strconv.FormatFloat(x, 'f', -1, 64))
	}
}

func (v *validator) validate(p *Plan) {
	v.header(p)
	cats := v.categories(p)
	v.channels(p, cats)
	v.departments(p, cats)
	v.themesAndForms(p)
	v.notes(p)
	v.checks(p)
}

// checks validates the quality gate's rules: words written once and not
// blank, a preferred form different from what it replaces and not holding
// it (else it would be suggested forever), min_words of known channels.
func (v *validator) checks(p *Plan) {
	seen := map[string]bool{}
	for i, w := range p.Checks.Forbidden {
		path := fmt.Sprintf("checks.forbidden[%d]", i)
		switch w = strings.TrimSpace(w); {
		case w == "":
			v.errf(path, "禁用词不能为空")
		case seen[w]:
			v.errf(path, "禁用词“%s”重复", w)
		}
		seen[w] = true
		p.Checks.Forbidden[i] = w
	}
	for k, to := range p.Checks.Preferred {
		path := "checks.preferred." + k
		switch {
		case strings.TrimSpace(k) == "" || strings.TrimSpace(to) == "":
			v.errf(path, "规范写法的两边都不能为空")
		case k == to:
			v.errf(path, "“%s”与规范写法相同", k)
		case strings.Contains(to, k):
			v.errf(path, "规范写法“%s”含有被替换的“%s”，会一直提示", to, k)
		case seen[k]:
			v.errf(path, "“%s”既是禁用词又有规范写法", k)
		}
	}
	for code, n := range p.Checks.MinWords {
		path := "checks.min_words." + code
		if p.Channel(code) == nil {
			v.errf(path, "没有渠道 %s", code)
		}
		if n <= 0 || n > 100000 {
			v.errf(path, "最少字数 %d 不对", n)
		}
	}
}

// header checks the plan's own fields and fills their defaults.
func (v *validator) header(p *Plan) {
	v.required("title", p.Title)
	v.required("document_number", p.DocumentNumber)
	if p.Year < 2000 || p.Year > 2999 {
		v.errf("year", "年度 %d 不对", p.Year)
	}
	p.Issued = Date{p.IssuedRaw.Year, p.IssuedRaw.Month, p.IssuedRaw.Day}
	if !p.Issued.Valid() {
		v.errf("issued", "印发日期必填，格式 2017-02-23")
	}
	if p.Timezone == "" {
		p.Timezone = DefaultTimezone
	}
	switch w := p.Reminders.WarningDays; {
	case w == 0:
		p.Reminders.WarningDays = DefaultWarningDays
	case w < 0 || w > 27:
		v.errf("reminders.warning_days", "提醒天数 %d 不对：应为 1 到 27", w)
	}
	loc, err := time.LoadLocation(p.Timezone)
	if err != nil {
		v.errf("timezone", "未知时区 %q", p.Timezone)
		loc = time.UTC
	}
	p.location = loc
	if p.QuotaFrom == "" {
		p.quotaFrom = Month{p.Year, 1}
	} else if m, err := ParseMonth(p.QuotaFrom); err != nil {
		v.errf("quota_from", "%v", err)
	} else if m.Year != p.Year {
		v.errf("quota_from", "考核起始月份 %s 不在方案年度 %d 内", m, p.Year)
	} else {
		p.quotaFrom = m
	}
	switch p.Review.Normal {
	case "leader", "chief", "head", "office":
	default:
		v.errf("review.normal", "审核角色 %q 不对：应为 leader、chief、head 或 office", p.Review.Normal)
	}
	switch p.Review.Major {
	case "", "leader", "chief":
	default:
		v.errf("review.major", "重大事项审核角色 %q 不对：应为 chief 或 leader", p.Review.Major)
	}
	v.documents(p)
}

// documents fills in the 通报's heading and closing from the plan where the
// file names none, and checks what it names.
func (v *validator) documents(p *Plan) {
	d := &p.Documents
	if d.Mark == "" {
		d.Mark = p.Bureau + "文件"
	}
	if d.Code == "" {
		prefix, _, _ := strings.Cut(p.DocumentNumber, "〔")
		d.Code = prefix + "通"
	}
	if strings.ContainsAny(d.Code, "〔〕[]0123456789") {
		v.errf("documents.code", "机关代字 %q 只写代字（如“某科通”），年份和序号由系统编排", d.Code)
	}
	if d.Addressee == "" {
		d.Addressee = "各科室"
	}
	if d.PrintedBy == "" {
		d.PrintedBy = p.Bureau
	}
	for i, c := range d.CopyTo {
		v.required(fmt.Sprintf("documents.copy_to[%d]", i), c)
	}
	for path, s := range map[string]string{"documents.mark": d.Mark, "documents.printed_by": d.PrintedBy} {
		if len([]rune(s)) > 40 {
			v.errf(path, "太长（不超过 40 字）")
		}
	}
}

// categories checks the scoring categories and returns them by code.
func (v *validator) categories(p *Plan) map[string]*Category {
	cats := map[string]*Category{}
	for i := range p.Categories {
		c := &p.Categories[i]
		path := fmt.Sprintf("categories[%d]", i)
		v.code(path+".code", c.Code)
		v.required(path+".name", c.Name)
		if cats[c.Code] != nil {
			v.errf(path+".code", "类别代码 %q 重复", c.Code)
		}
		cats[c.Code] = c
		switch c.Kind {
		case KindTarget:
			if c.Cap != nil {
				v.errf(path+".cap", "任务类别用 cap_at_target 封顶，不用 cap")
			}
		case KindBonus:
			if c.Cap != nil {
				v.halfPoints(path+".cap", *c.Cap)
			}
		case KindQuota:
			v.halfPoints(path+".shortfall_points", c.ShortfallPoints)
		default:
			v.errf(path+".kind", "类别种类 %q 不对：应为 target、bonus 或 quota", c.Kind)
		}
		if c.Kind != KindQuota && c.ShortfallPoints != 0 {
			v.errf(path+".shortfall_points", "只有 quota 类别有扣分")
		}
		if c.Kind != KindTarget && c.CapAtTarget {
			v.errf(path+".cap_at_target", "只有 target 类别按任务封顶")
		}
		switch c.RecordedBy {
		case "":
			c.RecordedBy = RecordedByOffice
			if c.Kind != KindTarget {
				c.RecordedBy = RecordedByDepartment
			}
		case RecordedByOffice, RecordedByDepartment:
		default:
			v.errf(path+".recorded_by", "登记方 %q 不对：应为 office（办公室登记，即时计分）或 department（科室登记，办公室核实后计分）", c.RecordedBy)
		}
	}
	if len(p.CategoriesOf(KindTarget)) == 0 {
		v.errf("categories", "至少要有一个 target（任务）类别")
	}

	return cats
}

// channels checks the channels: names unique, each in a known category
// and scored one way.
func (v *validator) channels(p *Plan, cats map[string]*Category) {
	names := map[string]string{} // channel code/name/alias → code
	usedCats := map[string]bool{}
	for i := range p.Channels {
		ch := &p.Channels[i]
		path := fmt.Sprintf("channels[%d]", i)
		v.code(path+".code", ch.Code)
		v.required(path+".name", ch.Name)
		for _, n := range append([]string{ch.Code, ch.Name}, ch.Aliases...) {
			key := strings.ToLower(strings.TrimSpace(n))
			if other, ok := names[key]; ok && other != ch.Code {
				v.errf(path, "渠道名称或别名 %q 与渠道 %q 重复", n, other)
			}
			names[key] = ch.Code
		}
		c := cats[ch.Category]
		if c == nil {
			v.errf(path+".category", "未知类别 %q", ch.Category)
			continue
		}
		usedCats[c.Code] = true
		if c.Kind == KindQuota {
			if ch.Points != nil || len(ch.Tiers) > 0 {
				v.errf(path+".points", "月度报送类别的渠道不计分，只计条数")
			}
			continue
		}
		switch {
		case ch.Points != nil && len(ch.Tiers) > 0:
			v.errf(path+".tiers", "points 与 tiers 只能给一个")
		case ch.Points == nil && len(ch.Tiers) == 0:
			v.errf(path+".points", "计分渠道需要 points 或按字数的 tiers")
		case ch.Points != nil:
			v.halfPoints(path+".points", *ch.Points)
		default:
			v.tiers(path+".tiers", ch.Tiers)
		}
	}
	for _, c := range p.Categories {
		if !usedCats[c.Code] {
			v.errf(fmt.Sprintf("categories[%d]", indexOfCat(p, c.Code)), "类别 %q 没有任何渠道", c.Code)
		}
	}

}

// departments checks the departments: names unique, targets adding up to
// the base, quotas of quota categories.
func (v *validator) departments(p *Plan, cats map[string]*Category) {
	deptNames := map[string]string{}
	sum := 0.0
	for i := range p.Departments {
		d := &p.Departments[i]
		path := fmt.Sprintf("departments[%d]", i)
		v.code(path+".code", d.Code)
		v.required(path+".name", d.Name)
		for _, n := range append([]string{d.Code, d.Name}, d.Aliases...) {
			key := NormalizeName(n)
			if other, ok := deptNames[key]; ok && other != d.Code {
				v.errf(path, "科室名称或别名 %q 与科室 %q 重复", n, other)
			}
			deptNames[key] = d.Code
		}
		v.halfPoints(path+".base", d.Base)
		sum += d.Base
		tsum := 0.0
		for _, c := range p.CategoriesOf(KindTarget) {
			t, ok := d.Targets[c.Code]
			if !ok {
				v.errf(path+".targets", "缺少类别 %q 的任务分", c.Code)
				continue
			}
			v.halfPoints(path+".targets."+c.Code, t)
			tsum += t
		}
		for _, code := range sortedKeys(d.Targets) {
			if c := cats[code]; c == nil || c.Kind != KindTarget {
				v.errf(path+".targets."+code, "%q 不是任务（target）类别", code)
			}
		}
		if tsum != d.Base {
			v.errf(path+".targets", "各类任务分合计 %s，与基础分 %s 不符", fmtNum(tsum), fmtNum(d.Base))
		}
		for _, code := range sortedKeys(d.Quotas) {
			if c := cats[code]; c == nil || c.Kind != KindQuota {
				v.errf(path+".quotas."+code, "%q 不是月度报送（quota）类别", code)
			}
			if d.Quotas[code] < 0 || d.Quotas[code] > 1000 {
				v.errf(path+".quotas."+code, "每月条数 %d 不对", d.Quotas[code])
			}
		}
	}
	if len(p.Departments) == 0 {
		v.errf("departments", "至少要有一个科室")
	}
	if p.BaseTotal != 0 && sum != p.BaseTotal {
		v.errf("base_total", "各科室基础分合计 %s，与总分 %s 不符", fmtNum(sum), fmtNum(p.BaseTotal))
	}

}

// themesAndForms checks the themes' and forms' numbering, the themes' codes
// and the forms' references. A theme without a code is given its number as
// its code: what stored pieces and commissions refer to.
func (v *validator) themesAndForms(p *Plan) {
	codes := map[string]string{}
	code := func(path string, c *string, number int) {
		if *c == "" {
			*c = strconv.Itoa(number)
		}
		v.code(path+".code", *c)
		if other, ok := codes[*c]; ok {
			v.errf(path+".code", "代码 %q 与 %s 重复", *c, other)
		}
		codes[*c] = path
	}
	for i := range p.Themes {
		t := &p.Themes[i]
		path := fmt.Sprintf("themes[%d]", i)
		if t.Number != i+1 {
			v.errf(path+".number", "宣传重点应按顺序编号，这里应为 %d", i+1)
		}
		code(path, &t.Code, t.Number)
		v.required(path+".title", t.Title)
	}
	for i, f := range p.Forms {
		path := fmt.Sprintf("forms[%d]", i)
		if f.Number != i+1 {
			v.errf(path+".number", "主要形式应按顺序编号，这里应为 %d", i+1)
		}
		v.required(path+".title", f.Title)
		for j, c := range f.Lead {
			if p.Department(c) == nil {
				v.errf(fmt.Sprintf("%s.lead[%d]", path, j), "未知科室 %q", c)
			}
		}
		for j, c := range f.Responsible {
			if p.Department(c) == nil {
				v.errf(fmt.Sprintf("%s.responsible[%d]", path, j), "未知科室 %q", c)
			}
		}
		if len(f.Responsible) == 0 && !f.AllDepartments {
			v.errf(path+".responsible", "需要责任科室（或 all_departments = true）")
		}
		for j, d := range f.Dates {
			if _, err := ParseDate(fmt.Sprintf("%d-%s", p.Year, d)); err != nil {
				v.errf(fmt.Sprintf("%s.dates[%d]", path, j), "日期 %q 不对，应为 MM-DD", d)
			}
		}
	}
}

// notes checks that the plan's notes say what its numbers do.
func (v *validator) notes(p *Plan) {
	notesOK := true
	for i, c := range p.Categories {
		if c.Note < 0 || c.Note > len(p.Notes) {
			v.errf(fmt.Sprintf("categories[%d].note", i), "注释 %d 不存在", c.Note)
			notesOK = false
		}
	}
	if notesOK && len(v.errs) == 0 { // the notes are compared with data that is valid
		for _, d := range NoteDifferences(p) {
			v.errf(fmt.Sprintf("notes[%d]", d.Note-1), "%s", d.Message)
		}
	}
}

func indexOfCat(p *Plan, code string) int {
	for i, c := range p.Categories {
		if c.Code == code {
			return i
		}
	}
	return -1
}

func (v *validator) code(path, code string) {
	if code == "" {
		v.errf(path, "必填，不能为空")
		return
	}
	for _, r := range code {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			v.errf(path, "代码 %q 只能用小写字母、数字和下划线", code)
			return
		}
	}
}

func (v *validator) tiers(path string, ts []Tier) {
	for i, t := range ts {
		tp := fmt.Sprintf("%s[%d]", path, i)
		v.halfPoints(tp+".points", t.Points)
		if i == 0 && t.Min != 0 {
			v.errf(tp+".min", "第一档应从 0 字开始，现为 %d：0–%d 字的稿件没有分值", t.Min, t.Min-1)
		}
		if t.Max != nil && *t.Max < t.Min {
			v.errf(tp+".max", "上限 %d 小于下限 %d", *t.Max, t.Min)
		}
		if i == len(ts)-1 {
			if t.Max != nil {
				v.errf(tp+".max", "最后一档不应有上限：%d 字以上的稿件没有分值", *t.Max)
			}
			continue
		}
		next := ts[i+1]
		if t.Max == nil {
			v.errf(tp+".max", "只有最后一档可以不设上限")
			continue
		}
		switch {
		case *t.Max >= next.Min:
			v.errf(fmt.Sprintf("%s[%d].min", path, i+1), "字数档重叠：%d–%d 与从 %d 起的下一档重叠", t.Min, *t.Max, next.Min)
		case *t.Max+1 < next.Min:
			v.errf(fmt.Sprintf("%s[%d].min", path, i+1), "字数档有空缺：%d–%d 字没有分值", *t.Max+1, next.Min-1)
		}
	}
}

// NormalizeName folds the ways a department name is written in registers:
// full-width brackets, spaces, letter case.
func NormalizeName(s string) string {
	s = strings.NewReplacer("（", "(", "）", ")", " ", "", "\u3000", "", "\t", "", "\n", "").Replace(s)
	return strings.ToLower(strings.TrimSpace(s))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func fmtNum(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
