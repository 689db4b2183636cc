package report

import (
	"strings"
	"unicode"
)

// flow lays out a document whose paragraphs all sit on the page's line
// grid (exact 28.95 pt lines, 22 to a page), the way the booklet and the
// journal are written, so that their contents can give page numbers as
// they are printed, not the 1 a field shows until it is updated. It knows
// what LibreOffice and Word do with such text: characters of CJK scripts
// one em wide, ASCII half; a line breaks before the character that would
// pass the right edge, except that closing punctuation hangs past it
// (w:overflowPunct) and opening punctuation does not end a line
// (w:kinsoku); a Latin word is not broken; a paragraph marked keepNext
// moves to the next page rather than end one.
type flow struct {
	paras   []flowPara
	breakAt bool // the next paragraph starts a page
}

type flowPara struct {
	xml         string
	lines       int
	extra       int  // twips a border adds
	keepNext    bool // with the next paragraph, and its lines together (a heading)
	breakBefore bool
	mark        string // a bookmark whose page the contents give
}

// add appends a paragraph of lines lines, written by p given the
// properties the flow adds (keepNext, pageBreakBefore).
func (f *flow) add(lines int, keepNext bool, mark string, p func(props string) string) {
	props := ""
	if keepNext {
		props += `<w:keepNext/>`
	}
	if f.breakAt {
		props += `<w:pageBreakBefore/>`
	}
	f.paras = append(f.paras, flowPara{xml: p(props), lines: max(lines, 1), keepNext: keepNext, mark: mark, breakBefore: f.breakAt})
	f.breakAt = false
}

// addBordered is add for a paragraph whose border adds extra twips.
func (f *flow) addBordered(extra, lines int, keepNext bool, mark string, p func(props string) string) {
	f.add(lines, keepNext, mark, p)
	f.paras[len(f.paras)-1].extra = extra
}

// pageBreak starts the next paragraph on a new page.
func (f *flow) pageBreak() { f.breakAt = true }

// pages is the page (from 1) each mark falls on.
func (f *flow) pages() map[string]int {
	const page, line = pageH - marginTop - marginBot, linePitch // twips
	out := map[string]int{}
	pg, used := 1, 0 // twips used on page pg
	left := func() int { return (page - used) / line }
	for i, p := range f.paras {
		if left() == 0 { // the page is full: this one starts the next
			pg, used = pg+1, 0
		}
		if p.breakBefore && (used > 0 || i > 0) {
			pg, used = pg+1, 0
		}
		// Headings (a run of keepNext paragraphs) go to the next page unless
		// they and the start of what they head (its first two lines: no
		// orphans) fit on this one.
		if p.keepNext && used > 0 && (i == 0 || !f.paras[i-1].keepNext) {
			need := 0
			k := i
			for ; k < len(f.paras) && f.paras[k].keepNext && (k == i || !f.paras[k].breakBefore); k++ {
				need += f.paras[k].lines*line + f.paras[k].extra
			}
			if k < len(f.paras) && !f.paras[k].breakBefore {
				need += min(2, f.paras[k].lines)*line + f.paras[k].extra
			}
			if used+need > page {
				pg, used = pg+1, 0
			}
		}
		// Lay its lines, page by page, with widow and orphan control (set in
		// the styles): no single line of a paragraph at the foot of a page
		// or at the head of the next. A border adds to its first line.
		start, rem, first := 0, p.lines, true
		for {
			room := (page - used - p.extra*b2i(first)) / line
			if rem <= room {
				if first {
					start = pg
				}
				used += rem*line + p.extra*b2i(first)
				break
			}
			take := max(room, 0)
			if p.lines >= 2 {
				if rem-take == 1 {
					take-- // a widow: one more line goes over
				}
				if first && take < 2 {
					take = 0 // an orphan: the paragraph starts overleaf
				}
			}
			if first && take > 0 {
				start, first = pg, false
			}
			rem -= take
			pg, used = pg+1, 0
			if take == 0 && !first {
				break // cannot happen: a page holds two lines
			}
		}
		if p.mark != "" {
			out[p.mark] = start
		}
	}
	return out
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (f *flow) xml() string {
	var b strings.Builder
	for _, p := range f.paras {
		b.WriteString(p.xml)
	}
	return b.String()
}

// pitchOf is the width one full-width character of a size takes, in twips
// (3号 is drawn at 15.75 pt: run()).
func pitchOf(size int) int {
	if size == size3 {
		return 315
	}
	return size * 10
}

// lineCount is how many lines text takes in a paragraph of the 版心 with
// left and right indents and a first-line indent, in twips, in one size.
func lineCount(text string, size, left, right, firstLine int) int {
	em := float64(pitchOf(size))
	width := float64(textWidth - left - right)
	lines, used := 1, float64(firstLine)
	rs := []rune(text)
	for i := 0; i < len(rs); {
		// The next unit: a Latin word (ASCII letters and digits, with what
		// joins them) or one character.
		j := i + 1
		if isWordRune(rs[i]) {
			for j < len(rs) && isWordRune(rs[j]) {
				j++
			}
		}
		w := 0.0
		for _, r := range rs[i:j] {
			w += runeWidth(r) * em
		}
		switch {
		case used+w <= width+0.5:
			used += w
		case j == i+1 && closing(rs[i]):
			used += w // hangs past the edge
		case w > width: // a word longer than a line: broken anywhere
			for _, r := range rs[i:j] {
				rw := runeWidth(r) * em
				if used+rw > width+0.5 {
					lines, used = lines+1, 0
				}
				used += rw
			}
		default:
			lines, used = lines+1, w
			// An opening mark does not end a line: it came down with this one.
			if i > 0 && opening(rs[i-1]) {
				used += runeWidth(rs[i-1]) * em
			}
		}
		i = j
	}
	return lines
}

func isWordRune(r rune) bool {
	return r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(".-_/:%", r))
}

// runeWidth is a character's width in ems: CJK and full-width forms one;
// ASCII as the fonts LibreOffice falls back to here draw it (a digit 0.72
// em, measured), not the half em of 仿宋_GB2312.
func runeWidth(r rune) float64 {
	switch {
	case r >= '0' && r <= '9':
		return 0.72
	case r == ' ':
		return 0.3
	case r < 0x1100:
		return 0.6
	}
	return 1
}

func closing(r rune) bool {
	return strings.ContainsRune("，。、；：？！）》」』】〕”’…", r)
}
func opening(r rune) bool { return strings.ContainsRune("（《「『【〔“‘", r) }
