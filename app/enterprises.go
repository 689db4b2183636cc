package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"kexuan/domain"
	"kexuan/register"
	"kexuan/report"
	"kexuan/secret"
	"kexuan/store"
)

// EnterpriseInput is an enterprise as typed.
type EnterpriseInput struct {
	Name, CreditCode, Park, Address, Contact, Industry string
	Phone                                              string
}

// Limits on an enterprise's fields, in characters.
const (
	MaxEnterpriseName = 100
	MaxAddress        = 200
	MaxContact        = 100
	MaxIndustry       = 50
	MaxPark           = 100
)

func checkEnterprise(in *EnterpriseInput) (*domain.Enterprise, error) {
	for _, f := range []struct {
		field string
		v     *string
		limit int
	}{{"name", &in.Name, MaxEnterpriseName}, {"park", &in.Park, MaxPark}, {"address", &in.Address, MaxAddress},
		{"contact", &in.Contact, MaxContact}, {"industry", &in.Industry, MaxIndustry}} {
		if err := checkText(f.field, f.v, f.limit); err != nil {
			return nil, err
		}
	}
	if in.Name == "" {
		return nil, invalid("name", "企业名称不能为空")
	}
	if in.Phone = strings.TrimSpace(in.Phone); in.Phone != "" && !domain.PhoneLike(in.Phone) {
		return nil, invalid("phone", "联系电话应为 7–20 位数字，可含 +、-、空格")
	}
	code, err := domain.CheckCreditCode(in.CreditCode)
	if err != nil {
		return nil, invalid("credit_code", "%v", err)
	}
	return &domain.Enterprise{Name: in.Name, CreditCode: code, Park: in.Park, Address: in.Address, Contact: in.Contact, Phone: in.Phone, Industry: in.Industry}, nil
}

// takenError names the enterprise that already has a credit code.
func takenError(t *store.ErrCreditCodeTaken) error {
	return &domain.Error{Code: domain.EConflict, Field: "credit_code",
		Message: fmt.Sprintf("统一社会信用代码 %s 已登记：%s（编号 %d）", t.Existing.CreditCode, t.Existing.Name, t.Existing.ID)}
}

// nameTakenError names the enterprise registered under the name.
func nameTakenError(t *store.ErrNameTaken) error {
	return &domain.Error{Code: domain.EConflict, Field: "name",
		Message: fmt.Sprintf("“%s”已登记（编号 %d，统一社会信用代码 %s）：同一企业不能用另一个代码再登记", t.Existing.Name, t.Existing.ID, t.Existing.CreditCode)}
}

// CreateEnterprise adds an enterprise to the register (the office, and
// departments for the enterprises they work with), audited.
func (a *App) CreateEnterprise(ctx context.Context, act *Actor, in EnterpriseInput) (_ *domain.Enterprise, err error) {
	defer a.refused(ctx, act, "enterprise_create", "enterprises", &err)
	if !act.Role.Can(domain.PermFieldWrite) {
		return nil, forbidden("无权登记企业")
	}
	e, err := checkEnterprise(&in)
	if err != nil {
		return nil, err
	}
	e.CreatedBy = act.ID
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		if err := q.AddEnterprise(ctx, e); err != nil {
			var taken *store.ErrCreditCodeTaken
			if errors.As(err, &taken) {
				return takenError(taken)
			}
			var named *store.ErrNameTaken
			if errors.As(err, &named) {
				return nameTakenError(named)
			}
			return err
		}
		if err := a.sealEnterprisePhone(ctx, q, e); err != nil {
			return err
		}
		return a.audit(ctx, q, act, "enterprise_create", fmt.Sprintf("enterprise:%d", e.ID), domain.AuditOK, e.Name+" "+e.CreditCode)
	})
	if err != nil {
		return nil, err
	}
	e.Phone = secret.MaskPhone(in.Phone)
	return e, nil
}

func enterpriseField(id int64) string { return fmt.Sprintf("enterprise:%d:phone", id) }

