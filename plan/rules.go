package plan

import (
	"fmt"
	"slices"
	"strings"
)

// Rules states, from the plan's data, every number the engine scores with:
// per category its kind, channels with their points or 字数 tiers, caps,
// shortfall points, who records it, and when quotas start. These lines are
// what `plan show` prints under the notes, so a reader sees the rules the
// engine applies, not only the prose.
func Rules(p *Plan) []string {
	var out []string
	for i := range p.Categories {
		c := &p.Categories[i]
		var b strings.Builder
		fmt.Fprintf(&b, "%s：", c.Name)
		switch c.Kind {
		case KindTarget:
			b.WriteString("任务类别，计入基础分")
			if c.CapAtTarget {
				b.WriteString("，以本科室该项任务分为上限")
			}
		case KindBonus:
			b.WriteString("加分类别")
			if c.Cap != nil {
				fmt.Fprintf(&b, "，每个科室全年最多加 %s 分", fmtNum(*c.Cap))
			} else {
				b.WriteString("，不封顶")
			}
		case KindQuota:
			fmt.Fprintf(&b, "月度报送，自 %s 起每月按科室任务条数，每少一条扣 %s 分", p.quotaFrom, fmtNum(c.ShortfallPoints))
		}
		var chans []string
		for j := range p.Channels {
			ch := &p.Channels[j]
			if ch.Category != c.Code {
				continue
			}
			chans = append(chans, ch.Name+" "+ChannelPoints(ch))
		}
		if len(chans) > 0 {
			fmt.Fprintf(&b, "；%s", strings.Join(chans, "；"))
		}
		if c.RecordedBy == RecordedByDepartment {
			b.WriteString("；由科室登记，办公室核实后计分")
		} else {
			b.WriteString("；由办公室登记，即时计分")
		}
		out = append(out, b.String()+"。")
	}
	return out
}

// ChannelPoints states how one appearance in a channel scores: fixed points,
// or points by 字数 tier.
func ChannelPoints(ch *Channel) string {
	if ch.Points != nil {
		return fmt.Sprintf("每篇 %s 分", fmtNum(*ch.Points))
	}
	if len(ch.Tiers) == 0 {
		return "计条数"
	}
	var tiers []string
	for _, t := range ch.Tiers {
		switch {
		case t.Max == nil:
			tiers = append(tiers, fmt.Sprintf("%d 字及以上 %s 分", t.Min, fmtNum(t.Points)))
		default:
			tiers = append(tiers, fmt.Sprintf("%d–%d 字 %s 分", t.Min, *t.Max, fmtNum(t.Points)))
		}
	}
	return "按字数：" + strings.Join(tiers, "，")
}

// Diff lists what changes when next replaces old as a year's plan: header,
// departments (added, removed, 基础分, targets, quotas), categories (kind,
// caps, shortfall, who records) and channels (points, tiers). Empty: the
// rules are the same.
func Diff(old, next *Plan) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if old.Title != next.Title || old.DocumentNumber != next.DocumentNumber {
		add("方案：%s %s → %s %s", old.DocumentNumber, old.Title, next.DocumentNumber, next.Title)
	}
	if old.QuotaFrom != next.QuotaFrom {
		add("月度报送起始月：%s → %s", old.QuotaFrom, next.QuotaFrom)
	}
	if old.BaseTotal != next.BaseTotal {
		add("基础分合计：%s → %s", fmtNum(old.BaseTotal), fmtNum(next.BaseTotal))
	}
	for _, d := range old.Departments {
		if next.Department(d.Code) == nil {
			add("删除科室 %s（%s）", d.Name, d.Code)
		}
	}
	for i := range next.Departments {
		d := &next.Departments[i]
		o := old.Department(d.Code)
		if o == nil {
			add("新增科室 %s（%s）：基础分 %s", d.Name, d.Code, fmtNum(d.Base))
			continue
		}
		if o.Name != d.Name {
			add("科室 %s 改名：%s → %s", d.Code, o.Name, d.Name)
		}
		if o.Base != d.Base {
			add("%s 基础分：%s → %s", d.Name, fmtNum(o.Base), fmtNum(d.Base))
		}
		for _, k := range unionKeys(o.Targets, d.Targets) {
			if o.Targets[k] != d.Targets[k] {
				add("%s %s 任务分：%s → %s", d.Name, k, fmtNum(o.Targets[k]), fmtNum(d.Targets[k]))
			}
		}
		for _, k := range unionKeys(o.Quotas, d.Quotas) {
			if o.Quotas[k] != d.Quotas[k] {
				add("%s %s 每月条数：%d → %d", d.Name, k, o.Quotas[k], d.Quotas[k])
			}
		}
	}
	for _, c := range old.Categories {
		if next.Category(c.Code) == nil {
			add("删除类别 %s（%s）", c.Name, c.Code)
		}
	}
	for i := range next.Categories {
		c := &next.Categories[i]
		o := old.Category(c.Code)
		if o == nil {
			add("新增类别 %s（%s）", c.Name, c.Code)
			continue
		}
		if o.Kind != c.Kind || capText(o.Cap) != capText(c.Cap) || o.CapAtTarget != c.CapAtTarget || o.ShortfallPoints != c.ShortfallPoints || o.RecordedBy != c.RecordedBy {
			add("类别 %s：种类 %s、上限 %s、扣分 %s、登记 %s → 种类 %s、上限 %s、扣分 %s、登记 %s", c.Name,
				o.Kind, capText(o.Cap), fmtNum(o.ShortfallPoints), o.RecordedBy, c.Kind, capText(c.Cap), fmtNum(c.ShortfallPoints), c.RecordedBy)
		}
	}
	for _, ch := range old.Channels {
		if next.Channel(ch.Code) == nil {
			add("删除渠道 %s（%s）", ch.Name, ch.Code)
		}
	}
	for i := range next.Channels {
		ch := &next.Channels[i]
		o := old.Channel(ch.Code)
		switch {
		case o == nil:
			add("新增渠道 %s（%s）：%s", ch.Name, ch.Code, ChannelPoints(ch))
		case o.Category != ch.Category || ChannelPoints(o) != ChannelPoints(ch):
			add("渠道 %s：%s（%s）→ %s（%s）", ch.Name, ChannelPoints(o), o.Category, ChannelPoints(ch), ch.Category)
		}
	}
	return out
}

func capText(c *float64) string {
	if c == nil {
		return "无"
	}
	return fmtNum(*c)
}

func unionKeys[V any](a, b map[string]V) []string {
	keys := sortedKeys(a)
	for _, k := range sortedKeys(b) {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}
