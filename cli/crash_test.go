package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"kexuan/app"
	"kexuan/auth"
	"kexuan/domain"
	"kexuan/plan"
	"kexuan/scoring"
	"kexuan/secret"
	"kexuan/store"
	"kexuan/store/storetest"
	"kexuan/testclock"
)

// TestMain lets the test binary be the server the crash test kills.
func TestMain(m *testing.M) {
	auth.CheapHashesForTests()
	if os.Getenv("KEXUAN_CRASH_SERVE") == "1" {
		args := []string{"serve", "--db", os.Getenv("KEXUAN_CRASH_DB"), "--addr", "127.0.0.1:0"}
		args = append(args, strings.Fields(os.Getenv("KEXUAN_CRASH_ARGS"))...)
		os.Exit(Run(context.Background(), args, Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: io.Discard, Now: testclock.Now}))
	}
	// One installation key for the tests' databases (and the servers they
	// start), outside the source tree; tests of the key itself set their own.
	if os.Getenv("KEXUAN_KEY_FILE") == "" {
		dir, err := os.MkdirTemp("", "kexuan-key")
		if err != nil {
			panic(err)
		}
		os.Setenv("KEXUAN_KEY_FILE", dir+"/kexuan.key")
		code := m.Run()
		os.RemoveAll(dir)
		os.Exit(code)
	}
	os.Exit(m.Run())
}

const crashPassword = "Kx!2017-crash"

// crashCycles is how many times TestCrashRecovery kills the server:
// $KEXUAN_CRASH_CYCLES, 4 by default (scripts/crash.sh runs 100).
func crashCycles() int {
	if n, err := strconv.Atoi(os.Getenv("KEXUAN_CRASH_CYCLES")); err == nil && n > 0 {
		return n
	}
	return 4
}

type ack struct {
	id      int64
	state   domain.PieceState
	adopted bool
	title   string
}

// Clients submit, review and record adoptions while the server is killed
// with SIGKILL and restarted, again and again. After every kill every
// acknowledged change is there, the database is sound, the audit chain
// (keyed, against its checkpoints) holds, and every department's score
// equals a recomputation from its records.
func TestCrashRecovery(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	cycles := crashCycles()
	storetest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		a, _, err := prepare(ctx, dsn, Env{Stderr: io.Discard, Now: testclock.Now})
		if err != nil {
			t.Fatal(err)
		}
		approve := reviewerEarly(t, a, []app.UserInput{
			{Username: "rep", Role: domain.Reporter, Department: "hightech"},
			{Username: "lead", Role: domain.Leader, Leads: []string{"hightech"}},
			{Username: "off", Role: domain.Office},
		})

		var mu sync.Mutex
		acked := map[int64]*ack{}
		seq, losses := 0, 0
		start := time.Now()
		for round := 0; round < cycles; round++ {
			srv, base := startServer(t, dsn)
			clients := map[string]*http.Client{}
			for _, u := range []string{"rep", "off"} {
				clients[u] = apiLogin(t, base, u)
			}
			stop := make(chan struct{})
			var wg sync.WaitGroup
			for w := 0; w < 3; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						select {
						case <-stop:
							return
						default:
						}
						mu.Lock()
						seq++
						title := fmt.Sprintf("崩溃测试稿件 %d", seq)
						mu.Unlock()
						var p struct {
							ID    int64  `json:"id"`
							State string `json:"state"`
						}
						if post(clients["rep"], base+"api/v1/pieces", map[string]any{"title": title, "body": "<p>金水区科技创新工作稳步推进。</p>"}, &p) != 201 {
							return
						}
						rec := &ack{id: p.ID, state: domain.StateDraft, title: title}
						mu.Lock()
						acked[p.ID] = rec
						mu.Unlock()
						steps := []struct {
							who, path string
							body      any
							state     domain.PieceState
						}{
							{"rep", "submit", nil, domain.StateSubmitted},
							{"lead", "approve", nil, domain.StateApproved},
							{"off", "adoptions", map[string]any{"channel": "intranet", "date": fmt.Sprintf("2017-%02d-%02d", 3+p.ID%9, 1+p.ID%28)}, domain.StateAdopted},
						}
						for _, st := range steps {
							if st.who == "lead" {
								if approve(p.ID) != nil {
									return
								}
							} else if code := post(clients[st.who], fmt.Sprintf("%sapi/v1/pieces/%d/%s", base, p.ID, st.path), st.body, nil); code != 200 && code != 201 {
								return
							}
							mu.Lock()
							rec.state = st.state
							rec.adopted = st.state == domain.StateAdopted
							mu.Unlock()
						}
					}
				}()
			}
			time.Sleep(time.Duration(400+(round%5)*250) * time.Millisecond)
			srv.Process.Signal(syscall.SIGKILL)
			srv.Wait()
			close(stop)
			wg.Wait()
			losses += verifyAfterCrash(t, dsn, acked, round+1)
		}
		adopted := 0
		for _, a := range acked {
			if a.adopted {
				adopted++
			}
		}
		if len(acked) < 10 || adopted < 3 {
			t.Fatalf("too little work got through to test anything: %d pieces, %d adopted", len(acked), adopted)
		}
		kind := "sqlite"
		if store.IsPostgres(dsn) {
			kind = "postgres"
		}
		// One line a script can read (scripts/crash.sh).
		fmt.Printf("CRASH %s cycles=%d acknowledged_pieces=%d acknowledged_adoptions=%d losses=%d integrity=ok audit=ok scores=recomputed seconds=%.0f\n",
			kind, cycles, len(acked), adopted, losses, time.Since(start).Seconds())
	})
}

