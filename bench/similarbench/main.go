// Command similarbench times the near-duplicate check a submission makes
// (app.SimilarPieces: the new text's MinHash bands looked up among the
// year's stored pieces, the candidates measured exactly) with 100,000
// pieces stored, on SQLite and PostgreSQL, beside the strongest brute force
// a user could pick instead: the same measure (character 5-gram Jaccard)
// against every stored piece, their 5-gram sets already in memory.
//
//	go run ./bench/similarbench [-n 100000] [-pg URL]
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/plan"
	"kexuan/richtext"
	"kexuan/store"
	"kexuan/textcheck"
)

var (
	nFlag    = flag.Int("n", 100000, "pieces stored")
	pgFlag   = flag.String("pg", "", "a PostgreSQL URL to measure too (its public schema is replaced)")
	runsFlag = flag.Int("runs", 60, "checks timed (half near-copies of stored pieces, half new texts)")
)

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// phrases are what pieces of one bureau share; the rest of a text is its own.
var phrases = []string{"为深入贯彻落实", "科技创新", "高新技术企业", "知识产权", "科技成果转化", "创新创业", "区科学技术局",
	"专利申请", "科技宣传工作", "众创空间", "科技企业孵化器", "研发投入", "人才引进", "科技金融", "产学研合作"}

// text makes a piece of about size characters.
func text(r *rand.Rand, size int) string {
	var b strings.Builder
	n := 0
	for n < size {
		if r.IntN(10) == 0 {
			p := phrases[r.IntN(len(phrases))]
			b.WriteString(p)
			n += len([]rune(p))
			continue
		}
		b.WriteRune(rune(0x4E00 + r.IntN(3500)))
		n++
		if r.IntN(18) == 0 {
			b.WriteString("，")
		}
	}
	return "<p>" + b.String() + "。</p>"
}

// edit changes a few characters of a body, as a second department's copy.
func edit(r *rand.Rand, body string) string {
	rs := []rune(body)
	for range 6 {
		i := 3 + r.IntN(len(rs)-8)
		rs[i] = rune(0x4E00 + r.IntN(3500))
	}
	return string(rs)
}

func main() {
	flag.Parse()
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "similarbench-")
	check(err)
	defer os.RemoveAll(dir)
	r := rand.New(rand.NewPCG(2017, 12))
	bodies := make([]string, *nFlag)
	for i := range bodies {
		bodies[i] = text(r, 300+r.IntN(500))
	}
	// The probes: near-copies of stored pieces, and new texts.
	type probe struct {
		body string
		of   int // the stored piece it copies, or -1
	}
	probes := make([]probe, *runsFlag)
	for i := range probes {
		if i%2 == 0 {
			k := r.IntN(len(bodies))
			probes[i] = probe{edit(r, bodies[k]), k}
		} else {
			probes[i] = probe{text(r, 500), -1}
		}
	}
	fmt.Printf("# kexuan near-duplicate check — %s\n\n", time.Now().Format("2006-01-02 15:04"))
	fmt.Printf("%d pieces stored (300–800 字 each), %d checks (half near-copies of a stored piece, half new texts); the check is what a submission runs.\n\n", *nFlag, *runsFlag)

	// The baseline: every stored piece's 5-grams in memory, each compared.
	start := time.Now()
	sets := make([]textcheck.Shingles, len(bodies))
	for i, b := range bodies {
		sets[i] = textcheck.ShinglesOf(richtext.Text(b))
	}
	prep := time.Since(start)
	var brute []time.Duration
	bruteFound := 0
	for _, pr := range probes {
		t0 := time.Now()
		sh := textcheck.ShinglesOf(richtext.Text(pr.body))
		for i, s := range sets {
			if textcheck.Jaccard(sh, s) >= textcheck.Similar && i == pr.of {
				bruteFound++
			}
		}
		brute = append(brute, time.Since(t0))
	}
	bruteMed, bruteP95 := stats(brute)
	fmt.Printf("| | median | p95 | near-copies found |\n|---|---|---|---|\n")
	fmt.Printf("| brute force in memory (5-gram sets built beforehand in %.1f s) | %s | %s | %d of %d |\n", prep.Seconds(), ms(bruteMed), ms(bruteP95), bruteFound, (len(probes)+1)/2)

	targets := []struct{ name, dsn string }{{"SQLite", filepath.Join(dir, "similar.db")}}
	if *pgFlag != "" {
		targets = append(targets, struct{ name, dsn string }{"PostgreSQL", *pgFlag})
	}
	for _, tg := range targets {
		if tg.name == "PostgreSQL" {
			db, err := store.Open(ctx, tg.dsn)
			check(err)
			_, err = db.SQL().ExecContext(ctx, `DROP SCHEMA public CASCADE; CREATE SCHEMA public`)
			check(err)
			db.Close()
		}
		db, err := store.Open(ctx, tg.dsn)
		check(err)
		a := app.New(db)
		_, err = a.Initialise(ctx)
		check(err)
		p, _ := plan.Builtin()
		u, err := a.CreateUser(ctx, nil, app.UserInput{Username: "reporter", Role: domain.Reporter, Department: p.Departments[1].Code, Password: "Bench-Password-2017!"}, false)
		check(err)
		t0 := time.Now()
		ids := make([]int64, len(bodies))
		for from := 0; from < len(bodies); from += 5000 {
			check(db.InTx(ctx, func(q *store.Q) error {
				for i := from; i < min(from+5000, len(bodies)); i++ {
					pc := &domain.Piece{Department: p.Departments[1+i%5].Code, AuthorID: u.ID, Title: fmt.Sprintf("稿件 %d", i), Body: bodies[i], Words: 500, State: domain.StateSubmitted}
					if err := q.CreatePiece(ctx, pc); err != nil {
						return err
					}
					ids[i] = pc.ID
					if err := q.SetPieceBands(ctx, pc.ID, p.Year, textcheck.BandsOf(sets[i])); err != nil {
						return err
					}
				}
				return nil
			}))
		}
		load := time.Since(t0)
		var took []time.Duration
		found := 0
		for _, pr := range probes {
			t1 := time.Now()
			got, err := a.SimilarPieces(ctx, p.Year, pr.body)
			check(err)
			took = append(took, time.Since(t1))
			if pr.of >= 0 {
				if _, ok := got[ids[pr.of]]; ok {
					found++
				}
			}
		}
		med, p95 := stats(took)
		fmt.Printf("| kexuan on %s (stored with their bands in %.0f s) | %s | %s | %d of %d |\n", tg.name, load.Seconds(), ms(med), ms(p95), found, (len(probes)+1)/2)
		fmt.Fprintf(os.Stderr, "%s: brute force / kexuan = %.0f× (median); goal p95 ≤ 50 ms: %v\n", tg.name, float64(bruteMed)/float64(med), p95 <= 50*time.Millisecond)
		db.Close()
	}
}

func stats(ds []time.Duration) (median, p95 time.Duration) {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2], s[(len(s)*95+99)/100-1]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }
