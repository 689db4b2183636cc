package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/mattn/go-runewidth"

	"kexuan/app"
	"kexuan/demo"
	"kexuan/domain"
	"kexuan/secret"
	"kexuan/store"
	"kexuan/web"
)

// prepare opens, creates or upgrades a database, loads the installation's
// key (generating it for a new one) and the built-in plan unless that year
// has one; loaded reports whether it did.
func prepare(ctx context.Context, dsn string, env Env) (*app.App, bool, error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, false, err
	}
	a := app.New(db)
	if env.Now != nil {
		a.Now = env.Now
	}
	a.Log = slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if err := a.Upgrade(ctx); err != nil {
		db.Close()
		return nil, false, err
	}
	if err := useKey(ctx, a, dsn, env); err != nil {
		db.Close()
		return nil, false, err
	}
	loaded, err := a.Initialise(ctx)
	if err != nil {
		db.Close()
		return nil, false, err
	}
	return a, loaded, nil
}

// serveOptions are kexuan serve's options (flags, KEXUAN_<NAME>, or keys of
// the configuration file).
type serveOptions struct {
	dsn, addr, trust, webhookHosts, mailHosts, tlsCert, tlsKey, redirectHTTP, siteURL, weComAPI, weComAuth *string
	withDemo, secure                                                                                       *bool
	deliveryEvery, deliveryLease, checkpointEvery                                                          *time.Duration
}

func serveFlags(env Env) (*flag.FlagSet, *serveOptions) {
	fs := newFlags("serve", env)
	o := &serveOptions{}
	o.dsn = dbFlag(fs)
	o.addr = fs.String("addr", "127.0.0.1:8080", "监听地址 HOST:PORT")
	o.withDemo = fs.Bool("demo", false, "空数据库时载入演示数据（2017 年方案、每个角色一个账户、一年的稿件与采用）")
	o.secure = fs.Bool("secure-cookies", false, "在 HTTPS 反向代理之后：Cookie 加 Secure 标记，并发送 HSTS")
	o.trust = fs.String("trust-proxy", "", "信任这些反向代理转发的客户端地址（X-Forwarded-For）：CIDR[,CIDR]")
	o.webhookHosts = fs.String("webhook-host", "", "除企业微信、钉钉外，允许群机器人使用的主机：HOST[,HOST]")
	o.mailHosts = fs.String("mail-host", "", "允许使用的本机或链路本地邮件服务器（默认一律拒绝）：HOST[,HOST]")
	o.deliveryEvery = fs.Duration("delivery-every", 5*time.Second, "多久查看一次待发送的通知")
	o.deliveryLease = fs.Duration("delivery-lease", app.Lease, "一台服务器发送一条通知时占用它的时长（超时后其他服务器可接手）")
	o.tlsCert = fs.String("tls-cert", "", "HTTPS 证书文件（PEM，含中间证书）；与 --tls-key 一起给出时直接提供 HTTPS")
	o.tlsKey = fs.String("tls-key", "", "HTTPS 私钥文件（PEM）")
	o.redirectHTTP = fs.String("redirect-http", "", "同时在此地址（如 :80）监听 HTTP，全部重定向到 HTTPS")
	o.siteURL = fs.String("site-url", "", "对外地址，如 https://kx.example.gov.cn/kexuan/：邮件、机器人、日历中的链接以它开头，站点在它的路径下提供")
	o.weComAPI = fs.String("wecom-api", app.DefaultWeComAPI, "企业微信服务端 API 的地址（内网代理或测试时改）")
	o.weComAuth = fs.String("wecom-auth", app.DefaultWeComAuth, "企业微信网页授权页的地址")
	o.checkpointEvery = fs.Duration("checkpoint-every", time.Minute, "审计日志链头写入检查点的最长间隔（另外每 100 条、停止时各写一次）")
	return fs, o
}

