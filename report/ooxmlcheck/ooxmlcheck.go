// Package ooxmlcheck checks the Word and Excel files kexuan writes the way
// Word does before it offers to repair one: every XML part well-formed (no
// character XML forbids), and the property elements of WordprocessingML —
// paragraph, run, section, table and cell properties — each child at most
// once and in the order ECMA-376's schema sequences them. Tests of every
// document writer run it.
package ooxmlcheck

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

const wNS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

// sequences are the schema's child orders (ECMA-376 Part 1, §17: CT_PPr,
// CT_RPr, CT_SectPr, CT_TblPr, CT_TcPr).
var sequences = map[string][]string{
	"pPr": {"pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr", "suppressLineNumbers",
		"pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE",
		"autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents",
		"suppressOverlap", "jc", "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle",
		"rPr", "sectPr", "pPrChange"},
	"rPr": {"ins", "del", "moveFrom", "moveTo", "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
		"shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing", "w", "kern",
		"position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em",
		"lang", "eastAsianLayout", "specVanish", "oMath", "rPrChange"},
	"sectPr": {"headerReference|footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar", "paperSrc", "pgBorders",
		"lnNumType", "pgNumType", "cols", "formProt", "vAlign", "noEndnote", "titlePg", "textDirection", "bidi",
		"rtlGutter", "docGrid", "printerSettings", "sectPrChange"},
	"tblPr": {"tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize", "tblW", "jc",
		"tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription", "tblPrChange"},
	"tcPr": {"cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar", "textDirection",
		"tcFitText", "vAlign", "hideMark", "headers", "cellIns", "cellDel", "cellMerge", "tcPrChange"},
}

// repeatable children may appear more than once.
var repeatable = map[string]bool{"headerReference|footerReference": true}

func position(seq []string, name string) (int, string) {
	for i, s := range seq {
		for _, alt := range strings.Split(s, "|") {
			if alt == name {
				return i, s
			}
		}
	}
	return -1, ""
}

// Check reads a .docx or .xlsx and returns every problem found, each with
// its part and element.
func Check(doc []byte) []string {
	zr, err := zip.NewReader(bytes.NewReader(doc), int64(len(doc)))
	if err != nil {
		return []string{"not a zip package: " + err.Error()}
	}
	var problems []string
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".xml") && !strings.HasSuffix(f.Name, ".rels") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			problems = append(problems, f.Name+": "+err.Error())
			continue
		}
		problems = append(problems, checkPart(f.Name, rc)...)
		rc.Close()
	}
	return problems
}

type open struct {
	name string
	seq  []string
	last int
	seen map[string]bool
}

func checkPart(name string, r io.Reader) []string {
	var problems []string
	d := xml.NewDecoder(r)
	var stack []*open
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return append(problems, fmt.Sprintf("%s: not well-formed XML: %v", name, err))
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if n := len(stack); n > 0 && stack[n-1] != nil && t.Name.Space == wNS {
				p := stack[n-1]
				i, slot := position(p.seq, t.Name.Local)
				switch {
				case i < 0:
					problems = append(problems, fmt.Sprintf("%s: <w:%s> holds <w:%s>, which its schema does not allow", name, p.name, t.Name.Local))
				case p.seen[slot] && !repeatable[slot]:
					problems = append(problems, fmt.Sprintf("%s: <w:%s> holds <w:%s> twice", name, p.name, t.Name.Local))
				case i < p.last:
					problems = append(problems, fmt.Sprintf("%s: in <w:%s>, <w:%s> comes after <w:%s>, which the schema puts after it", name, p.name, t.Name.Local, p.seq[p.last]))
				}
				if i >= 0 {
					p.seen[slot] = true
					p.last = max(p.last, i)
				}
			}
			var o *open
			if seq, ok := sequences[t.Name.Local]; ok && t.Name.Space == wNS {
				o = &open{name: t.Name.Local, seq: seq, seen: map[string]bool{}}
			}
			// A child that is not itself a property element (w:tabs)
			// pushes nil: its own children are not checked.
			stack = append(stack, o)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
	return problems
}
