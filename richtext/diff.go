package richtext

import (
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
	"golang.org/x/net/html"
)

// Text is a body's text as a reader sees it: one line per paragraph,
// heading, list item or table row, tags gone.
func Text(body string) string {
	doc, err := html.Parse(strings.NewReader("<body>" + body + "</body>"))
	if err != nil {
		return body
	}
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		if n.Type == html.ElementNode && n.Data == "br" {
			b.WriteByte('\n')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.Type == html.ElementNode {
			switch n.Data {
			case "p", "h1", "h2", "h3", "h4", "li", "tr", "blockquote", "pre", "div":
				b.WriteByte('\n')
			case "td", "th":
				b.WriteByte('\t')
			}
		}
	}
	walk(doc)
	lines := strings.Split(b.String(), "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// Change is one run of a text diff: kept ("="), inserted ("+") or deleted ("-").
type Change struct {
	Op   string
	Text string
}

// Diff compares two texts by character (Chinese has no spaces to split
// words at) and groups the result into runs a reader can follow.
func Diff(before, after string) []Change {
	dmp := diffmatchpatch.New()
	diffs := dmp.DiffCleanupSemantic(dmp.DiffMain(before, after, false))
	out := make([]Change, 0, len(diffs))
	for _, d := range diffs {
		op := "="
		switch d.Type {
		case diffmatchpatch.DiffInsert:
			op = "+"
		case diffmatchpatch.DiffDelete:
			op = "-"
		}
		out = append(out, Change{Op: op, Text: d.Text})
	}
	return out
}

// Changed says whether a diff holds any insertion or deletion.
func Changed(cs []Change) bool {
	for _, c := range cs {
		if c.Op != "=" {
			return true
		}
	}
	return false
}
