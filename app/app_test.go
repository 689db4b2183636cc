package app_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/plan"
	"kexuan/scoring"
	"kexuan/store/storetest"
	"kexuan/testclock"
)

// renamed is the 2017 plan with every department, category and channel
// code changed: a plan of another bureau, whose codes appear nowhere in Go.
func renamed(t *testing.T) (*plan.Plan, []byte) {
	t.Helper()
	_, src := plan.Builtin()
	text := string(src)
	for old, new := range map[string]string{
		"intranet": "nw", "intranet_special": "nwzq", "shixun": "sx", "city_site": "sj", "media": "mt",
		"park_news": "yq", "resource_highlight": "zy", "office": "bgs", "hightech": "gx", "planning": "gh",
		"general": "zh", "ip": "zscq", "productivity": "scl",
	} {
		text = regexp.MustCompile(`\b`+old+`\b`).ReplaceAllString(text, new)
	}
	text = strings.ReplaceAll(text, `recorded_by = "bgs"`, `recorded_by = "office"`)
	p, err := plan.Parse("renamed.toml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return p, []byte(text)
}

type fixture struct {
	t     *testing.T
	app   *app.App
	users map[string]*app.Actor
	// cal is the plan's calendar: the tests' clock, moved to the start of
	// the plan's year while a fixture approves a piece.
	cal *testclock.Calendar
}

const pw = "Kx!2017-test"

func newFixture(t *testing.T, dsn string, p *plan.Plan, src []byte, dept, other string) *fixture {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t, dsn)
	if err := db.SavePlan(ctx, p, src); err != nil {
		t.Fatal(err)
	}
	a := app.New(db)
	a.Now = testclock.Now
	cal := &testclock.Calendar{}
	a.PlanClock = cal.Or(func() time.Time { return a.Now() })
	a.UseKey(storetest.Key(t))
	f := &fixture{t: t, app: a, users: map[string]*app.Actor{}, cal: cal}
	for _, in := range []app.UserInput{
		{Username: "reporter", Role: domain.Reporter, Department: dept},
		{Username: "leader", Role: domain.Leader, Leads: []string{dept, other}},
		{Username: "office", Role: domain.Office},
		{Username: "admin", Role: domain.Admin},
		{Username: "security", Role: domain.Security},
		{Username: "auditor", Role: domain.Auditor},
	} {
		in.Password = pw
		u, err := a.CreateUser(ctx, nil, in, false)
		if err != nil {
			t.Fatal(err)
		}
		f.users[in.Username] = &app.Actor{User: u, Address: "192.0.2.1"}
	}
	return f
}

// approved makes a piece and brings it through review.
func (f *fixture) approved(title string) int64 {
	f.t.Helper()
	ctx := context.Background()
	p, err := f.app.CreatePiece(ctx, f.users["reporter"], app.PieceInput{Title: title, Body: "<p>" + strings.Repeat("科技创新", 80) + "</p>"})
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.app.Submit(ctx, f.users["reporter"], p.ID); err != nil {
		f.t.Fatal(err)
	}
	// Approved at the start of the plan's year, before any day a test
	// dates its publication.
	pl, err := f.app.PlanOfPiece(ctx, p)
	if err != nil {
		f.t.Fatal(err)
	}
	f.cal.On(testclock.EarlyIn(pl.Year, pl.Location()), func() {
		if _, err := f.app.Approve(ctx, f.users["leader"], p.ID, ""); err != nil {
			f.t.Fatal(err)
		}
	})
	return p.ID
}

