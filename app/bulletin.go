package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

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

// BulletinOptions are what the office may set when it issues a 通报: its
// 成文日期 (default: the first working day after the period) and its number
// in the register (default: the one it was given when first issued, else the
// next free number of the year).
type BulletinOptions struct {
	Date   string // YYYY-MM-DD, or ""
	Number int    // 0: as the register says
}

// FirstWorkingDay is the first day after a day that is Monday to Friday:
// the 成文日期 a 通报 gets unless the office gives one.
func FirstWorkingDay(after plan.Date) plan.Date {
	d := after.AddDays(1)
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		d = d.AddDays(1)
	}
	return d
}

// BulletinTitle is a 通报's title for its period's label.
func BulletinTitle(label string) string {
	return "关于" + label + "科技宣传工作考核情况的通报"
}

// Bulletin issues the 通报 of a period as a .docx (GB/T 9704-2012): the
// scores and ranks as of the period's last day, the departments that missed
// quotas in it, its 发文字号 from the office's register (kept when issued
// again), its 成文日期; the office (or the command line, act nil). The
// register's entry and the audit row are one transaction; two servers
// issuing at once give two periods two numbers, and one period one.
func (a *App) Bulletin(ctx context.Context, act *Actor, period string, opt BulletinOptions) (doc []byte, name string, err error) {
	if act != nil {
		defer a.refused(ctx, act, "export", "bulletin:"+domain.Clip(period, 20), &err)
		if !act.Role.Can(domain.PermAdjust) {
			return nil, "", forbidden("只有办公室可以出通报")
		}
	}
	months, label, _, err := BulletinPeriod(period)
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
	var dated *plan.Date
	if opt.Date != "" {
		d, err := plan.ParseDate(opt.Date)
		if err != nil {
			return nil, "", invalid("date", "成文日期 %q 不对，应为 YYYY-MM-DD", opt.Date)
		}
		if !d.After(last) || d.After(last.AddDays(366)) {
			return nil, "", invalid("date", "成文日期 %s 应在 %s 之后的一年内", d, last)
		}
		dated = &d
	}
	if opt.Number < 0 || opt.Number > 9999 {
		return nil, "", invalid("number", "文号序号 %d 不对：应为 1 到 9999", opt.Number)
	}
	res, err := a.score(ctx, pl, last, "", false)
	if err != nil {
		return nil, "", err
	}
	title := BulletinTitle(label)
	var buf bytes.Buffer
	for attempt := 0; ; attempt++ {
		buf.Reset()
		err = a.DB.InTx(context.WithoutCancel(ctx), func(q *store.Q) error {
			d, reused, err := registerBulletin(ctx, q, act, pl, period, title, last, dated, opt.Number)
			if err != nil {
				return err
			}
			b := &report.Bulletin{Plan: pl, Result: res, Label: label, Months: months, Number: d.Number, Issued: d.Dated}
			if err := report.BulletinDOCX(&buf, b); err != nil {
				return err
			}
			what := "印发"
			if reused {
				what = "再次印发"
			}
			return a.audit(ctx, q, act, "export", "bulletin:"+period, domain.AuditOK,
				fmt.Sprintf("%s %s，成文日期 %s，截至 %s", what, d.Number, d.Dated, res.AsOf))
		})
		// Another server took the number (or issued the period) a moment
		// ago: the next try sees it.
		if errors.Is(err, store.ErrDuplicate) && attempt < 5 {
			continue
		}
		if err != nil {
			return nil, "", err
		}
		return buf.Bytes(), title + ".docx", nil
	}
}

// registerBulletin finds or makes the register's entry of a period's 通报:
// issued before, it keeps its number (a different --number is a conflict)
// and takes a new 成文日期 if one is given; else it takes the number asked
// for, if free, or the next free one of the year.
func registerBulletin(ctx context.Context, q *store.Q, act *Actor, pl *plan.Plan, period, title string, last plan.Date, dated *plan.Date, number int) (*domain.Document, bool, error) {
	if err := q.LockDocuments(ctx, pl.Year); err != nil {
		return nil, false, err
	}
	d, err := q.DocumentOf(ctx, domain.DocumentBulletin, period)
	switch {
	case err == nil:
		if number != 0 && number != d.Seq {
			return nil, false, &domain.Error{Code: domain.EConflict, Field: "number",
				Message: fmt.Sprintf("该期通报已编为 %s，再次印发沿用原文号", d.Number)}
		}
		if dated != nil && *dated != d.Dated {
			if err := q.RedateDocument(ctx, d.ID, *dated); err != nil {
				return nil, false, err
			}
			d.Dated = *dated
		}
		return d, true, nil
	case !errors.Is(err, store.ErrNotFound):
		return nil, false, err
	}
	if number != 0 {
		other, err := q.DocumentNumbered(ctx, pl.Year, number)
		if err == nil {
			return nil, false, &domain.Error{Code: domain.EConflict, Field: "number",
				Message: fmt.Sprintf("%s 已用于《%s》", other.Number, other.Title)}
		}
		if !errors.Is(err, store.ErrNotFound) {
			return nil, false, err
		}
	} else if number, err = q.NextDocumentSeq(ctx, pl.Year); err != nil {
		return nil, false, err
	}
	d = &domain.Document{Year: pl.Year, Seq: number, Number: fmt.Sprintf("%s〔%d〕%d号", pl.Documents.Code, pl.Year, number),
		Kind: domain.DocumentBulletin, Period: period, Title: title, Dated: FirstWorkingDay(last)}
	if dated != nil {
		d.Dated = *dated
	}
	if act != nil {
		d.IssuedBy = act.ID
	}
	return d, false, q.AddDocument(ctx, d)
}

// Documents is a year's register of issued documents, for the office.
func (a *App) Documents(ctx context.Context, u *domain.User, year int) ([]*domain.Document, error) {
	if u != nil && !u.Role.Can(domain.PermAdjust) {
		return nil, forbidden("只有办公室可以查看发文登记")
	}
	return a.DB.Q().Documents(ctx, year)
}

// IssuedBulletin is the register's entry of a period's 通报, or
// domain.ErrNotFound when it has not been issued.
func (a *App) IssuedBulletin(ctx context.Context, u *domain.User, period string) (*domain.Document, error) {
	if !u.Role.Can(domain.PermAdjust) {
		return nil, forbidden("只有办公室可以出通报")
	}
	d, err := a.DB.Q().DocumentOf(ctx, domain.DocumentBulletin, period)
	if errors.Is(err, store.ErrNotFound) {
		return nil, domain.ErrNotFound
	}
	return d, err
}