// cmdConfig: kexuan config check [--config FILE] — the serve settings in
// force and where each came from.
func cmdConfig(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 || args[0] != "check" {
		return usagef("用法：kexuan config check [--config FILE]")
	}
	fs, _ := serveFlags(env)
	s, err := parseSettings(fs, args[1:], env)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("多余的参数 %q", fs.Args())
	}
	s.report(func(format string, a ...any) { fmt.Fprintf(env.Stdout, format, a...) })
	return nil
}

func cmdServe(ctx context.Context, args []string, env Env) error {
	fs, o := serveFlags(env)
	dsn, addr, withDemo, secure, trust, webhookHosts, mailHosts := o.dsn, o.addr, o.withDemo, o.secure, o.trust, o.webhookHosts, o.mailHosts
	deliveryEvery, deliveryLease, tlsCert, tlsKey, redirectHTTP, checkpointEvery := o.deliveryEvery, o.deliveryLease, o.tlsCert, o.tlsKey, o.redirectHTTP, o.checkpointEvery
	if _, err := parseSettings(fs, args, env); err != nil {
		return err
	}
	proxies, err := web.ParseProxies(*trust)
	if err != nil {
		return usagef("%v", err)
	}
	site, base, err := web.ParseSiteURL(*o.siteURL)
	if err != nil {
		return usagef("%v", err)
	}
	if fs.NArg() > 0 {
		return usagef("多余的参数 %q", fs.Args())
	}
	log := slog.New(slog.NewJSONHandler(env.Stderr, nil))
	a, _, err := prepare(ctx, *dsn, env)
	if err != nil {
		return err
	}
	defer a.Close()
	a.Log = log // the server's log: requests, deliveries, the audit checkpoints
	a.SiteURL = site
	a.WeCom = app.WeComEndpoints{API: *o.weComAPI, Auth: *o.weComAuth}
	// Every server of this database holds its serving lock (shared): a
	// restore refuses to overwrite it while one runs.
	lock, err := a.HoldServing(ctx)
	if err != nil {
		return err
	}
	defer lock.Release()

	var accounts []demo.Account
	if *withDemo {
		present, err := demo.Present(ctx, a)
		if err != nil {
			return err
		}
		n, err := a.CountUsers(ctx)
		if err != nil {
			return err
		}
		switch {
		case present:
			if accounts, err = demo.ResetPasswords(ctx, a); err != nil {
				return err
			}
		case n == 0:
			fmt.Fprintln(env.Stdout, "正在载入演示数据（2017 年）……")
			if accounts, err = demo.Load(ctx, a); err != nil {
				return fmt.Errorf("载入演示数据：%w", err)
			}
		default:
			fmt.Fprintln(env.Stdout, "数据库已有账户，不载入演示数据。")
		}
		if present || accounts != nil {
			// The demo lives in its year: what is made in it is dated
			// beside the year's records. Only the plan's calendar moves;
			// codes, signatures, sessions and audit times keep the wall
			// clock.
			a.PlanClock = demo.Clock(a.Zone(ctx), a.Now)
			fmt.Fprintf(env.Stdout, "演示时钟：%s（新建的稿件与记录按此日期）\n", demo.Today)
		}
	}
	a.Delivery.WebhookHosts = append([]string(nil), app.DefaultWebhookHosts...)
	for _, h := range strings.Split(*webhookHosts, ",") {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			a.Delivery.WebhookHosts = append(a.Delivery.WebhookHosts, h)
		}
	}
	for _, h := range strings.Split(*mailHosts, ",") {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			a.Delivery.MailHosts = append(a.Delivery.MailHosts, h)
		}
	}
	// The outbox: notices by e-mail and to the group robots, sent by every
	// server that shares the database, each delivery by one of them.
	a.Delivery.Lease = *deliveryLease
	go a.RunDeliveries(ctx, *deliveryEvery)
	// The audit chain's head, checkpointed outside the database: every
	// 100 entries, every --checkpoint-every, and at shutdown.
	cpCtx, cpStop := context.WithCancel(ctx)
	cpDone := make(chan struct{})
	go func() { a.RunCheckpoints(cpCtx, *checkpointEvery); close(cpDone) }()
	defer func() { cpStop(); <-cpDone }()
	initial, err := a.Bootstrap(ctx)
	if err != nil {
		return err
	}
	srv, err := web.New(a, log)
	if err != nil {
		return err
	}
	srv.Secure = *secure
	if err := srv.SetSiteURL(site); err != nil {
		return err
	}
	srv.TrustedProxies = proxies
	srv.TLSCert, srv.TLSKey, srv.RedirectAddr = *tlsCert, *tlsKey, *redirectHTTP
	scheme := "http"
	if *tlsCert != "" {
		scheme = "https"
	}
	return srv.Run(ctx, *addr, func(bound string) {
		url := scheme + "://" + displayAddr(bound) + base + "/"
		outside := ""
		if site != "" {
			outside = "，对外地址 " + site + "/"
		}
		fmt.Fprintf(env.Stdout, "kexuan 已启动：%s（数据库：%s%s）\n", url, store.Redact(*dsn), outside)
		if len(initial) > 0 {
			fmt.Fprintf(env.Stdout, "\n三员账户（密码只显示这一次；首次登录须修改密码并绑定验证器应用）：\n")
			for _, i := range initial {
				fmt.Fprintf(env.Stdout, "  用户名 %s  密码 %s  %s\n", pad(i.Username, 10), i.Password, i.Role.Name())
			}
		}
		if len(accounts) > 0 {
			fmt.Fprintf(env.Stdout, "\n演示账户（密码每次以 --demo 启动时重新生成）：\n")
			for _, acc := range accounts {
				fmt.Fprintf(env.Stdout, "  %s  %s  %s  %s\n", pad(acc.Username, 22), acc.Password, pad(domain.Role(acc.Role).Name(), 20), acc.Note)
			}
		}
		fmt.Fprintf(env.Stdout, "\n在浏览器打开 %slogin 登录；按 Ctrl+C 停止。\n", url)
	})
}

