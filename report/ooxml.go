package report

import (
	"regexp"
	"slices"
	"strings"
)

// pPrOrder is the order ECMA-376 puts a paragraph's properties in (CT_PPr);
// Word offers to repair a file whose properties are out of it.
var pPrOrder = []string{"pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
	"suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct",
	"topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind",
	"contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection", "textAlignment",
	"textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"}

// propElem is one top-level property element: "<w:name attrs/>" or
// "<w:name attrs>…</w:name>".
var propElem = regexp.MustCompile(`<w:([A-Za-z]+)((?:\s+[^\s=>/]+="[^"]*")*)\s*(?:/>|>(.*?)</w:([A-Za-z]+)>)`)

var propAttr = regexp.MustCompile(`([^\s=]+)="([^"]*)"`)

type prop struct {
	name  string
	attrs [][2]string
	inner string
}

// pPr writes a paragraph's properties from fragments in any order: each
// element once (the attributes of repeated empty elements merged, a later
// value winning — a w:spacing before/after joins the line pitch), in the
// schema's order.
func pPr(fragments ...string) string {
	var props []*prop
	find := func(name string) *prop {
		for _, p := range props {
			if p.name == name {
				return p
			}
		}
		return nil
	}
	for _, f := range fragments {
		for _, m := range propElem.FindAllStringSubmatch(f, -1) {
			p := find(m[1])
			if p == nil {
				p = &prop{name: m[1]}
				props = append(props, p)
			}
			for _, a := range propAttr.FindAllStringSubmatch(m[2], -1) {
				i := slices.IndexFunc(p.attrs, func(x [2]string) bool { return x[0] == a[1] })
				if i >= 0 {
					p.attrs[i][1] = a[2]
				} else {
					p.attrs = append(p.attrs, [2]string{a[1], a[2]})
				}
			}
			if m[3] != "" {
				p.inner = m[3]
			}
		}
	}
	slices.SortStableFunc(props, func(a, b *prop) int { return order(a.name) - order(b.name) })
	var b strings.Builder
	b.WriteString("<w:pPr>")
	for _, p := range props {
		b.WriteString("<w:" + p.name)
		for _, a := range p.attrs {
			b.WriteString(" " + a[0] + `="` + a[1] + `"`)
		}
		if p.inner == "" {
			b.WriteString("/>")
		} else {
			b.WriteString(">" + p.inner + "</w:" + p.name + ">")
		}
	}
	b.WriteString("</w:pPr>")
	return b.String()
}

func order(name string) int {
	if i := slices.Index(pPrOrder, name); i >= 0 {
		return i
	}
	return len(pPrOrder)
}
