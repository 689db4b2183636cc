package cli

import (
	"context"
	"flag"
	"fmt"

	"kexuan/app"
)

// cmdPolicy shows or changes the sign-in policy: the flags given are
// changed (each change audited), then the policy in force is printed.
func cmdPolicy(ctx context.Context, args []string, env Env) error {
	fs := newFlags("policy", env)
	dsn := dbFlag(fs)
	sf := fs.String("second-factor", "", "第二因素：admins（三员必须，默认）、all（所有人必须）、optional（自愿）")
	maxAge := fs.Int("password-max-age-days", 0, "密码最长使用天数（0 为不限）")
	history := fs.Int("password-history", 0, "不得重复使用最近几次的密码（0 为不限）")
	failures := fs.Int("lockout-failures", 0, "连续失败几次后锁定（3–10）")
	minutes := fs.Int("lockout-minutes", 0, "锁定时长（分钟）")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("多余的参数 %q", fs.Args())
	}
	var ch app.PolicyChange
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "second-factor":
			ch.SecondFactor = sf
		case "password-max-age-days":
			ch.PasswordMaxAgeDays = maxAge
		case "password-history":
			ch.PasswordHistory = history
		case "lockout-failures":
			ch.LockoutFailures = failures
		case "lockout-minutes":
			ch.LockoutMinutes = minutes
		}
	})
	a, err := openApp(ctx, *dsn, env)
	if err != nil {
		return err
	}
	defer a.Close()
	p, err := a.SetPolicy(ctx, nil, ch)
	if err != nil {
		return err
	}
	names := map[string]string{app.SecondFactorAdmins: "三员必须", app.SecondFactorAll: "所有人必须", app.SecondFactorOptional: "自愿"}
	fmt.Fprintf(env.Stdout, "第二因素：%s（%s）\n密码最长使用：%d 天\n不得重复使用最近 %d 次的密码\n连续失败 %d 次锁定 %d 分钟\n",
		p.SecondFactor, names[p.SecondFactor], p.PasswordMaxAgeDays, p.PasswordHistory, p.LockoutFailures, p.LockoutMinutes)
	return nil
}
