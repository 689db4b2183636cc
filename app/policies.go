package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"kexuan/domain"
	"kexuan/plan"
	"kexuan/report"
	"kexuan/store"
)

// PolicyInput is a policy as the office enters it.
type PolicyInput struct {
	Level, Issuer, DocNumber, Title, Issued, Summary, Link string
	Repealed                                               bool
}

// AddPolicy adds a policy to the library (the office), audited.
func (a *App) AddPolicy(ctx context.Context, act *Actor, in PolicyInput) (_ *domain.Policy, err error) {
	defer a.refused(ctx, act, "policy_add", "policies", &err)
	if !act.Role.Can(domain.PermVerify) { // the office keeps the library
		return nil, forbidden("只有办公室可以维护政策库")
	}
	level := domain.PolicyLevel(in.Level)
	if !level.Valid() {
		return nil, invalid("level", "层级应为国家级、省级、市级或区级")
	}
	for _, f := range []struct {
		name  string
		v     *string
		limit int
	}{{"issuer", &in.Issuer, 100}, {"doc_number", &in.DocNumber, 100}, {"title", &in.Title, MaxTitle}, {"summary", &in.Summary, MaxSummary}, {"link", &in.Link, MaxIssue}} {
		if err := checkText(f.name, f.v, f.limit); err != nil {
			return nil, err
		}
	}
	if in.Title == "" {
		return nil, invalid("title", "政策名称不能为空")
	}
	if in.Issuer == "" {
		return nil, invalid("issuer", "请写明发文机关")
	}
	issued, err := plan.ParseDate(strings.TrimSpace(in.Issued))
	if err != nil {
		return nil, invalid("issued", "发布日期：%v", err)
	}
	if in.Link != "" {
		if u, err := url.Parse(in.Link); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, invalid("link", "链接应为 http(s) 网址")
		}
	}
	p := &domain.Policy{Level: level, Issuer: in.Issuer, DocNumber: in.DocNumber, Title: in.Title, Issued: issued, Summary: in.Summary,
		Link: in.Link, Repealed: in.Repealed, CreatedBy: act.ID}
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		if err := q.AddPolicy(ctx, p); err != nil {
			return err
		}
		return a.audit(ctx, q, act, "policy_add", fmt.Sprintf("policy:%d", p.ID), domain.AuditOK, p.DocNumber+" "+p.Title)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Policies is the library, national first then by date.
func (a *App) Policies(ctx context.Context, u *domain.User) ([]*domain.Policy, error) {
	if u != nil && !u.Role.Can(domain.PermFieldRead) {
		return nil, forbidden("无权查看政策库")
	}
	return a.DB.Q().Policies(ctx)
}

// policyKeys: level rank, date of issue, id.
var policyKeys = keyCodec[store.PolicyKey]{
	encode: func(k store.PolicyKey) string {
		return strconv.Itoa(k.Rank) + "," + k.Issued.String() + "," + strconv.FormatInt(k.ID, 10)
	},
	decode: func(s string) (store.PolicyKey, bool) {
		parts := strings.Split(s, ",")
		if len(parts) != 3 {
			return store.PolicyKey{}, false
		}
		rank, err1 := strconv.Atoi(parts[0])
		day, err2 := plan.ParseDate(parts[1])
		id, err3 := strconv.ParseInt(parts[2], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil || rank < 1 || rank > 4 || id <= 0 {
			return store.PolicyKey{}, false
		}
		return store.PolicyKey{Rank: rank, Issued: day, ID: id}, true
	},
}

// PolicyPage is the library a page at a time, national first then by date.
func (a *App) PolicyPage(ctx context.Context, u *domain.User, pq PageQuery) (*Page[*domain.Policy], error) {
	if !u.Role.Can(domain.PermFieldRead) {
		return nil, forbidden("无权查看政策库")
	}
	q := a.DB.Q()
	return paginate(pq, policyKeys, store.KeyOfPolicy, func(from *store.PolicyKey, back bool, n int) ([]*domain.Policy, error) {
		return q.PolicyPage(ctx, from, back, n)
	})
}

// ReachInput is one enterprise reached by the campaign.
type ReachInput struct {
	Date         string
	Department   string // the office names it; a department's people record their own
	EnterpriseID int64
	PolicyIDs    []int64
	Asked        string
}

// RecordReach records that an enterprise was reached and which policies
// were explained (at least one), audited.
func (a *App) RecordReach(ctx context.Context, act *Actor, in ReachInput) (_ *domain.PolicyReach, err error) {
	defer a.refused(ctx, act, "policy_reach", "policy_reaches", &err)
	day, pl, err := a.fieldRecord(ctx, act, &in.Department, in.Date, "走访宣讲")
	if err != nil {
		return nil, err
	}
	if err := checkText("asked", &in.Asked, MaxVisitText); err != nil {
		return nil, err
	}
	ids := slices.Compact(slices.Sorted(slices.Values(in.PolicyIDs)))
	if len(ids) == 0 {
		return nil, invalid("policy_ids", "请选择宣讲的政策")
	}
	r := &domain.PolicyReach{Department: in.Department, Day: day, Asked: in.Asked, CreatedBy: act.ID}
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		e, err := q.Enterprise(ctx, in.EnterpriseID)
		if errors.Is(err, store.ErrNotFound) {
			return invalid("enterprise_id", "请选择企业")
		}
		if err != nil {
			return err
		}
		r.Enterprise = e
		for _, id := range ids {
			p, err := q.Policy(ctx, id)
			if errors.Is(err, store.ErrNotFound) {
				return invalid("policy_ids", "没有编号为 %d 的政策", id)
			}
			if err != nil {
				return err
			}
			r.Policies = append(r.Policies, p)
		}
		if err := q.AddReach(ctx, r); err != nil {
			return err
		}
		return a.audit(ctx, q, act, "policy_reach", fmt.Sprintf("policy_reach:%d", r.ID), domain.AuditOK,
			fmt.Sprintf("%s %s 宣讲政策 %d 项", e.Name, day, len(r.Policies)))
	})
	if err != nil {
		return nil, err
	}
	r.DeptName = pl.Department(r.Department).Name
	return r, nil
}

