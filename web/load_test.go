package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/plan"
	"kexuan/store/storetest"
)

// TestManyAtOnce: fifty people at once, on both databases, through real
// HTTP. Each client is a reporter of a department of the plan (all of them
// in turn) and does, a fixed number of rounds, every write the system has
// with the reviewers and the office it shares with the others: write and
// submit a piece, have it returned and submit it again, approve it,
// comment on it, record publications (by the office, and by the reporter
// for the office to verify), correct a 字数, delete a record, adjust the
// score and reverse it, remind a department, import a register, and close
// and reopen a month the publications fall in. Where two people change one
// thing at the same moment (two reviewers approve one piece, two clerks
// verify one record or reverse one adjustment, everyone closes and reopens
// the same month) one wins and the other is told so with a 409; any other
// refusal, any 5xx and any request past its deadline fails the test.
// Afterwards the score aggregate equals the recomputation from the
// publications and the audit chain holds (kexuan check), and the month is
// closed at most once.
func TestManyAtOnce(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		const clients, rounds = 50, 2
		e := newEnv(t, dsn)
		// The run works on the first of March on the plan's calendar:
		// pieces are approved and appear that day; February, over, is
		// closed and reopened while registers and adjustments dated in it
		// come in as corrections.
		e.cal.Set(time.Date(2017, 3, 1, 10, 0, 0, 0, plan.DefaultLocation()))
		ctx := context.Background()
		p, err := e.app.DB.Plan(ctx, 2017)
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, d := range p.Departments {
			codes = append(codes, d.Code)
		}
		// Accounts: a reporter per client, two reviewers who lead every
		// department, three clerks of the office, the chief.
		mk := func(in app.UserInput) {
			in.Password = testPassword
			if _, err := e.app.CreateUser(ctx, nil, in, false); err != nil {
				t.Fatal(err)
			}
		}
		for i := range clients {
			mk(app.UserInput{Username: fmt.Sprintf("load-reporter-%d", i), Role: domain.Reporter, Department: codes[i%len(codes)], DisplayName: fmt.Sprintf("信息员%d", i)})
		}
		for i := range 2 {
			mk(app.UserInput{Username: fmt.Sprintf("load-leader-%d", i), Role: domain.Leader, Leads: codes, DisplayName: fmt.Sprintf("分管领导%d", i)})
		}
		for i := range 3 {
			mk(app.UserInput{Username: fmt.Sprintf("load-office-%d", i), Role: domain.Office, DisplayName: fmt.Sprintf("办公室%d", i)})
		}

		// No request may hang: all of them share one deadline.
		deadline, cancel := context.WithTimeout(ctx, 8*time.Minute)
		defer cancel()
		signIn := func(user string) *loadClient {
			c := newLoadClient(e, deadline)
			if _, err := c.call("POST", "/api/v1/login", map[string]string{"username": user, "password": testPassword}, nil, 200); err != nil {
				t.Fatal(err)
			}
			return c
		}
		leaders := []*loadClient{signIn("load-leader-0"), signIn("load-leader-1")}
		offices := []*loadClient{signIn("load-office-0"), signIn("load-office-1"), signIn("load-office-2")}
		chief := signIn("chief")
		reporters := make([]*loadClient, clients)
		for i := range reporters {
			reporters[i] = signIn(fmt.Sprintf("load-reporter-%d", i))
		}

		var mu sync.Mutex
		tally := map[string]map[int]int{} // step → status → count
		note := func(step string, status int) {
			mu.Lock()
			defer mu.Unlock()
			if tally[step] == nil {
				tally[step] = map[int]int{}
			}
			tally[step][status]++
		}
		dir := t.TempDir()
		var wg sync.WaitGroup
		fails := make(chan error, clients)
		for i := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w := loadWorker{i: i, dept: codes[i%len(codes)], e: e, p: p, dir: dir, note: note,
					rep: reporters[i], leader: leaders[i%2], other: leaders[(i+1)%2],
					office: offices[i%3], clerk: offices[(i+1)%3], chief: chief}
				for r := range rounds {
					if err := w.round(r); err != nil {
						fails <- fmt.Errorf("client %d, round %d: %w", i, r, err)
						return
					}
				}
			}()
		}
		wg.Wait()
		close(fails)
		for err := range fails {
			t.Error(err)
		}
		t.Logf("statuses by step: %v", tally)
		if t.Failed() {
			return
		}
		// Two people at one thing: exactly one of them won each time.
		for step, win := range map[string]int{"approve-contested": 200, "verify-contested": 200, "reverse-contested": 201} {
			if got := tally[step][win]; got != clients*rounds {
				t.Errorf("%s: %d won, want one a pair (%d): %v", step, got, clients*rounds, tally[step])
			}
			if got := tally[step][409]; got != clients*rounds {
				t.Errorf("%s: %d told 409, want one a pair (%d): %v", step, got, clients*rounds, tally[step])
			}
		}
		if tally["close"][201]+tally["close"][200] == 0 || tally["reopen"][200] == 0 {
			t.Errorf("the month was never closed or never reopened: %v %v", tally["close"], tally["reopen"])
		}
		before, _, err := e.app.Check(ctx, false)
		if err != nil || before != "ok" {
			t.Fatalf("kexuan check after the load: %q %v", before, err)
		}
		// Each close is one period row: of those not reopened at most one
		// for the month.
		ps, err := e.app.DB.Q().ClosedPeriods(ctx, 2017, plan.Date{Year: 2017, Month: 1, Day: 1})
		if err != nil || len(ps) > 1 {
			t.Errorf("the month is closed %d times at once: %v", len(ps), err)
		}
	})
}

