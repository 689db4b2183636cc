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

func bookletXML(b *Booklet) string {
	var s strings.Builder
	s.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>`)
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
	// Laid out twice: once to learn where each policy falls, once with
	// those pages in the contents (whose lines do not change with them).
	var pages map[string]int
	var f *flow
	for range 2 {
		f = &flow{}
		bookletCover(f, b)
		f.pageBreak()
		bookletContents(f, levels, groups, pages)
		f.pageBreak()
		for i, l := range levels {
			head := plan.ChineseNumber(i+1) + "、" + l.Name() + "政策"
			f.add(lineCount(head, size3, 0, 0, 0), true, "", func(props string) string {
				return para("", 0, props, run(head, fontHT, size3, "", false))
			})
			for j, p := range groups[l] {
				title := fmt.Sprintf("（%s）%s", plan.ChineseNumber(j+1), p.Title)
				name := fmt.Sprintf("policy%d", p.ID)
				f.add(lineCount(title, size3, 0, 0, 0), true, name, func(props string) string {
					return para("both", 0, props+`<w:keepLines/>`, fmt.Sprintf(`<w:bookmarkStart w:id="%d" w:name="%s"/>`, p.ID, name),
						run(title, fontFS, size3, "", true), fmt.Sprintf(`<w:bookmarkEnd w:id="%d"/>`, p.ID))
				})
				meta := "发文机关：" + p.Issuer
				if p.DocNumber != "" {
					meta += "　文号：" + p.DocNumber
				}
				meta += "　发布日期：" + ArabicDate(p.Issued)
				f.add(lineCount(meta, size4, 0, 0, 640), false, "", func(props string) string {
					return para("both", 200, props, run(meta, fontFS, size4, "", false))
				})
				for _, line := range strings.Split(p.Summary, "\n") {
					if line = strings.TrimSpace(line); line != "" {
						f.add(lineCount(line, size3, 0, 0, 640), false, "", func(props string) string {
							return para("both", 200, props, run(line, fontFS, size3, "", false))
						})
					}
				}
				if p.Link != "" {
					f.add(lineCount("原文："+p.Link, size4, 0, 0, 640), false, "", func(props string) string {
						return para("both", 200, props, run("原文："+p.Link, fontFS, size4, "", false))
					})
				}
				f.add(1, false, "", func(props string) string { return para("", 0, props) })
			}
		}
		pages = f.pages()
	}
	s.WriteString(f.xml())
	s.WriteString(sectionXML(true))
	s.WriteString(`</w:body></w:document>`)
	return s.String()
}

// bookletCover is the booklet's cover: its title, what it is for, the
// bureau and the date; no page number.
func bookletCover(f *flow, b *Booklet) {
	blankLines := func(n int) {
		for range n {
			f.add(1, false, "", func(props string) string { return para("", 0, props) })
		}
	}
	blankLines(5)
	f.add(lineCount(bookletTitle(b), sizeMark, 0, 0, 0), false, "", func(props string) string {
		return para("center", 0, props, run(bookletTitle(b), fontXBS, sizeMark, "", false))
	})
	blankLines(1)
	f.add(1, false, "", func(props string) string {
		return para("center", 0, props, run("（“科技政策进百企”宣传资料）", fontFS, size3, "", false))
	})
	blankLines(8)
	f.add(1, false, "", func(props string) string {
		return para("center", 0, props, run(b.Plan.Bureau, fontFS, size3, "", false))
	})
	date := ChineseDate(plan.DateOf(b.Made.In(b.Plan.Location())))
	f.add(1, false, "", func(props string) string { return para("center", 0, props, run(date, fontFS, size3, "", false)) })
}

// bookletContents is 目录: one line per level and policy with the page it
// starts on (pages nil: not known yet).
func bookletContents(f *flow, levels []domain.PolicyLevel, groups map[domain.PolicyLevel][]*domain.Policy, pages map[string]int) {
	f.add(1, false, "", func(props string) string {
		return para("center", 0, props, run("目　　录", fontHT, size2, "", false))
	})
	f.add(1, false, "", func(props string) string { return para("", 0, props) })
	for i, l := range levels {
		head := plan.ChineseNumber(i+1) + "、" + l.Name() + "政策"
		f.add(1, true, "", func(props string) string { return para("", 0, props+contentsTab, run(head, fontHT, size3, "", false)) })
		for _, p := range groups[l] {
			name := fmt.Sprintf("policy%d", p.ID)
			f.add(contentsLines(p.Title), false, "", func(props string) string {
				return para("", 0, props+contentsTab+`<w:ind w:left="640"/>`, run(p.Title, fontFS, size4, "", false), `<w:r><w:tab/></w:r>`, pageRefName(name, pages[name]))
			})
		}
	}
	if len(levels) == 0 {
		f.add(1, false, "", func(props string) string {
			return para("both", 200, props, run("政策库中还没有有效的政策。", fontFS, size3, "", false))
		})
	}
}

// contentsTab is the right tab of a contents line, dotted to its number.
const contentsTab = `<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="8840"/></w:tabs>`

// contentsLines is how many lines a contents entry takes: its title at 4号
// indented two characters, then the dots and a page number.
func contentsLines(title string) int { return lineCount(title+"……999", size4, 640, 0, 0) }

// sectionXML is the page setup of the booklet and the journal: A4 with the
// 版心 of GB/T 9704, page numbers on the outside edges, none on the first
// page (the cover, the masthead) when cover is set.
func sectionXML(cover bool) string {
	first := ""
	if cover {
		first = `<w:footerReference w:type="first" r:id="rIdFooterFirst"/>`
	}
	title := ""
	if cover {
		title = `<w:titlePg/>`
	}
	return fmt.Sprintf(`<w:sectPr><w:footerReference w:type="default" r:id="rIdFooterOdd"/><w:footerReference w:type="even" r:id="rIdFooterEven"/>%s`+
		`<w:pgSz w:w="%d" w:h="%d"/><w:pgMar w:top="%d" w:right="%d" w:bottom="%d" w:left="%d" w:header="851" w:footer="%d" w:gutter="0"/>%s`+
		`<w:docGrid w:type="lines" w:linePitch="%d"/></w:sectPr>`,
		first, pageW, pageH, marginTop, marginRight, marginBot, marginLeft, footerFromBottom, title, linePitch)
}

// pageRefName is a PAGEREF field to a bookmark, showing the page the
// layout gives it (as printed by LibreOffice; Word updates the field when
// the document opens).
func pageRefName(name string, page int) string {
	r := func(inner string) string {
		return `<w:r><w:rPr><w:rFonts w:ascii="` + fontFS + `" w:eastAsia="` + fontFS + `" w:hAnsi="` + fontFS + `"/><w:sz w:val="28"/></w:rPr>` + inner + `</w:r>`
	}
	return r(`<w:fldChar w:fldCharType="begin"/>`) + r(fmt.Sprintf(`<w:instrText xml:space="preserve"> PAGEREF %s \h </w:instrText>`, name)) +
		r(`<w:fldChar w:fldCharType="separate"/>`) + r(fmt.Sprintf(`<w:t>%d</w:t>`, max(page, 1))) + r(`<w:fldChar w:fldCharType="end"/>`)
}
