// Package textcheck is the quality gate a piece passes before it goes: what
// a machine can see in a title and a text — a word the plan forbids, a name
// not in the form the bureau prefers, a piece too short for the channel it
// is meant for, and, for every plan, doubled characters (的的), unbalanced
// brackets and quotes, full-width and half-width digits or punctuation
// mixed in one text, placeholder text (XX, ××, 待补充), a title over 40
// characters or ending in punctuation. It is part of the pure core: no
// storage, no clock.
//
// Offsets are in characters (runes) of the checked text: the title, a line
// break, then the body's plain text (richtext.Text), so that one number
// places a finding in either.
package textcheck

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"kexuan/plan"
)

// Severities: an error refuses the submission; a warning is shown to the
// writer and the reviewer; a suggestion offers a better form.
const (
	Error      = "error"
	Warning    = "warning"
	Suggestion = "suggestion"
)

// Kinds of finding.
const (
	KindForbidden   = "forbidden"
	KindPreferred   = "preferred"
	KindMinWords    = "min_words"
	KindDoubled     = "doubled"
	KindBrackets    = "brackets"
	KindWidth       = "width"
	KindPlaceholder = "placeholder"
	KindTitleLength = "title_length"
	KindTitleEnd    = "title_punctuation"
)

// Check is one finding: at At, Length characters; Suggestion (when Fix)
// is what replaces them.
type Check struct {
	Kind       string
	Severity   string
	Message    string
	At, Length int
	Suggestion string
	Fix        bool // Suggestion replaces the span ("" deletes it)
}

// MaxTitle is the longest title the gate lets pass without a warning.
const MaxTitle = 40

// Input is what is checked: the title, the body as plain text, its 字数,
// and the channels it is proposed for.
type Input struct {
	Title, Text string
	Words       int
	Channels    []string
}

// Joined is the checked text offsets count in: title, line break, body.
func (in Input) Joined() string { return in.Title + "\n" + in.Text }

// Run checks in by the plan's rules and the built-in ones, in the order
// of the text.
func Run(p *plan.Plan, in Input) []Check {
	text := []rune(in.Joined())
	title := len([]rune(in.Title))
	var out []Check
	add := func(c Check) { out = append(out, c) }
	if p != nil {
		for _, w := range p.Checks.Forbidden {
			for _, at := range find(text, []rune(w)) {
				add(Check{Kind: KindForbidden, Severity: Error, Message: fmt.Sprintf("含有禁用词“%s”（%s）：请删改后再报送", w, where(at, title)), At: at, Length: len([]rune(w))})
			}
		}
		keys := make([]string, 0, len(p.Checks.Preferred))
		for k := range p.Checks.Preferred {
			keys = append(keys, k)
		}
		// Longer forms first: a longer match is not also reported as a shorter one.
		slices.SortFunc(keys, func(a, b string) int { return cmp.Or(len([]rune(b))-len([]rune(a)), strings.Compare(a, b)) })
		taken := make([]bool, len(text))
		for _, k := range keys {
			to := p.Checks.Preferred[k]
			kr := []rune(k)
			for _, at := range find(text, kr) {
				if slices.Contains(taken[at:at+len(kr)], true) {
					continue
				}
				for i := range kr {
					taken[at+i] = true
				}
				add(Check{Kind: KindPreferred, Severity: Suggestion, Message: fmt.Sprintf("“%s”宜写作“%s”", k, to), At: at, Length: len(kr), Suggestion: to, Fix: true})
			}
		}
		for _, code := range in.Channels {
			if n := p.Checks.MinWords[code]; n > 0 && in.Words < n {
				name := code
				if ch := p.Channel(code); ch != nil {
					name = ch.Name
				}
				add(Check{Kind: KindMinWords, Severity: Warning, Message: fmt.Sprintf("拟投“%s”的稿件至少 %d 字，本稿 %d 字", name, n, in.Words), At: title + 1})
			}
		}
	}
	out = append(out, doubled(text, title)...)
	out = append(out, brackets(text, title)...)
	out = append(out, widths(text, title)...)
	out = append(out, placeholders(text, title)...)
	out = append(out, titleChecks([]rune(in.Title))...)
	slices.SortStableFunc(out, func(a, b Check) int { return cmp.Or(a.At-b.At, severityRank(a.Severity)-severityRank(b.Severity)) })
	return out
}

