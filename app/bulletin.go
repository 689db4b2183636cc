package app

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"

	"kexuan/domain"
	"kexuan/plan"
	"kexuan/report"
	"kexuan/store"
)

// BulletinPeriod reads a 通报's period: a month (2017-03), a quarter
// (2017Q1) or a year (2017); it returns the months it covers, its label and
// its number in the year's series of bulletins (month n: n; quarter q:
// 12+q; the year: 17).
func BulletinPeriod(s string) (months []plan.Month, label string, seq int, err error) {
	if m, err := plan.ParseMonth(s); err == nil {
		return []plan.Month{m}, fmt.Sprintf("%d年%d月份", m.Year, m.Month), m.Month, nil
	}
	if y, q, ok := strings.Cut(s, "Q"); ok {
		year, err1 := strconv.Atoi(y)
		n, err2 := strconv.Atoi(q)
		if err1 == nil && err2 == nil && n >= 1 && n <= 4 && len(y) == 4 {
			for i := 0; i < 3; i++ {
				months = append(months, plan.Month{Year: year, Month: (n-1)*3 + 1 + i})
			}
			return months, fmt.Sprintf("%d年第%s季度", year, []string{"一", "二", "三", "四"}[n-1]), 12 + n, nil
		}
	}
	if y, err := strconv.Atoi(s); err == nil && len(s) == 4 {
		for m := 1; m <= 12; m++ {
			months = append(months, plan.Month{Year: y, Month: m})
		}
		return months, fmt.Sprintf("%d年度", y), 17, nil
	}
	return nil, "", 0, invalid("period", "通报期间 %q 不对：应为 2017-03、2017Q1 或 2017", s)
}

// Bulletin writes the 通报 of a period as a .docx (GB/T 9704-2012): the
// scores and ranks as of the period's last day, the departments that missed
// quotas in it; the office (or the command line, act nil); audited as an
// export once written.
func (a *App) Bulletin(ctx context.Context, act *Actor, period string) (doc []byte, name string, err error) {
	if act != nil {
		defer a.refused(ctx, act, "export", "bulletin:"+domain.Clip(period, 20), &err)
		if !act.Role.Can(domain.PermAdjust) {
			return nil, "", forbidden("只有办公室可以出通报")
		}
	}
	months, label, seq, err := BulletinPeriod(period)
	if err != nil {
		return nil, "", err
	}
	pl, err := a.Plan(ctx, months[0].Year)
	if err != nil {
		return nil, "", invalid("period", "%d 年没有考核方案", months[0].Year)
	}
	last := months[len(months)-1].Last()
	today := a.Today(pl.Location())
	if !today.After(last) {
		return nil, "", invalid("period", "%s 尚未结束，不能出通报", period)
	}
	res, err := a.score(ctx, pl, last, "", false)
	if err != nil {
		return nil, "", err
	}
	prefix, _, _ := strings.Cut(pl.DocumentNumber, "〔")
	b := &report.Bulletin{Plan: pl, Result: res, Label: label, Months: months, Issued: today,
		Number: fmt.Sprintf("%s通〔%d〕%d号", prefix, pl.Year, seq)}
	var buf bytes.Buffer
	if err := report.BulletinDOCX(&buf, b); err != nil {
		return nil, "", err
	}
	name = "关于" + label + "科技宣传工作考核情况的通报.docx"
	err = a.DB.InTx(context.WithoutCancel(ctx), func(q *store.Q) error {
		return a.audit(ctx, q, act, "export", "bulletin:"+period, domain.AuditOK, b.Number+"，截至 "+res.AsOf)
	})
	if err != nil {
		return nil, "", err
	}
	return buf.Bytes(), name, nil
}