// loadWorker is one client's round of work and the people it works with.
type loadWorker struct {
	i                    int
	dept                 string
	e                    *env
	p                    *plan.Plan
	dir                  string
	note                 func(step string, status int)
	rep, leader, other   *loadClient
	office, clerk, chief *loadClient
}

const loadReason = "负载测试：结账月份内的更正"

func (w *loadWorker) round(r int) error {
	day := fmt.Sprintf("2017-02-%02d", 1+(w.i*7+r)%27)
	const appeared = "2017-03-01" // the calendar's day: a piece appears after its approval
	id := fmt.Sprintf("%d-%d", w.i, r)
	var piece pieceOut
	if err := w.step("create", w.rep, "POST", "/api/v1/pieces", map[string]any{"title": "负载稿件 " + id,
		"body": "<p>金水区召开科技创新大会，共一百余家企业参加。</p>", "themes": []int{1}, "channels": []string{"intranet"}}, &piece, 201); err != nil {
		return err
	}
	pid := itoa(piece.ID)
	if err := w.step("submit", w.rep, "POST", "/api/v1/pieces/"+pid+"/submit", nil, nil, 200); err != nil {
		return err
	}
	if err := w.step("return", w.leader, "POST", "/api/v1/pieces/"+pid+"/return", map[string]string{"comment": "请补充数据"}, nil, 200); err != nil {
		return err
	}
	if err := w.step("submit", w.rep, "POST", "/api/v1/pieces/"+pid+"/submit", nil, nil, 200); err != nil {
		return err
	}
	// Both reviewers approve at the same moment: one does.
	if err := w.pair("approve-contested", 200, w.leader, w.other, "POST", "/api/v1/pieces/"+pid+"/approve", map[string]string{"comment": "同意"}); err != nil {
		return err
	}
	if err := w.step("comment", w.leader, "POST", "/api/v1/instructions", map[string]any{"object": "piece:" + pid, "text": "写得好，继续"}, nil, 201); err != nil {
		return err
	}
	// The office records one publication; the reporter another, which the
	// office verifies — two clerks at once.
	var byOffice, byReporter struct {
		ID int64 `json:"id"`
	}
	if err := w.step("adopt", w.office, "POST", "/api/v1/pieces/"+pid+"/adoptions", map[string]any{"channel": "shixun", "date": appeared, "words": 520, "reason": loadReason}, &byOffice, 201); err != nil {
		return err
	}
	if err := w.step("adopt", w.rep, "POST", "/api/v1/pieces/"+pid+"/adoptions", map[string]any{"channel": "media", "date": appeared, "outlet": "郑州日报", "issue": "第" + id + "版", "reason": loadReason}, &byReporter, 201); err != nil {
		return err
	}
	if err := w.pair("verify-contested", 200, w.office, w.clerk, "POST", "/api/v1/adoptions/"+itoa(byReporter.ID)+"/verify", map[string]any{"accept": true, "reason": loadReason}); err != nil {
		return err
	}
	if err := w.step("words", w.office, "POST", "/api/v1/adoptions/"+itoa(byOffice.ID)+"/words", map[string]any{"words": 280, "reason": loadReason}, nil, 200); err != nil {
		return err
	}
	if r%2 == 1 {
		if err := w.step("delete", w.office, "POST", "/api/v1/adoptions/"+itoa(byReporter.ID)+"/delete", map[string]any{"reason": loadReason}, nil, 200); err != nil {
			return err
		}
	} else {
		// Undone by two clerks at once: one does it, the other is told; then
		// verified again in a batch.
		if err := w.pair("unverify-contested", 200, w.office, w.clerk, "POST", "/api/v1/adoptions/"+itoa(byReporter.ID)+"/unverify", map[string]any{"reason": loadReason}); err != nil {
			return err
		}
		if err := w.step("verify-batch", w.office, "POST", "/api/v1/adoptions/verify", map[string]any{"ids": []int64{byReporter.ID}}, nil, 200); err != nil {
			return err
		}
	}
	var adj struct {
		ID int64 `json:"id"`
	}
	if err := w.step("adjust", w.office, "POST", "/api/v1/adjustments", map[string]any{"department": w.dept, "date": day, "points": 1.5, "reason": loadReason}, &adj, 201); err != nil {
		return err
	}
	if err := w.pair("reverse-contested", 201, w.office, w.clerk, "POST", "/api/v1/adjustments/"+itoa(adj.ID)+"/reverse", map[string]string{"reason": loadReason}); err != nil {
		return err
	}
	if err := w.step("remind", w.office, "POST", "/api/v1/departments/"+w.dept+"/remind", map[string]string{"text": "请按时报送本月稿件"}, nil, 200, 409); err != nil { // once a department a day
		return err
	}
	if w.i%5 == 0 {
		if err := w.importRegister(id, day); err != nil {
			return err
		}
	}
	// Everyone closes February and the chief reopens it: whoever comes
	// second is told it already is.
	if err := w.step("close", w.office, "POST", "/api/v1/periods", map[string]string{"period": "2017-02", "reason": "二月考核结账"}, nil, 200, 201, 409); err != nil {
		return err
	}
	return w.step("reopen", w.chief, "POST", "/api/v1/periods/2017-02/reopen", map[string]string{"reason": "补录二月稿件"}, nil, 200, 409)
}

