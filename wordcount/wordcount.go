// Package wordcount counts 字数 the way Word and WPS count it for Chinese
// text: every CJK ideograph, kana, bopomofo and full-width or wide character
// counts one; every unbroken run of other non-space characters counts one.
//
// The rules are SCORING.md's "字数" section.
package wordcount

import (
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/text/width"
)

// Count returns the 字数 of plain text.
func Count(text string) int {
	var c counter
	c.feed(text)
	return c.n
}

// CountHTML returns the 字数 of a rich-text (HTML) body: tags are not text,
// entities are decoded, and block-level elements separate words the way a
// paragraph break does. Text inside <script> and <style> is not counted.
func CountHTML(body string) int {
	var c counter
	z := html.NewTokenizer(strings.NewReader(body))
	skip := 0 // depth inside script/style
	for {
		switch z.Next() {
		case html.ErrorToken:
			return c.n
		case html.TextToken:
			if skip == 0 {
				c.feed(string(z.Text()))
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			tok := z.Token()
			name := tok.Data
			if name == "script" || name == "style" {
				if tok.Type == html.StartTagToken {
					skip++
				} else if tok.Type == html.EndTagToken && skip > 0 {
					skip--
				}
			}
			if blockElements[name] {
				c.inRun = false
			}
		}
	}
}

var blockElements = map[string]bool{
	"address": true, "article": true, "aside": true, "blockquote": true, "br": true,
	"dd": true, "div": true, "dl": true, "dt": true, "figcaption": true, "figure": true,
	"footer": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"header": true, "hr": true, "li": true, "ol": true, "p": true, "pre": true,
	"section": true, "table": true, "tbody": true, "td": true, "tfoot": true, "th": true,
	"thead": true, "tr": true, "ul": true, "img": true,
}

// counter keeps the state between pieces of text, so that a word split by
// inline markup (<b>Hel</b>lo) stays one word.
type counter struct {
	n     int
	inRun bool
}

func (c *counter) feed(s string) {
	for _, r := range s {
		switch {
		case isSpace(r):
			c.inRun = false
		case IsWide(r):
			c.n++
			c.inRun = false
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			// Control and format characters (zero-width space, BOM, …) are
			// invisible: they neither count nor end a run.
		default:
			if !c.inRun {
				c.n++
				c.inRun = true
			}
		}
	}
}

func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200b' || r == '\u2028' || r == '\u2029'
}

// chineseMarks are the marks a Chinese keyboard types that Unicode gives
// ambiguous width: Word counts each as one 字.
var chineseMarks = map[rune]bool{
	'“': true, '”': true, '‘': true, '’': true, '—': true, '…': true, '·': true,
}

// IsWide reports whether r counts as one 字 by itself (rule 2).
func IsWide(r rune) bool {
	if r < 0x1100 { // fast path: nothing below Hangul Jamo is wide except the marks
		return r == '·'
	}
	if chineseMarks[r] {
		return true
	}
	if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Bopomofo, unicode.Hangul) {
		return true
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return true
	}
	return false
}