// sealEnterprisePhone stores a new enterprise's contact phone sealed, bound
// to its id (which the insert gave).
func (a *App) sealEnterprisePhone(ctx context.Context, q *store.Q, e *domain.Enterprise) error {
	if e.Phone == "" {
		return nil
	}
	sealed, err := a.seal(e.Phone, enterpriseField(e.ID))
	if err != nil {
		return err
	}
	return q.SetEnterprisePhone(ctx, e.ID, sealed)
}

// maskEnterprise shows a contact phone as 138****1234.
func (a *App) maskEnterprise(e *domain.Enterprise) {
	e.Phone = secret.MaskPhone(a.open(e.Phone, enterpriseField(e.ID)))
}

// RevealEnterprisePhone shows an enterprise contact's whole phone number to
// those who visit and call on enterprises (departments and the office),
// audited every time.
func (a *App) RevealEnterprisePhone(ctx context.Context, act *Actor, id int64) (_ *Contact, err error) {
	defer a.refused(ctx, act, "reveal", enterpriseField(id), &err)
	if !act.Role.Can(domain.PermFieldWrite) {
		return nil, forbidden("无权查看完整的联系电话")
	}
	e, err := a.DB.Q().Enterprise(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	v := a.open(e.Phone, enterpriseField(id))
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		return a.audit(ctx, q, act, "reveal", enterpriseField(id), domain.AuditOK, e.Name)
	})
	return &Contact{Field: "phone", Value: v}, err
}

// Enterprise returns one enterprise.
func (a *App) Enterprise(ctx context.Context, u *domain.User, id int64) (*domain.Enterprise, error) {
	if !u.Role.Can(domain.PermFieldRead) {
		return nil, forbidden("无权查看企业")
	}
	e, err := a.DB.Q().Enterprise(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	a.maskEnterprise(e)
	return e, nil
}

// enterpriseKeys: the list's name and id.
var enterpriseKeys = keyCodec[store.EnterpriseKey]{
	encode: func(k store.EnterpriseKey) string { return strconv.FormatInt(k.ID, 10) + "," + k.Name },
	decode: func(s string) (store.EnterpriseKey, bool) {
		id, name, ok := strings.Cut(s, ",")
		n, err := strconv.ParseInt(id, 10, 64)
		return store.EnterpriseKey{Name: name, ID: n}, ok && err == nil && n > 0
	},
}

// Enterprises lists one page of the register by name.
func (a *App) Enterprises(ctx context.Context, u *domain.User, f domain.EnterpriseFilter, pq PageQuery) (*Page[*domain.Enterprise], error) {
	if !u.Role.Can(domain.PermFieldRead) {
		return nil, forbidden("无权查看企业")
	}
	if err := checkText("q", &f.Text, 100); err != nil {
		return nil, err
	}
	q := a.DB.Q()
	return paginate(pq, enterpriseKeys, func(e *domain.Enterprise) store.EnterpriseKey { return store.EnterpriseKey{Name: e.Name, ID: e.ID} },
		func(from *store.EnterpriseKey, back bool, n int) ([]*domain.Enterprise, error) {
			es, err := q.Enterprises(ctx, f, from, back, n)
			for _, e := range es {
				a.maskEnterprise(e)
			}
			return es, err
		})
}

// Parks lists the parks named so far.
func (a *App) Parks(ctx context.Context) ([]string, error) { return a.DB.Q().Parks(ctx) }

// EnterpriseImport is what an enterprise list import did.
type EnterpriseImport struct {
	Rows, Added, Present int
	Encoding             string
}

// ImportEnterprises adds an enterprise list (.csv/.xlsx), all or nothing: a
// bad row, or a credit code already registered under another name, refuses
// the whole file with every such row listed; a row already registered
// under the same name is counted as present, so a list imports twice
// without change. Audited either way.
func (a *App) ImportEnterprises(ctx context.Context, act *Actor, path string) (_ *EnterpriseImport, err error) {
	name := filepath.Base(path)
	if act != nil && !act.Role.Can(domain.PermFieldWrite) {
		err := forbidden("无权导入企业名录")
		a.auditAlways(ctx, act, "enterprise_import", name, domain.AuditDenied, err.Error())
		return nil, err
	}
	rows, encoding, err := register.ReadEnterprises(ctx, path)
	if err != nil {
		a.auditAlways(ctx, act, "enterprise_import", name, domain.AuditFailed, err.Error())
		return nil, err
	}
	res := &EnterpriseImport{Rows: len(rows), Encoding: encoding}
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		bad := &register.Error{File: name}
		for _, r := range rows {
			e := r.Enterprise
			if act != nil {
				e.CreatedBy = act.ID
			}
			err := q.AddEnterprise(ctx, &e)
			var taken *store.ErrCreditCodeTaken
			var named *store.ErrNameTaken
			switch {
			case errors.As(err, &named):
				bad.Total++
				bad.Lines++
				if len(bad.Rows) < register.MaxListed {
					bad.Rows = append(bad.Rows, register.RowError{Line: r.Line, Column: "企业名称",
						Msg: fmt.Sprintf("“%s”已登记（编号 %d），统一社会信用代码 %s，与本行的 %s 不同", e.Name, named.Existing.ID, named.Existing.CreditCode, e.CreditCode)})
				}
			case errors.As(err, &taken) && taken.Existing.Name == e.Name:
				res.Present++
			case errors.As(err, &taken):
				bad.Total++
				bad.Lines++
				if len(bad.Rows) < register.MaxListed {
					bad.Rows = append(bad.Rows, register.RowError{Line: r.Line, Column: "统一社会信用代码",
						Msg: fmt.Sprintf("%s 已登记为“%s”（编号 %d），与本行的“%s”不同", e.CreditCode, taken.Existing.Name, taken.Existing.ID, e.Name)})
				}
			case err != nil:
				return err
			default:
				if err := a.sealEnterprisePhone(ctx, q, &e); err != nil {
					return err
				}
				res.Added++
			}
		}
		if bad.Total > 0 {
			return bad
		}
		return a.audit(ctx, q, act, "enterprise_import", name, domain.AuditOK, fmt.Sprintf("共 %d 行：新增 %d 家，已有 %d 家", res.Rows, res.Added, res.Present))
	})
	if err != nil {
		a.auditAlways(ctx, act, "enterprise_import", name, domain.AuditFailed, err.Error())
		return nil, err
	}
	return res, nil
}

