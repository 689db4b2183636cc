// Command loadbench measures the second floor's figures (issue 6): with 10
// concurrent signed-in users over real HTTP, the p95 of /api/v1/report, the
// dashboard, a department page and the first ledger page, at a small and a
// large number of publications, and the cost of one score change (an
// adoption recorded through app) at both sizes. The small size is the
// baseline the large one is held to (≤ 2×, and ≤ 50 ms).
//
//	go run ./bench/loadbench [-small 10000] [-large 1000000] [-pg postgres://…]
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"kexuan/app"
	"kexuan/bench/gen"
	"kexuan/domain"
	"kexuan/plan"
	"kexuan/store"
	"kexuan/web"
)

var (
	smallFlag = flag.Int("small", 10_000, "publications of the baseline size")
	largeFlag = flag.Int("large", 1_000_000, "publications of the large size")
	pgFlag    = flag.String("pg", os.Getenv("KEXUAN_BENCH_POSTGRES"), "PostgreSQL URL (empty: SQLite only)")
	users     = flag.Int("users", 10, "concurrent signed-in users")
	requests  = flag.Int("requests", 40, "requests per user and page")
	changes   = flag.Int("changes", 30, "adoptions timed per size")
	cpuProf   = flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	sqliteOff = flag.Bool("no-sqlite", false, "measure PostgreSQL only")
)

const password = "Bench!2017-load"

func main() {
	flag.Parse()
	ctx := context.Background()
	if *cpuProf != "" {
		f, err := os.Create(*cpuProf)
		check(err)
		check(pprof.StartCPUProfile(f))
		defer pprof.StopCPUProfile()
	}
	dir, err := os.MkdirTemp("", "loadbench-")
	check(err)
	defer os.RemoveAll(dir)

	type target struct{ name, dsn string }
	fmt.Printf("# kexuan load benchmark — %s\n\n", time.Now().Format("2006-01-02 15:04"))
	fmt.Printf("%d concurrent signed-in users, %d requests each per page; p95 over all of them. A score change: one counted adoption recorded through app (transaction, event, audit row, aggregate), median of %d.\n\n", *users, *requests, *changes)
	fmt.Println("| database | publications | /api/v1/report p95 | /dashboard p95 | /departments/{code} p95 | /ledger/{code} p95 | one adoption (median) |")
	fmt.Println("|---|---|---|---|---|---|---|")
	results := map[string]map[int]*figures{}
	for _, n := range []int{*smallFlag, *largeFlag} {
		csv := filepath.Join(dir, fmt.Sprintf("register-%d.csv", n))
		f, err := os.Create(csv)
		check(err)
		check(gen.Write(f, gen.Options{Rows: n, Year: 2017, Seed: 1}))
		check(f.Close())
		var targets []target
		if !*sqliteOff {
			targets = append(targets, target{"SQLite", filepath.Join(dir, fmt.Sprintf("load-%d.db", n))})
		}
		if *pgFlag != "" {
			targets = append(targets, target{"PostgreSQL", *pgFlag})
		}
		for _, tg := range targets {
			if tg.name == "PostgreSQL" {
				resetPG(ctx, tg.dsn)
			}
			fig := measure(ctx, tg.dsn, csv)
			if results[tg.name] == nil {
				results[tg.name] = map[int]*figures{}
			}
			results[tg.name][n] = fig
			fmt.Printf("| %s | %d | %s | %s | %s | %s | %s |\n", tg.name, n, ms(fig.p95["report"]), ms(fig.p95["dashboard"]), ms(fig.p95["department"]), ms(fig.p95["ledger"]), ms(fig.change))
		}
	}
	fmt.Println()
	fmt.Println("| database | page | large ÷ small | goal ≤ 2× | large p95 | goal ≤ 50 ms |")
	fmt.Println("|---|---|---|---|---|---|")
	for _, db := range []string{"SQLite", "PostgreSQL"} {
		r := results[db]
		if r == nil {
			continue
		}
		s, l := r[*smallFlag], r[*largeFlag]
		for _, page := range []string{"report", "dashboard", "department", "ledger"} {
			ratio := float64(l.p95[page]) / float64(s.p95[page])
			fmt.Printf("| %s | %s | %.2f× | %s | %s | %s |\n", db, page, ratio, met(ratio <= 2), ms(l.p95[page]), met(l.p95[page] <= 50*time.Millisecond))
		}
		ratio := float64(l.change) / float64(s.change)
		fmt.Printf("| %s | one adoption | %.2f× | %s | %s | — |\n", db, ratio, met(ratio <= 2), ms(l.change))
	}
}

type figures struct {
	p95    map[string]time.Duration
	change time.Duration
}

