// Package cli is the kexuan command line: init, import, report and plan.
// It only wires the core (plan, scoring) to storage and encoders; Run is
// what main calls and what tests call in process.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/plan"
	"kexuan/report"
	"kexuan/scoring"
	"kexuan/store"
)

// Env is what a command reads and writes besides its arguments.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Now            func() time.Time
	Getenv         func(string) string // nil: the process's environment
}

// exit codes
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

const usage = `kexuan — 科技宣传工作管理与考核系统

用法：
  kexuan init   --db PATH                      创建/升级数据库，载入内置 2017 年方案（可重复执行）
  kexuan import --db PATH [--reason TEXT] publications FILE
                                               导入发布（采用）登记表：.csv（UTF-8）或 .xlsx（结账期内的记录须 --reason）
  kexuan report --db PATH --year 2017 [--as-of YYYY-MM-DD] --format json|table|csv|xlsx [--out FILE]
                [--department CODE [--detail]]
  kexuan plan check FILE                       检查方案文件
  kexuan plan show [FILE]                      打印方案的任务分解表（默认内置 2017 年方案）
  kexuan check --db PATH [--repair]            检查数据库：完整性、审计哈希链、得分汇总与按发布记录重算是否一致
  kexuan plan load --db PATH [--replace [--reason TEXT]] FILE
                                               载入另一年度或另一单位的方案（已有则须 --replace，并列出变化；
                                               该年已有结账时段须 --reason，得分变化记为更正并列出）
  kexuan serve  [--config FILE] [--db PATH|URL] [--addr HOST:PORT] [--demo] [--tls-cert F --tls-key F]
                                               启动网页系统（--demo：空库时载入演示数据并打印各角色账户；--tls-*：HTTPS）
  kexuan user add --db PATH --username U --role ROLE [--department CODE] [--leads CODE,CODE] --password-stdin
                                               新建账户（三员 admin、security、auditor 只能这样建）
  kexuan user unlock|reset-second-factor --db PATH --username U
                                               解除锁定／清除第二因素（三员账户只能在此处理，记入审计日志）
  kexuan policy --db PATH [--second-factor admins|all|optional] [--password-max-age-days N]
                [--password-history N] [--lockout-failures N] [--lockout-minutes N]
                                               查看或修改安全策略（每项修改记入审计日志）
  kexuan audit verify --db PATH [--archive FILE] [--checkpoints FILE]
                                               校验审计日志：密钥签名的链（HMAC-SM3）与库外检查点（检查点文件、其镜像、服务器日志副本）
  kexuan audit archive --db PATH --before YYYY-MM-DD --out FILE
                                               把六个月前的审计日志归档到签名文件
  kexuan backup --db PATH --out FILE            在线备份（SQLite：VACUUM INTO；PostgreSQL：pg_dump），并检查备份
  kexuan restore --db PATH|URL --from FILE      从备份恢复（库须未在使用；先校验完整性与审计日志）
  kexuan period close --db PATH (--month 2017-03 | --year 2017) --reason TEXT
                                               结账：冻结截至期末的考核结果；之后的改动须写理由，作为更正列出
  kexuan period show --db PATH (--month 2017-03 | --year 2017) [--format json|table]
  kexuan bulletin --db PATH (--month 2017-03 | --quarter 2017Q1 | --year 2017) [--date YYYY-MM-DD] [--number N] --out FILE.docx
                                               印发通报（GB/T 9704 公文格式的 Word 文档）：文号取发文登记的下一个序号
                                               （再次印发沿用原文号），成文日期默认期末后第一个工作日
  kexuan documents --db PATH [--year 2017]      发文登记：已印发的通报、文号、成文日期
  kexuan version                                版本、提交、构建所用的 Go 与平台
  kexuan token add --db PATH --name N --scopes S[,S] [--expires YYYY-MM-DD]
                                               发放接口令牌（只显示一次）：report:read、pieces:read、adoptions:write、field:read
  kexuan token list|revoke --db PATH [--name N] 列出或吊销接口令牌
  kexuan config check [--config FILE]           serve 生效的设置及各自的来源（命令行 > 环境变量 KEXUAN_<名称> > 配置文件，
                                               默认 /etc/kexuan/kexuan.toml；未知的键报出文件与行）
  kexuan booklet --db PATH [--year 2017] --out FILE.docx
                                               科技政策汇编（政策库按层级、日期编排，含目录与页码）
  kexuan journal --db PATH --issue 2017-3 --out FILE.docx
                                               内刊一期（按版块编排，含目录与页码）

--db 可以是 SQLite 文件路径，也可以是 postgres:// 地址。
密钥文件（审计签名、个人信息加密）：$KEXUAN_KEY_FILE，默认 SQLite 库旁的 PATH.key，PostgreSQL 为当前目录的 kexuan.key；
检查点文件：$KEXUAN_CHECKPOINT_FILE，默认密钥文件旁的 .checkpoints；镜像：$KEXUAN_CHECKPOINT_MIRROR（逗号分隔，每个检查点同时追加到这些位置）。
`

