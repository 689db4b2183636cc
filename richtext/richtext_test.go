package richtext

import (
	"strings"
	"testing"
)

func TestSanitize(t *testing.T) {
	bad := `<p onclick="alert(1)">正文<script>alert('x')</script><img src=x onerror=alert(2)>` +
		`<a href="javascript:alert(3)">链接</a><a href="https://kjj.example/a">好链接</a>` +
		`<iframe src="https://evil"></iframe><svg onload=alert(4)></svg><style>p{}</style>` +
		`<span style="background:url(javascript:alert(5))">样式</span></p>`
	got := Sanitize(bad)
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
	if got := Sanitize(`<p class="ql-align-center">居中</p><table><tr><td colspan="2">表</td></tr></table>`); !strings.Contains(got, `class="ql-align-center"`) || !strings.Contains(got, `colspan="2"`) {
		t.Errorf("lost formatting: %s", got)
	}
}