func (f *fixture) state(id int64) domain.PieceState {
	f.t.Helper()
	p, err := f.app.Piece(context.Background(), f.users["office"].User, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return p.State
}

// categoryOf returns the first channel of a category recorded by who.
func channelRecordedBy(p *plan.Plan, who string, kind string) *plan.Channel {
	for i := range p.Channels {
		c := p.Category(p.Channels[i].Category)
		if c.RecordedBy == who && c.Kind == kind && !p.Channels[i].OutletRequired {
			return &p.Channels[i]
		}
	}
	return nil
}

// Who records which category comes from the plan: under a plan whose codes
// differ, the office records its categories (counted at once) and a
// department records its own (counted once verified), and the score moves.
func TestRecordingFollowsThePlan(t *testing.T) {
	t.Parallel()
	for name, mk := range map[string]func(*testing.T) (*plan.Plan, []byte){
		"2017":    func(*testing.T) (*plan.Plan, []byte) { return plan.Builtin() },
		"renamed": renamed,
	} {
		t.Run(name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, dsn string) {
				p, src := mk(t)
				dept, other := p.Departments[1].Code, p.Departments[2].Code
				f := newFixture(t, dsn, p, src, dept, other)
				ctx := context.Background()
				officeCh := channelRecordedBy(p, plan.RecordedByOffice, plan.KindTarget)
				deptCh := channelRecordedBy(p, plan.RecordedByDepartment, plan.KindBonus)
				if officeCh == nil || deptCh == nil {
					t.Fatalf("plan lacks an office target channel or a department bonus channel")
				}
				id := f.approved("科技活动周")

				// A department may not record the office's category.
				if _, err := f.app.RecordAdoption(ctx, f.users["reporter"], id, app.AdoptionInput{Channel: officeCh.Code, Date: "2017-03-10"}); domain.ErrorOf(err).Code != domain.EForbidden {
					t.Errorf("reporter records %s: %v", officeCh.Code, err)
				}
				// Its own category waits for verification; the piece stays 已审核.
				rec, err := f.app.RecordAdoption(ctx, f.users["reporter"], id, app.AdoptionInput{Channel: deptCh.Code, Date: "2017-03-10", Issue: "https://example.org/a"})
				if err != nil {
					t.Fatal(err)
				}
				if rec.Counted || f.state(id) != domain.StateApproved {
					t.Errorf("an unverified record: counted %v, piece %s (want approved)", rec.Counted, f.state(id))
				}
				if err := f.app.Verify(ctx, f.users["office"], rec.ID, true, ""); err != nil {
					t.Fatal(err)
				}
				if f.state(id) != domain.StateAdopted {
					t.Errorf("after verification: %s, want adopted", f.state(id))
				}
				// The office records its own category, counted at once.
				id2 := f.approved("内网信息")
				rec2, err := f.app.RecordAdoption(ctx, f.users["office"], id2, app.AdoptionInput{Channel: officeCh.Code, Date: "2017-03-11"})
				if err != nil {
					t.Fatal(err)
				}
				if !rec2.Counted || f.state(id2) != domain.StateAdopted {
					t.Errorf("office record: counted %v, piece %s", rec2.Counted, f.state(id2))
				}
				_, res, err := f.app.Report(ctx, 2017, plan.Date{Year: 2017, Month: 12, Day: 31})
				if err != nil {
					t.Fatal(err)
				}
				for _, d := range res.Departments {
					if d.Code == dept {
						if d.Categories[officeCh.Category].Raw <= 0 || d.Bonuses[deptCh.Category].Points <= 0 {
							t.Errorf("%s scores nothing for %s/%s: %+v", dept, officeCh.Category, deptCh.Category, d)
						}
					}
				}
			})
		})
	}
}

// A rejected record leaves the piece 已审核, with the event in its history.
func TestRejectedRecordKeepsApproved(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		p, src := plan.Builtin()
		f := newFixture(t, dsn, p, src, p.Departments[1].Code, p.Departments[2].Code)
		ctx := context.Background()
		ch := channelRecordedBy(p, plan.RecordedByDepartment, plan.KindBonus)
		id := f.approved("报道")
		rec, err := f.app.RecordAdoption(ctx, f.users["reporter"], id, app.AdoptionInput{Channel: ch.Code, Date: "2017-04-01", Issue: "第 12 期"})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.app.Verify(ctx, f.users["office"], rec.ID, false, "未见刊发"); err != nil {
			t.Fatal(err)
		}
		if f.state(id) != domain.StateApproved {
			t.Errorf("after rejection: %s, want approved", f.state(id))
		}
		d, err := f.app.PieceDetail(ctx, f.users["office"].User, id)
		if err != nil {
			t.Fatal(err)
		}
		last := d.Events[len(d.Events)-1]
		if last.Action != "verify" || !strings.Contains(last.Comment, "不予认定") || !strings.Contains(last.Comment, ch.Name) {
			t.Errorf("history's last event: %+v", last)
		}
	})
}