// Run executes one command and returns the process exit code.
func Run(ctx context.Context, args []string, env Env) int {
	if env.Now == nil {
		env.Now = time.Now
	}
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, usage)
		return exitUsage
	}
	var err error
	switch args[0] {
	case "init":
		err = cmdInit(ctx, args[1:], env)
	case "import":
		err = cmdImport(ctx, args[1:], env)
	case "report":
		err = cmdReport(ctx, args[1:], env)
	case "plan":
		err = cmdPlan(ctx, args[1:], env)
	case "serve":
		err = cmdServe(ctx, args[1:], env)
	case "user":
		err = cmdUser(ctx, args[1:], env)
	case "audit":
		err = cmdAudit(ctx, args[1:], env)
	case "backup":
		err = cmdBackup(ctx, args[1:], env)
	case "check":
		err = cmdCheck(ctx, args[1:], env)
	case "period":
		err = cmdPeriod(ctx, args[1:], env)
	case "policy":
		err = cmdPolicy(ctx, args[1:], env)
	case "restore":
		err = cmdRestore(ctx, args[1:], env)
	case "bulletin":
		err = cmdBulletin(ctx, args[1:], env)
	case "documents":
		err = cmdDocuments(ctx, args[1:], env)
	case "booklet":
		err = cmdBooklet(ctx, args[1:], env)
	case "journal":
		err = cmdJournal(ctx, args[1:], env)
	case "config":
		err = cmdConfig(ctx, args[1:], env)
	case "token":
		err = cmdToken(ctx, args[1:], env)
	case "version", "--version":
		fmt.Fprint(env.Stdout, versionLine())
		return exitOK
	case "help", "-h", "--help":
		fmt.Fprint(env.Stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(env.Stderr, "未知命令 %q\n\n%s", args[0], usage)
		return exitUsage
	}
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(env.Stderr, "kexuan %s: %v\n", args[0], err)
		return exitUsage
	case errors.Is(err, flag.ErrHelp):
		return exitUsage
	default:
		fmt.Fprintf(env.Stderr, "kexuan %s: %v\n", args[0], err)
		return exitError
	}
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

func newFlags(name string, env Env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	return fs
}

func dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", "kexuan.db", "SQLite 文件路径或 postgres:// 地址")
}

// openApp opens a database whose schema is current, with the
// installation's key.
func openApp(ctx context.Context, dsn string, env Env) (*app.App, error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := db.Ready(ctx); err != nil {
		db.Close()
		return nil, err
	}
	a := app.New(db)
	if env.Now != nil {
		a.Now = env.Now
	}
	a.Log = slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if err := useKey(ctx, a, dsn, env); err != nil {
		db.Close()
		return nil, err
	}
	return a, nil
}

func cmdInit(ctx context.Context, args []string, env Env) error {
	fs := newFlags("init", env)
	dsn := dbFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("多余的参数 %q", fs.Args())
	}
	if !store.IsPostgres(*dsn) {
		if dir := filepath.Dir(*dsn); dir != "" {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
		}
	}
	db, loaded, err := prepare(ctx, *dsn, env)
	if err != nil {
		return err
	}
	defer db.Close()
	if loaded {
		p, _ := plan.Builtin()
		fmt.Fprintf(env.Stdout, "已载入内置方案：%d年 %s\n", p.Year, p.DocumentNumber)
	}
	fmt.Fprintf(env.Stdout, "数据库已就绪（%s）：%s\n", db.DB.Dialect(), store.Redact(*dsn))
	return nil
}

// importMemoryLimit is the Go heap's soft limit during an import.
const importMemoryLimit = 96 << 20