// Campaign is 科技政策进百企 in a year: distinct enterprises reached against
// the plan's target, per responsible department, and the latest reaches.
type Campaign struct {
	Year    int
	Form    *plan.Form
	Target  int
	Reached int
	PerDept []CampaignDept
	Latest  []*domain.PolicyReach
}

// CampaignDept is one department's share.
type CampaignDept struct {
	Code, Name string
	Reached    int
}

// PolicyCampaign reports the campaign of a plan year (department users see
// the latest reaches of their own department).
func (a *App) PolicyCampaign(ctx context.Context, u *domain.User, year int) (*Campaign, error) {
	if !u.Role.Can(domain.PermFieldRead) {
		return nil, forbidden("无权查看")
	}
	pl, err := a.Plan(ctx, year)
	if err != nil {
		return nil, err
	}
	c := &Campaign{Year: pl.Year}
	for i := range pl.Forms {
		if pl.Forms[i].EnterprisesTarget > 0 {
			c.Form, c.Target = &pl.Forms[i], pl.Forms[i].EnterprisesTarget
		}
	}
	q := a.DB.Q()
	total, per, err := q.ReachProgress(ctx, pl.Start(), pl.End())
	if err != nil {
		return nil, err
	}
	c.Reached = total
	depts := []string{}
	if c.Form != nil {
		depts = activityDepts(pl, c.Form)
	}
	for _, d := range pl.Departments {
		if slices.Contains(depts, d.Code) || per[d.Code] > 0 {
			c.PerDept = append(c.PerDept, CampaignDept{Code: d.Code, Name: d.Name, Reached: per[d.Code]})
		}
	}
	dept := ""
	if u.Role.InDepartment() {
		dept = u.Department
	}
	if c.Latest, err = q.Reaches(ctx, pl.Start(), pl.End(), dept, 100); err != nil {
		return nil, err
	}
	return c, nil
}

// Booklet compiles the policy library into the booklet (.docx), audited.
// act nil: the command line.
func (a *App) Booklet(ctx context.Context, act *Actor, year int) (_ []byte, err error) {
	if act != nil {
		defer a.refused(ctx, act, "booklet", "policies", &err)
		if !act.Role.Can(domain.PermFieldRead) {
			return nil, forbidden("无权导出")
		}
	}
	pl, err := a.Plan(ctx, year)
	if err != nil {
		return nil, err
	}
	ps, err := a.DB.Q().Policies(ctx)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := report.BookletDOCX(&buf, &report.Booklet{Plan: pl, Year: pl.Year, Policies: ps, Made: a.CalendarNow()}); err != nil {
		return nil, err
	}
	err = a.DB.InTx(context.WithoutCancel(ctx), func(q *store.Q) error {
		return a.audit(ctx, q, act, "booklet", "policies.docx", domain.AuditOK, fmt.Sprintf("%d 年，%d 项政策", pl.Year, len(ps)))
	})
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
