package report

import (
	"archive/zip"
	"fmt"
	"io"
	"strings"
	"time"

	"kexuan/domain"
	"kexuan/plan"
	"kexuan/scoring"
)

// Bulletin is a 通报 of a period's assessment: the score table with ranks
// as of the period's last day and the departments that missed monthly
// quotas in it, in the official-document format of GB/T 9704-2012.
type Bulletin struct {
	Plan   *plan.Plan
	Result *scoring.Result // as of the period's last day
	Label  string          // 2017年3月份, 2017年第一季度, 2017年度
	Months []plan.Month    // the months whose quota shortfalls it names
	Number string          // 发文字号, e.g. X通〔2017〕3号
	Issued plan.Date       // 成文日期
}

// GB/T 9704-2012 in Word's units (twips: 1/1440 inch; half-points).
const (
	pageW       = 11906 // A4 210 mm
	pageH       = 16838 // 297 mm
	marginTop   = 2098  // 37 mm
	marginBot   = 1984  // 35 mm
	marginLeft  = 1588  // 28 mm
	marginRight = 1474  // 26 mm
	// The footer's page number: its 一字线 7 mm below the 版心 (a 4号 line
	// of 14 pt, the dash at its middle).
	footerFromBottom = 1984 - 397 - 280 + 78
	// 22 lines on a page: (297 − 37 − 35) mm / 22.
	linePitch = 579
	size2     = 44 // 2号 22 pt, in half-points
	size3     = 32 // 3号 16 pt
	size4     = 28 // 4号 14 pt
	sizeMark  = 52 // 发文机关标志, 26 pt
	red       = "FF0000"
)

// The standard's fonts, each with the fallback a machine without it uses.
const (
	fontXBS = "方正小标宋简体"
	fontFS  = "仿宋_GB2312"
	fontHT  = "黑体"
	fontST  = "宋体"
)

// BulletinDOCX writes the bulletin as a .docx.
func BulletinDOCX(w io.Writer, b *Bulletin) error {
	return writeDOCX(w, settingsXML, documentXML(b), coreXML(b))
}

// writeDOCX writes a Word package: the parts every kexuan document shares
// (content types, relations, styles, fonts, page numbers on the outside
// edges) with a document's own settings, body and properties.
func writeDOCX(w io.Writer, settings, document, core string) error {
	return writeDOCXParts(w, settings, document, core, false)
}

// writeDOCXParts is writeDOCX with, when draft is set, the header of a
// draft: 送审稿 at its right and as a watermark across the page.
func writeDOCXParts(w io.Writer, settings, document, core string, draft bool) error {
	zw := zip.NewWriter(w)
	files := []struct{ name, body string }{
		{"[Content_Types].xml", contentTypes},
		{"_rels/.rels", rootRels},
		{"word/_rels/document.xml.rels", documentRels},
		{"word/settings.xml", settings},
		{"word/styles.xml", stylesXML()},
		{"word/fontTable.xml", fontTableXML},
		{"word/footer1.xml", footerXML("right")},
		{"word/footer2.xml", footerXML("left")},
		{"word/footer3.xml", emptyFooter},
		{"word/header1.xml", draftHeader},
		{"word/document.xml", document},
		{"docProps/core.xml", core},
	}
	for _, f := range files {
		fw, err := zw.Create(f.name)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(fw, f.body); err != nil {
			return err
		}
	}
	return zw.Close()
}

// fieldSettings are the settings of a document whose contents carry page
// numbers as fields (PAGEREF), which Word and LibreOffice fill in on opening.
const fieldSettings = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:updateFields w:val="true"/><w:evenAndOddHeaders/><w:defaultTabStop w:val="420"/></w:settings>`

// coreProps are a document's properties: title, author, language, and when
// it was made (left out when zero).
func coreProps(title, creator string, created time.Time) string {
	made := ""
	if !created.IsZero() {
		made = `<dcterms:created xsi:type="dcterms:W3CDTF">` + created.UTC().Format(time.RFC3339) + `</dcterms:created>`
	}
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>` +
		esc(title) + `</dc:title><dc:creator>` + esc(creator) + `</dc:creator><dc:language>zh-CN</dc:language>` + made + `</cp:coreProperties>`
}