func cmdImport(ctx context.Context, args []string, env Env) error {
	fs := newFlags("import", env)
	dsn := dbFlag(fs)
	reason := fs.String("reason", "", "导入结账期内的记录、或与 --update 同用时必填：理由（改动作为更正列出）")
	update := fs.Bool("update", false, "已导入的记录字数不同时，按登记表修改（须写 --reason）；不加则拒绝整个文件并列出这些行")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 2 || (fs.Arg(0) != "publications" && fs.Arg(0) != "enterprises") {
		return usagef("用法：kexuan import --db PATH [--update] [--reason TEXT] publications FILE\n　　　kexuan import --db PATH enterprises FILE（企业名录：企业名称、统一社会信用代码、园区、地址、联系人、行业）")
	}
	db, err := openApp(ctx, *dsn, env)
	if err != nil {
		return err
	}
	defer db.Close()
	db.TakeForImports()
	if os.Getenv("GOMEMLIMIT") == "" {
		// A large register is read, checked and hashed in batches; a soft
		// limit keeps the collector ahead of the garbage, so the import's
		// memory stays flat whatever the file's size.
		debug.SetMemoryLimit(importMemoryLimit)
	}
	if fs.Arg(0) == "enterprises" {
		if *update || *reason != "" {
			return usagef("--update 与 --reason 只用于 publications")
		}
		res, err := db.ImportEnterprises(ctx, nil, fs.Arg(1))
		if err != nil {
			return err
		}
		if res.Encoding != "" {
			fmt.Fprintf(env.Stderr, "注意：文件不是 UTF-8，已按 %s 编码读取\n", res.Encoding)
		}
		fmt.Fprintf(env.Stdout, "企业名录：新增 %d 家；%d 家已登记，跳过；共 %d 行\n", res.Added, res.Present, res.Rows)
		return nil
	}
	res, err := db.Import(ctx, nil, fs.Arg(1), *reason, *update)
	if err != nil {
		return err
	}
	if res.Encoding != "" {
		fmt.Fprintf(env.Stderr, "注意：文件不是 UTF-8，已按 %s 编码读取\n", res.Encoding)
	}
	for _, c := range res.UnknownColumns {
		fmt.Fprintf(env.Stderr, "注意：未知列 %q 已忽略\n", c)
	}
	for _, c := range res.Updated {
		fmt.Fprintf(env.Stdout, "第 %d 行《%s》字数 %d → %d，已按登记表修改\n", c.Line, c.Title, c.Old, c.New)
	}
	fmt.Fprintf(env.Stdout, "已导入 %d 条；%d 条已存在，跳过；共 %d 行\n", res.Inserted, res.Skipped, res.Rows)
	return nil
}

func cmdReport(ctx context.Context, args []string, env Env) error {
	fs := newFlags("report", env)
	dsn := dbFlag(fs)
	year := fs.Int("year", 0, "考核年度（默认今年，或最新方案的年度）")
	asOfFlag := fs.String("as-of", "", "考核截至日期 YYYY-MM-DD（默认今天与年度最后一天中较早者）")
	format := fs.String("format", "table", "json|table|csv|xlsx")
	out := fs.String("out", "", "写入文件（默认标准输出）")
	deptFlag := fs.String("department", "", "只看一个科室（代码或名称）")
	detail := fs.Bool("detail", false, "与 --department 同用：台账逐条列出每条发布记录")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("多余的参数 %q", fs.Args())
	}
	if !contains(report.Formats, *format) {
		return usagef("--format %q 不对：可用 %s", *format, strings.Join(report.Formats, "、"))
	}
	if *detail && *deptFlag == "" {
		return usagef("--detail 需要与 --department 同用")
	}
	db, err := openApp(ctx, *dsn, env)
	if err != nil {
		return err
	}
	defer db.Close()
	a := db
	p, err := a.PlanFor(ctx, *year, env.Now())
	if err != nil {
		return err
	}
	asOf := scoring.DefaultAsOf(p, plan.DateOf(env.Now().In(p.Location())))
	if *asOfFlag != "" {
		if asOf, err = plan.ParseDate(*asOfFlag); err != nil {
			return usagef("--as-of：%v", err)
		}
	}
	if *deptFlag != "" {
		d := p.FindDepartment(*deptFlag)
		if d == nil {
			var names []string
			for _, x := range p.Departments {
				names = append(names, x.Name+"（"+x.Code+"）")
			}
			return usagef("--department：%d 年方案中没有科室 %q；可用：%s", p.Year, *deptFlag, strings.Join(names, "、"))
		}
		*deptFlag = d.Code
	}
	enc, err := report.Find(report.Encoders, *format)
	if err != nil {
		return usagef("%v", err)
	}
	// A document that prints every ledger line by line (the year-end
	// workbook) is scored a publication an entry.
	res, err := a.ScoreReport(ctx, p, asOf, *deptFlag, *detail || enc.Ledgers())
	if err != nil {
		return err
	}
	if *deptFlag != "" {
		for _, d := range res.Departments {
			if d.Code == *deptFlag {
				res.Departments = []scoring.Department{d}
				break
			}
		}
	}
	// --detail with table or csv: the department's ledger, a line per
	// publication (JSON and xlsx carry it in the report itself).
	if *detail && (*format == "table" || *format == "csv") {
		if enc, err = report.Find(report.LedgerEncoders, *format); err != nil {
			return err
		}
	}
	write := func(w io.Writer) error { return enc.Encode(w, p, res, env.Now()) }
	reason := fmt.Sprintf("%s 格式，截至 %s", *format, res.AsOf)
	if *deptFlag != "" {
		reason += "，科室 " + *deptFlag
	}
	if *out == "" {
		if *format == "xlsx" && isTerminal(env.Stdout) {
			return usagef("xlsx 是二进制文件：请用 --out FILE.xlsx 写入文件")
		}
		if err := write(env.Stdout); err != nil {
			return err
		}
		if *format == "csv" || *format == "xlsx" {
			return a.Exported(ctx, "report (standard output)", reason)
		}
		return nil
	}
	if err := writeFileAtomic(*out, write); err != nil {
		return err
	}
	return a.Exported(ctx, "report "+*out, reason)
}

