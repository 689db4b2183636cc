// Package richtext cleans the HTML of a piece's body on save: an allowlist
// of the markup an editor (or a paste from Word/WPS) produces for text —
// paragraphs, headings, emphasis, lists, quotes, tables, links — and nothing
// that runs: no script, no event handlers, no javascript: URLs, no styles.
// The result is parsed and serialised again, so every element it holds is
// closed inside it: an unclosed <a> cannot swallow the page around it.
package richtext

import (
	"errors"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// MaxDepth is the deepest nesting of elements a body may have (an editor
// makes a handful; a list in a table in a quote, a dozen).
const MaxDepth = 100

// ErrTooDeep is returned for a body nested deeper than MaxDepth.
var ErrTooDeep = errors.New("正文的嵌套层数过深")

var policy = func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "b", "strong", "i", "em", "u", "s", "sub", "sup",
		"h1", "h2", "h3", "h4", "ul", "ol", "li", "blockquote", "pre", "code", "hr",
		"table", "thead", "tbody", "tr", "th", "td", "span", "div")
	p.AllowAttrs("colspan", "rowspan").Matching(regexp.MustCompile(`^[0-9]{1,2}$`)).OnElements("td", "th")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^ql-(align-(center|right|justify)|indent-[1-8])$`)).OnElements("p", "h1", "h2", "h3", "h4", "li")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}()

// Sanitize returns the body with everything outside the allowlist removed,
// balanced; a body nested deeper than MaxDepth is refused (ErrTooDeep).
func Sanitize(body string) (string, error) {
	if depth(body) > MaxDepth {
		return "", ErrTooDeep
	}
	clean := policy.Sanitize(body)
	ctx := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(clean), ctx)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, n := range nodes {
		if err := html.Render(&b, n); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

// depth is the deepest nesting of the tags as written: a stack of open
// elements where an end tag closes the nearest open element of its name
// (and everything opened inside it), an end tag with none open is ignored,
// and a <p> or <li> closes the one it directly follows. Unclosed tags stay
// open to the end: the most they could nest.
func depth(body string) int {
	z := html.NewTokenizer(strings.NewReader(body))
	var stack []string
	deepest := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return deepest
		case html.StartTagToken:
			b, _ := z.TagName()
			name := string(b)
			if void[name] {
				continue
			}
			if (name == "p" || name == "li") && len(stack) > 0 && stack[len(stack)-1] == name {
				stack = stack[:len(stack)-1]
			}
			stack = append(stack, name)
			deepest = max(deepest, len(stack))
		case html.EndTagToken:
			b, _ := z.TagName()
			for i := len(stack) - 1; i >= 0; i-- {
				if stack[i] == string(b) {
					stack = stack[:i]
					break
				}
			}
		}
	}
}

var void = map[string]bool{"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
	"input": true, "link": true, "meta": true, "param": true, "source": true, "track": true, "wbr": true}
