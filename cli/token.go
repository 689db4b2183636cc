package cli

import (
	"context"
	"fmt"
	"strings"

	"kexuan/app"
)

const tokenUsage = `用法：
  kexuan token add    --db PATH --name NAME --scopes SCOPE[,SCOPE] [--expires YYYY-MM-DD]
  kexuan token list   --db PATH
  kexuan token revoke --db PATH --name NAME
权限范围：report:read（得分与报表）、pieces:read（稿件）、adoptions:write（登记与核实采用）、field:read（企业与走访）`

// cmdToken issues, lists and revokes the API tokens of other systems.
func cmdToken(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 {
		return usagef("%s", tokenUsage)
	}
	fs := newFlags("token "+args[0], env)
	dsn := dbFlag(fs)
	var name, scopes, expires *string
	switch args[0] {
	case "add":
		name = fs.String("name", "", "令牌名称（如 oa）")
		scopes = fs.String("scopes", "", "权限范围，逗号分隔")
		expires = fs.String("expires", "", "最后有效日（YYYY-MM-DD；默认长期有效）")
	case "revoke":
		name = fs.String("name", "", "令牌名称")
	case "list":
	default:
		return usagef("%s", tokenUsage)
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("%s", tokenUsage)
	}
	a, err := openApp(ctx, *dsn, env)
	if err != nil {
		return err
	}
	defer a.Close()
	switch args[0] {
	case "add":
		token, t, err := a.AddToken(ctx, nil, app.TokenInput{Name: *name, Scopes: strings.Split(*scopes, ","), Expires: *expires})
		if err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, token)
		fmt.Fprintf(env.Stderr, "已发放接口令牌 %s（%s）。令牌只显示这一次，请交给对接系统保存；调用时加请求头 Authorization: Bearer 令牌。\n", t.Name, strings.Join(t.Scopes, ","))
	case "revoke":
		if err := a.RevokeToken(ctx, nil, *name); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "已吊销接口令牌 %s\n", *name)
	case "list":
		ts, err := a.Tokens(ctx, nil)
		if err != nil {
			return err
		}
		if len(ts) == 0 {
			fmt.Fprintln(env.Stdout, "尚未发放接口令牌")
		}
		loc := a.Zone(ctx)
		for _, t := range ts {
			state := "有效"
			switch {
			case !t.RevokedAt.IsZero():
				state = "已吊销 " + t.RevokedAt.In(loc).Format("2006-01-02 15:04")
			case t.ExpiresOn != "":
				state = "有效至 " + t.ExpiresOn
			}
			used := "从未使用"
			if !t.LastUsedAt.IsZero() {
				used = "最近使用 " + t.LastUsedAt.In(loc).Format("2006-01-02 15:04")
			}
			fmt.Fprintf(env.Stdout, "%s\t%s\t%s\t发放于 %s\t%s\n", t.Name, strings.Join(t.Scopes, ","), state, t.CreatedAt.In(loc).Format("2006-01-02 15:04"), used)
		}
	}
	return nil
}