func measure(ctx context.Context, dsn, csv string) *figures {
	db, err := store.Open(ctx, dsn)
	check(err)
	defer db.Close()
	a := app.New(db)
	_, err = a.Initialise(ctx)
	check(err)
	p, _ := plan.Builtin()
	_, err = a.Import(ctx, nil, csv, "", false)
	check(err)
	a.Now = func() time.Time { return time.Date(2017, 12, 20, 10, 0, 0, 0, p.Location()) }
	dept := p.Departments[1].Code
	var names []string
	for i := range *users {
		name := fmt.Sprintf("office%d", i)
		_, err := a.CreateUser(ctx, nil, app.UserInput{Username: name, Role: domain.Office, Password: password}, false)
		check(err)
		names = append(names, name)
	}
	rep, err := a.CreateUser(ctx, nil, app.UserInput{Username: "reporter", Role: domain.Reporter, Department: dept, Password: password}, false)
	check(err)
	lead, err := a.CreateUser(ctx, nil, app.UserInput{Username: "leader", Role: domain.Leader, Leads: []string{dept}, Password: password}, false)
	check(err)

	srv, err := web.New(a, slog.New(slog.NewTextHandler(io.Discard, nil)))
	check(err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	hs := &http.Server{Handler: srv.Handler()}
	go hs.Serve(ln)
	defer hs.Close()
	base := "http://" + ln.Addr().String()

	clients := make([]*http.Client, len(names))
	for i, name := range names {
		jar, _ := cookiejar.New(nil)
		clients[i] = &http.Client{Jar: jar}
		b, _ := json.Marshal(map[string]string{"username": name, "password": password})
		res, err := clients[i].Post(base+"/api/v1/login", "application/json", bytes.NewReader(b))
		check(err)
		res.Body.Close()
		if res.StatusCode != 200 {
			panic(fmt.Sprintf("login %s: %d", name, res.StatusCode))
		}
	}
	pages := map[string]string{
		"report":     "/api/v1/report?year=2017&as_of=2017-12-20",
		"dashboard":  "/dashboard?year=2017&as_of=2017-12-20",
		"department": "/departments/" + dept + "?year=2017&as_of=2017-12-20",
		"ledger":     "/ledger/" + dept + "?year=2017&as_of=2017-12-20",
	}
	fig := &figures{p95: map[string]time.Duration{}}
	for name, path := range pages {
		get(clients[0], base+path) // warm
		var mu sync.Mutex
		var lat []time.Duration
		var wg sync.WaitGroup
		for _, c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range *requests {
					t0 := time.Now()
					get(c, base+path)
					d := time.Since(t0)
					mu.Lock()
					lat = append(lat, d)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		slices.Sort(lat)
		fig.p95[name] = lat[len(lat)*95/100]
	}

	// One score change at a time: an adoption of an approved piece, counted
	// at once (a category the office records).
	office := &app.Actor{User: mustUser(ctx, a, names[0]), Address: "127.0.0.1"}
	var channel string
	for _, ch := range p.Channels {
		if p.Category(ch.Category).RecordedBy == plan.RecordedByOffice && !ch.OutletRequired {
			channel = ch.Code
			break
		}
	}
	reporter, leader := &app.Actor{User: rep, Address: "127.0.0.1"}, &app.Actor{User: lead, Address: "127.0.0.1"}
	var times []time.Duration
	for i := range *changes {
		pc, err := a.CreatePiece(ctx, reporter, app.PieceInput{Title: fmt.Sprintf("压测稿件%d", i), Body: "<p>" + strings.Repeat("科技", 200) + "</p>"})
		check(err)
		_, err = a.Submit(ctx, reporter, pc.ID)
		check(err)
		_, err = a.Approve(ctx, leader, pc.ID, "")
		check(err)
		t0 := time.Now()
		_, err = a.RecordAdoption(ctx, office, pc.ID, app.AdoptionInput{Channel: channel, Date: fmt.Sprintf("2017-12-%02d", 1+i%19)})
		check(err)
		times = append(times, time.Since(t0))
	}
	slices.Sort(times)
	fig.change = times[len(times)/2]
	return fig
}

func mustUser(ctx context.Context, a *app.App, name string) *domain.User {
	u, err := a.DB.Q().UserByName(ctx, name)
	check(err)
	return u
}

func get(c *http.Client, url string) {
	res, err := c.Get(url)
	check(err)
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		panic(fmt.Sprintf("GET %s: %d", url, res.StatusCode))
	}
}

// resetPG empties the PostgreSQL database (its public schema).
func resetPG(ctx context.Context, dsn string) {
	db, err := store.Open(ctx, dsn)
	check(err)
	_, err = db.SQL().ExecContext(ctx, `DROP SCHEMA public CASCADE; CREATE SCHEMA public`)
	check(err)
	db.Close()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "**not met**"
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}