// Sign-in folds the user name's case the way creation does.
func TestSignInFoldsCase(t *testing.T) {
	t.Parallel()
	p, src := plan.Builtin()
	f := newFixture(t, storetest.SQLite(t), p, src, p.Departments[1].Code, p.Departments[2].Code)
	ctx := context.Background()
	if _, err := f.app.CreateUser(ctx, nil, app.UserInput{Username: "RepA", Role: domain.Office, Password: pw}, false); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"repa", "RepA", " REPA "} {
		if _, u, err := f.app.Login(ctx, name, pw, "192.0.2.9"); err != nil || u.Username != "repa" {
			t.Errorf("sign in as %q: %v", name, err)
		}
	}
}

// Changing one's password, and an administrator's reset and update.
func TestPasswordsAndUsers(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		p, src := plan.Builtin()
		f := newFixture(t, dsn, p, src, p.Departments[1].Code, p.Departments[2].Code)
		ctx := context.Background()
		token, u, err := f.app.Login(ctx, "reporter", pw, "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		act := &app.Actor{User: u, Address: "192.0.2.1"}
		other, _, err := f.app.Login(ctx, "reporter", pw, "192.0.2.2")
		if err != nil {
			t.Fatal(err)
		}
		if err := f.app.ChangePassword(ctx, act, token, pw, "Qwerty123!"); domain.ErrorOf(err).Field != "new_password" {
			t.Errorf("a weak new password: %v", err)
		}
		if err := f.app.ChangePassword(ctx, act, token, pw, "Hq7#vtLm-kx"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.app.Authenticate(ctx, other); err == nil {
			t.Error("the other session survived a password change")
		}
		if _, _, err := f.app.Authenticate(ctx, token); err != nil {
			t.Errorf("this session ended: %v", err)
		}
		adm, sec := f.users["admin"], f.users["security"]
		for _, who := range []string{"office", "admin", "auditor"} {
			if _, err := f.app.ResetPassword(ctx, f.users[who], u.ID); domain.ErrorOf(err).Code != domain.EForbidden {
				t.Errorf("%s resets a password: %v", who, err)
			}
		}
		if _, err := f.app.ResetPassword(ctx, sec, adm.ID); domain.ErrorOf(err).Code != domain.EForbidden {
			t.Errorf("the security administrator resets the system administrator's password: %v", err)
		}
		// A reset hands the resetter no password: a one-time code (no
		// e-mail here) that only lets the holder set a new one.
		link, err := f.app.ResetPassword(ctx, sec, u.ID)
		if err != nil || link.Sent || link.Code == "" {
			t.Fatalf("reset: %+v %v", link, err)
		}
		if _, _, err := f.app.Authenticate(ctx, token); err != nil {
			t.Errorf("a reset ended the holder's session before they set a password: %v", err)
		}
		if err := f.app.SetPasswordByToken(ctx, app.AccountTokenInput{Username: "reporter", Code: strings.ToLower(link.Code), Password: "Zx8#mPq2-rt", Address: "192.0.2.9"}); err != nil {
			t.Fatalf("the holder sets a password with the code: %v", err)
		}
		if err := f.app.SetPasswordByToken(ctx, app.AccountTokenInput{Username: "reporter", Code: link.Code, Password: "Other#9pass-x", Address: "192.0.2.9"}); domain.ErrorOf(err).Field != "code" {
			t.Errorf("the code used twice: %v", err)
		}
		if _, _, err := f.app.Authenticate(ctx, token); err == nil {
			t.Error("setting the password left the user's session alive")
		}
		if _, _, err := f.app.Login(ctx, "reporter", "Zx8#mPq2-rt", "192.0.2.1"); err != nil {
			t.Errorf("after the reset: %v", err)
		}
		if err := f.app.UpdateUser(ctx, adm, u.ID, app.UserInput{Role: domain.Reporter, Department: "no-such", DisplayName: "x"}); domain.ErrorOf(err).Field != "department" {
			t.Errorf("update to an unknown department: %v", err)
		}
		if err := f.app.UpdateUser(ctx, adm, u.ID, app.UserInput{Role: domain.Reporter, Department: u.Department, DisplayName: "信息员", Disabled: true}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.app.Login(ctx, "reporter", "Zx8#mPq2-rt", "192.0.2.1"); err == nil {
			t.Error("a disabled account signed in")
		}
		if err := f.app.UpdateUser(ctx, adm, adm.ID, app.UserInput{Disabled: true}); domain.ErrorOf(err).Code != domain.EInvalid {
			t.Errorf("an administrator disables themself: %v", err)
		}
		// 三员分立: the system administrator makes accounts without a role;
		// only the security administrator gives one, never an
		// administrator's; nobody changes their own.
		// Its password is the holder's own (issue 20 item 3): one the
		// administrator typed does not work; the activation code sets it.
		nu, link, err := f.app.CreateAccount(ctx, adm, app.UserInput{Username: "newcomer", Role: domain.Office, Department: u.Department, Password: "Hq7#vtLm-kx9"})
		if err != nil || nu.Role != domain.Pending || link == nil || link.Kind != app.LinkActivate || link.Code == "" {
			t.Fatalf("an account made by the system administrator: %v, role %v, link %+v", err, nu, link)
		}
		if _, _, err := f.app.Login(ctx, "newcomer", "Hq7#vtLm-kx9", "192.0.2.1"); domain.ErrorOf(err).Code != domain.EUnauthorized {
			t.Errorf("the password the administrator typed signs in: %v", err)
		}
		if err := f.app.SetPasswordByToken(ctx, app.AccountTokenInput{Username: "newcomer", Code: link.Code, Password: "Own#pass-2017x", Address: "192.0.2.7"}); err != nil {
			t.Fatalf("the holder activates the account: %v", err)
		}
		if _, _, err := f.app.Login(ctx, "newcomer", "Own#pass-2017x", "192.0.2.1"); domain.ErrorOf(err).Code != domain.EForbidden {
			t.Errorf("an account without a role signed in: %v", err)
		}
		if err := f.app.AssignRole(ctx, adm, nu.ID, domain.Reporter, nil); domain.ErrorOf(err).Code != domain.EForbidden {
			t.Errorf("the system administrator gives a role: %v", err)
		}
		if err := f.app.AssignRole(ctx, sec, nu.ID, domain.Reporter, nil); err != nil {
			t.Errorf("the security administrator gives a role: %v", err)
		}
		if err := f.app.AssignRole(ctx, sec, adm.ID, domain.Office, nil); domain.ErrorOf(err).Code != domain.EForbidden {
			t.Errorf("the security administrator changes an administrator's role: %v", err)
		}
		if err := f.app.AssignRole(ctx, sec, sec.ID, domain.Office, nil); domain.ErrorOf(err).Code != domain.EForbidden {
			t.Errorf("the security administrator changes their own role: %v", err)
		}
		if err := f.app.UpdateUser(ctx, sec, nu.ID, app.UserInput{DisplayName: "x"}); domain.ErrorOf(err).Code != domain.EForbidden {
			t.Errorf("the security administrator edits an account: %v", err)
		}
		if _, err := f.app.AuditLog(ctx, adm, domain.AuditFilter{}, app.PageQuery{Limit: 5}); domain.ErrorOf(err).Code != domain.EForbidden {
			t.Errorf("the system administrator reads the audit log: %v", err)
		}
		pg, err := f.app.AuditLog(ctx, f.users["auditor"], domain.AuditFilter{Action: "role_assign", Result: domain.AuditOK}, app.PageQuery{Limit: 5})
		if err != nil || len(pg.Items) != 1 || pg.Items[0].Username != "security" {
			t.Errorf("the auditor sees the security administrator's role assignment: %v %v", err, pg)
		}
		reads, err := f.app.AuditLog(ctx, f.users["auditor"], domain.AuditFilter{Action: "audit_read"}, app.PageQuery{Limit: 5})
		if err != nil || len(reads.Items) == 0 || reads.Items[0].Username != "auditor" || !strings.Contains(reads.Items[0].Reason, "操作 "+domain.AuditActionName("role_assign")) {
			t.Errorf("the auditor's search was not audited: %v %+v", err, reads)
		}
	})
}

// The score aggregate stays equal to a recomputation from the publications
// through random sequences of every change that moves a score: adoptions
// recorded (counted at once or waiting), verified, rejected, their 字数
// overridden, imports, and the year's plan replaced with other tiers — on
// both databases, compared after each step, for several as_of days.
func TestAggregateProperty(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		p, src := plan.Builtin()
		dept, other := p.Departments[1].Code, p.Departments[2].Code
		f := newFixture(t, dsn, p, src, dept, other)
		ctx := context.Background()
		rnd := rand.New(rand.NewPCG(2017, uint64(len(dsn))))
		var pieces []int64
		for i := range 6 {
			pieces = append(pieces, f.approved(fmt.Sprintf("稿件%d", i)))
		}
		officeChans, deptChans := []string{}, []string{}
		for _, ch := range p.Channels {
			if p.Category(ch.Category).RecordedBy == plan.RecordedByOffice {
				officeChans = append(officeChans, ch.Code)
			} else if !ch.OutletRequired {
				deptChans = append(deptChans, ch.Code)
			}
		}
		day := func() string { return fmt.Sprintf("2017-%02d-%02d", 1+rnd.IntN(11), 1+rnd.IntN(28)) }
		var pending, counted []int64
		plans := 0
		for step := range 60 {
			var what string
			switch op := rnd.IntN(10); {
			case op < 3:
				what = "office records"
				words := rnd.IntN(700)
				rec, err := f.app.RecordAdoption(ctx, f.users["office"], pieces[rnd.IntN(len(pieces))],
					app.AdoptionInput{Channel: officeChans[rnd.IntN(len(officeChans))], Date: day(), Outlet: fmt.Sprint(step), Words: &words, Reason: "刊发时增补"})
				if err != nil {
					t.Fatalf("step %d: %v", step, err)
				}
				counted = append(counted, rec.ID)
			case op < 5:
				what = "department records"
				rec, err := f.app.RecordAdoption(ctx, f.users["reporter"], pieces[rnd.IntN(len(pieces))],
					app.AdoptionInput{Channel: deptChans[rnd.IntN(len(deptChans))], Date: day(), Outlet: fmt.Sprint(step), Issue: "第1期"})
				if err != nil {
					t.Fatalf("step %d: %v", step, err)
				}
				pending = append(pending, rec.ID)
			case op < 7 && len(pending) > 0:
				i := rnd.IntN(len(pending))
				accept := rnd.IntN(3) > 0
				what = fmt.Sprintf("verify %v", accept)
				if err := f.app.Verify(ctx, f.users["office"], pending[i], accept, "核实"); err != nil {
					t.Fatalf("step %d: %v", step, err)
				}
				if accept {
					counted = append(counted, pending[i])
				}
				pending = slices.Delete(pending, i, i+1)
			case op < 8 && len(counted) > 0:
				what = "words override"
				if err := f.app.OverrideWords(ctx, f.users["office"], counted[rnd.IntN(len(counted))], rnd.IntN(900), "刊发时删改"); err != nil {
					t.Fatalf("step %d: %v", step, err)
				}
			case op < 9:
				what = "import"
				im, err := f.app.DB.BeginImport(ctx, false)
				if err != nil {
					t.Fatal(err)
				}
				for i := range 1 + rnd.IntN(20) {
					d, _ := plan.ParseDate(day())
					ch := p.Channels[rnd.IntN(len(p.Channels))]
					if err := im.Add(domain.Publication{Department: p.Departments[rnd.IntN(len(p.Departments))].Code, Channel: ch.Code, Day: d,
						Title: fmt.Sprintf("导入%d-%d", step, i), Outlet: "河南日报", Words: rnd.IntN(800), Counted: true, Source: "import"}); err != nil {
						t.Fatal(err)
					}
				}
				if _, _, err := im.Commit(); err != nil {
					t.Fatalf("step %d: import: %v", step, err)
				}
			default:
				what = "plan replaced"
				plans++
				// Move the 金水时讯-style tier floors: 100 → 100+plans*10.
				text := strings.Replace(string(src), "min = 100", fmt.Sprintf("min = %d", 100+plans*10), -1)
				text = strings.Replace(text, "max = 99", fmt.Sprintf("max = %d", 99+plans*10), -1)
				// and the note that states them, or the plan is refused.
				text = strings.Replace(text, "100字以下计0.5分；100—300字", fmt.Sprintf("%d字以下计0.5分；%d—300字", 100+plans*10, 100+plans*10), 1)
				np, err := plan.Parse("replaced.toml", []byte(text))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := f.app.LoadPlan(ctx, nil, np, []byte(text), true, "测试：换档"); err != nil {
					t.Fatalf("step %d: %v", step, err)
				}
				p = np
			}
			diffs, err := f.app.DB.CheckAggregate(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(diffs) > 0 {
				t.Fatalf("step %d (%s): the aggregate differs from a recomputation: %v", step, what, diffs)
			}
			for _, asOf := range []plan.Date{{Year: 2017, Month: 3, Day: 15}, {Year: 2017, Month: 7, Day: 31}, {Year: 2017, Month: 12, Day: 31}} {
				cur, err := f.app.DB.Plan(ctx, 2017)
				if err != nil {
					t.Fatal(err)
				}
				_, got, err := f.app.Report(ctx, 2017, asOf)
				if err != nil {
					t.Fatal(err)
				}
				entries, err := f.app.DB.RecomputeEntries(ctx, cur, asOf)
				if err != nil {
					t.Fatal(err)
				}
				want := scoring.Score(cur, asOf, entries, scoring.Options{})
				if !reflect.DeepEqual(got, want) {
					agg, _ := f.app.DB.Entries(ctx, cur, asOf)
					for i := range got.Departments {
						if !reflect.DeepEqual(got.Departments[i], want.Departments[i]) {
							t.Logf("%s: got %+v\nwant %+v", got.Departments[i].Code, got.Departments[i], want.Departments[i])
						}
					}
					t.Logf("aggregate %v\nrecomputed %v", agg, entries)
					t.Fatalf("step %d (%s), as of %s: the report differs from a recomputation", step, what, asOf)
				}
			}
		}
	})
}

