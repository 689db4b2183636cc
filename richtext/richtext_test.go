package richtext

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func sanitize(t *testing.T, s string) string {
	t.Helper()
	got, err := Sanitize(s)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestSanitize(t *testing.T) {
	bad := `<p onclick="alert(1)">正文<script>alert('x')</script><img src=x onerror=alert(2)>` +
		`<a href="javascript:alert(3)">链接</a><a href="https://kjj.example/a">好链接</a>` +
		`<iframe src="https://evil"></iframe><svg onload=alert(4)></svg><style>p{}</style>` +
		`<span style="background:url(javascript:alert(5))">样式</span></p>`
	got := sanitize(t, bad)
	for _, banned := range []string{"script", "onclick", "onerror", "javascript:", "iframe", "svg", "style", "<img"} {
		if strings.Contains(strings.ToLower(got), banned) {
			t.Errorf("kept %q: %s", banned, got)
		}
	}
	for _, kept := range []string{"<p>", "正文", "链接", `href="https://kjj.example/a"`, `rel="nofollow`, "样式"} {
		if !strings.Contains(got, kept) {
			t.Errorf("lost %q: %s", kept, got)
		}
	}
	if got := sanitize(t, `<p class="ql-align-center">居中</p><table><tr><td colspan="2">表</td></tr></table>`); !strings.Contains(got, `class="ql-align-center"`) || !strings.Contains(got, `colspan="2"`) {
		t.Errorf("lost formatting: %s", got)
	}
}

// openTags counts elements opened and not closed in s, as a page that embeds
// s would see them.
func openTags(s string) int {
	z := html.NewTokenizer(strings.NewReader(s))
	open := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return open
		case html.StartTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "br", "hr":
			default:
				open++
			}
		case html.EndTagToken:
			open--
		}
	}
}

// Issue 10 item 7: an unclosed <a> (or any element) is closed inside the
// body, so what follows the body on a page stays outside it.
func TestSanitizeBalances(t *testing.T) {
	for _, in := range []string{
		`<p>见<a href="https://kjj.example/">链接`,
		`<a href="https://kjj.example/">`,
		`<table><tr><td>单元格`,
		`<ul><li>一<li>二`,
		`<b><i>交错</b></i>`,
		`<blockquote><div><span>`,
		`</div></div></p>正文`,
	} {
		got := sanitize(t, in)
		if n := openTags(got); n != 0 {
			t.Errorf("Sanitize(%q) = %q: %d elements left open", in, got, n)
		}
		page := `<div id="body">` + got + `</div><form id="review"></form>`
		doc, err := html.Parse(strings.NewReader(page))
		if err != nil {
			t.Fatal(err)
		}
		var inLink func(n *html.Node, link bool) bool
		inLink = func(n *html.Node, link bool) bool {
			if n.Type == html.ElementNode && n.Data == "form" {
				return link
			}
			link = link || n.Type == html.ElementNode && n.Data == "a"
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if inLink(c, link) {
					return true
				}
			}
			return false
		}
		if inLink(doc, false) {
			t.Errorf("Sanitize(%q): the form after the body ends up inside a link", in)
		}
	}
}

func TestSanitizeDepth(t *testing.T) {
	deep := strings.Repeat("<div>", 200000) + "深" + strings.Repeat("</div>", 200000)
	if _, err := Sanitize(deep); !errors.Is(err, ErrTooDeep) {
		t.Errorf("200,000 nested divs: %v, want ErrTooDeep", err)
	}
	ok := strings.Repeat("<div>", MaxDepth) + "深" + strings.Repeat("</div>", MaxDepth)
	if _, err := Sanitize(ok); err != nil {
		t.Errorf("%d nested divs: %v", MaxDepth, err)
	}
	// End tags of elements never opened do not hide the nesting.
	sneaky := strings.Repeat("<div></p></span>", 1000)
	if _, err := Sanitize(sneaky); !errors.Is(err, ErrTooDeep) {
		t.Errorf("1,000 divs between stray end tags: %v, want ErrTooDeep", err)
	}
	// Paragraphs and list items close themselves: many in a row is not depth.
	flat := strings.Repeat("<p>段落", 5000)
	if _, err := Sanitize(flat); err != nil {
		t.Errorf("5,000 unclosed paragraphs: %v", err)
	}
}

func TestTextAndDiff(t *testing.T) {
	if got := Text("<h2>标题</h2><p>第一段<b>加粗</b>。</p><ul><li>一</li><li>二</li></ul><p>a&amp;b<br>c</p>"); got != "标题\n第一段加粗。\n一\n二\na&b\nc" {
		t.Errorf("Text: %q", got)
	}
	cs := Diff("全区共有一百家企业参加。", "全区共有一百二十家企业参加，反响热烈。")
	var ins, del, same strings.Builder
	for _, c := range cs {
		switch c.Op {
		case "+":
			ins.WriteString(c.Text)
		case "-":
			del.WriteString(c.Text)
		default:
			same.WriteString(c.Text)
		}
	}
	if !strings.Contains(ins.String(), "二十") || !strings.Contains(ins.String(), "反响热烈") || !strings.Contains(same.String(), "全区共有一百") || !Changed(cs) {
		t.Errorf("diff %+v", cs)
	}
	if Changed(Diff("同样", "同样")) {
		t.Error("no change reported as a change")
	}
}

// FuzzSanitize: nothing executable survives, and cleaning is idempotent.
func FuzzSanitize(f *testing.F) {
	for _, s := range []string{`<p>正文<b>加粗</b></p>`, `<script>alert(1)</script>`, `<a href="javascript:alert(1)">x</a>`,
		`<img src=x onerror=alert(1)>`, `<p style="x:expression(1)">`, `<svg><script>1</script></svg>`, `<a href="https://e.org">e</a><a>`,
		`<table><tr><td>1</td></tr></table>`, strings.Repeat("<div>", 150)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := Sanitize(s)
		if err != nil {
			return
		}
		// Parsed as a browser would: no element that runs, no handler, no
		// style, no link that is not a web address (text may say anything).
		doc, err := html.Parse(strings.NewReader("<body>" + out + "</body>"))
		if err != nil {
			t.Fatal(err)
		}
		var walk func(n *html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode {
				switch n.Data {
				case "script", "style", "iframe", "object", "embed", "svg", "math", "form", "input", "img":
					t.Fatalf("<%s> survived in %q", n.Data, out)
				}
				for _, a := range n.Attr {
					k, v := strings.ToLower(a.Key), strings.ToLower(strings.TrimSpace(a.Val))
					if strings.HasPrefix(k, "on") || k == "style" || k == "srcdoc" {
						t.Fatalf("attribute %s survived in %q", a.Key, out)
					}
					if k == "href" || k == "src" {
						u, err := url.Parse(v)
						if err != nil || (u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "mailto") {
							t.Fatalf("%s=%q survived in %q", a.Key, a.Val, out)
						}
					}
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
		again, err := Sanitize(out)
		if err != nil || again != out {
			t.Fatalf("not idempotent:\n%q\n%q (%v)", out, again, err)
		}
	})
}
