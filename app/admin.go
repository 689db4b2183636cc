package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"kexuan/domain"
	"kexuan/plan"
	"kexuan/report"
	"kexuan/scoring"
	"kexuan/store"
)

// Healthy reports whether the database answers.
func (a *App) Healthy(ctx context.Context) error { return a.DB.SQL().PingContext(ctx) }

// SweepSessions deletes sessions past their absolute or idle limit.
func (a *App) SweepSessions(ctx context.Context) error {
	now := a.Now()
	return a.DB.Q().DeleteExpiredSessions(ctx, now, now.Add(-IdleTimeout))
}

// Departments lists the departments accounts can belong to.
func (a *App) Departments(ctx context.Context) ([]domain.DepartmentRef, error) {
	return a.DB.Q().Departments(ctx)
}

// VisibleDepartments lists the departments whose pieces the user may see
// (a piece list's department filter).
func (a *App) VisibleDepartments(ctx context.Context, u *domain.User) ([]domain.DepartmentRef, error) {
	all, err := a.DB.Q().Departments(ctx)
	if err != nil {
		return nil, err
	}
	f, ok := scope(u, domain.PieceFilter{})
	if !ok {
		return nil, nil
	}
	if f.Departments == nil {
		return all, nil
	}
	return slices.DeleteFunc(all, func(d domain.DepartmentRef) bool { return !slices.Contains(f.Departments, d.Code) }), nil
}

// Users lists one page of the accounts matching f, by user name
// (administrators only).
func (a *App) Users(ctx context.Context, act *Actor, f domain.UserFilter, pq PageQuery) (_ *Page[*domain.User], err error) {
	defer a.refused(ctx, act, "user_list", "users", &err)
	if !act.Role.Can(domain.PermAccounts) {
		return nil, forbidden("只有系统管理员和安全管理员可以查看账户")
	}
	if f.Role != "" && !f.Role.Valid() {
		return nil, invalid("role", "没有“%s”这种角色", f.Role)
	}
	q := a.DB.Q()
	return paginate(pq, nameKeys, func(u *domain.User) string { return u.Username }, func(from *string, back bool, n int) ([]*domain.User, error) {
		var name string
		if from != nil {
			name = *from
		}
		us, err := q.Users(ctx, f, name, back, n)
		for _, u := range us {
			a.openContacts(u)
			MaskedContacts(u) // lists show 138****1234
		}
		return us, err
	})
}

// User returns one account (the system and security administrators), its
// phone and e-mail masked: RevealContact shows them whole.
func (a *App) User(ctx context.Context, act *Actor, id int64) (_ *domain.User, err error) {
	defer a.refused(ctx, act, "user_read", userObj(id), &err)
	if !act.Role.Can(domain.PermAccounts) {
		return nil, forbidden("只有系统管理员和安全管理员可以查看账户")
	}
	u, err := a.DB.Q().UserByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &domain.Error{Code: domain.ENotFound, Message: "没有这个账户"}
	}
	if err != nil {
		return nil, err
	}
	a.openContacts(u)
	MaskedContacts(u)
	return u, nil
}

// AuditLog returns one page of the audit entries matching f, newest first
// (those who may read it only).
func (a *App) AuditLog(ctx context.Context, act *Actor, f domain.AuditFilter, pq PageQuery) (_ *Page[*domain.AuditEntry], err error) {
	defer a.refused(ctx, act, "audit_read", "audit_log", &err)
	if !act.Role.Can(domain.PermAudit) {
		return nil, forbidden("无权查看审计日志")
	}
	q := a.DB.Q()
	pg, err := paginate(pq, idKeys, func(e *domain.AuditEntry) int64 { return e.ID }, func(from *int64, back bool, n int) ([]*domain.AuditEntry, error) {
		var id int64
		if from != nil {
			id = *from
		}
		return q.AuditPage(ctx, f, id, back, n)
	})
	if err != nil {
		return nil, err
	}
	// The auditor's searches are themselves audited.
	a.auditAlways(ctx, act, "audit_read", "audit_log", domain.AuditOK, auditFilterText(f)+fmt.Sprintf("；显示 %d 条", len(pg.Items)))
	return pg, nil
}