// The office's 加减分: recorded with a reason, counted in the report as its
// own ledger line, undone only by a counter-adjustment (once), audited.
func TestAdjustments(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		p, src := plan.Builtin()
		f := newFixture(t, dsn, p, src, p.Departments[1].Code, p.Departments[2].Code)
		ctx := context.Background()
		dept := p.Departments[1].Code
		office := f.users["office"]
		total := func() (adj, tot float64) {
			t.Helper()
			_, res, err := f.app.Report(ctx, 2017, plan.MustDate("2017-12-31"))
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range res.Departments {
				if d.Code == dept {
					return d.Adjustment, d.Total
				}
			}
			t.Fatal("department not in the report")
			return 0, 0
		}
		_, before := total()
		for _, bad := range []app.AdjustmentInput{
			{Department: dept, Date: "2017-06-01", Points: 2, Reason: ""},
			{Department: dept, Date: "2017-06-01", Points: 0.3, Reason: "x"},
			{Department: dept, Date: "2017-06-01", Points: 0, Reason: "x"},
			{Department: "nowhere", Date: "2017-06-01", Points: 1, Reason: "x"},
			{Department: dept, Date: "2017-06-01", Points: 1, Category: "nothing", Reason: "x"},
		} {
			if _, err := f.app.RecordAdjustment(ctx, office, bad); domain.ErrorOf(err).Code != domain.EInvalid {
				t.Errorf("%+v: %v, want invalid", bad, err)
			}
		}
		if _, err := f.app.RecordAdjustment(ctx, f.users["reporter"], app.AdjustmentInput{Department: dept, Date: "2017-06-01", Points: 5, Reason: "自己加分"}); domain.ErrorOf(err).Code != domain.EForbidden {
			t.Errorf("a reporter adjusts: %v", err)
		}
		adj, err := f.app.RecordAdjustment(ctx, office, app.AdjustmentInput{Department: dept, Date: "2017-06-01", Points: 2.5, Reason: "市级表彰"})
		if err != nil {
			t.Fatal(err)
		}
		if a, tot := total(); a != 2.5 || tot != before+2.5 {
			t.Errorf("after +2.5: adjustment %v total %v (before %v)", a, tot, before)
		}
		rev, err := f.app.ReverseAdjustment(ctx, office, adj.ID, "录入有误")
		if err != nil {
			t.Fatal(err)
		}
		if rev.Points != -2.5 || rev.Reverses != adj.ID {
			t.Errorf("reversal %+v", rev)
		}
		if a, tot := total(); a != 0 || tot != before {
			t.Errorf("after the reversal: adjustment %v total %v", a, tot)
		}
		for _, id := range []int64{adj.ID, rev.ID} {
			if _, err := f.app.ReverseAdjustment(ctx, office, id, "再冲一次"); domain.ErrorOf(err).Code != domain.EConflict {
				t.Errorf("reversing %d again: %v", id, err)
			}
		}
		pg, err := f.app.Adjustments(ctx, office, 2017, "", app.PageQuery{})
		if err != nil || len(pg.Items) != 2 || pg.Items[1].ReversedBy != rev.ID {
			t.Fatalf("list: %v %+v", err, pg)
		}
		rows, err := f.app.DB.Q().AuditEntries(ctx, domain.AuditFilter{Action: "adjustment_record", Result: domain.AuditOK})
		if err != nil || len(rows) != 1 || !strings.Contains(rows[0].Reason, "市级表彰") {
			t.Errorf("audit: %v %+v", err, rows)
		}
	})
}
