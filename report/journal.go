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
// masthead (the journal's name, year and number, editor, date), a table of
// contents by section with the pages its articles start on, every section
// of the plan's journal in its order (本期无 where an issue has nothing in
// one, unless the plan leaves empty sections out), each article starting
// its text under its title and source, and page numbers. An issue not yet published carries 送审稿 in its header and across
// each page.
func JournalDOCX(w io.Writer, p *plan.Plan, j *domain.JournalIssue) error {
	title := fmt.Sprintf("《%s》%d年第%d期", p.Journal.Name, j.Year, j.Number)
	draft := j.State != domain.JournalPublished
	return writeDOCXParts(w, fieldSettings, journalXML(p, j, draft), coreProps(title, p.Bureau, time.Time{}), draft)
}

func journalXML(p *plan.Plan, j *domain.JournalIssue, draft bool) string {
	var s strings.Builder
	s.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>`)
	bySection := map[int][]*domain.JournalItem{}
	for _, it := range j.Items {
		bySection[it.Section] = append(bySection[it.Section], it)
	}
	shown := func(i int) bool { return len(bySection[i]) > 0 || !p.Journal.OmitEmptySections }
	var pages map[string]int
	var f *flow
	for range 2 { // once to learn the pages, once to write them in the contents
		f = &flow{}
		// The masthead.
		f.add(1, false, "", func(props string) string { return para("", 0, props) })
		f.add(lineCount(p.Journal.Name, sizeMark, 0, 0, 0), false, "", func(props string) string {
			return para("center", 0, props, run(p.Journal.Name, fontXBS, sizeMark, red, false))
		})
		issue := fmt.Sprintf("%d年第%d期", j.Year, j.Number)
		f.add(1, false, "", func(props string) string { return para("center", 0, props, run(issue, fontFS, size3, "", false)) })
		editor := fmt.Sprintf("%s编　%s　%s", p.Bureau, "责任编辑："+j.Editor, ArabicDate(j.Day))
		f.addBordered(150, lineCount(editor, size4, 0, 0, 0), false, "", func(props string) string { // a 1.5 pt rule 6 pt below
			return para("center", 0, props+`<w:pBdr><w:bottom w:val="single" w:sz="12" w:space="6" w:color="`+red+`"/></w:pBdr>`, run(editor, fontFS, size4, "", false))
		})
		f.add(1, false, "", func(props string) string { return para("", 0, props) })
		f.add(1, true, "", func(props string) string {
			return para("center", 0, props, run("目　　录", fontHT, size3, "", false))
		})
		for i, name := range p.Journal.Sections {
			if !shown(i) {
				continue
			}
			f.add(1, len(bySection[i]) > 0, "", func(props string) string {
				return para("", 0, props+contentsTab, run("【"+name+"】", fontHT, size4, "", false))
			})
			if len(bySection[i]) == 0 {
				f.add(1, false, "", func(props string) string {
					return para("", 0, props+`<w:ind w:left="640"/>`, run("本期无", fontFS, size4, "", false))
				})
			}
			for _, it := range bySection[i] {
				mark := fmt.Sprintf("item%d", it.ID)
				f.add(contentsLines(it.Title), false, "", func(props string) string {
					return para("", 0, props+contentsTab+`<w:ind w:left="640"/>`, run(it.Title, fontFS, size4, "", false), `<w:r><w:tab/></w:r>`, pageRefName(mark, pages[mark]))
				})
			}
		}
		f.pageBreak()
		for i, name := range p.Journal.Sections {
			if !shown(i) {
				continue
			}
			items := bySection[i]
			f.addBordered(55, 1, true, "", func(props string) string { // a 0.75 pt rule 2 pt below
				return para("", 0, props+`<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="2" w:color="`+red+`"/></w:pBdr>`, run(name, fontHT, size3, red, false))
			})
			if len(items) == 0 {
				f.add(1, false, "", func(props string) string {
					return para("both", 200, props, run("本期无。", fontFS, size3, "", false))
				})
				f.add(1, false, "", func(props string) string { return para("", 0, props) })
			}
			for _, it := range items {
				mark := fmt.Sprintf("item%d", it.ID)
				f.add(lineCount(it.Title, size3, 0, 0, 0), true, mark, func(props string) string {
					return para("center", 0, props+`<w:keepLines/>`, fmt.Sprintf(`<w:bookmarkStart w:id="%d" w:name="%s"/>`, it.ID, mark),
						run(it.Title, fontXBS, size3, "", false), fmt.Sprintf(`<w:bookmarkEnd w:id="%d"/>`, it.ID))
				})
				if it.Source != "" {
					src := "（" + it.Source + "）"
					f.add(lineCount(src, size4, 0, 0, 0), true, "", func(props string) string { return para("center", 0, props, run(src, fontFS, size4, "", false)) })
				}
				for _, line := range strings.Split(richtext.Text(it.Body), "\n") {
					if line = strings.TrimSpace(line); line != "" {
						f.add(lineCount(line, size3, 0, 0, 640), false, "", func(props string) string {
							return para("both", 200, props, run(line, fontFS, size3, "", false))
						})
					}
				}
				f.add(1, false, "", func(props string) string { return para("", 0, props) })
			}
		}
		pages = f.pages()
	}
	s.WriteString(f.xml())
	sect := sectionXML(false)
	if draft {
		sect = strings.Replace(sect, `<w:footerReference w:type="default"`, `<w:headerReference w:type="default" r:id="rIdHeaderDraft"/><w:headerReference w:type="even" r:id="rIdHeaderDraft"/><w:footerReference w:type="default"`, 1)
	}
	s.WriteString(sect)
	s.WriteString(`</w:body></w:document>`)
	return s.String()
}
