package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"kexuan/scoring"
)

// cmdPeriod closes a month or a year, or shows a closed one with its
// snapshot and corrections.
func cmdPeriod(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 || (args[0] != "close" && args[0] != "show") {
		return usagef("用法：kexuan period close --db PATH (--month 2017-03 | --year 2017) --reason TEXT\n      kexuan period show --db PATH (--month 2017-03 | --year 2017) [--format json|table]")
	}
	fs := newFlags("period "+args[0], env)
	dsn := dbFlag(fs)
	month := fs.String("month", "", "月份 YYYY-MM")
	year := fs.String("year", "", "年度 YYYY")
	reason := fs.String("reason", "", "结账说明")
	format := fs.String("format", "json", "json|table（show）")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("多余的参数 %q", fs.Args())
	}
	period := *month
	if (*month == "") == (*year == "") {
		return usagef("需要 --month 或 --year（二选一）")
	}
	if period == "" {
		period = *year
	}
	db, err := openApp(ctx, *dsn, env)
	if err != nil {
		return err
	}
	defer db.Close()
	a := db
	if args[0] == "close" {
		if strings.TrimSpace(*reason) == "" {
			return usagef("结账需 --reason 说明（如：三月份考核结果已通报）")
		}
		per, err := a.ClosePeriod(ctx, nil, period, *reason)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "已结账：%s（截至 %s）。之后改动此期间的记录须写明理由，并作为更正列出。\n", per.Period, per.LastDay)
		return nil
	}
	if *format != "json" && *format != "table" {
		return usagef("--format %q 不对：可用 json、table", *format)
	}
	d, err := a.Period(ctx, nil, period)
	if err != nil {
		return err
	}
	if *format == "table" {
		fmt.Fprintf(env.Stdout, "%s 已结账（截至 %s），%s 由 %s 结账：%s\n\n", d.Period.Period, d.LastDay, d.ClosedAt.Format("2006-01-02 15:04"), d.ClosedName, d.Reason)
		fmt.Fprintf(env.Stdout, "%-4s %-12s %8s %8s %8s %8s %8s\n", "排名", "科室", "任务得分", "加分", "扣分", "加减分", "总分")
		for _, x := range d.Report.Departments {
			fmt.Fprintf(env.Stdout, "%-4d %-12s %8s %8s %8s %8s %8s\n", x.Rank, x.Name, scoring.Format(x.TaskScore), scoring.Format(x.Bonus),
				scoring.Format(x.Deduction), scoring.Format(x.Adjustment), scoring.Format(x.Total))
		}
		if len(d.Corrections) == 0 {
			fmt.Fprintln(env.Stdout, "\n结账后没有更正。")
			return nil
		}
		fmt.Fprintln(env.Stdout, "\n结账后的更正：")
		for _, c := range d.Corrections {
			fmt.Fprintf(env.Stdout, "  %s %s %s：%s → %s（%s，%s）\n", c.At.Format("2006-01-02 15:04"), c.Department, c.Field,
				scoring.Format(c.Before), scoring.Format(c.After), c.Reason, c.ByName)
		}
		return nil
	}
	type correction struct {
		Department string  `json:"department"`
		Field      string  `json:"field"`
		Before     float64 `json:"before"`
		After      float64 `json:"after"`
		Reason     string  `json:"reason"`
		At         string  `json:"at"`
		By         string  `json:"by"`
	}
	out := struct {
		Period      string          `json:"period"`
		ClosedAt    string          `json:"closed_at"`
		ClosedBy    string          `json:"closed_by"`
		Snapshot    json.RawMessage `json:"snapshot"`
		Corrections []correction    `json:"corrections"`
	}{Period: d.Period.Period, ClosedAt: d.ClosedAt.Format("2006-01-02T15:04:05Z07:00"), ClosedBy: d.ClosedName,
		Snapshot: json.RawMessage(d.Snapshot), Corrections: []correction{}}
	for _, c := range d.Corrections {
		out.Corrections = append(out.Corrections, correction{c.Department, c.Field, c.Before, c.After, c.Reason, c.At.Format("2006-01-02T15:04:05Z07:00"), c.ByName})
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