// Blocking are the findings that refuse a submission.
func Blocking(cs []Check) []Check {
	var out []Check
	for _, c := range cs {
		if c.Severity == Error {
			out = append(out, c)
		}
	}
	return out
}

func severityRank(s string) int {
	switch s {
	case Error:
		return 0
	case Warning:
		return 1
	}
	return 2
}

// where says a place in words: in the title, or the body's n-th character.
func where(at, title int) string {
	if at < title {
		return fmt.Sprintf("标题第 %d 字", at+1)
	}
	return fmt.Sprintf("正文第 %d 字", at-title)
}

// find returns where w occurs in text, not overlapping.
func find(text, w []rune) []int {
	var out []int
	if len(w) == 0 {
		return nil
	}
	for i := 0; i+len(w) <= len(text); {
		if equalFold(text[i:i+len(w)], w) {
			out = append(out, i)
			i += len(w)
			continue
		}
		i++
	}
	return out
}

func equalFold(a, b []rune) bool {
	for i := range a {
		if unicode.ToLower(a[i]) != unicode.ToLower(b[i]) {
			return false
		}
	}
	return true
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// doubledChars are the characters that, written twice running, are a slip
// (的的, 了了): words that double as a matter of course (常常, 人人) are not here.
const doubledChars = "的了是在和与及对为将把被从向之其于以并而或也都就要已"

func doubled(text []rune, title int) []Check {
	var out []Check
	for i := 0; i+1 < len(text); i++ {
		if text[i] == text[i+1] && strings.ContainsRune(doubledChars, text[i]) {
			out = append(out, Check{Kind: KindDoubled, Severity: Warning, Message: fmt.Sprintf("“%c%c”疑为多打了一个字（%s）", text[i], text[i], where(i, title)),
				At: i, Length: 2, Suggestion: string(text[i]), Fix: true})
			i++
			continue
		}
		// A word of two to four 汉字 written twice running (科技科技).
		for n := 4; n >= 2; n-- {
			if i+2*n > len(text) {
				continue
			}
			a, b := text[i:i+n], text[i+n:i+2*n]
			if slices.Equal(a, b) && allHan(a) && !allSame(a) {
				out = append(out, Check{Kind: KindDoubled, Severity: Warning, Message: fmt.Sprintf("“%s”连写了两遍（%s）", string(a), where(i, title)),
					At: i, Length: 2 * n, Suggestion: string(a), Fix: true})
				i += 2*n - 1
				break
			}
		}
	}
	return out
}

func allHan(rs []rune) bool {
	for _, r := range rs {
		if !isHan(r) {
			return false
		}
	}
	return true
}

func allSame(rs []rune) bool {
	for _, r := range rs[1:] {
		if r != rs[0] {
			return false
		}
	}
	return true
}

// pairs are the brackets and directional quotes, opening to closing.
var pairs = map[rune]rune{'（': '）', '(': ')', '【': '】', '[': ']', '《': '》', '〈': '〉', '「': '」', '『': '』', '{': '}', '“': '”', '‘': '’', '〔': '〕'}

// brackets finds, line by line, a closing mark with no opening one and an
// opening mark never closed; and an odd number of straight quotes.
func brackets(text []rune, title int) []Check {
	closing := map[rune]rune{}
	for o, c := range pairs {
		closing[c] = o
	}
	var out []Check
	start := 0
	for i := 0; i <= len(text); i++ {
		if i < len(text) && text[i] != '\n' {
			continue
		}
		var stack []int
		quotes := []int{}
		for j := start; j < i; j++ {
			r := text[j]
			switch {
			case r == '"':
				quotes = append(quotes, j)
			case pairs[r] != 0:
				stack = append(stack, j)
			case closing[r] != 0:
				if len(stack) > 0 && text[stack[len(stack)-1]] == closing[r] {
					stack = stack[:len(stack)-1]
					continue
				}
				out = append(out, Check{Kind: KindBrackets, Severity: Warning, Message: fmt.Sprintf("“%c”没有对应的“%c”（%s）", r, closing[r], where(j, title)), At: j, Length: 1})
			}
		}
		for _, j := range stack {
			out = append(out, Check{Kind: KindBrackets, Severity: Warning, Message: fmt.Sprintf("“%c”没有对应的“%c”（%s）", text[j], pairs[text[j]], where(j, title)), At: j, Length: 1})
		}
		if len(quotes)%2 == 1 {
			j := quotes[len(quotes)-1]
			out = append(out, Check{Kind: KindBrackets, Severity: Warning, Message: fmt.Sprintf("英文引号 \" 不成对（%s）", where(j, title)), At: j, Length: 1})
		}
		start = i + 1
	}
	return out
}

// fullWidth maps the half-width punctuation a Chinese text writes in full
// width.
var fullWidth = map[rune]rune{',': '，', ';': '；', ':': '：', '?': '？', '!': '！'}

// widths finds full-width and half-width digits mixed in one text (the
// fewer are marked, the first of them), and half-width punctuation written
// after a 汉字 in a text that elsewhere writes it full-width.
func widths(text []rune, title int) []Check {
	var half, full []int
	var fullPunct bool
	for i, r := range text {
		switch {
		case r >= '0' && r <= '9':
			half = append(half, i)
		case r >= '０' && r <= '９':
			full = append(full, i)
		case r == '，' || r == '；' || r == '：' || r == '？' || r == '！':
			fullPunct = true
		}
	}
	var out []Check
	if len(half) > 0 && len(full) > 0 {
		at, fix := full[0], true
		msg := "数字半角、全角混用：宜统一用半角数字"
		if len(full) > len(half) {
			at, fix = half[0], false
			msg = "数字半角、全角混用：本文多用全角数字，宜统一"
		}
		c := Check{Kind: KindWidth, Severity: Warning, Message: fmt.Sprintf("%s（%s）", msg, where(at, title)), At: at, Length: 1, Fix: fix}
		if fix {
			c.Suggestion = string(text[at] - '０' + '0')
		}
		out = append(out, c)
	}
	if fullPunct {
		n := 0
		for i := 1; i < len(text) && n < 5; i++ {
			if to, ok := fullWidth[text[i]]; ok && isHan(text[i-1]) {
				out = append(out, Check{Kind: KindWidth, Severity: Warning, Message: fmt.Sprintf("中文里用了半角“%c”，宜用“%c”（%s）", text[i], to, where(i, title)),
					At: i, Length: 1, Suggestion: string(to), Fix: true})
				n++
			}
		}
	}
	return out
}

// placeholderWords are what a draft holds until it is finished.
var placeholderWords = []string{"待补充", "待完善", "待填写", "待定稿", "某某", "××", "xx", "XX", "＊＊", "***", "□□", "TODO"}

func placeholders(text []rune, title int) []Check {
	var out []Check
	taken := make([]bool, len(text))
	for _, w := range placeholderWords {
		wr := []rune(w)
		for i := 0; i+len(wr) <= len(text); i++ {
			if string(text[i:i+len(wr)]) != w || taken[i] {
				continue
			}
			// Latin letters: XX alone, not inside a word (XXL, Xxx).
			if isLatin(wr[0]) && (i > 0 && isLatin(text[i-1]) || i+len(wr) < len(text) && isLatin(text[i+len(wr)])) {
				continue
			}
			// A run (XXXX, ××××) is one placeholder.
			end := i + len(wr)
			for end < len(text) && len(wr) <= 2 && text[end] == wr[0] {
				end++
			}
			for k := i; k < end; k++ {
				taken[k] = true
			}
			out = append(out, Check{Kind: KindPlaceholder, Severity: Warning, Message: fmt.Sprintf("“%s”像是尚未填写的占位内容（%s）", string(text[i:end]), where(i, title)), At: i, Length: end - i})
			i = end - 1
		}
	}
	return out
}

func isLatin(r rune) bool { return r < 0x80 && unicode.IsLetter(r) }

// titleEnd are the marks a title does not end with (a question or an
// exclamation may be the point; a full stop or comma is a slip).
const titleEnd = "。，；：、,.;:"

func titleChecks(title []rune) []Check {
	var out []Check
	if n := len(title); n > MaxTitle {
		out = append(out, Check{Kind: KindTitleLength, Severity: Warning, Message: fmt.Sprintf("标题 %d 字，宜不超过 %d 字", n, MaxTitle), At: MaxTitle, Length: n - MaxTitle})
	}
	if n := len(title); n > 0 && strings.ContainsRune(titleEnd, title[n-1]) {
		out = append(out, Check{Kind: KindTitleEnd, Severity: Warning, Message: fmt.Sprintf("标题以“%c”结尾：标题末尾不加标点", title[n-1]), At: n - 1, Length: 1, Fix: true})
	}
	return out
}
