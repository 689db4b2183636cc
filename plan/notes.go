package plan

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// NoteDifference is a note of the plan's table whose numbers are not the
// numbers the engine scores with.
type NoteDifference struct {
	Note    int // 1-based
	Message string
}

var noteNumber = regexp.MustCompile(`\d+(?:\.\d+)?`)

// NoteDifferences compares every note of the table with the data that
// cites it (categories' note = N): the numbers the note writes — points,
// 字数 bounds, caps, deductions — must be exactly the numbers of the
// categories that cite it (their channels' points and tiers, their cap,
// their shortfall points). A note no category cites states the plan's
// total: its number must be the sum of the departments' 基础分. Prose that
// says one thing while the engine scores another is refused at load.
func NoteDifferences(p *Plan) []NoteDifference {
	var out []NoteDifference
	for i, text := range p.Notes {
		n := i + 1
		written := map[float64]bool{}
		for _, s := range noteNumber.FindAllString(text, -1) {
			x, err := strconv.ParseFloat(s, 64)
			if err == nil {
				written[x] = true
			}
		}
		data := map[float64]string{} // number → what it is in the data
		cited := false
		for ci := range p.Categories {
			c := &p.Categories[ci]
			if c.Note != n {
				continue
			}
			cited = true
			if c.Cap != nil {
				data[*c.Cap] = c.Name + "的加分上限"
			}
			if c.Kind == KindQuota {
				data[c.ShortfallPoints] = c.Name + "每少一条所扣分数"
			}
			for hi := range p.Channels {
				ch := &p.Channels[hi]
				if ch.Category != c.Code {
					continue
				}
				if ch.Points != nil {
					data[*ch.Points] = ch.Name + "每条的分数"
				}
				for _, t := range ch.Tiers {
					data[t.Points] = ch.Name + "字数档的分数"
					if t.Min > 0 {
						data[float64(t.Min)] = ch.Name + "字数档的界限"
					}
				}
			}
		}
		if !cited {
			total := 0.0
			for _, d := range p.Departments {
				total += d.Base
			}
			if len(written) == 0 {
				continue
			}
			data = map[float64]string{total: "各科室基础分之和"}
		}
		var missing, extra []string
		for x, what := range data {
			if !written[x] {
				missing = append(missing, fmt.Sprintf("%s %s", what, fmtNum(x)))
			}
		}
		for x := range written {
			if _, ok := data[x]; !ok {
				extra = append(extra, fmtNum(x))
			}
		}
		slices.Sort(missing)
		slices.Sort(extra)
		var msg []string
		if len(missing) > 0 {
			msg = append(msg, "方案数据中的"+strings.Join(missing, "、")+"在注释中没有写")
		}
		if len(extra) > 0 {
			msg = append(msg, "注释写的 "+strings.Join(extra, "、")+" 在方案数据中没有对应")
		}
		if len(msg) > 0 {
			out = append(out, NoteDifference{Note: n, Message: fmt.Sprintf("注释 %d “%s”与计分数据不符：%s", n, text, strings.Join(msg, "；"))})
		}
	}
	return out
}