func displayAddr(bound string) string {
	host, port, err := net.SplitHostPort(bound)
	if err != nil {
		return bound
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

func cmdUser(ctx context.Context, args []string, env Env) error {
	if len(args) > 0 && (args[0] == "unlock" || args[0] == "reset-second-factor") {
		return cmdUserRepair(ctx, args, env)
	}
	if len(args) == 0 || args[0] != "add" {
		return usagef("用法：kexuan user add --db PATH --username U --role ROLE [--department CODE] [--leads CODE,CODE] --password-stdin\n" +
			"      kexuan user unlock|reset-second-factor --db PATH --username U")
	}
	fs := newFlags("user add", env)
	dsn := dbFlag(fs)
	username := fs.String("username", "", "用户名")
	name := fs.String("name", "", "姓名（默认同用户名）")
	role := fs.String("role", "", "角色："+roleList())
	dept := fs.String("department", "", "科室代码（信息员、科室负责人）")
	leads := fs.String("leads", "", "分管科室代码，逗号分隔（分管局领导）")
	stdin := fs.Bool("password-stdin", false, "从标准输入读取密码（必需）")
	mustChange := fs.Bool("must-change", true, "首次登录须修改密码")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if !*stdin || *username == "" || *role == "" {
		return usagef("需要 --username、--role 和 --password-stdin")
	}
	line, err := bufio.NewReader(env.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return usagef("标准输入没有密码")
	}
	password := strings.TrimRight(line, "\r\n")
	db, _, err := prepare(ctx, *dsn, env)
	if err != nil {
		return err
	}
	defer db.Close()
	var leadList []string
	for _, c := range strings.Split(*leads, ",") {
		if c = strings.TrimSpace(c); c != "" {
			leadList = append(leadList, c)
		}
	}
	u, err := db.CreateUser(ctx, nil, app.UserInput{Username: *username, DisplayName: *name, Role: domain.Role(*role), Department: *dept,
		Leads: leadList, Password: password}, *mustChange)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "已新建账户 %s（%s）\n", u.Username, u.Role.Name())
	return nil
}

// pad fills s to width display columns (Chinese characters are two wide).
func pad(s string, width int) string {
	if w := runewidth.StringWidth(s); w < width {
		return s + strings.Repeat(" ", width-w)
	}
	return s
}

// cmdAudit verifies the audit log (the keyed chain and the checkpoints
// outside the database) or archives its old entries to a signed file.
func cmdAudit(ctx context.Context, args []string, env Env) error {
	if len(args) > 0 && args[0] == "archive" {
		return cmdAuditArchive(ctx, args[1:], env)
	}
	if len(args) == 0 || args[0] != "verify" {
		return usagef("用法：kexuan audit verify --db PATH [--archive FILE]… | kexuan audit archive --db PATH --before YYYY-MM-DD --out FILE")
	}
	fs := newFlags("audit verify", env)
	dsn := dbFlag(fs)
	var archives, more stringList
	fs.Var(&archives, "archive", "同时校验这个归档文件（可重复）")
	fs.Var(&more, "checkpoints", "还从这个文件读检查点：服务器日志或系统日志（journalctl、syslog）的副本（可重复）")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	db, err := openApp(ctx, *dsn, env)
	if err != nil {
		return err
	}
	defer db.Close()
	db.ReadCheckpointsToo(more...)
	r, err := db.VerifyAudit(ctx, nil)
	if err != nil {
		return err
	}
	for _, f := range archives {
		n, err := db.VerifyArchive(ctx, f)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "归档文件 %s 完整：%d 条，签名与链均相符，与数据库记录的归档一致\n", f, n)
	}
	if !r.Intact() {
		return fmt.Errorf("审计日志不完整，从第 %d 条起：\n  %s", r.Broken, strings.Join(r.Problems, "\n  "))
	}
	fmt.Fprintf(env.Stdout, "审计日志完整：%d 条（签名 %d 条", r.Count, r.Keyed)
	if r.Archived > 0 {
		fmt.Fprintf(env.Stdout, "，另有已归档 %d 条", r.Archived)
	}
	fmt.Fprintf(env.Stdout, "），哈希链无断裂")
	if r.Checkpoints > 0 {
		fmt.Fprintf(env.Stdout, "，与 %d 个检查点一致（最近：%s）", r.Checkpoints, r.Latest)
	} else {
		fmt.Fprintf(env.Stdout, "；%s 中尚无本数据库的检查点", r.CheckpointFile)
	}
	fmt.Fprintln(env.Stdout)
	return nil
}

