// Package gen writes plausible registers of publications for benchmarks and
// samples. The same seed gives the same file.
package gen

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"time"
)

var (
	depts = []dept{
		{"办公室", 12, []string{"机关效能建设", "党风廉政建设", "科技工作会议", "政务公开", "作风建设"}},
		{"高新科", 20, []string{"高新技术企业认定", "技术合同登记", "科技园区建设", "科技型企业培育", "技术转移"}},
		{"发展计划科", 19, []string{"重大科技专项", "研发中心建设", "科技金融", "社会发展科技计划", "农村科技创新"}},
		{"综合科", 12, []string{"科技活动周", "科普知识进社区", "科技体验中心", "防灾减灾宣传", "科普文化产品"}},
		{"知识产权科", 12, []string{"知识产权宣传周", "专利申请资助", "知识产权创意园区", "4.26世界知识产权日", "商标品牌培育"}},
		{"生产力促进中心", 25, []string{"众创空间", "科技企业孵化器", "创新创业大赛", "产学研合作", "创新创业人才"}},
	}
	channels = []channel{
		{"机关内网", 42}, {"专期", 3}, {"金水时讯", 16}, {"市局网站", 10}, {"两报及主流媒体", 4}, {"园区动态信息", 11}, {"科技资源亮点", 14},
	}
	verbs   = []string{"扎实推进", "召开", "开展", "举办", "深入推进", "圆满完成", "启动", "调研"}
	outlets = []string{"河南日报", "郑州日报", "大河报", "人民网河南频道", "河南科技报"}
)

func pick[T any](rng *rand.Rand, xs []T, weight func(T) int) T {
	total := 0
	for _, x := range xs {
		total += weight(x)
	}
	n := rng.IntN(total)
	for _, x := range xs {
		if n -= weight(x); n < 0 {
			return x
		}
	}
	return xs[len(xs)-1]
}

// Options shape a register.
type Options struct {
	Rows    int
	Year    int
	Seed    uint64
	English bool // English headers (department, channel, …) instead of Chinese
}

type dept = struct {
	name   string
	weight int
	topics []string
}

type channel = struct {
	name   string
	weight int
}

// Write writes a register as CSV.
func Write(w io.Writer, o Options) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	cw := csv.NewWriter(bw)
	if o.English {
		cw.Write([]string{"department", "channel", "date", "title", "words", "outlet"})
	} else {
		bw.WriteString("\ufeff")
		cw.Write([]string{"科室", "渠道", "日期", "标题", "字数", "媒体"})
	}
	rng := rand.New(rand.NewPCG(o.Seed, 2017))
	start := time.Date(o.Year, 1, 1, 0, 0, 0, 0, time.UTC)
	days := int(start.AddDate(1, 0, 0).Sub(start).Hours() / 24)
	rec := make([]string, 6)
	for i := 0; i < o.Rows; i++ {
		d := pick(rng, depts, func(x dept) int { return x.weight })
		ch := pick(rng, channels, func(x channel) int { return x.weight })
		day := start.AddDate(0, 0, rng.IntN(days))
		topic := d.topics[rng.IntN(len(d.topics))]
		title := fmt.Sprintf("金水区%s%s工作", verbs[rng.IntN(len(verbs))], topic)
		if o.Rows > 200 {
			title += fmt.Sprintf("（%d）", i+1) // keeps a large register free of accidental duplicates
		}
		outlet := ""
		if ch.name == "两报及主流媒体" {
			outlet = outlets[rng.IntN(len(outlets))]
		}
		rec[0], rec[1], rec[2], rec[3], rec[4], rec[5] = d.name, ch.name, day.Format("2006-01-02"), title, strconv.Itoa(80+rng.IntN(900)), outlet
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}
