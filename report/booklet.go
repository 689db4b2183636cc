package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"kexuan/domain"
	"kexuan/plan"
)

// Booklet is the policy booklet the plan asks for (汇集各级科技政策整理编印
// 成册): the library's policies in force, grouped by level and date.
type Booklet struct {
	Plan     *plan.Plan
	Year     int
	Policies []*domain.Policy
	Made     time.Time
}

// BookletDOCX writes the booklet as a Word document on A4: a cover, a table
// of contents whose page numbers Word and LibreOffice fill in (PAGEREF to
// each policy's bookmark), the policies by level — each with its issuer,
// 文号, date and summary — and page numbers in the footer.
func BookletDOCX(w io.Writer, b *Booklet) error {
	return writeDOCX(w, fieldSettings, bookletXML(b), coreProps(bookletTitle(b), b.Plan.Bureau, b.Made))
}

func bookletTitle(b *Booklet) string { return fmt.Sprintf("%d年各级科技政策汇编", b.Year) }

const pageBreak = `<w:p><w:r><w:br w:type="page"/></w:r></w:p>`

func bookletXML(b *Booklet) string {
	var s strings.Builder
	s.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>`)
	// The cover.
	for range 5 {
		s.WriteString(blank())
	}
	s.WriteString(para("center", 0, "", run(bookletTitle(b), fontXBS, sizeMark, "", false)))
	s.WriteString(blank())
	s.WriteString(para("center", 0, "", run("（“科技政策进百企”宣传资料）", fontFS, size3, "", false)))
	for range 8 {
		s.WriteString(blank())
	}
	s.WriteString(para("center", 0, "", run(b.Plan.Bureau, fontFS, size3, "", false)))
	s.WriteString(para("center", 0, "", run(ChineseDate(plan.DateOf(b.Made.In(b.Plan.Location()))), fontFS, size3, "", false)))
	s.WriteString(pageBreak)

	// Group the policies in force by level.
	groups := map[domain.PolicyLevel][]*domain.Policy{}
	var levels []domain.PolicyLevel
	for _, l := range domain.PolicyLevels {
		for _, p := range b.Policies {
			if p.Level == l && !p.Repealed {
				groups[l] = append(groups[l], p)
			}
		}
		if len(groups[l]) > 0 {
			levels = append(levels, l)
		}
	}

	// 目录: one line per level and policy, the page filled in from the
	// policy's bookmark.
	s.WriteString(para("center", 0, "", run("目　　录", fontHT, size2, "", false)))
	s.WriteString(blank())
	tab := `<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="8840"/></w:tabs>`
	for i, l := range levels {
		s.WriteString(para("", 0, tab, run(plan.ChineseNumber(i+1)+"、"+l.Name()+"政策", fontHT, size3, "", false)))
		for _, p := range groups[l] {
			s.WriteString(para("", 0, tab+`<w:ind w:left="640"/>`, run(p.Title, fontFS, size4, "", false), `<w:r><w:tab/></w:r>`, pageRef(p.ID)))
		}
	}
	if len(levels) == 0 {
		s.WriteString(body("政策库中还没有有效的政策。"))
	}
	s.WriteString(pageBreak)

	// The policies.
	for i, l := range levels {
		s.WriteString(para("", 0, "", run(plan.ChineseNumber(i+1)+"、"+l.Name()+"政策", fontHT, size3, "", false)))
		for j, p := range groups[l] {
			mark := fmt.Sprintf(`<w:bookmarkStart w:id="%d" w:name="policy%d"/>`, p.ID, p.ID)
			s.WriteString(para("both", 0, "", mark, run(fmt.Sprintf("（%s）%s", plan.ChineseNumber(j+1), p.Title), fontFS, size3, "", true),
				fmt.Sprintf(`<w:bookmarkEnd w:id="%d"/>`, p.ID)))
			meta := "发文机关：" + p.Issuer
			if p.DocNumber != "" {
				meta += "　文号：" + p.DocNumber
			}
			meta += "　发布日期：" + ChineseDate(p.Issued)
			s.WriteString(para("both", 200, "", run(meta, fontFS, size4, "", false)))
			for _, line := range strings.Split(p.Summary, "\n") {
				if line = strings.TrimSpace(line); line != "" {
					s.WriteString(body(line))
				}
			}
			if p.Link != "" {
				s.WriteString(para("both", 200, "", run("原文："+p.Link, fontFS, size4, "", false)))
			}
			s.WriteString(blank())
		}
	}
	fmt.Fprintf(&s, `<w:sectPr><w:footerReference w:type="default" r:id="rIdFooterOdd"/><w:footerReference w:type="even" r:id="rIdFooterEven"/>`+
		`<w:pgSz w:w="%d" w:h="%d"/><w:pgMar w:top="%d" w:right="%d" w:bottom="%d" w:left="%d" w:header="851" w:footer="992" w:gutter="0"/>`+
		`<w:docGrid w:type="lines" w:linePitch="%d"/></w:sectPr></w:body></w:document>`,
		pageW, pageH, marginTop, marginRight, marginBot, marginLeft, linePitch)
	return s.String()
}

// pageRef is a PAGEREF field to a policy's bookmark.
func pageRef(id int64) string { return pageRefName(fmt.Sprintf("policy%d", id)) }

// pageRefName is a PAGEREF field to a bookmark (its cached value 1 until the
// document's fields are updated, as Word and LibreOffice do).
func pageRefName(name string) string {
	r := func(inner string) string {
		return `<w:r><w:rPr><w:rFonts w:ascii="` + fontFS + `" w:eastAsia="` + fontFS + `" w:hAnsi="` + fontFS + `"/><w:sz w:val="28"/></w:rPr>` + inner + `</w:r>`
	}
	return r(`<w:fldChar w:fldCharType="begin"/>`) + r(fmt.Sprintf(`<w:instrText xml:space="preserve"> PAGEREF %s \h </w:instrText>`, name)) +
		r(`<w:fldChar w:fldCharType="separate"/>`) + r(`<w:t>1</w:t>`) + r(`<w:fldChar w:fldCharType="end"/>`)
}
