// Command genregister writes a plausible register of publications (adoption
// records) as CSV, for benchmarks (1,000,000 rows) and for the sample that
// ships in examples/. The same seed gives the same file.
//
//	go run ./bench/genregister -n 1000000 -out /tmp/register.csv
package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"time"
)

var (
	depts = []struct {
		name   string
		weight int
		topics []string
	}{
		{"办公室", 12, []string{"机关效能建设", "党风廉政建设", "科技工作会议", "政务公开", "作风建设"}},
		{"高新科", 20, []string{"高新技术企业认定", "技术合同登记", "科技园区建设", "科技型企业培育", "技术转移"}},
		{"发展计划科", 19, []string{"重大科技专项", "研发中心建设", "科技金融", "社会发展科技计划", "农村科技创新"}},
		{"综合科", 12, []string{"科技活动周", "科普知识进社区", "科技体验中心", "防灾减灾宣传", "科普文化产品"}},
		{"知识产权科", 12, []string{"知识产权宣传周", "专利申请资助", "知识产权创意园区", "4.26世界知识产权日", "商标品牌培育"}},
		{"生产力促进中心", 25, []string{"众创空间", "科技企业孵化器", "创新创业大赛", "产学研合作", "创新创业人才"}},
	}
	channels = []struct {
		name   string
		weight int
	}{
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

func main() {
	n := flag.Int("n", 1000, "rows")
	out := flag.String("out", "", "output file (default stdout)")
	year := flag.Int("year", 2017, "year of the dates")
	seed := flag.Uint64("seed", 1, "random seed")
	english := flag.Bool("english", false, "English headers")
	flag.Parse()

	f := os.Stdout
	if *out != "" {
		var err error
		if f, err = os.Create(*out); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer f.Close()
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	if *english {
		w.Write([]string{"department", "channel", "date", "title", "words", "outlet"})
	} else {
		bw.WriteString("\ufeff")
		w.Write([]string{"科室", "渠道", "日期", "标题", "字数", "媒体"})
	}
	rng := rand.New(rand.NewPCG(*seed, 2017))
	start := time.Date(*year, 1, 1, 0, 0, 0, 0, time.UTC)
	days := start.AddDate(1, 0, 0).Sub(start).Hours() / 24
	rec := make([]string, 6)
	for i := 0; i < *n; i++ {
		d := pick(rng, depts, func(x struct {
			name   string
			weight int
			topics []string
		}) int {
			return x.weight
		})
		ch := pick(rng, channels, func(x struct {
			name   string
			weight int
		}) int {
			return x.weight
		})
		day := start.AddDate(0, 0, rng.IntN(int(days)))
		topic := d.topics[rng.IntN(len(d.topics))]
		title := fmt.Sprintf("金水区%s%s工作", verbs[rng.IntN(len(verbs))], topic)
		if *n > 200 {
			title += fmt.Sprintf("（%d）", i+1) // keeps a large register free of accidental duplicates
		}
		words := 80 + rng.IntN(900)
		outlet := ""
		if ch.name == "两报及主流媒体" {
			outlet = outlets[rng.IntN(len(outlets))]
		}
		rec[0], rec[1], rec[2], rec[3], rec[4], rec[5] = d.name, ch.name, day.Format("2006-01-02"), title, strconv.Itoa(words), outlet
		w.Write(rec)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := bw.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
