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
	Number string          // 发文字号, e.g. 金科通〔2017〕3号
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

func body(text string) string    { return para("both", 200, "", run(text, fontFS, size3, "", false)) }
func heading(text string) string { return para("both", 200, "", run(text, fontHT, size3, "", false)) }
func blank() string              { return para("", 0, "") }

// ChineseDate writes a date as 成文日期 does: 二〇一七年四月五日.
func ChineseDate(d plan.Date) string {
	digits := []rune("〇一二三四五六七八九")
	var y strings.Builder
	for _, c := range fmt.Sprint(d.Year) {
		y.WriteRune(digits[c-'0'])
	}
	return y.String() + "年" + plan.ChineseNumber(d.Month) + "月" + plan.ChineseNumber(d.Day) + "日"
}

func documentXML(b *Bulletin) string {
	p, r := b.Plan, b.Result
	var s strings.Builder
	s.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>`)
	// 版头: 发文机关标志 in red 小标宋, 发文字号, the red rule under it.
	s.WriteString(blank())
	s.WriteString(para("center", 0, `<w:spacing w:before="0" w:after="0"/>`, run(p.Bureau+"文件", fontXBS, sizeMark, red, false)))
	s.WriteString(blank())
	s.WriteString(para("center", 0, `<w:pBdr><w:bottom w:val="single" w:sz="18" w:space="6" w:color="`+red+`"/></w:pBdr>`,
		run(b.Number, fontFS, size3, "", false)))
	s.WriteString(blank())
	// 标题 in 2号 小标宋.
	s.WriteString(para("center", 0, "", run("关于"+b.Label+"科技宣传工作考核情况的通报", fontXBS, size2, "", false)))
	s.WriteString(blank())
	s.WriteString(para("both", 0, "", run("各科室：", fontFS, size3, "", false)))
	s.WriteString(body(fmt.Sprintf("根据《%s》（%s）的要求，现将%s各科室科技宣传工作考核情况（截至%s）通报如下。", p.Title, p.DocumentNumber, b.Label, ChineseDate(plan.MustDate(r.AsOf)))))
	s.WriteString(heading("一、考核得分"))
	s.WriteString(scoreTable(r))
	s.WriteString(heading("二、月度报送"))
	missed := missedQuotas(p, r, b.Months)
	if len(missed) == 0 {
		s.WriteString(body("各科室均按要求完成了月度报送任务。"))
	} else {
		s.WriteString(body("以下科室未按要求完成月度报送任务，已按方案扣分："))
		for _, m := range missed {
			s.WriteString(body(m))
		}
	}
	s.WriteString(heading("三、工作要求"))
	s.WriteString(body("请各科室对照任务分解表，及时报送信息，按月完成" + quotaNames(p) + "的报送任务；分管局领导加强审核把关，确保信息准确、及时。"))
	// 落款 and 成文日期, right of centre; 成文日期 four characters in from the right.
	s.WriteString(blank())
	s.WriteString(blank())
	s.WriteString(para("right", 0, `<w:ind w:rightChars="400"/>`, run(p.Bureau, fontFS, size3, "", false)))
	s.WriteString(para("right", 0, `<w:ind w:rightChars="400"/>`, run(ChineseDate(b.Issued), fontFS, size3, "", false)))
	fmt.Fprintf(&s, `<w:sectPr><w:footerReference w:type="default" r:id="rIdFooterOdd"/><w:footerReference w:type="even" r:id="rIdFooterEven"/>`+
		`<w:pgSz w:w="%d" w:h="%d"/><w:pgMar w:top="%d" w:right="%d" w:bottom="%d" w:left="%d" w:header="851" w:footer="992" w:gutter="0"/>`+
		`<w:docGrid w:type="lines" w:linePitch="%d"/></w:sectPr></w:body></w:document>`,
		pageW, pageH, marginTop, marginRight, marginBot, marginLeft, linePitch)
	return s.String()
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
	ind := `<w:ind w:rightChars="100"/>`
	if side == "left" {
		ind = `<w:ind w:leftChars="100"/>`
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
		`</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="579" w:lineRule="exact"/></w:pPr></w:pPrDefault></w:docDefaults>` +
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
	`<Relationship Id="rIdFooterEven" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer2.xml"/></Relationships>`

func coreXML(b *Bulletin) string {
	return coreProps("关于"+b.Label+"科技宣传工作考核情况的通报", b.Plan.Bureau, time.Time{})
}