// importRegister imports a small register of the client's department
// through the door the command line uses.
func (w *loadWorker) importRegister(id, day string) error {
	var dept, channel string
	for _, d := range w.p.Departments {
		if d.Code == w.dept {
			dept = d.Name
		}
	}
	for _, c := range w.p.Channels {
		if c.Code == "intranet" {
			channel = c.Name
		}
	}
	var b strings.Builder
	b.WriteString("科室,渠道,日期,标题,字数,媒体\n")
	for n := range 20 {
		fmt.Fprintf(&b, "%s,%s,%s,登记表 %s 第%d条,300,\n", dept, channel, day, id, n)
	}
	path := filepath.Join(w.dir, "register-"+id+".csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		return err
	}
	res, err := w.e.app.Import(context.Background(), w.e.actor("office"), path, loadReason, false)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	if res.Inserted != 20 {
		return fmt.Errorf("import: %d inserted, want 20", res.Inserted)
	}
	w.note("import", 200)
	return nil
}

// step makes one request and checks its status is one of want.
func (w *loadWorker) step(name string, c *loadClient, method, path string, body, out any, want ...int) error {
	status, err := c.call(method, path, body, out, want...)
	w.note(name, status)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// pair makes the same request as two people at the same moment: one must
// succeed (status win) and the other be told 409.
func (w *loadWorker) pair(name string, win int, a, b *loadClient, method, path string, body any) error {
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	errs := make([]error, 2)
	for k, c := range []*loadClient{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[k], errs[k] = c.call(method, path, body, nil, win, 409)
		}()
	}
	wg.Wait()
	for k := range 2 {
		w.note(name, statuses[k])
		if errs[k] != nil {
			return fmt.Errorf("%s: %w", name, errs[k])
		}
	}
	if slices.Sorted(slices.Values(statuses))[0] != win || statuses[0] == statuses[1] {
		return fmt.Errorf("%s %s by two at once: %v, want one %d and one 409", name, path, statuses, win)
	}
	return nil
}

// loadClient is one signed-in session, safe for concurrent use; each
// request has a deadline, so that a hang fails instead of waiting.
type loadClient struct {
	base string
	http *http.Client
	ctx  context.Context // the test's deadline
}

func newLoadClient(e *env, ctx context.Context) *loadClient {
	jar, _ := cookiejar.New(nil)
	return &loadClient{base: e.ts.URL, ctx: ctx, http: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// call sends a JSON request and decodes a JSON answer into out (nil: not
// read). A status outside want is an error that says what came back; a 409
// must say in Chinese what conflicted.
func (c *loadClient) call(method, path string, body, out any, want ...int) (int, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(c.ctx, method, c.base+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if !slices.Contains(want, res.StatusCode) {
		return res.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, b)
	}
	if res.StatusCode == http.StatusConflict {
		var e struct {
			Error struct{ Code, Message string }
		}
		if json.Unmarshal(b, &e) != nil || e.Error.Code != domain.EConflict || e.Error.Message == "" {
			return res.StatusCode, fmt.Errorf("%s %s: a 409 that does not say what conflicted: %s", method, path, b)
		}
	}
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			return res.StatusCode, fmt.Errorf("%s %s: %w: %s", method, path, err, b)
		}
	}
	return res.StatusCode, nil
}
