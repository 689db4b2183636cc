package register

import (
	"context"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"kexuan/domain"
)

// The enterprise list's columns.
const (
	colEntName    = "name"
	colCreditCode = "credit_code"
	colPark       = "park"
	colAddress    = "address"
	colContact    = "contact"
	colPhone      = "phone"
	colIndustry   = "industry"
)

var enterpriseSchema = &schema{
	names: map[string]string{
		"name": colEntName, "企业名称": colEntName, "名称": colEntName, "企业": colEntName, "单位名称": colEntName,
		"credit_code": colCreditCode, "统一社会信用代码": colCreditCode, "信用代码": colCreditCode, "社会信用代码": colCreditCode,
		"park": colPark, "园区": colPark, "所在园区": colPark, "所属园区": colPark,
		"address": colAddress, "地址": colAddress, "企业地址": colAddress, "注册地址": colAddress,
		"contact": colContact, "联系人": colContact, "联系方式": colContact, "联系人及电话": colContact,
		"phone": colPhone, "电话": colPhone, "联系电话": colPhone, "手机": colPhone, "手机号": colPhone, "手机号码": colPhone,
		"industry": colIndustry, "行业": colIndustry, "所属行业": colIndustry, "产业": colIndustry,
	},
	labels: map[string]string{colEntName: "企业名称", colCreditCode: "统一社会信用代码", colPark: "园区", colAddress: "地址",
		colContact: "联系人", colPhone: "联系电话", colIndustry: "行业"},
	required: []string{colEntName, colCreditCode},
	order:    []string{colEntName, colCreditCode, colPark, colAddress, colContact, colPhone, colIndustry},
}

// Limits on an enterprise's fields, in characters.
var enterpriseLimits = map[string]int{colEntName: 100, colPark: 100, colAddress: 200, colContact: 100, colPhone: 20, colIndustry: 50}

// EnterpriseRow is one enterprise read from a list, with its line.
type EnterpriseRow struct {
	Line int
	domain.Enterprise
}

// ReadEnterprises reads an enterprise list (.csv or .xlsx, with the same
// tolerance as registers: title rows, header synonyms, GB18030). Every row
// is checked — a name, the 统一社会信用代码 by GB 32100-2015, no code twice
// in the file — and every bad row is listed; nothing is returned unless all
// rows are good.
func ReadEnterprises(ctx context.Context, path string) ([]EnterpriseRow, string, error) {
	src, name, encoding, err := openRows(path, enterpriseSchema)
	if err != nil {
		return nil, "", err
	}
	defer src.Close()
	cols, _, err := enterpriseSchema.readHeader(name, src)
	if err != nil {
		return nil, encoding, err
	}
	bad := &Error{File: name}
	fail := func(line int, col, format string, args ...any) {
		bad.Total++
		if line != bad.last || bad.Lines == 0 {
			bad.Lines++
			bad.last = line
		}
		if len(bad.Rows) < MaxListed {
			bad.Rows = append(bad.Rows, RowError{Line: line, Column: enterpriseSchema.labels[col], Msg: fmt.Sprintf(format, args...)})
		}
	}
	seen := map[string]int{}
	var out []EnterpriseRow
	for {
		if err := ctx.Err(); err != nil {
			return nil, encoding, err
		}
		rec, line, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, encoding, readError(name, err)
		}
		if blank(rec) || totalRow(rec) {
			continue
		}
		get := func(c string) string {
			if i, ok := cols[c]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		r := EnterpriseRow{Line: line, Enterprise: domain.Enterprise{Name: get(colEntName), Park: get(colPark), Address: get(colAddress),
			Contact: get(colContact), Phone: get(colPhone), Industry: get(colIndustry)}}
		if p := r.Phone; p != "" && !domain.PhoneLike(p) {
			fail(line, colPhone, "联系电话 %q 不对：应为 7–20 位数字，可含 +、-、空格", p)
		}
		if r.Name == "" {
			fail(line, colEntName, "企业名称为空")
		}
		for c, limit := range enterpriseLimits {
			if v := get(c); utf8.RuneCountInString(v) > limit || !utf8.ValidString(v) {
				fail(line, c, "%s过长或含有无效字符（最多 %d 字）", enterpriseSchema.labels[c], limit)
			}
		}
		if code, err := domain.CheckCreditCode(get(colCreditCode)); err != nil {
			fail(line, colCreditCode, "%v", err)
		} else if first, dup := seen[code]; dup {
			fail(line, colCreditCode, "统一社会信用代码 %s 与第 %d 行重复", code, first)
		} else {
			seen[code] = line
			r.CreditCode = code
		}
		out = append(out, r)
	}
	if bad.Total > 0 {
		return nil, encoding, bad
	}
	if len(out) == 0 {
		return nil, encoding, fileError(name, "只有表头，没有数据行")
	}
	return out, encoding, nil
}