// auditFilterText says what a search of the audit log asked for.
func auditFilterText(f domain.AuditFilter) string {
	var parts []string
	for _, kv := range [][2]string{{"操作", domain.AuditActionName(f.Action)}, {"用户", f.Username}, {"对象", domain.AuditObjectLabel(f.Object, "")}, {"结果", domain.AuditResultName(f.Result)}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+" "+kv[1])
		}
	}
	if !f.From.IsZero() {
		parts = append(parts, "自 "+f.From.In(chinaTime).Format("2006-01-02"))
	}
	if !f.Until.IsZero() {
		parts = append(parts, "至 "+f.Until.In(chinaTime).AddDate(0, 0, -1).Format("2006-01-02"))
	}
	if len(parts) == 0 {
		return "全部"
	}
	return strings.Join(parts, "，")
}

// MaxAuditExport is the most entries one export of the audit log holds.
const MaxAuditExport = 100_000

// ExportAudit writes the audit entries matching f, newest first, as a CSV
// for a spreadsheet (Chinese headers and action names), audited once
// written; more than MaxAuditExport matching entries is refused (narrow the
// dates).
func (a *App) ExportAudit(ctx context.Context, act *Actor, f domain.AuditFilter, zone *time.Location) (_ []byte, err error) {
	defer a.refused(ctx, act, "export", "audit_log.csv", &err)
	if !act.Role.Can(domain.PermAudit) {
		return nil, forbidden("无权查看审计日志")
	}
	q := a.DB.Q()
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	cw := csv.NewWriter(&buf)
	cw.Write([]string{"编号", "时间", "用户", "角色", "地址", "操作", "对象", "结果", "说明"})
	var from int64
	n := 0
	for {
		page, err := q.AuditPage(ctx, f, from, false, 1000)
		if err != nil {
			return nil, err
		}
		objects, err := a.AuditLabels(ctx, page)
		if err != nil {
			return nil, err
		}
		for _, e := range page {
			if n++; n > MaxAuditExport {
				return nil, invalid("from", "符合条件的记录超过 %d 条，请缩小日期范围", MaxAuditExport)
			}
			cw.Write([]string{strconv.FormatInt(e.ID, 10), e.At.In(zone).Format("2006-01-02 15:04:05"), report.SafeCell(e.Username),
				domain.Role(e.Role).Name(), e.Address, domain.AuditActionName(e.Action), report.SafeCell(objects[e.Object]),
				domain.AuditResultName(e.Result), report.SafeCell(e.Reason)})
		}
		if len(page) < 1000 {
			break
		}
		from = page[len(page)-1].ID
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return nil, err
	}
	err = a.DB.InTx(context.WithoutCancel(ctx), func(q *store.Q) error {
		return a.audit(ctx, q, act, "export", "audit_log.csv", domain.AuditOK, fmt.Sprintf("%d 条", n))
	})
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Export encodes a year's assessment with one of the report encoders and
// audits it once it succeeded; the document is returned whole, so that
// nothing leaves without its audit row.
func (a *App) Export(ctx context.Context, act *Actor, year int, asOf plan.Date, enc report.Encoder) (_ []byte, _ *scoring.Result, err error) {
	name := "report" + enc.Ext()
	defer a.refused(ctx, act, "export", name, &err)
	if !act.Role.Can(domain.PermExport) {
		return nil, nil, forbidden("无权导出")
	}
	p, res, err := a.Report(ctx, year, asOf)
	if err != nil {
		return nil, nil, err
	}
	if enc.Ledgers() {
		// Every department's ledger, a publication a line with its title.
		day, err := plan.ParseDate(res.AsOf)
		if err != nil {
			return nil, nil, err
		}
		if res, err = a.score(ctx, p, day, "", true); err != nil {
			return nil, nil, err
		}
	}
	res = VisibleResult(act.User, res) // the ledgers of the departments act may see
	doc, err := a.exported(ctx, act, enc, p, res, name, "截至 "+res.AsOf)
	return doc, res, err
}

// CanExportLedger reports whether u may export dept's ledger: the roles
// that export, a department's users their own department's only.
func CanExportLedger(u *domain.User, dept string) bool {
	return u != nil && u.Role.Can(domain.PermExport) && CanSeeDetail(u, dept)
}

// ExportLedger encodes one department's ledger — every line, each
// publication with its title — with a ledger encoder, audited once it
// succeeded. A department's users export their own department's only.
func (a *App) ExportLedger(ctx context.Context, act *Actor, year int, asOf plan.Date, dept string, enc report.Encoder) (_ []byte, _ *scoring.Result, err error) {
	name := "ledger:" + domain.Clip(dept, 40) + enc.Ext()
	defer a.refused(ctx, act, "export", name, &err)
	if !act.Role.Can(domain.PermExport) {
		return nil, nil, forbidden("无权导出")
	}
	if !CanExportLedger(act.User, dept) {
		return nil, nil, forbidden("只能导出本科室的台账")
	}
	p, err := a.Plan(ctx, year)
	if err != nil {
		return nil, nil, err
	}
	if p.Department(dept) == nil {
		return nil, nil, errNotFound
	}
	if asOf.IsZero() {
		asOf = scoring.DefaultAsOf(p, a.Today(p.Location()))
	}
	res, err := a.score(ctx, p, asOf, dept, true)
	if err != nil {
		return nil, nil, err
	}
	res.Departments = slices.DeleteFunc(res.Departments, func(d scoring.Department) bool { return d.Code != dept })
	doc, err := a.exported(ctx, act, enc, p, res, name, "截至 "+res.AsOf)
	return doc, res, err
}

// exported encodes a document whole and writes its audit row.
func (a *App) exported(ctx context.Context, act *Actor, enc report.Encoder, p *plan.Plan, res *scoring.Result, name, reason string) ([]byte, error) {
	var buf bytes.Buffer
	if err := enc.Encode(&buf, p, res, a.Now()); err != nil {
		return nil, err
	}
	err := a.DB.InTx(context.WithoutCancel(ctx), func(q *store.Q) error {
		return a.audit(ctx, q, act, "export", name, domain.AuditOK, reason)
	})
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// AuditLabels says the objects of audit entries in Chinese, each with its
// title where it has one ("稿件 12《…》", "科室 高新科"), keyed by the
// object's code; the titles are read in one query a kind.
func (a *App) AuditLabels(ctx context.Context, entries []*domain.AuditEntry) (map[string]string, error) {
	ids := map[string][]int64{}
	seen := map[string]bool{}
	for _, e := range entries {
		if seen[e.Object] {
			continue
		}
		seen[e.Object] = true
		kind, rest := domain.AuditObjectKind(e.Object)
		if id, err := strconv.ParseInt(rest, 10, 64); err == nil && kind != "" {
			ids[kind] = append(ids[kind], id)
		}
	}
	titles, err := a.DB.Q().AuditTitles(ctx, ids)
	if err != nil {
		return nil, err
	}
	pl, _ := a.Plan(ctx, 0)
	out := make(map[string]string, len(seen))
	for obj := range seen {
		kind, rest := domain.AuditObjectKind(obj)
		title := ""
		if id, err := strconv.ParseInt(rest, 10, 64); err == nil {
			title = titles[kind][id]
		}
		switch kind {
		case "department", "ledger", "quota_reminded":
			code, ext, _ := strings.Cut(rest, ".")
			if pl != nil {
				if d := pl.Department(code); d != nil {
					title = d.Name
				}
			}
			if kind == "ledger" && title != "" && ext != "" {
				title += "（" + strings.ToUpper(ext) + "）"
			}
		case "plan":
			title = rest + " 年"
		case "activity":
			if pl != nil {
				if id, err := strconv.ParseInt(rest, 10, 64); err == nil {
					if act, err := a.DB.Q().Activity(ctx, id); err == nil {
						for _, f := range pl.Forms {
							if f.Number == act.Form {
								title = f.Title
							}
						}
					}
				}
			}
		}
		out[obj] = domain.AuditObjectLabel(obj, title)
	}
	return out, nil
}