// verifyAfterCrash checks the database after a kill and returns the
// acknowledged changes lost (each also a test failure).
func verifyAfterCrash(t *testing.T, dsn string, acked map[int64]*ack, cycle int) int {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	k, err := secret.Load(os.Getenv("KEXUAN_KEY_FILE"))
	if err != nil {
		t.Fatal(err)
	}
	a := app.New(db)
	a.Now = testclock.Now
	a.UseKey(k)
	a.UseCheckpoints(strings.TrimSuffix(os.Getenv("KEXUAN_KEY_FILE"), ".key") + ".checkpoints")
	if res, err := db.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Fatalf("cycle %d: integrity check: %s %v", cycle, res, err)
	}
	r, err := a.VerifyAudit(ctx, nil)
	if err != nil || !r.Intact() || r.Checkpoints == 0 {
		t.Fatalf("cycle %d: audit log: %v %+v", cycle, err, r)
	}
	order := map[domain.PieceState]int{domain.StateDraft: 0, domain.StateSubmitted: 1, domain.StateApproved: 2, domain.StateAdopted: 3}
	lost := 0
	for id, want := range acked {
		p, err := db.Q().Piece(ctx, id)
		if err != nil {
			t.Errorf("cycle %d: acknowledged piece %d lost: %v", cycle, id, err)
			lost++
			continue
		}
		if order[p.State] < order[want.state] {
			t.Errorf("cycle %d: piece %d: %s, but %s was acknowledged", cycle, id, p.State, want.state)
			lost++
		}
		if want.adopted {
			as, err := db.Q().PieceAdoptions(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if len(as) != 1 {
				t.Errorf("cycle %d: piece %d: acknowledged adoption lost", cycle, id)
				lost++
			}
		}
	}
	// Scores: the aggregate equals a recomputation from each record.
	p, err := db.Plan(ctx, 2017)
	if err != nil {
		t.Fatal(err)
	}
	asOf := plan.MustDate("2017-12-31")
	entries, err := db.Entries(ctx, p, asOf)
	if err != nil {
		t.Fatal(err)
	}
	agg := scoring.Score(p, asOf, entries, scoring.Options{NoLedger: true})
	for _, d := range agg.Departments {
		single, err := db.PublicationEntries(ctx, p, asOf, d.Code)
		if err != nil {
			t.Fatal(err)
		}
		one := scoring.Score(p, asOf, single, scoring.Options{NoLedger: true})
		for _, x := range one.Departments {
			if x.Code == d.Code && x.Total != d.Total {
				t.Errorf("cycle %d: %s: aggregate %v, recomputed %v", cycle, d.Code, d.Total, x.Total)
			}
		}
	}
	return lost
}

var startedRE = regexp.MustCompile(`已启动：(http://[0-9.:]+/)`)

func startServer(t *testing.T, dsn string, extra ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "KEXUAN_CRASH_SERVE=1", "KEXUAN_CRASH_DB="+dsn, "KEXUAN_CRASH_ARGS="+strings.Join(extra, " "))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := startedRE.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case base := <-found:
		return cmd, base
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("server did not start")
	}
	return nil, ""
}

func apiLogin(t *testing.T, base, user string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	if code := post(c, base+"api/v1/login", map[string]string{"username": user, "password": crashPassword}, nil); code != 200 {
		t.Fatalf("login %s: %d", user, code)
	}
	return c
}

// post sends JSON and decodes the answer into out; 0 when the server is gone.
func post(c *http.Client, url string, body, out any) int {
	b, _ := json.Marshal(body)
	if body == nil {
		b = nil
	}
	req, _ := http.NewRequest("POST", url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	res, err := c.Do(req)
	if err != nil {
		return 0
	}
	defer res.Body.Close()
	if out != nil {
		json.NewDecoder(res.Body).Decode(out)
	}
	return res.StatusCode
}

// reviewerEarly makes the accounts (the first leader among them reviews)
// and returns how that leader approves a piece: in this process, on the
// plan's calendar at the start of its year, so that the servers — whose
// calendar is the machine's, years after the 2017 plan — can record
// publications dated in that year after the approval. The app stays open
// until the test ends.
func reviewerEarly(t *testing.T, a *app.App, users []app.UserInput) func(id int64) error {
	t.Helper()
	ctx := context.Background()
	t.Cleanup(func() { a.Close() })
	var lead *app.Actor
	for _, u := range users {
		u.Password = crashPassword
		made, err := a.CreateUser(ctx, nil, u, false)
		if err != nil {
			t.Fatal(err)
		}
		if u.Role == domain.Leader && lead == nil {
			lead = &app.Actor{User: made, Address: "127.0.0.1"}
		}
	}
	// The first checkpoint names the database, as closing the app did.
	if err := a.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	p, err := a.Plan(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	early := testclock.EarlyIn(p.Year, p.Location())
	a.PlanClock = func() time.Time { return early }
	return func(id int64) error {
		_, err := a.Approve(ctx, lead, id, "")
		return err
	}
}
