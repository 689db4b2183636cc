package wordcount

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCount(t *testing.T) {
	cases := []struct {
		text string
		want int
	}{
		// SCORING.md's table.
		{"你好，世界！", 6},
		{"Go语言很好用", 6},
		{"我们在2026年发布了v1.2.3版本。", 12},
		// Rule 1: whitespace separates and is never counted.
		{"", 0},
		{"   \t\n", 0},
		{"\u3000\u00a0", 0},
		{"你\u3000好", 2},
		{"Hello world", 2},
		{"Hello\u00a0world", 2},
		// Rule 2: full-width punctuation, letters and digits; Chinese-keyboard marks.
		{"，。、；：？！（）《》【】", 13},
		{"ＡＢＣ１２３", 6},
		{"“科技”‘创新’——……·", 13},
		{"かなカナㄅㄆ", 6},
		// Rule 3: runs of other characters count once.
		{"v1.2.3", 1},
		{"COVID-19", 1},
		{"Hello, world!", 2},
		{"a-b-c d", 2},
		{"COVID-19疫情", 3},
		{"《Go》", 3},
		{"2017年3月1日", 6},
		{"abc“def”", 4},
		// Invisible characters neither count nor split.
		{"ab\u200dcd", 1},
		{"\ufeff你好", 2},
	}
	for _, c := range cases {
		if got := Count(c.text); got != c.want {
			t.Errorf("Count(%q) = %d, want %d", c.text, got, c.want)
		}
	}
}

func TestCountHTML(t *testing.T) {
	cases := []struct {
		html string
		want int
	}{
		{"<p>你好，世界！</p>", 6},
		{`<p style="color:red">Go语言<b>很好</b>用</p>`, 6},
		{"<b>Hel</b>lo", 1},
		{"<p>Hello</p><p>world</p>", 2},
		{"Hello<br>world", 2},
		{"<p>a &amp; b</p>", 3},
		{"<p>科技&nbsp;创新</p>", 4},
		{`<img src="x.png" alt="很长的描述文字">`, 0},
		{"<script>alert('一二三')</script>正文", 2},
		{"<style>p{color:red}</style>正文", 2},
		{"<!-- 注释 -->正文", 2},
		{"a < b", 3},
		{"<p>未闭合", 3},
	}
	for _, c := range cases {
		if got := CountHTML(c.html); got != c.want {
			t.Errorf("CountHTML(%q) = %d, want %d", c.html, got, c.want)
		}
	}
}

// A plain text's count is bounded by its number of runes, and counting its
// HTML-escaped form gives the same answer.
func FuzzCount(f *testing.F) {
	for _, s := range []string{"你好，世界！", "Go语言很好用", "v1.2.3 COVID-19", "<p>a</p>", "\xff\xfe", "“”‘’—…·", "\u3000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Count(s)
		if n < 0 {
			t.Fatalf("Count(%q) = %d < 0", s, n)
		}
		if n > utf8.RuneCountInString(s) {
			t.Fatalf("Count(%q) = %d > rune count", s, n)
		}
		h := CountHTML(s)
		if h < 0 || h > utf8.RuneCountInString(s) {
			t.Fatalf("CountHTML(%q) = %d out of range", s, h)
		}
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0) || strings.ContainsRune(s, '\r') || strings.ContainsRune(s, '\f') {
			return // the HTML tokenizer rewrites these; the escaping identity does not hold
		}
		if e := CountHTML(escape(s)); e != n {
			t.Fatalf("CountHTML(escape(%q)) = %d, Count = %d", s, e, n)
		}
	})
}

func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func BenchmarkCount(b *testing.B) {
	text := strings.Repeat("我们在2026年发布了v1.2.3版本。", 100)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Count(text)
	}
}
