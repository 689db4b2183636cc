package app

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"

	"kexuan/domain"
	"kexuan/report"
	"kexuan/store"
)

// exportList writes a list as a workbook, audited once written.
func (a *App) exportList(ctx context.Context, act *Actor, name string, l *report.List) ([]byte, error) {
	var buf bytes.Buffer
	if err := report.ListXLSX(&buf, l); err != nil {
		return nil, err
	}
	err := a.DB.InTx(context.WithoutCancel(ctx), func(q *store.Q) error {
		return a.audit(ctx, q, act, "export", name, domain.AuditOK, fmt.Sprintf("%d 行", len(l.Rows)))
	})
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ExportList writes one of the plan's work lists that u may see as a
// workbook: "visits", "activities", "reaches" (科技政策进百企), "policies"
// or "commissions", for a plan year.
func (a *App) ExportList(ctx context.Context, act *Actor, kind string, year int) (_ []byte, err error) {
	defer a.refused(ctx, act, "export", kind+".xlsx", &err)
	pl, err := a.Plan(ctx, year)
	if err != nil {
		return nil, err
	}
	l := &report.List{Author: pl.Bureau, Made: a.Now()}
	switch kind {
	case "visits":
		l.Title = fmt.Sprintf("%d年走访园区和企业记录", pl.Year)
		l.Heads = []string{"日期", "科室", "走访人员", "企业", "园区", "创新需求", "发展难题", "创新发展典型", "跟进措施"}
		l.Widths = []float64{11, 12, 14, 30, 14, 24, 24, 24, 24}
		f, err := visitScope(act.User, domain.VisitFilter{From: pl.Start(), To: pl.End()})
		if err != nil {
			return nil, err
		}
		vs, err := a.DB.Q().Visits(ctx, f, nil, false, 100000)
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			var names []string
			for _, e := range v.Enterprises {
				names = append(names, e.Name)
			}
			l.Rows = append(l.Rows, []string{v.Day.String(), v.DeptName, strings.Join(v.People, "、"), strings.Join(names, "、"), v.Park,
				v.Needs, v.Problems, v.Highlights, v.FollowUp})
		}
	case "activities":
		acts, err := a.Activities(ctx, act.User, pl.Year)
		if err != nil {
			return nil, err
		}
		l.Title = fmt.Sprintf("%d年主要形式（活动）", pl.Year)
		l.Heads = []string{"序号", "活动", "牵头", "责任科室", "开始", "结束", "状态", "材料", "稿件", "总结", "缺少"}
		l.Widths = []float64{6, 24, 12, 24, 11, 11, 8, 6, 6, 40, 24}
		l.Numeric = []bool{7: true, 8: true, 10: false}
		for _, v := range acts {
			first, last := "", ""
			if v.First.Year != 0 {
				first, last = v.First.String(), v.Last.String()
			}
			l.Rows = append(l.Rows, []string{v.Form.Label(), v.Form.Title, strings.Join(v.Lead, "、"), strings.Join(v.Responsible, "、"), first, last,
				v.Status.Name(), strconv.Itoa(v.Files), strconv.Itoa(v.Pieces), v.Summary, strings.Join(v.Missing, "、")})
		}
	case "reaches":
		c, err := a.PolicyCampaign(ctx, act.User, pl.Year)
		if err != nil {
			return nil, err
		}
		all, err := a.DB.Q().Reaches(ctx, pl.Start(), pl.End(), scopeDept(act.User), 100000)
		if err != nil {
			return nil, err
		}
		l.Title = fmt.Sprintf("%d年“科技政策进百企”走进企业记录（%d 家，目标 %d 家）", pl.Year, c.Reached, c.Target)
		l.Heads = []string{"日期", "科室", "企业", "统一社会信用代码", "宣讲政策", "企业诉求"}
		l.Widths = []float64{11, 12, 30, 22, 40, 30}
		for _, r := range all {
			var ps []string
			for _, p := range r.Policies {
				ps = append(ps, p.Title)
			}
			l.Rows = append(l.Rows, []string{r.Day.String(), r.DeptName, r.Enterprise.Name, r.Enterprise.CreditCode, strings.Join(ps, "；"), r.Asked})
		}
	case "policies":
		ps, err := a.Policies(ctx, act.User)
		if err != nil {
			return nil, err
		}
		l.Title = "科技政策库"
		l.Heads = []string{"层级", "政策名称", "发文机关", "文号", "发布日期", "状态", "要点摘要", "原文链接"}
		l.Widths = []float64{8, 36, 20, 18, 11, 6, 40, 30}
		for _, p := range ps {
			status := "有效"
			if p.Repealed {
				status = "废止"
			}
			l.Rows = append(l.Rows, []string{p.Level.Name(), p.Title, p.Issuer, p.DocNumber, p.Issued.String(), status, p.Summary, p.Link})
		}
	case "commissions":
		cs, err := a.allCommissions(ctx, act.User, CommissionFilter{})
		if err != nil {
			return nil, err
		}
		l.Title = "约稿"
		l.Heads = []string{"科室", "题目", "截止", "约稿人", "说明", "回应稿件", "状态"}
		l.Widths = []float64{12, 30, 11, 10, 30, 30, 8}
		for _, c := range cs {
			status := "待回应"
			switch {
			case c.PieceID != 0:
				status = "已回应"
			case c.Overdue:
				status = "已逾期"
			}
			l.Rows = append(l.Rows, []string{c.DeptName, c.Title, c.Due.String(), c.CreatedName, c.Notes, c.PieceTitle, status})
		}
	default:
		return nil, errNotFound
	}
	return a.exportList(ctx, act, kind+".xlsx", l)
}

// scopeDept is the department a department's user is held to ("" for the rest).
func scopeDept(u *domain.User) string {
	if u.Role.InDepartment() {
		return u.Department
	}
	return ""
}
