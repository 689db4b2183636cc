package app

import (
	"strings"
	"testing"

	"kexuan/plan"
	"kexuan/scoring"
)

// The pace names the fewest pieces that close a target's gap by the least
// demanding way, then the next way down (issue 7's example: 金水时讯 3
// points short: one piece of 300 字 or more, or three of 100–299).
func TestPace(t *testing.T) {
	t.Parallel()
	p, _ := plan.Builtin()
	d := &scoring.Department{Categories: map[string]scoring.CategoryScore{
		"shixun":   {Target: 5, Raw: 2},
		"intranet": {Target: 15, Raw: 15},
	}}
	got := pace(p, d)
	if len(got) != 1 {
		t.Fatalf("pace: %v", got)
	}
	for _, want := range []string{"还差 3 分", "1 篇金水时讯 300–499 字（每篇 3 分）", "或 3 篇金水时讯 100–299 字（每篇 1 分）"} {
		if !strings.Contains(got[0], want) {
			t.Errorf("pace %q lacks %q", got[0], want)
		}
	}
	d.Categories["shixun"] = scoring.CategoryScore{Target: 5, Raw: 4.5}
	if got := pace(p, d); !strings.Contains(got[0], "1 篇金水时讯 100 字以下（每篇 0.5 分）") {
		t.Errorf("half a point short: %v", got)
	}
}
