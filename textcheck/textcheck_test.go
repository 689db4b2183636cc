package textcheck_test

import (
	"fmt"
	"strings"
	"testing"

	"kexuan/plan"
	"kexuan/textcheck"
)

func rulesPlan(t *testing.T) *plan.Plan {
	t.Helper()
	p, _ := plan.Builtin()
	q := *p
	q.Checks = plan.Checks{
		Forbidden: []string{"绝密"},
		Preferred: map[string]string{"科技局": "科学技术局", "区科技局": "区科学技术局"},
		MinWords:  map[string]int{p.Channels[0].Code: 50},
	}
	return &q
}

func kinds(cs []textcheck.Check) string {
	var b []string
	for _, c := range cs {
		b = append(b, fmt.Sprintf("%s@%d+%d", c.Kind, c.At, c.Length))
	}
	return strings.Join(b, " ")
}

// Each rule finds what it is for, where it is, and nothing in a clean text.
func TestChecks(t *testing.T) {
	t.Parallel()
	p := rulesPlan(t)
	ch := p.Channels[0].Code
	for _, c := range []struct {
		name, title, text string
		words             int
		want              string
	}{
		{"clean", "区召开科技创新大会", "全区一百余家企业参加（含高新区）。", 100, ""},
		{"forbidden in the body", "标题", "此件绝密，不得外传。", 100, "forbidden@5+2"},
		{"forbidden in the title", "绝密文件", "正文。", 100, "forbidden@0+2"},
		{"preferred, the longer form first", "标题", "金水区科技局召开会议；科技局发文。", 100, "preferred@5+4 preferred@14+3"},
		{"too short for the channel", "标题", "短。", 2, "min_words@3+0"},
		{"doubled character", "标题", "这是我们的的成果。", 100, "doubled@7+2"},
		{"doubled word", "标题", "推进科技科技创新。", 100, "doubled@5+4"},
		{"words that double by nature", "标题", "人人参与，常常开展。", 100, ""},
		{"unclosed bracket", "标题", "成立（筹备组。", 100, "brackets@5+1"},
		{"stray closing", "标题", "成立筹备组）。", 100, "brackets@8+1"},
		{"nested and closed", "标题", "《关于“科技”（试行）》的通知", 100, ""},
		{"a bracket per line", "标题", "第一行（\n第二行）", 100, "brackets@6+1 brackets@11+1"},
		{"odd straight quotes", "标题", `他说"好。`, 100, "brackets@5+1"},
		{"mixed digits", "标题", "共有１２家企业，2017年", 100, "width@5+1"},
		{"half-width comma after 汉字", "标题", "企业参加，专家出席,会议成功。", 100, "width@12+1"},
		{"half-width text alone is fine", "Title", "Total: 12, fine.", 100, ""},
		{"placeholder", "标题", "XX公司参加，日期待补充。", 100, "placeholder@3+2 placeholder@12+3"},
		{"placeholder run, not XXL", "标题", "××××科技，XXL码", 100, "placeholder@3+4"},
		{"long title", strings.Repeat("科", 42), "正文。", 100, "title_length@40+2"},
		{"title ending in a full stop", "召开大会。", "正文。", 100, "title_punctuation@4+1"},
		{"title ending in a question is fine", "如何办好科技周？", "正文。", 100, ""},
	} {
		got := kinds(textcheck.Run(p, textcheck.Input{Title: c.title, Text: c.text, Words: c.words, Channels: []string{ch}}))
		if got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// A suggestion applied where it points yields the text it suggests; only
// forbidden words block.
func TestSuggestionsApply(t *testing.T) {
	t.Parallel()
	p := rulesPlan(t)
	in := textcheck.Input{Title: "召开大会。", Text: "区科技局的的成果,企业参加，共１家，2017年。"}
	cs := textcheck.Run(p, in)
	text := []rune(in.Joined())
	// Applied from the end, so that earlier offsets stay.
	for i := len(cs) - 1; i >= 0; i-- {
		c := cs[i]
		if !c.Fix {
			continue
		}
		text = append(append(append([]rune{}, text[:c.At]...), []rune(c.Suggestion)...), text[c.At+c.Length:]...)
	}
	if got, want := string(text), "召开大会\n区科学技术局的成果，企业参加，共1家，2017年。"; got != want {
		t.Errorf("applied: %q, want %q", got, want)
	}
	if n := len(textcheck.Blocking(cs)); n != 0 {
		t.Errorf("%d blocking without a forbidden word", n)
	}
	if bl := textcheck.Blocking(textcheck.Run(p, textcheck.Input{Title: "t", Text: "绝密"})); len(bl) != 1 || !strings.Contains(bl[0].Message, "正文第 1 字") {
		t.Errorf("blocking: %+v", bl)
	}
}

// A plan's rules are checked when it is read: the file and line are named.
func TestPlanChecksValidated(t *testing.T) {
	t.Parallel()
	_, src := plan.Builtin()
	for _, c := range []struct{ add, want string }{
		{"\n[checks]\nforbidden = [\"绝密\", \"绝密\"]\n", "重复"},
		{"\n[checks]\npreferred = { \"科技局\" = \"区科技局\" }\n", "会一直提示"},
		{"\n[checks]\nmin_words = { nosuch = 50 }\n", "没有渠道 nosuch"},
		{"\n[checks]\nmin_words = { nosuch = 50 }\nunknown = 1\n", "未知字段"},
	} {
		_, err := plan.Parse("p.toml", append(append([]byte{}, src...), c.add...))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "p.toml") {
			t.Errorf("%q: %v", c.add, err)
		}
	}
	p, err := plan.Parse("p.toml", append(append([]byte{}, src...), "\n[checks]\nforbidden = [\" 绝密 \"]\npreferred = { \"科技局\" = \"科学技术局\" }\n"...))
	if err != nil || p.Checks.Forbidden[0] != "绝密" || p.Checks.Preferred["科技局"] != "科学技术局" {
		t.Fatalf("a good [checks]: %+v %v", p, err)
	}
	if got := strings.Join(p.CheckRules(), "\n"); got != "禁用词（稿件含有即不能报送）：绝密\n规范写法（提示，可一键替换）：“科技局”宜写作“科学技术局”" {
		t.Errorf("the rules in words: %q", got)
	}
	if p0, _ := plan.Builtin(); len(p0.CheckRules()) != 0 {
		t.Errorf("the built-in plan states rules: %v", p0.CheckRules())
	}
}

// The measure and its index: a piece edited in a few places stays similar
// and shares a band with the first; an unrelated one does neither.
func TestSimilarity(t *testing.T) {
	t.Parallel()
	base := "金水区召开科技创新大会，全区一百余家高新技术企业参加，会议部署了全年科技宣传工作。" +
		"会上，区科学技术局负责同志通报了上年度科技项目申报与专利授权情况，表彰了先进单位。" +
		"与会企业代表交流了研发投入、成果转化和人才引进的经验，并就科技金融政策提出建议。" +
		"会议要求各单位把科技宣传纳入年度工作计划，按月报送信息，确保宣传任务落到实处。" +
		"会后，与会人员参观了区内众创空间和科技企业孵化器，实地了解创新创业服务情况。"
	edited := strings.Replace(base, "一百余家", "二百余家", 1) + "区领导出席会议并讲话。"
	other := "知识产权宣传周期间，专利代理机构走进园区，为企业讲解专利申请与保护的流程。" +
		"活动设立咨询台，发放宣传资料两千余份，解答群众关于商标注册和维权的问题。" +
		"主办方还组织了专题讲座，邀请法院知识产权庭法官讲解典型案例。"
	a, b, c := textcheck.ShinglesOf(base), textcheck.ShinglesOf(edited), textcheck.ShinglesOf(other)
	if s := textcheck.Jaccard(a, b); s < textcheck.Similar {
		t.Errorf("an edited copy: %.3f", s)
	}
	if s := textcheck.Jaccard(a, c); s > 0.1 {
		t.Errorf("an unrelated text: %.3f", s)
	}
	shared := func(x, y []uint64) bool {
		for i := range x {
			if x[i] == y[i] {
				return true
			}
		}
		return false
	}
	ba, bb, bc := textcheck.BandsOf(a), textcheck.BandsOf(b), textcheck.BandsOf(c)
	if len(ba) != textcheck.Bands || !shared(ba, bb) || shared(ba, bc) {
		t.Errorf("bands: %d, shared with the copy %v, with the other %v", len(ba), shared(ba, bb), shared(ba, bc))
	}
	// Spaces and punctuation do not count; neither does case.
	if s := textcheck.Jaccard(textcheck.ShinglesOf("科技 创新，大会ABC"), textcheck.ShinglesOf("科技创新大会abc")); s != 1 {
		t.Errorf("spaces and punctuation: %.3f", s)
	}
	if textcheck.BandsOf(textcheck.ShinglesOf("，。")) != nil {
		t.Error("bands of no text")
	}
}