type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// cmdBackup writes a consistent copy of a SQLite database, checks it opens
// and is sound, and audits it.
func cmdBackup(ctx context.Context, args []string, env Env) error {
	fs := newFlags("backup", env)
	dsn := dbFlag(fs)
	out := fs.String("out", "", "备份文件路径（不能已存在）")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return usagef("用法：kexuan backup --db PATH --out FILE")
	}
	db, err := openApp(ctx, *dsn, env)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(ctx, *out); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "已备份到 %s（权限 0600，检查通过）。恢复：停止服务后运行 kexuan restore --db %s --from %s；密钥文件另行备份。\n", *out, store.Redact(*dsn), *out)
	return nil
}

// cmdCheck checks a database: the store's integrity check (SQLite's own,
// references, the audit chain) and the score aggregate recomputed from the
// publications. Exit 1 with every finding; --repair rebuilds the aggregate
// (audited) when that is all that differs.
func cmdCheck(ctx context.Context, args []string, env Env) error {
	fs := newFlags("check", env)
	dsn := dbFlag(fs)
	repair := fs.Bool("repair", false, "得分汇总与重算不符时，按发布记录重建汇总")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("用法：kexuan check --db PATH [--repair]")
	}
	db, err := openApp(ctx, *dsn, env)
	if err != nil {
		return err
	}
	defer db.Close()
	res, after, err := db.Check(ctx, *repair)
	if err != nil {
		return err
	}
	if res == "ok" {
		fmt.Fprintln(env.Stdout, "检查通过：数据库完整，审计日志哈希链完整，得分汇总与按发布记录重算一致。")
		return nil
	}
	fmt.Fprintln(env.Stdout, res)
	if *repair {
		if after == "ok" {
			fmt.Fprintln(env.Stdout, "已按发布记录重建得分汇总；再次检查通过。")
			return nil
		}
		fmt.Fprintln(env.Stdout, after)
	}
	return errors.New("检查未通过")
}