func esc(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		default:
			// What XML forbids never reaches a document (Word refuses
			// the file): the inputs refuse it, and this drops it.
			if !domain.XMLChar(r) || r == '\r' {
				continue
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// run is a run of text in a font, size and colour.
func run(text, font string, size int, color string, bold bool) string {
	var b strings.Builder
	b.WriteString(`<w:r><w:rPr><w:rFonts w:ascii="` + font + `" w:eastAsia="` + font + `" w:hAnsi="` + font + `" w:hint="eastAsia"/>`)
	if bold {
		b.WriteString(`<w:b/>`)
	}
	if color != "" {
		b.WriteString(`<w:color w:val="` + color + `"/>`)
	}
	if size == size3 {
		// 3号 (16 pt) drawn at a pitch of 15.75 pt: 28 characters a line
		// of the 156 mm 版心, as the standard has it, in Word, WPS and
		// LibreOffice alike (LibreOffice reads a document grid's
		// character pitch otherwise than Word).
		b.WriteString(`<w:spacing w:val="-5"/>`)
	}
	fmt.Fprintf(&b, `<w:sz w:val="%d"/><w:szCs w:val="%d"/></w:rPr><w:t xml:space="preserve">%s</w:t></w:r>`, size, size, esc(text))
	return b.String()
}

// para is a paragraph: alignment, first-line indent in characters (×100),
// extra pPr, and its runs; exact line spacing on the page's grid.
func para(jc string, indentChars int, extra string, runs ...string) string {
	var b strings.Builder
	props := []string{fmt.Sprintf(`<w:spacing w:line="%d" w:lineRule="exact"/>`, linePitch), extra}
	if indentChars > 0 {
		// Characters for Word and WPS, twips for the others (3号: 320 a character).
		props = append(props, fmt.Sprintf(`<w:ind w:firstLineChars="%d" w:firstLine="%d"/>`, indentChars, indentChars*320/100))
	}
	if jc != "" {
		props = append(props, `<w:jc w:val="`+jc+`"/>`)
	}
	b.WriteString(`<w:p>` + pPr(props...))
	for _, r := range runs {
		b.WriteString(r)
	}
	b.WriteString(`</w:p>`)
	return b.String()
}

func body(text string) string { return para("both", 200, "", run(text, fontFS, size3, "", false)) }
func heading(text string) string {
	return para("both", 200, `<w:keepNext/>`, run(text, fontHT, size3, "", false)) // never the last line of a page
}
func blank() string { return para("", 0, "") }

// ChineseDate writes a date as 成文日期 does: 二〇一七年四月五日.
func ChineseDate(d plan.Date) string {
	digits := []rune("〇一二三四五六七八九")
	var y strings.Builder
	for _, c := range fmt.Sprint(d.Year) {
		y.WriteRune(digits[c-'0'])
	}
	return y.String() + "年" + plan.ChineseNumber(d.Month) + "月" + plan.ChineseNumber(d.Day) + "日"
}

// ArabicDate writes a date as GB/T 9704-2012 has 成文日期 and 印发日期
// written: 2017年4月5日.
func ArabicDate(d plan.Date) string { return fmt.Sprintf("%d年%d月%d日", d.Year, d.Month, d.Day) }

// Positions of the standard (7.2–7.4, 8), in twips.
const (
	markFromTop = 1984 // 发文机关标志: its top 35 mm below the 版心's top
	markInk     = 370  // how far below its line's top a 26 pt line's ink starts (measured in LibreOffice)
	ruleBelow   = 5    // pt between 发文字号's line and the red rule: 4 mm under its ink
	charPitch   = 315  // 28 characters a line of the 156 mm 版心 (3号 drawn at 15.75 pt: run())
	textWidth   = pageW - marginLeft - marginRight
)

// widthChars is how many characters of the grid a text takes: a CJK
// character or full-width mark one, an ASCII character half.
func widthChars(s string) float64 {
	w := 0.0
	for _, r := range s {
		if r < 0x80 {
			w += 0.5
		} else {
			w++
		}
	}
	return w
}

func documentXML(b *Bulletin) string {
	p, r := b.Plan, b.Result
	d := p.Documents
	var s strings.Builder
	s.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" ` +
		`xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" ` +
		`xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><w:body>`)
	// 版头: 发文机关标志 in red 小标宋 35 mm below the 版心's top; two
	// lines below it 发文字号, the red rule 4 mm under that.
	markLine := sizeMark * 10 * 12 / 10 // 1.2 lines of the mark's size, in twips
	s.WriteString(para("center", 0, fmt.Sprintf(`<w:spacing w:before="%d" w:after="0" w:line="%d" w:lineRule="exact"/>`, markFromTop-markInk, markLine),
		run(d.Mark, fontXBS, sizeMark, red, false)))
	s.WriteString(blank())
	s.WriteString(blank())
	s.WriteString(para("center", 0, fmt.Sprintf(`<w:pBdr><w:bottom w:val="single" w:sz="18" w:space="%d" w:color="%s"/></w:pBdr>`, ruleBelow, red),
		run(b.Number, fontFS, size3, "", false)))
	// 标题 in 2号 小标宋 two lines under the rule, broken into balanced phrases.
	s.WriteString(blank())
	s.WriteString(blank())
	for _, line := range titleLines(b.Label) {
		s.WriteString(para("center", 0, `<w:keepNext/>`, run(line, fontXBS, size2, "", false)))
	}
	s.WriteString(blank())
	s.WriteString(para("both", 0, "", run(d.Addressee+"：", fontFS, size3, "", false)))
	s.WriteString(body(fmt.Sprintf("根据《%s》（%s）的要求，现将%s各科室科技宣传工作考核情况（截至%s）通报如下。", p.Title, p.DocumentNumber, b.Label, ArabicDate(plan.MustDate(r.AsOf)))))
	s.WriteString(heading("一、考核得分"))
	s.WriteString(scoreTable(r))
	s.WriteString(heading("二、月度报送"))
	var before []plan.Month
	for _, m := range b.Months {
		if m.Compare(p.QuotaFromMonth()) < 0 {
			before = append(before, m)
		}
	}
	missed := missedQuotas(p, r, b.Months)
	switch {
	case len(before) == len(b.Months):
		s.WriteString(body(fmt.Sprintf("按方案，月度报送任务自%d月起考核，本期不考核月度报送。", p.QuotaFromMonth().Month)))
	case len(missed) == 0:
		s.WriteString(body(quotaScope(p, before) + "各科室均按要求完成了月度报送任务。"))
	default:
		s.WriteString(body(quotaScope(p, before) + "以下科室未按要求完成月度报送任务，已按方案扣分："))
		for _, m := range missed {
			s.WriteString(body(m))
		}
	}
	s.WriteString(heading("三、工作要求"))
	// The last paragraph of the body keeps with the signature and the date:
	// never a page with only them.
	s.WriteString(para("both", 200, `<w:keepNext/><w:keepLines/>`, run("请各科室对照任务分解表，及时报送信息，按月完成"+quotaNames(p)+"的报送任务；分管局领导加强审核把关，确保信息准确、及时。", fontFS, size3, "", false)))
	// 署名 one line under the body, two characters in from the right;
	// 成文日期 under it, its first character two right of the 署名's — or,
	// when the date is the longer, the date two in from the right and the
	// 署名 moved left to match. Indents in twips, which Word, WPS and
	// LibreOffice all honour.
	sign, date := p.Bureau, ArabicDate(b.Issued)
	ws, wd := widthChars(sign), widthChars(date)
	signRight := 2.0
	if wd+2 > ws {
		signRight = 2 + (wd + 2 - ws)
	}
	signLeft := float64(textWidth)/charPitch - signRight - ws
	s.WriteString(para("left", 0, `<w:keepNext/>`))
	s.WriteString(para("left", 0, fmt.Sprintf(`<w:keepNext/><w:ind w:left="%d"/>`, int(signLeft*charPitch)), run(sign, fontFS, size3, "", false)))
	s.WriteString(para("left", 0, fmt.Sprintf(`<w:ind w:left="%d"/>`, int((signLeft+2)*charPitch)), run(date, fontFS, size3, "", false)))
	s.WriteString(imprint(d, b.Issued))
	fmt.Fprintf(&s, `<w:sectPr><w:footerReference w:type="default" r:id="rIdFooterOdd"/><w:footerReference w:type="even" r:id="rIdFooterEven"/>`+
		`<w:pgSz w:w="%d" w:h="%d"/><w:pgMar w:top="%d" w:right="%d" w:bottom="%d" w:left="%d" w:header="851" w:footer="%d" w:gutter="0"/>`+
		`<w:docGrid w:type="lines" w:linePitch="%d"/></w:sectPr></w:body></w:document>`,
		pageW, pageH, marginTop, marginRight, marginBot, marginLeft, footerFromBottom, linePitch)
	return s.String()
}

// quotaScope says which months of a period quotas count in, when some of
// its months come before they start.
func quotaScope(p *plan.Plan, before []plan.Month) string {
	if len(before) == 0 {
		return ""
	}
	return fmt.Sprintf("按方案，月度报送任务自%d月起考核。", p.QuotaFromMonth().Month)
}

// titleLines breaks a 通报's title into lines of whole phrases, balanced
// (the shorter line first when they differ: 梯形), never leaving 通报
// alone: one line when it fits the 版心 in 2号 (22 pt: 20 characters of
// 156 mm).
func titleLines(label string) []string {
	const perLine = 20
	full := "关于" + label + "科技宣传工作考核情况的通报"
	if widthChars(full) <= perLine {
		return []string{full}
	}
	// Phrases: 关于 + the period | 科技宣传工作 | 考核情况的通报.
	phrases := []string{"关于" + label, "科技宣传工作", "考核情况的通报"}
	best, bestDiff := []string{full}, 1e9
	for cut := 1; cut < len(phrases); cut++ {
		a, b := strings.Join(phrases[:cut], ""), strings.Join(phrases[cut:], "")
		wa, wb := widthChars(a), widthChars(b)
		if wa > perLine || wb > perLine {
			continue
		}
		diff := wb - wa
		if diff < 0 {
			diff = -diff * 1.01 // prefer the shorter line on top
		}
		if diff < bestDiff {
			best, bestDiff = []string{a, b}, diff
		}
	}
	return best
}

// imprint is the 版记 at the foot of the last page: between a 0.35 mm rule
// above and below and 0.25 mm rules between its lines, 抄送 (when the plan
// names any) and 印发机关 with 印发日期, in 4号 仿宋, each one character in
// from its side. It floats at the bottom of the 版心, so it is the last
// thing on the last page wherever the body ends.
func imprint(d plan.Documents, issued plan.Date) string {
	const oneChar = 280 // 4号: 14 pt
	// A table as wide as the 版心 carries the rules (paragraph borders
	// would follow the one-character indents).
	var tbl strings.Builder
	fmt.Fprintf(&tbl, `<w:tbl><w:tblPr><w:tblW w:w="%d" w:type="dxa"/><w:tblBorders><w:top w:val="single" w:sz="8" w:space="0" w:color="000000"/>`+
		`<w:bottom w:val="single" w:sz="8" w:space="0" w:color="000000"/><w:insideH w:val="single" w:sz="6" w:space="0" w:color="000000"/></w:tblBorders>`+
		`<w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid><w:gridCol w:w="%d"/></w:tblGrid>`,
		textWidth, textWidth)
	row := func(extra string, runs ...string) {
		fmt.Fprintf(&tbl, `<w:tr><w:trPr><w:cantSplit/></w:trPr><w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/></w:tcPr>`, textWidth)
		tbl.WriteString(para("left", 0, `<w:spacing w:line="579" w:lineRule="exact"/>`+extra, runs...))
		tbl.WriteString(`</w:tc></w:tr>`)
	}
	lines := 1
	if len(d.CopyTo) > 0 {
		cc := "抄送：" + strings.Join(d.CopyTo, "，") + "。"
		row(fmt.Sprintf(`<w:ind w:left="%d" w:right="%d" w:hanging="%d"/>`, oneChar+3*oneChar, oneChar, 3*oneChar), run(cc, fontFS, size4, "", false))
		lines += 1 + int(widthChars(cc)*oneChar)/(textWidth-2*oneChar)
	}
	// 印发机关 at the left, 印发日期 at a right tab stop, each one
	// character in.
	row(fmt.Sprintf(`<w:tabs><w:tab w:val="right" w:pos="%d"/></w:tabs><w:ind w:left="%d" w:right="%d"/>`, textWidth-oneChar, oneChar, oneChar),
		run(d.PrintedBy, fontFS, size4, "", false), `<w:r><w:tab/></w:r>`, run(ArabicDate(issued)+"印发", fontFS, size4, "", false))
	tbl.WriteString(`</w:tbl>`)
	content := tbl.String() + para("", 0, `<w:spacing w:line="20" w:lineRule="exact"/>`)
	// A text box anchored to the last paragraph, at the bottom of the 版心.
	const emuPerTwip = 635
	h := (lines*579 + 40) * emuPerTwip
	w := textWidth * emuPerTwip
	return fmt.Sprintf(`<w:p>`+pPr(`<w:spacing w:line="20" w:lineRule="exact"/>`)+`<w:r><w:drawing><wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="2" behindDoc="0" locked="1" layoutInCell="1" allowOverlap="0">`+
		`<wp:simplePos x="0" y="0"/><wp:positionH relativeFrom="margin"><wp:align>center</wp:align></wp:positionH><wp:positionV relativeFrom="margin"><wp:align>bottom</wp:align></wp:positionV>`+
		`<wp:extent cx="%d" cy="%d"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapTopAndBottom/><wp:docPr id="1" name="版记"/><wp:cNvGraphicFramePr/>`+
		`<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp><wps:cNvSpPr txBox="1"/>`+
		`<wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="%d" cy="%d"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/><a:ln><a:noFill/></a:ln></wps:spPr>`+
		`<wps:txbx><w:txbxContent>%s</w:txbxContent></wps:txbx><wps:bodyPr rot="0" vert="horz" wrap="square" lIns="0" tIns="0" rIns="0" bIns="0" anchor="b"><a:noAutofit/></wps:bodyPr></wps:wsp>`+
		`</a:graphicData></a:graphic></wp:anchor></w:drawing></w:r></w:p>`, w, h, w, h, content)
}

func quotaNames(p *plan.Plan) string {
	var out []string
	for _, c := range p.CategoriesOf(plan.KindQuota) {
		out = append(out, "“"+c.Name+"”")
	}
	return strings.Join(out, "、")
}

// missedQuotas names, per department, what it missed in the months.
func missedQuotas(p *plan.Plan, r *scoring.Result, months []plan.Month) []string {
	in := map[string]bool{}
	for _, m := range months {
		in[m.String()] = true
	}
	var out []string
	for _, d := range r.Departments {
		var parts []string
		for _, q := range d.Quotas {
			if !in[q.Month] || q.Status != scoring.QuotaMissed {
				continue
			}
			name := q.Category
			if c := p.Category(q.Category); c != nil {
				name = c.Name
			}
			m, err := plan.ParseMonth(q.Month)
			if err != nil {
				continue
			}
			parts = append(parts, fmt.Sprintf("%d月%s应报%d条、实报%d条，少报%d条，扣%s分", m.Month, name, q.Required, q.Reported, q.Missing, num(q.Deduction)))
		}
		if len(parts) > 0 {
			out = append(out, d.Name+"："+strings.Join(parts, "；")+"。")
		}
	}
	return out
}

// scoreTable is the table of scores by rank.
func scoreTable(r *scoring.Result) string {
	deps := append([]scoring.Department(nil), r.Departments...)
	for i := 1; i < len(deps); i++ { // by rank, stable
		for j := i; j > 0 && deps[j].Rank < deps[j-1].Rank; j-- {
			deps[j], deps[j-1] = deps[j-1], deps[j]
		}
	}
	heads := []string{"排名", "科室", "任务得分", "加分", "扣分", "加减分", "总分"}
	widths := []int{800, 2600, 1300, 1000, 1000, 1100, 944}
	var s strings.Builder
	s.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="8744" w:type="dxa"/><w:jc w:val="center"/><w:tblBorders>`)
	for _, side := range []string{"top", "left", "bottom", "right", "insideH", "insideV"} {
		s.WriteString(`<w:` + side + ` w:val="single" w:sz="4" w:space="0" w:color="000000"/>`)
	}
	s.WriteString(`</w:tblBorders><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>`)
	for _, wd := range widths {
		fmt.Fprintf(&s, `<w:gridCol w:w="%d"/>`, wd)
	}
	s.WriteString(`</w:tblGrid>`)
	row := func(cells []string, font string, header bool) {
		s.WriteString(`<w:tr>`)
		if header {
			s.WriteString(`<w:trPr><w:tblHeader/></w:trPr>`)
		}
		for i, c := range cells {
			fmt.Fprintf(&s, `<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>`, widths[i])
			s.WriteString(`<w:p><w:pPr><w:spacing w:line="400" w:lineRule="exact"/><w:jc w:val="center"/></w:pPr>` + run(c, font, size4, "", false) + `</w:p></w:tc>`)
		}
		s.WriteString(`</w:tr>`)
	}
	row(heads, fontHT, true)
	for _, d := range deps {
		row([]string{fmt.Sprint(d.Rank), d.Name, num(d.TaskScore), num(d.Bonus), num(d.Deduction), num(d.Adjustment), num(d.Total)}, fontFS, false)
	}
	s.WriteString(`</w:tbl>`)
	return s.String()
}

// footerXML is the page number "— 1 —" in 4号 宋体 on the outside edge:
// right on odd pages, left on even ones, one character in.
func footerXML(side string) string {
	ind := `<w:ind w:right="280"/>` // one 4号 character, in twips every reader honours
	if side == "left" {
		ind = `<w:ind w:left="280"/>`
	}
	r := func(inner string) string {
		return `<w:r><w:rPr><w:rFonts w:ascii="` + fontST + `" w:eastAsia="` + fontST + `" w:hAnsi="` + fontST + `"/><w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr>` + inner + `</w:r>`
	}
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:ftr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p><w:pPr>` + ind + `<w:jc w:val="` + side + `"/></w:pPr>` +
		r(`<w:t xml:space="preserve">— </w:t>`) + r(`<w:fldChar w:fldCharType="begin"/>`) + r(`<w:instrText xml:space="preserve"> PAGE </w:instrText>`) +
		r(`<w:fldChar w:fldCharType="separate"/>`) + r(`<w:t>1</w:t>`) + r(`<w:fldChar w:fldCharType="end"/>`) + r(`<w:t xml:space="preserve"> —</w:t>`) +
		`</w:p></w:ftr>`
}

func stylesXML() string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr>` +
		`<w:rFonts w:ascii="` + fontFS + `" w:eastAsia="` + fontFS + `" w:hAnsi="` + fontFS + `"/><w:sz w:val="32"/><w:szCs w:val="32"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/>` +
		`</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:widowControl/><w:spacing w:after="0" w:line="579" w:lineRule="exact"/></w:pPr></w:pPrDefault></w:docDefaults>` +
		`<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style></w:styles>`
}

// fontTableXML names the standard's fonts with their fallbacks.
const fontTableXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
	`<w:font w:name="` + fontXBS + `"><w:altName w:val="` + fontST + `"/><w:charset w:val="86"/><w:family w:val="script"/></w:font>` +
	`<w:font w:name="` + fontFS + `"><w:altName w:val="仿宋"/><w:charset w:val="86"/><w:family w:val="modern"/></w:font>` +
	`<w:font w:name="` + fontHT + `"><w:altName w:val="SimHei"/><w:charset w:val="86"/><w:family w:val="modern"/></w:font>` +
	`<w:font w:name="` + fontST + `"><w:altName w:val="SimSun"/><w:charset w:val="86"/><w:family w:val="auto"/></w:font></w:fonts>`

const settingsXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:evenAndOddHeaders/><w:defaultTabStop w:val="420"/><w:compat><w:doNotExpandShiftReturn/></w:compat></w:settings>`

const contentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
	`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
	`<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>` +
	`<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>` +
	`<Override PartName="/word/fontTable.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"/>` +
	`<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>` +
	`<Override PartName="/word/footer2.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>` +
	`<Override PartName="/word/footer3.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>` +
	`<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>` +
	`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>`

const rootRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>` +
	`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>`

const documentRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
	`<Relationship Id="rIdSettings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>` +
	`<Relationship Id="rIdFonts" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable" Target="fontTable.xml"/>` +
	`<Relationship Id="rIdFooterOdd" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/>` +
	`<Relationship Id="rIdFooterEven" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer2.xml"/>` +
	`<Relationship Id="rIdFooterFirst" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer3.xml"/>` +
	`<Relationship Id="rIdHeaderDraft" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/></Relationships>`

// emptyFooter is the footer of a first page that shows no number (a cover).
const emptyFooter = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:ftr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p/></w:ftr>`

// draftHeader marks a document not yet approved: 送审稿 at the header's
// right in 4号 黑体, and the same across the page, grey, on the diagonal
// (a VML text path, the watermark Word and LibreOffice both draw).
const draftHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:hdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">` +
	`<w:p><w:pPr><w:jc w:val="right"/></w:pPr><w:r><w:rPr><w:rFonts w:ascii="` + fontHT + `" w:eastAsia="` + fontHT + `" w:hAnsi="` + fontHT + `"/><w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr><w:t>送审稿</w:t></w:r>` +
	`<w:r><w:pict><v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" path="m@7,l@8,m@5,21600l@6,21600e"><v:formulas>` +
	`<v:f eqn="sum #0 0 10800"/><v:f eqn="prod #0 2 1"/><v:f eqn="sum 21600 0 @1"/><v:f eqn="sum 0 0 @2"/><v:f eqn="sum 21600 0 @3"/><v:f eqn="if @0 @3 0"/><v:f eqn="if @0 21600 @1"/>` +
	`<v:f eqn="if @0 0 @2"/><v:f eqn="if @0 @4 21600"/><v:f eqn="mid @5 @6"/><v:f eqn="mid @8 @5"/><v:f eqn="mid @7 @8"/><v:f eqn="mid @6 @7"/><v:f eqn="sum @6 0 @5"/></v:formulas>` +
	`<v:path textpathok="t" o:connecttype="custom" o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800" o:connectangles="270,180,90,0"/><v:textpath on="t" fitshape="t"/>` +
	`<v:handles><v:h position="#0,bottomRight" xrange="6629,14971"/></v:handles><o:lock v:ext="edit" text="t" shapetype="t"/></v:shapetype>` +
	`<v:shape id="PowerPlusWaterMarkObject1" o:spid="_x0000_s2049" type="#_x0000_t136" style="position:absolute;margin-left:0;margin-top:0;width:400pt;height:130pt;rotation:315;z-index:-251657216;` +
	`mso-position-horizontal:center;mso-position-horizontal-relative:margin;mso-position-vertical:center;mso-position-vertical-relative:margin" o:allowincell="f" fillcolor="#c0c0c0" stroked="f">` +
	`<v:fill opacity=".5"/><v:textpath style="font-family:&quot;` + fontHT + `&quot;;font-size:1pt" string="送审稿"/></v:shape></w:pict></w:r></w:p></w:hdr>`

func coreXML(b *Bulletin) string {
	return coreProps("关于"+b.Label+"科技宣传工作考核情况的通报", b.Plan.Bureau, time.Time{})
}
