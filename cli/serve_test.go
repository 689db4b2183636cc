package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"kexuan/store/storetest"
	"kexuan/testclock"
)

// lineWriter passes what serve prints, line by line.
type lineWriter struct{ ch chan string }

func (w lineWriter) Write(p []byte) (int, error) {
	sc := bufio.NewScanner(strings.NewReader(string(p)))
	for sc.Scan() {
		w.ch <- sc.Text()
	}
	return len(p), nil
}

// `kexuan serve --demo` on an empty database: a living system, accounts
// printed, each able to sign in; and a graceful stop.
func TestServeDemo(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		ctx, cancel := context.WithCancel(context.Background())
		lines := make(chan string, 1000)
		done := make(chan int, 1)
		go func() {
			done <- Run(ctx, []string{"serve", "--db", dsn, "--addr", "127.0.0.1:0", "--demo"},
				Env{Stdin: strings.NewReader(""), Stdout: lineWriter{lines}, Stderr: io.Discard, Now: testclock.Now})
		}()
		var base string
		accounts := map[string]string{}
		started := regexp.MustCompile(`已启动：(http://[0-9.:]+/)`)
		account := regexp.MustCompile(`^  ([a-z.0-9]+)\s+(\S+)\s`)
		timeout := time.After(2 * time.Minute)
	read:
		for {
			select {
			case l := <-lines:
				if m := started.FindStringSubmatch(l); m != nil {
					base = m[1]
				}
				if m := account.FindStringSubmatch(l); m != nil {
					accounts[m[1]] = m[2]
				}
				if strings.Contains(l, "按 Ctrl+C 停止") {
					break read
				}
			case code := <-done:
				t.Fatalf("serve exited %d", code)
			case <-timeout:
				t.Fatal("serve did not start")
			}
		}
		for _, role := range []string{"reporter", "head", "leader", "chief", "office", "admin", "security", "auditor"} {
			if accounts[role] == "" {
				t.Fatalf("no %s account printed: %v", role, accounts)
			}
		}
		res, err := http.Get(base + "healthz")
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("healthz: %v %v", res, err)
		}
		login := func(user string) *http.Client {
			c := &http.Client{Jar: newJar()}
			res, err := c.Post(base+"api/v1/login", "application/json", strings.NewReader(`{"username":"`+user+`","password":"`+accounts[user]+`"}`))
			if err != nil || res.StatusCode != 200 {
				t.Fatalf("login %s: %v %v", user, res.StatusCode, err)
			}
			return c
		}
		// The year is lived: the leader and the chief have work waiting, the
		// report has points.
		for _, who := range []string{"leader", "chief"} {
			res, _ := login(who).Get(base + "api/v1/reviews")
			var q struct{ Pieces []any }
			json.NewDecoder(res.Body).Decode(&q)
			if len(q.Pieces) == 0 {
				t.Errorf("%s has nothing to review", who)
			}
		}
		res, _ = login("office").Get(base + "api/v1/report?year=2017")
		var r struct {
			Departments []struct {
				Total     float64 `json:"total"`
				TaskScore float64 `json:"task_score"`
			} `json:"departments"`
		}
		json.NewDecoder(res.Body).Decode(&r)
		if len(r.Departments) != 6 || r.Departments[0].TaskScore == 0 {
			t.Errorf("demo report: %+v", r)
		}
		// The year's field work: the enterprise register, each department's visits.
		res, _ = login("leader").Get(base + "api/v1/visits/summary?year=2017")
		var vs struct {
			Departments []struct {
				Months []struct{ Visits int }
			}
		}
		json.NewDecoder(res.Body).Decode(&vs)
		if len(vs.Departments) != 5 || len(vs.Departments[0].Months) != 12 || vs.Departments[0].Months[0].Visits == 0 {
			t.Errorf("demo visits: %+v", vs)
		}
		res, _ = login("office").Get(base + "api/v1/enterprises?limit=200")
		var es struct{ Enterprises []any }
		json.NewDecoder(res.Body).Decode(&es)
		if len(es.Enterprises) < 80 {
			t.Errorf("demo enterprises: %d", len(es.Enterprises))
		}
		// What is made in the demo is dated in its year, beside its records.
		res, err = login("reporter").Post(base+"api/v1/pieces", "application/json",
			strings.NewReader(`{"title":"演示中新写的稿件","body":"<p>全区科技创新大会召开。</p>","themes":[1],"channels":[]}`))
		if err != nil || res.StatusCode != 201 {
			t.Fatalf("a new piece in the demo: %v %v", res, err)
		}
		var made struct {
			CreatedAt string `json:"created_at"`
		}
		json.NewDecoder(res.Body).Decode(&made)
		if !strings.HasPrefix(made.CreatedAt, "2017-12-29") {
			t.Errorf("a piece made in the demo is dated %q, not in its year", made.CreatedAt)
		}
		// Only the plan's calendar is the demo's: an authenticator app's
		// codes, computed from the wall clock, enrol an administrator and
		// sign them in again.
		demoSecondFactor(t, base, accounts["auditor"])
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("serve stopped with %d", code)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("serve did not stop")
		}
	})
}

func newJar() http.CookieJar {
	j, _ := cookiejar.New(nil)
	return j
}

// demoSecondFactor enrols user's second factor with a code from the wall
// clock (the tests' clock) in a running demo, then signs in with the next.
func demoSecondFactor(t *testing.T, base, password string) {
	t.Helper()
	post := func(c *http.Client, path, body string) (int, string) {
		t.Helper()
		res, err := c.Post(base+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	login := `{"username":"auditor","password":"` + password + `"}`
	c := &http.Client{Jar: newJar()}
	if st, body := post(c, "api/v1/login", login); st != 200 || !strings.Contains(body, `"second_factor":"enrol"`) {
		t.Fatalf("the auditor's first sign-in in the demo: %d %s", st, body)
	}
	st, body := post(c, "api/v1/second-factor/enrol", `{"password":"`+password+`"}`)
	var en struct{ Secret string }
	if err := json.Unmarshal([]byte(body), &en); st != 200 || err != nil || en.Secret == "" {
		t.Fatalf("enrol in the demo: %d %s", st, body)
	}
	now := testclock.Now()
	code, err := totp.GenerateCode(en.Secret, now)
	if err != nil {
		t.Fatal(err)
	}
	if st, body := post(c, "api/v1/second-factor/confirm", `{"code":"`+code+`"}`); st != 200 {
		t.Fatalf("a code from the wall clock refused in the demo: %d %s", st, body)
	}
	// The next code (the next 30-second step) signs in again.
	next, err := totp.GenerateCode(en.Secret, now.Add(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	c = &http.Client{Jar: newJar()}
	if st, body := post(c, "api/v1/login", login); st != 200 || !strings.Contains(body, `"second_factor":"code"`) {
		t.Fatalf("the auditor's second sign-in in the demo: %d %s", st, body)
	}
	if st, body := post(c, "api/v1/login/code", `{"code":"`+next+`"}`); st != 200 {
		t.Fatalf("the next code refused in the demo: %d %s", st, body)
	}
	res, err := c.Get(base + "api/v1/audit")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("the audit log after the second factor: %v %v", res, err)
	}
	res.Body.Close()
}
