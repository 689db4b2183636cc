package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"kexuan/app"
)

// cmdBulletin writes a period's 通报 as a Word document (GB/T 9704-2012).
func cmdBulletin(ctx context.Context, args []string, env Env) error {
	fs := newFlags("bulletin", env)
	dsn := dbFlag(fs)
	month := fs.String("month", "", "月份 YYYY-MM")
	quarter := fs.String("quarter", "", "季度 YYYYQn，如 2017Q1")
	year := fs.String("year", "", "年度 YYYY")
	date := fs.String("date", "", "成文日期 YYYY-MM-DD（默认期末后第一个工作日；再次印发默认沿用原日期）")
	number := fs.Int("number", 0, "发文字号的序号（默认发文登记中本年的下一个；再次印发沿用原文号）")
	out := fs.String("out", "", "写入的 .docx 文件")
	if err := fs.Parse(args); err != nil {
		return err
	}
	n, period := 0, ""
	for _, v := range []string{*month, *quarter, *year} {
		if v != "" {
			n, period = n+1, v
		}
	}
	if n != 1 || *out == "" || fs.NArg() > 0 {
		return usagef("用法：kexuan bulletin --db PATH (--month 2017-03 | --quarter 2017Q1 | --year 2017) [--date YYYY-MM-DD] [--number N] --out FILE.docx")
	}
	db, err := openApp(ctx, *dsn, env)
	if err != nil {
		return err
	}
	defer db.Close()
	doc, name, err := db.Bulletin(ctx, nil, period, app.BulletinOptions{Date: *date, Number: *number})
	if err != nil {
		return err
	}
	if err := writeFileAtomic(*out, func(w io.Writer) error { _, err := w.Write(doc); return err }); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "已写入 %s（%s）\n", *out, name)
	return nil
}

// cmdDocuments lists the register of issued documents of a year.
func cmdDocuments(ctx context.Context, args []string, env Env) error {
	fs := newFlags("documents", env)
	dsn := dbFlag(fs)
	year := fs.Int("year", 0, "年度（默认最新方案的年度）")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("用法：kexuan documents --db PATH [--year 2017]")
	}
	db, err := openApp(ctx, *dsn, env)
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := db.Plan(ctx, *year)
	if err != nil {
		return err
	}
	*year = p.Year
	docs, err := db.Documents(ctx, nil, *year)
	if err != nil {
		return err
	}
	if len(docs) == 0 {
		fmt.Fprintf(env.Stdout, "%d 年尚未印发文件\n", *year)
		return nil
	}
	for _, d := range docs {
		by := d.IssuedName
		if by == "" {
			by = "命令行"
		}
		fmt.Fprintf(env.Stdout, "%s\t%s\t成文日期 %s\t%s\t%s\n", d.Number, d.Title, d.Dated, by, d.IssuedAt.In(p.Location()).Format("2006-01-02 15:04"))
	}
	return nil
}

// cmdBooklet writes the policy booklet (汇集各级科技政策整理编印成册).
func cmdBooklet(ctx context.Context, args []string, env Env) error {
	fs := newFlags("booklet", env)
	dsn := dbFlag(fs)
	year := fs.Int("year", 0, "年度（默认最新方案的年度）")
	out := fs.String("out", "", "写入的 .docx 文件")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() > 0 {
		return usagef("用法：kexuan booklet --db PATH [--year 2017] --out FILE.docx")
	}
	db, err := openApp(ctx, *dsn, env)
	if err != nil {
		return err
	}
	defer db.Close()
	doc, err := db.Booklet(ctx, nil, *year)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(*out, func(w io.Writer) error { _, err := w.Write(doc); return err }); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "已写入 %s\n", *out)
	return nil
}

// cmdJournal writes an issue of the plan's internal journal as a Word document.
func cmdJournal(ctx context.Context, args []string, env Env) error {
	fs := newFlags("journal", env)
	dsn := dbFlag(fs)
	issue := fs.String("issue", "", "期：年份-期号，如 2017-3")
	out := fs.String("out", "", "写入的 .docx 文件")
	if err := fs.Parse(args); err != nil {
		return err
	}
	y, n, ok := strings.Cut(*issue, "-")
	year, err1 := strconv.Atoi(y)
	number, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || *out == "" || fs.NArg() > 0 {
		return usagef("用法：kexuan journal --db PATH --issue 2017-3 --out FILE.docx")
	}
	db, err := openApp(ctx, *dsn, env)
	if err != nil {
		return err
	}
	defer db.Close()
	doc, err := db.JournalDOCX(ctx, nil, year, number)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(*out, func(w io.Writer) error { _, err := w.Write(doc); return err }); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "已写入 %s\n", *out)
	return nil
}