func cmdPlan(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 {
		return usagef("用法：kexuan plan check FILE | plan show [FILE] | plan load --db PATH FILE")
	}
	switch args[0] {
	case "check":
		if len(args) != 2 {
			return usagef("用法：kexuan plan check FILE")
		}
		p, _, err := plan.ReadFile(args[1])
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s：方案有效（%d年 %s，%d 个科室，%d 个渠道）\n", args[1], p.Year, p.DocumentNumber, len(p.Departments), len(p.Channels))
		printCheckRules(env, p)
		return nil
	case "show":
		var p *plan.Plan
		switch len(args) {
		case 1:
			p, _ = plan.Builtin()
		case 2:
			var err error
			if p, _, err = plan.ReadFile(args[1]); err != nil {
				return err
			}
		default:
			return usagef("用法：kexuan plan show [FILE]")
		}
		if err := report.PlanTable(env.Stdout, p); err != nil {
			return err
		}
		printCheckRules(env, p)
		return nil
	case "load":
		fs := newFlags("plan load", env)
		dsn := dbFlag(fs)
		replace := fs.Bool("replace", false, "替换该年度已有的方案（先列出变化）")
		reason := fs.String("reason", "", "替换已有结账时段的年度方案时须说明原因（得分变化记为更正）")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return usagef("用法：kexuan plan load --db PATH [--replace [--reason TEXT]] FILE")
		}
		p, src, err := plan.ReadFile(fs.Arg(0))
		if err != nil {
			return err
		}
		db, err := openApp(ctx, *dsn, env)
		if err != nil {
			return err
		}
		defer db.Close()
		res, err := db.LoadPlan(ctx, nil, p, src, *replace, *reason)
		if res != nil && len(res.Changes) > 0 {
			fmt.Fprintf(env.Stdout, "%d 年方案的变化：\n", p.Year)
			for _, c := range res.Changes {
				fmt.Fprintf(env.Stdout, "  %s\n", c)
			}
		}
		if err != nil {
			if e := domain.ErrorOf(err); e.Code == domain.EConflict || e.Code == domain.EInvalid {
				return fmt.Errorf("%s", e.Message)
			}
			return err
		}
		if len(res.Corrections) > 0 {
			fmt.Fprintf(env.Stdout, "已结账时段的得分更正 %d 项（原因：%s）：\n", len(res.Corrections), *reason)
			for _, c := range res.Corrections {
				fmt.Fprintf(env.Stdout, "  %s\n", c)
			}
		}
		verb := "已载入"
		if *replace {
			verb = "已替换"
		}
		fmt.Fprintf(env.Stdout, "%s方案：%d年 %s（%d 个科室）\n", verb, p.Year, p.DocumentNumber, len(p.Departments))
		return nil
	}
	return usagef("未知子命令 plan %q", args[0])
}

// printCheckRules says a plan's quality-gate rules, when it has any.
func printCheckRules(env Env, p *plan.Plan) {
	if rules := p.CheckRules(); len(rules) > 0 {
		fmt.Fprintln(env.Stdout, "稿件检查规则：")
		for _, r := range rules {
			fmt.Fprintf(env.Stdout, "  %s\n", r)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// writeFileAtomic writes through a temporary file in the same folder, so a
// failed export never leaves half a file under the name asked for.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".kexuan-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
