// Package richtext cleans the HTML of a piece's body on save: an allowlist
// of the markup an editor (or a paste from Word/WPS) produces for text —
// paragraphs, headings, emphasis, lists, quotes, tables, links — and nothing
// that runs: no script, no event handlers, no javascript: URLs, no styles.
package richtext

import (
	"regexp"

	"github.com/microcosm-cc/bluemonday"
)

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

// Sanitize returns the body with everything outside the allowlist removed.
func Sanitize(html string) string {
	return policy.Sanitize(html)
}
