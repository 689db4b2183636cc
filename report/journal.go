package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"kexuan/domain"
	"kexuan/plan"
	"kexuan/richtext"
)

// JournalDOCX writes an issue of the journal as a Word document on A4: the
// masthead (《金科文汇》, year and number, editor, date), a table of contents
// by section with page numbers (PAGEREF to each article), the sections in
// the plan's order, each article starting its text under its title and
// source, and page numbers.
func JournalDOCX(w io.Writer, p *plan.Plan, j *domain.JournalIssue) error {
	title := fmt.Sprintf("《%s》%d年第%d期", p.Journal.Name, j.Year, j.Number)
	return writeDOCX(w, fieldSettings, journalXML(p, j), coreProps(title, p.Bureau, time.Time{}))
}

func journalXML(p *plan.Plan, j *domain.JournalIssue) string {
	var s strings.Builder
	s.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>`)
	// The masthead.
	s.WriteString(blank())
	s.WriteString(para("center", 0, "", run(p.Journal.Name, fontXBS, sizeMark, red, false)))
	s.WriteString(para("center", 0, "", run(fmt.Sprintf("%d年第%d期", j.Year, j.Number), fontFS, size3, "", false)))
	s.WriteString(para("center", 0, `<w:pBdr><w:bottom w:val="single" w:sz="12" w:space="6" w:color="`+red+`"/></w:pBdr>`,
		run(fmt.Sprintf("%s编　　%s　　%s", p.Bureau, "责任编辑："+j.Editor, ChineseDate(j.Day)), fontFS, size4, "", false)))
	s.WriteString(blank())
	// Group the items by section, in the plan's order.
	bySection := map[int][]*domain.JournalItem{}
	for _, it := range j.Items {
		bySection[it.Section] = append(bySection[it.Section], it)
	}
	s.WriteString(para("center", 0, "", run("目　　录", fontHT, size3, "", false)))
	tab := `<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="8840"/></w:tabs>`
	for i, name := range p.Journal.Sections {
		if len(bySection[i]) == 0 {
			continue
		}
		s.WriteString(para("", 0, tab, run("【"+name+"】", fontHT, size4, "", false)))
		for _, it := range bySection[i] {
			s.WriteString(para("", 0, tab+`<w:ind w:left="640"/>`, run(it.Title, fontFS, size4, "", false), `<w:r><w:tab/></w:r>`, pageRefName(fmt.Sprintf("item%d", it.ID))))
		}
	}
	s.WriteString(pageBreak)
	for i, name := range p.Journal.Sections {
		items := bySection[i]
		if len(items) == 0 {
			continue
		}
		s.WriteString(para("", 0, `<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="2" w:color="`+red+`"/></w:pBdr>`, run(name, fontHT, size3, red, false)))
		for _, it := range items {
			mark := fmt.Sprintf(`<w:bookmarkStart w:id="%d" w:name="item%d"/>`, it.ID, it.ID)
			s.WriteString(para("center", 0, "", mark, run(it.Title, fontXBS, size3, "", false), fmt.Sprintf(`<w:bookmarkEnd w:id="%d"/>`, it.ID)))
			if it.Source != "" {
				s.WriteString(para("center", 0, "", run("（"+it.Source+"）", fontFS, size4, "", false)))
			}
			for _, line := range strings.Split(richtext.Text(it.Body), "\n") {
				if line = strings.TrimSpace(line); line != "" {
					s.WriteString(body(line))
				}
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
