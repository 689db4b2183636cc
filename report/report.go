// Package report encodes an assessment (scoring.Result) for people and
// programs: JSON (the CLI and API contract), a terminal table, CSV, and the
// year-end table in the seed's own layout as .xlsx.
package report

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/mattn/go-runewidth"

	"kexuan/plan"
	"kexuan/scoring"
)

// JSON writes the result as one object; completion is rounded to four
// decimals (the engine keeps it exact).
func JSON(w io.Writer, r *scoring.Result) error {
	out := *r
	out.Departments = slices.Clone(r.Departments)
	for i := range out.Departments {
		out.Departments[i].Completion = math.Round(out.Departments[i].Completion*1e4) / 1e4
	}
	r = &out
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func num(x float64) string { return scoring.Format(x) }

func percent(x float64) string {
	return strconv.FormatFloat(x*100, 'f', 1, 64) + "%"
}

// column is one column of the summary, shared by table, CSV and xlsx.
type column struct {
	head  string
	value func(d *scoring.Department) string
}

func columns(p *plan.Plan) []column {
	cols := []column{
		{"排名", func(d *scoring.Department) string { return strconv.Itoa(d.Rank) }},
		{"科室", func(d *scoring.Department) string { return d.Name }},
		{"基础分", func(d *scoring.Department) string { return num(d.Base) }},
	}
	for _, c := range p.CategoriesOf(plan.KindTarget) {
		code, label := c.Code, c.Label()
		cols = append(cols,
			column{label + "完成", func(d *scoring.Department) string { return num(d.Categories[code].Raw) }},
			column{label + "得分", func(d *scoring.Department) string {
				cs := d.Categories[code]
				return num(cs.Score) + "/" + num(cs.Target)
			}})
	}
	cols = append(cols,
		column{"任务得分", func(d *scoring.Department) string { return num(d.TaskScore) }},
		column{"加分", func(d *scoring.Department) string { return num(d.Bonus) }},
		column{"扣分", func(d *scoring.Department) string { return num(d.Deduction) }},
		column{"加减分", func(d *scoring.Department) string { return num(d.Adjustment) }},
		column{"总分", func(d *scoring.Department) string { return num(d.Total) }},
		column{"得分率", func(d *scoring.Department) string { return percent(scoreRate(d)) }},
		column{"完成率", func(d *scoring.Department) string { return percent(d.Completion) }},
	)
	return cols
}

// scoreRate is the task score over the base: unlike 完成率 (raw points over
// the base) it cannot exceed 100%, so a department short of one target shows it.
func scoreRate(d *scoring.Department) float64 {
	if d.Base == 0 {
		return 0
	}
	return d.TaskScore / d.Base
}

// missing is how many items a department reported short in a quota
// category over the months assessed (少报).
func missing(d *scoring.Department, category string) int {
	n := 0
	for _, q := range d.Quotas {
		if q.Category == category {
			n += q.Missing
		}
	}
	return n
}

// byRank is the departments in rank order (the plan's order among equals).
func byRank(r *scoring.Result) []*scoring.Department {
	out := make([]*scoring.Department, len(r.Departments))
	for i := range r.Departments {
		out[i] = &r.Departments[i]
	}
	slices.SortStableFunc(out, func(a, b *scoring.Department) int { return a.Rank - b.Rank })
	return out
}

// Table writes an aligned table for a terminal; Chinese characters count
// two columns wide.
func Table(w io.Writer, p *plan.Plan, r *scoring.Result) error {
	cols := columns(p)
	// The quota categories' shortfall (少报), before 扣分.
	quotas := p.CategoriesOf(plan.KindQuota)
	at := slices.IndexFunc(cols, func(c column) bool { return c.head == "扣分" })
	var extra []column
	for _, c := range quotas {
		code := c.Code
		extra = append(extra, column{c.Label() + "少报", func(d *scoring.Department) string { return strconv.Itoa(missing(d, code)) }})
	}
	cols = slices.Insert(cols, at, extra...)
	head := make([]string, len(cols))
	for i, c := range cols {
		head[i] = c.head
	}
	cells := [][]string{head}
	for _, d := range byRank(r) {
		row := make([]string, len(cols))
		for j, c := range cols {
			row[j] = c.value(d)
		}
		cells = append(cells, row)
	}
	// 合计: the sums of the columns that add up.
	var sum scoring.Department
	sum.Categories = map[string]scoring.CategoryScore{}
	for _, d := range r.Departments {
		sum.Base += d.Base
		sum.TaskScore += d.TaskScore
		sum.Bonus += d.Bonus
		sum.Deduction += d.Deduction
		sum.Adjustment += d.Adjustment
		sum.Total += d.Total
		sum.Quotas = append(sum.Quotas, d.Quotas...)
		for code, cs := range d.Categories {
			t := sum.Categories[code]
			t.Raw += cs.Raw
			t.Score += cs.Score
			t.Target += cs.Target
			sum.Categories[code] = t
		}
	}
	total := make([]string, len(cols))
	for j, c := range cols {
		switch c.head {
		case "排名", "得分率", "完成率":
		case "科室":
			total[j] = "合计"
		default:
			total[j] = c.value(&sum)
		}
	}
	cells = append(cells, total)
	if _, err := fmt.Fprintf(w, "%s  %d年度 考核截至 %s\n", p.TableTitle, r.Year, r.AsOf); err != nil {
		return err
	}
	return writeAligned(w, cells, map[int]bool{1: true})
}

// writeAligned writes rows of cells in aligned columns, the first row as a
// header with a rule under it. Cells may hold several lines. Columns in left
// are left-aligned, the rest right-aligned.
func writeAligned(w io.Writer, rows [][]string, left map[int]bool) error {
	widths := map[int]int{}
	for _, row := range rows {
		for j, s := range row {
			for _, l := range strings.Split(s, "\n") {
				widths[j] = max(widths[j], runewidth.StringWidth(l))
			}
		}
	}
	var b strings.Builder
	for i, row := range rows {
		height := 1
		for _, s := range row {
			height = max(height, strings.Count(s, "\n")+1)
		}
		for k := 0; k < height; k++ {
			var line strings.Builder
			for j, s := range row {
				parts := strings.Split(s, "\n")
				part := ""
				if k < len(parts) {
					part = parts[k]
				}
				if j > 0 {
					line.WriteString("  ")
				}
				pad := strings.Repeat(" ", widths[j]-runewidth.StringWidth(part))
				if left[j] {
					line.WriteString(part + pad)
				} else {
					line.WriteString(pad + part)
				}
			}
			b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
		}
		if i == 0 {
			total := 0
			for j := range rows[0] {
				total += widths[j] + 2
			}
			b.WriteString(strings.Repeat("─", total-2) + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// PlanTable prints a plan as the seed prints it: the heading, the task table
// (责任科室, 宣传重点, 基础分, each category's target and monthly quota), its
// total row and notes, then the themes and activity forms.
func PlanTable(w io.Writer, p *plan.Plan) error {
	var b strings.Builder
	// The heading as the document prints it: 文件 line, number, title, and
	// the date it was issued (2017年2月23日印发).
	fmt.Fprintf(&b, "%s文件\n%s\n%s\n%d年%d月%d日印发\n\n%s\n\n", p.Bureau, p.DocumentNumber, p.Title,
		p.Issued.Year, p.Issued.Month, p.Issued.Day, p.TableTitle)
	targets, quotas := p.CategoriesOf(plan.KindTarget), p.CategoriesOf(plan.KindQuota)
	head := []string{"任务类别\n责任科室", "宣传重点", "基础分"}
	for _, c := range append(slices.Clone(targets), quotas...) {
		head = append(head, cmp.Or(c.TableName, c.Name))
	}
	rows := [][]string{head}
	sumBase, sumT, sumQ := 0.0, map[string]float64{}, map[string]int{}
	for _, d := range p.Departments {
		row := []string{cmp.Or(d.TableName, d.Name), wrap(d.Focus, 24), num(d.Base) + "分"}
		sumBase += d.Base
		for _, c := range targets {
			row = append(row, num(d.Targets[c.Code])+"分")
			sumT[c.Code] += d.Targets[c.Code]
		}
		for _, c := range quotas {
			q := ""
			if n := d.Quotas[c.Code]; n > 0 {
				q = fmt.Sprintf("%d条/月", n)
			}
			row = append(row, q)
			sumQ[c.Code] += d.Quotas[c.Code]
		}
		rows = append(rows, row)
	}
	total := []string{"合计", "", num(sumBase) + "分"}
	for _, c := range targets {
		total = append(total, num(sumT[c.Code])+"分")
	}
	for _, c := range quotas {
		total = append(total, fmt.Sprintf("%d条/月", sumQ[c.Code]))
	}
	rows = append(rows, total)
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	if err := writeAligned(w, rows, map[int]bool{0: true, 1: true}); err != nil {
		return err
	}
	b.Reset()
	b.WriteString("\n注释：\n")
	for i, n := range p.Notes {
		fmt.Fprintf(&b, "  %d、%s\n", i+1, n)
	}
	b.WriteString("\n计分规则（由方案数据生成，引擎按此计分）：\n")
	for _, r := range plan.Rules(p) {
		fmt.Fprintf(&b, "  %s\n", r)
	}
	b.WriteString("\n宣传重点：\n")
	for _, t := range p.Themes {
		fmt.Fprintf(&b, "  %s%s\n", t.Label(), t.Title)
	}
	b.WriteString("\n主要形式：\n")
	for _, f := range p.Forms {
		fmt.Fprintf(&b, "  （%s）%s", plan.ChineseNumber(f.Number), f.Title)
		if len(f.Lead) > 0 {
			fmt.Fprintf(&b, "　牵头：%s", deptNames(p, f.Lead))
		}
		if f.AllDepartments {
			b.WriteString("　责任：各科室")
		} else {
			fmt.Fprintf(&b, "　责任：%s", deptNames(p, f.Responsible))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "\n审核：%s\n《%s》版块：%s\n", p.Review.Text, p.Journal.Name, strings.Join(p.Journal.Sections, "、"))
	_, err := io.WriteString(w, b.String())
	return err
}

func deptNames(p *plan.Plan, codes []string) string {
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = c
		if d := p.Department(c); d != nil {
			names[i] = d.Name
		}
	}
	return strings.Join(names, "、")
}

// wrap breaks text into lines of at most width display columns.
func wrap(s string, width int) string {
	var b strings.Builder
	w := 0
	for _, r := range s {
		rw := runewidth.RuneWidth(r)
		// A closing mark stays on its line rather than begin the next (避头).
		if w+rw > width && !strings.ContainsRune("，。、；：？！）》”’…", r) {
			b.WriteByte('\n')
			w = 0
		}
		b.WriteRune(r)
		w += rw
	}
	return b.String()
}

// CSV writes one row per department (Chinese headers, rates as
// percentages, the department's code beside its name), for spreadsheets. Text cells that a spreadsheet would run as a formula are quoted
// with a leading apostrophe.
func CSV(w io.Writer, p *plan.Plan, r *scoring.Result) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil { // Excel opens UTF-8 CSV correctly with a BOM
		return err
	}
	cw := csv.NewWriter(w)
	head := []string{"年度", "考核截至", "科室代码", "科室", "基础分"}
	for _, c := range p.CategoriesOf(plan.KindTarget) {
		head = append(head, c.Label()+"任务", c.Label()+"完成", c.Label()+"得分")
	}
	for _, c := range p.CategoriesOf(plan.KindBonus) {
		head = append(head, c.Label()+"加分")
	}
	for _, c := range p.CategoriesOf(plan.KindQuota) {
		head = append(head, c.Label()+"少报")
	}
	head = append(head, "任务得分", "加分", "扣分", "加减分", "总分", "得分率", "完成率", "排名")
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, d := range r.Departments {
		row := []string{strconv.Itoa(r.Year), r.AsOf, SafeCell(d.Code), SafeCell(d.Name), num(d.Base)}
		for _, c := range p.CategoriesOf(plan.KindTarget) {
			cs := d.Categories[c.Code]
			row = append(row, num(cs.Target), num(cs.Raw), num(cs.Score))
		}
		for _, c := range p.CategoriesOf(plan.KindBonus) {
			row = append(row, num(d.Bonuses[c.Code].Points))
		}
		for _, c := range p.CategoriesOf(plan.KindQuota) {
			row = append(row, strconv.Itoa(missing(&d, c.Code)))
		}
		row = append(row, num(d.TaskScore), num(d.Bonus), num(d.Deduction), num(d.Adjustment), num(d.Total),
			percent(scoreRate(&d)), percent(d.Completion), strconv.Itoa(d.Rank))
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// SafeCell defuses a text cell that a spreadsheet would otherwise run as a
// formula (=, +, -, @, tab, CR at the start).
func SafeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
