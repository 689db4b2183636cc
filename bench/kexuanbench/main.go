// Command kexuanbench measures the figures the foundation issue asks for,
// each as a ratio against a baseline run in the same process or script:
//
//   - report over N publications (time and peak RSS) beside the single
//     aggregate query GROUP BY department, channel, month over the same table;
//   - import of an N-row CSV beside sqlite3's own .import of the same file;
//   - how report time grows from 10k to N publications.
//
// On SQLite always, on PostgreSQL when -pg names a server (scripts/bench.sh
// starts one).
//
//	go run ./bench/kexuanbench -n 1000000 [-pg postgres://…]
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"kexuan/bench/gen"
	"kexuan/plan"
	"kexuan/report"
	"kexuan/scoring"
	"kexuan/store"
)

var (
	rowsFlag = flag.Int("n", 1_000_000, "publications in the large register")
	pgFlag   = flag.String("pg", os.Getenv("KEXUAN_BENCH_POSTGRES"), "PostgreSQL URL (empty: SQLite only)")
	repeat   = flag.Int("repeat", 5, "runs of each timed query (the median is reported)")
	dirFlag  = flag.String("dir", "", "work folder (default: a temporary one, removed after)")
	turns    = flag.Int("turns", 5, "import turns (each: the baseline, then kexuan on each database)")
)

func main() {
	flag.Parse()
	ctx := context.Background()
	dir := *dirFlag
	if dir == "" {
		var err error
		dir, err = os.MkdirTemp("", "kexuanbench-")
		check(err)
		defer os.RemoveAll(dir)
	}
	bin := filepath.Join(dir, "kexuan")
	run("go", "build", "-o", bin, "./cmd/kexuan")

	fmt.Printf("# kexuan benchmarks — %s, %s\n\n", time.Now().Format("2006-01-02 15:04"), machine())

	sizes := []int{10_000, 100_000, *rowsFlag}
	if *rowsFlag <= 100_000 {
		sizes = []int{*rowsFlag / 10, *rowsFlag}
	}
	files := map[int]string{}
	for _, n := range sizes {
		files[n] = filepath.Join(dir, fmt.Sprintf("register-%d.csv", n))
		f, err := os.Create(files[n])
		check(err)
		check(gen.Write(f, gen.Options{Rows: n, Year: 2017, Seed: 1}))
		check(f.Close())
	}
	big := *rowsFlag

	type target struct{ name, dsn string }
	targets := []target{{"SQLite", filepath.Join(dir, "bench.db")}}
	if *pgFlag != "" {
		targets = append(targets, target{"PostgreSQL", *pgFlag})
	}

	// Import: kexuan import beside sqlite3 .import of the same file, run in
	// turns (the baseline, then kexuan), so that both sides of a ratio meet
	// the machine in the same state: on a shared machine its speed drifts
	// by a third within minutes. The ratio is the median of each turn's own
	// ratio. One database's turns all run before the next database's, so
	// that PostgreSQL's background work after its imports (checkpoints,
	// autovacuum) falls on its own turns, not on SQLite's.
	fmt.Printf("## import of a %d-row CSV (%d turns)\n\n", big, *turns)
	fmt.Println("| database | kexuan import (median) | peak RSS | baseline | baseline (median) | ratio (median of turns) | ratios by turn | goal |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	for _, t := range targets {
		var base, els []time.Duration
		var ratios []float64
		var each []string
		var rss int64
		for range *turns {
			b := sqlite3Import(dir, files[big])
			resetDB(t.dsn)
			run(bin, "init", "--db", t.dsn)
			el, r := timed(bin, "import", "--db", t.dsn, "publications", files[big])
			base, els, rss = append(base, b), append(els, el), max(rss, r)
			ratios = append(ratios, el.Seconds()/b.Seconds())
			each = append(each, fmt.Sprintf("%.2f", el.Seconds()/b.Seconds()))
		}
		slices.Sort(ratios)
		fmt.Printf("| %s | %s | %s | sqlite3 .import (no checks, no index) | %s | %.2f× | %s | ≤ 3× |\n",
			t.name, secs(median(els)), mib(rss), secs(median(base)), ratios[len(ratios)/2], strings.Join(each, " "))
	}

	// Report beside the plain aggregate, same process, same table.
	fmt.Printf("\n## report over %d publications\n\n", big)
	fmt.Println("| database | report (median) | baseline GROUP BY (median) | ratio | goal | report peak RSS (process) | goal |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, t := range targets {
		rep, base := reportVsBaseline(ctx, t.dsn)
		_, rss := timed(bin, "report", "--db", t.dsn, "--year", "2017", "--as-of", "2017-12-31", "--format", "json")
		fmt.Printf("| %s | %s | %s | %.2f× | ≤ 2× | %s | < 200 MiB |\n", t.name, secs(rep), secs(base), rep.Seconds()/base.Seconds(), mib(rss))
	}

	// Growth: the same report at each size.
	fmt.Printf("\n## how report time grows\n\n")
	fmt.Println("| database | publications | report (median) | per 1,000 publications | report per publication vs smallest | baseline (median) | baseline per publication vs smallest |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, t := range targets {
		var first, firstBase float64
		for i, n := range sizes {
			dsn := t.dsn
			if n != big {
				if t.name == "SQLite" {
					dsn = filepath.Join(dir, fmt.Sprintf("grow-%d.db", n))
				}
				resetDB(dsn)
				run(bin, "init", "--db", dsn)
				run(bin, "import", "--db", dsn, "publications", files[n])
			} else if t.name != "SQLite" {
				resetDB(dsn)
				run(bin, "init", "--db", dsn)
				run(bin, "import", "--db", dsn, "publications", files[n])
			}
			rep, base := reportVsBaseline(ctx, dsn)
			per, perBase := rep.Seconds()/float64(n), base.Seconds()/float64(n)
			if i == 0 {
				first, firstBase = per, perBase
			}
			fmt.Printf("| %s | %d | %s | %.3f ms | %.2f | %s | %.2f |\n", t.name, n, secs(rep), per*1000*1000, per/first, secs(base), perBase/firstBase)
		}
	}
	fmt.Println("\n(\"per publication vs smallest\" ≤ 1 means no worse than linear; the baseline's column shows what the storage itself does.)")
}