// roleList names the roles for a usage line: code（名称）、…
func roleList() string {
	var out []string
	for _, r := range domain.Roles {
		out = append(out, string(r)+"（"+r.Name()+"）")
	}
	return strings.Join(out, "、")
}

// cmdAuditArchive moves audit entries older than six months to a signed
// file.
func cmdAuditArchive(ctx context.Context, args []string, env Env) error {
	fs := newFlags("audit archive", env)
	dsn := dbFlag(fs)
	before := fs.String("before", "", "归档此日（YYYY-MM-DD，须在六个月前）之前的条目")
	out := fs.String("out", "", "归档文件（不能已存在）")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *before == "" || *out == "" || fs.NArg() > 0 {
		return usagef("用法：kexuan audit archive --db PATH --before YYYY-MM-DD --out FILE")
	}
	a, err := openApp(ctx, *dsn, env)
	if err != nil {
		return err
	}
	defer a.Close()
	day, err := time.ParseInLocation("2006-01-02", *before, a.Zone(ctx))
	if err != nil {
		return usagef("--before %q 不对，应为 YYYY-MM-DD", *before)
	}
	res, err := a.ArchiveAudit(ctx, day, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "已归档第 %d–%d 条（%d 条）到 %s（权限 0600，HMAC-SM3 签名）；数据库保留其末条哈希，链从此接续。\n", res.FirstID, res.UpTo, res.Entries, res.File)
	return nil
}

// cmdRestore puts a backup in place of a database no server is running on,
// after checking it.
func cmdRestore(ctx context.Context, args []string, env Env) error {
	fs := newFlags("restore", env)
	dsn := dbFlag(fs)
	from := fs.String("from", "", "备份文件（kexuan backup 写的）")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" || fs.NArg() > 0 {
		return usagef("用法：kexuan restore --db PATH|URL --from FILE")
	}
	path := keyFile(*dsn, env)
	k, err := secret.Load(path)
	if err != nil {
		return fmt.Errorf("%w（恢复时要用密钥校验备份中的审计日志）", err)
	}
	if err := app.Restore(ctx, *dsn, *from, k); err != nil {
		return err
	}
	a, err := openApp(ctx, *dsn, env)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Restored(ctx, *from); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "已从 %s 恢复 %s：完整性、审计日志与得分汇总检查通过。\n", *from, store.Redact(*dsn))
	return nil
}

// cmdUserRepair: kexuan user unlock|reset-second-factor --db PATH --username U
// — the operator on the server ends an account's lockout or removes its
// second factor (a lost phone); the one way for the three administrators'
// accounts, audited as the command line's.
func cmdUserRepair(ctx context.Context, args []string, env Env) error {
	fs := newFlags("user "+args[0], env)
	dsn := dbFlag(fs)
	username := fs.String("username", "", "用户名")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *username == "" {
		return usagef("需要 --username")
	}
	a, _, err := prepare(ctx, *dsn, env)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.OperatorUser(ctx, *username)
	if err != nil {
		return err
	}
	if args[0] == "unlock" {
		if err := a.Unlock(ctx, nil, u.ID); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "已解除 %s 的锁定（已记入审计日志）\n", u.Username)
		return nil
	}
	if err := a.ResetSecondFactor(ctx, nil, u.ID); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "已清除 %s 的第二因素，下次登录时重新绑定（已记入审计日志）\n", u.Username)
	return nil
}