// ExportEnterprises writes the register (as filtered, every page) as a
// workbook, audited once written.
func (a *App) ExportEnterprises(ctx context.Context, act *Actor, f domain.EnterpriseFilter) (_ []byte, err error) {
	defer a.refused(ctx, act, "export", "enterprises.xlsx", &err)
	if !act.Role.Can(domain.PermFieldRead) {
		return nil, forbidden("无权查看企业")
	}
	p, err := a.Plan(ctx, 0)
	if err != nil {
		return nil, err
	}
	l := &report.List{Title: p.Bureau + " 企业名录", Author: p.Bureau,
		Heads: []string{"编号", "企业名称", "统一社会信用代码", "园区", "地址", "联系人", "联系电话", "行业"}, Widths: []float64{7, 32, 22, 16, 30, 14, 14, 12}, Numeric: []bool{true}}
	q := a.DB.Q()
	var from *store.EnterpriseKey
	for {
		page, err := q.Enterprises(ctx, f, from, false, 1000)
		if err != nil {
			return nil, err
		}
		for _, e := range page {
			a.maskEnterprise(e) // a list leaves masked, as pages show it
			l.Rows = append(l.Rows, []string{strconv.FormatInt(e.ID, 10), e.Name, e.CreditCode, e.Park, e.Address, e.Contact, e.Phone, e.Industry})
		}
		if len(page) < 1000 {
			break
		}
		last := page[len(page)-1]
		from = &store.EnterpriseKey{Name: last.Name, ID: last.ID}
	}
	return a.exportList(ctx, act, "enterprises.xlsx", l)
}