// reportVsBaseline times, alternately, the report (aggregate entries, the
// engine, JSON) and the baseline aggregate, and returns both medians.
func reportVsBaseline(ctx context.Context, dsn string) (time.Duration, time.Duration) {
	db, err := store.Open(ctx, dsn)
	check(err)
	defer db.Close()
	p, err := db.Plan(ctx, 2017)
	check(err)
	asOf := plan.MustDate("2017-12-31")
	var reps, bases []time.Duration
	for i := 0; i < *repeat+1; i++ {
		t0 := time.Now()
		entries, err := db.Entries(ctx, p, asOf)
		check(err)
		res := scoring.Score(p, asOf, entries, scoring.Options{})
		check(report.JSON(io.Discard, res))
		t1 := time.Now()
		_, err = db.BaselineAggregate(ctx)
		check(err)
		t2 := time.Now()
		if i > 0 { // the first round warms the caches
			reps = append(reps, t1.Sub(t0))
			bases = append(bases, t2.Sub(t1))
		}
	}
	return median(reps), median(bases)
}

func sqlite3Import(dir, csvPath string) time.Duration {
	db := filepath.Join(dir, "sqlite3-baseline.db")
	os.Remove(db)
	cmd := exec.Command("sqlite3", db)
	cmd.Stdin = strings.NewReader(fmt.Sprintf(
		"CREATE TABLE r(department TEXT, channel TEXT, date TEXT, title TEXT, words INTEGER, outlet TEXT);\n.import --csv --skip 1 %s r\n", csvPath))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	t0 := time.Now()
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "sqlite3: %v\n%s", err, out.String())
		os.Exit(1)
	}
	return time.Since(t0)
}

func resetDB(dsn string) {
	if store.IsPostgres(dsn) {
		db, err := store.Open(context.Background(), dsn)
		check(err)
		_, err = db.SQL().Exec(`DROP SCHEMA public CASCADE; CREATE SCHEMA public`)
		check(err)
		db.Close()
		return
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(dsn + suffix)
	}
}

// timed runs a command and returns its wall time and peak RSS.
func timed(name string, args ...string) (time.Duration, int64) {
	cmd := exec.Command(name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &out
	t0 := time.Now()
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
		os.Exit(1)
	}
	el := time.Since(t0)
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return el, ru.Maxrss * 1024
}

func run(name string, args ...string) {
	cmd := exec.Command(name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
		os.Exit(1)
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func secs(d time.Duration) string { return fmt.Sprintf("%.3f s", d.Seconds()) }
func mib(b int64) string          { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

func machine() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	model := ""
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "model name") {
			model = strings.TrimSpace(strings.SplitN(l, ":", 2)[1])
			break
		}
	}
	return fmt.Sprintf("%s, %d CPUs", model, numCPU())
}

func numCPU() int {
	b, _ := os.ReadFile("/proc/cpuinfo")
	return strings.Count(string(b), "processor\t:")
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
