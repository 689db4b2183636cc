// Package app is kexuan's service layer: every action a user takes —
// signing in, drafting, submitting, reviewing, recording and verifying
// adoptions, reading the score, managing accounts — with the permission
// checks on the actor and the object, the transaction, and the audit row.
// The web pages and the JSON API both call it and know nothing else.
package app

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"kexuan/domain"
	"kexuan/plan"
	"kexuan/scoring"
	"kexuan/secret"
	"kexuan/store"
)

// Short names for the domain's errors.
var (
	invalid     = domain.Invalid
	forbidden   = domain.Forbidden
	conflict    = domain.Conflict
	errNotFound = domain.ErrNotFound
)

// App holds the database and the clocks.
type App struct {
	DB *store.DB
	// Now is the wall clock: sessions, lockouts, second-factor codes,
	// robot signatures, tokens and audit times follow it, always.
	Now func() time.Time
	// PlanClock is the plan's calendar: which day of the plan it is (what
	// is due, what month it is, the day new work is dated). Nil means Now;
	// the demo sets it to its day in the plan's year. Read it through
	// CalendarNow.
	PlanClock func() time.Time
	// Key is the installation's key (UseKey): the audit chain's MAC, the
	// seal on personal data and second factors.
	Key *secret.Key

	Log *slog.Logger
	// SiteURL is the address people open kexuan at (kexuan serve
	// --site-url, without its final slash): when set, every link in a mail
	// or a robot message begins with it, and the delivery page's setting
	// of the same name is shown, not asked.
	SiteURL string
	// WeCom is where 企业微信 is called (kexuan serve --wecom-api, --wecom-auth).
	WeCom WeComEndpoints
	// Delivery bounds where notices are sent beyond the page.
	Delivery DeliveryPolicy

	throttle     *throttle
	signIns      signInGate // failed sign-ins' audit rows, bounded a minute
	reports      reportCache
	ledgerCounts ledgerCounts

	weComToken weComToken // the 企业微信 application's access token, kept

	cp checkpoints // the audit chain's head, outside the database

	policyMu    sync.Mutex
	policy      Policy // cachedPolicy's answer, kept until policyUntil
	policyUntil time.Time

	zoneMu    sync.Mutex
	zone      *time.Location // Zone's answer, kept until zoneUntil
	zoneUntil time.Time

	waitingMu sync.Mutex
	waiting   map[int64]waitingEntry // the header's counts per user, briefly kept
}

// New returns an App on db.
func New(db *store.DB) *App {
	a := &App{DB: db, Now: time.Now, Log: slog.Default(), throttle: newThrottle(ThrottleWindow)}
	db.SetClock(a.CalendarNow, func() time.Time { return a.Now() })
	return a
}

// CalendarNow is the instant on the plan's calendar: PlanClock, or Now.
func (a *App) CalendarNow() time.Time {
	if a.PlanClock != nil {
		return a.PlanClock()
	}
	return a.Now()
}

// Today is the plan's day in loc (the plan's time zone).
func (a *App) Today(loc *time.Location) plan.Date { return plan.DateOf(a.CalendarNow().In(loc)) }

// Zone is the time zone of the current plan (the plan file's timezone),
// in which pages show times; Asia/Shanghai before any plan is loaded.
func (a *App) Zone(ctx context.Context) *time.Location {
	// Every page asks; a plan's time zone changes only with a new plan, so
	// the answer is kept a few seconds.
	a.zoneMu.Lock()
	defer a.zoneMu.Unlock()
	if now := time.Now(); a.zone != nil && now.Before(a.zoneUntil) {
		return a.zone
	}
	loc := plan.DefaultLocation()
	if p, err := a.Plan(ctx, 0); err == nil {
		loc = p.Location()
	}
	a.zone, a.zoneUntil = loc, time.Now().Add(5*time.Second)
	return loc
}

// Close checkpoints the audit chain's head and closes the database.
func (a *App) Close() error {
	if err := a.Checkpoint(context.Background()); err != nil {
		a.Log.Error("audit checkpoint at close", "err", err)
	}
	return a.DB.Close()
}

// Actor is the signed-in user acting, and where from.
type Actor struct {
	*domain.User
	Address string
}

func (a *App) audit(ctx context.Context, q *store.Q, act *Actor, action, object, result, reason string) error {
	e := &domain.AuditEntry{At: a.Now(), Action: action, Object: object, Result: result, Reason: reason}
	if act == nil {
		e.Address = "cli" // the command line, run on the server by its operator
	}
	if act != nil {
		e.Address = act.Address
		if act.User != nil {
			e.UserID, e.Username, e.Role = act.ID, act.Username, string(act.Role)
		}
	}
	if err := q.Audit(ctx, e); err != nil {
		return err
	}
	a.audited()
	return nil
}

// AuditDenied records an authorisation failure (its own transaction).
func (a *App) AuditDenied(ctx context.Context, act *Actor, action, object, reason string) {
	a.auditAlways(ctx, act, action, object, domain.AuditDenied, reason)
}

// auditAlways writes an audit row in a transaction of its own, with a context
// a client that hangs up cannot cancel; a row that cannot be written is a
// logged error (the refusal it records stands either way).
func (a *App) auditAlways(ctx context.Context, act *Actor, action, object, result, reason string) {
	ctx = context.WithoutCancel(ctx)
	if err := a.DB.InTx(ctx, func(q *store.Q) error { return a.audit(ctx, q, act, action, object, result, reason) }); err != nil {
		a.Log.Error("audit row not written", "action", action, "object", object, "err", err)
	}
}

// refused audits an action on an object that was refused for permission
// (403) or because the object is not the actor's to see (404 of a hidden
// object). Use it deferred, with the method's named error.
func (a *App) refused(ctx context.Context, act *Actor, action, object string, err *error) {
	if *err == nil || act == nil {
		return
	}
	var e *domain.Error
	if !errors.As(*err, &e) || (e.Code != domain.EForbidden && e != errNotFound) {
		return
	}
	a.auditAlways(ctx, act, action, object, domain.AuditDenied, e.Message)
}

// Plan returns the plan of a year, or of the newest year when year is 0.
func (a *App) Plan(ctx context.Context, year int) (*plan.Plan, error) {
	return a.planFrom(ctx, a.DB, year)
}

// PlanOfPiece is the plan a piece was written under: that of the year it
// was made in (in the plan's zone), or, for a year with no plan of its own,
// the current one. A piece of 2017 keeps 2017's themes and channels when
// 2018's plan is loaded.
func (a *App) PlanOfPiece(ctx context.Context, p *domain.Piece) (*plan.Plan, error) {
	return a.planOfTime(ctx, a.DB, p.CreatedAt)
}

// planOfTime reads only through src (a transaction's q stays off the pool).
// PlanForPiece is PlanOfPiece by id, for a piece u may see (0: a new
// piece, this year's plan).
func (a *App) PlanForPiece(ctx context.Context, u *domain.User, id int64) (*plan.Plan, error) {
	if id == 0 {
		return a.Plan(ctx, 0)
	}
	p, err := a.piece(ctx, a.DB.Q(), u, id)
	if err != nil {
		return nil, err
	}
	return a.PlanOfPiece(ctx, p)
}

func (a *App) planOfTime(ctx context.Context, src planSource, at time.Time) (*plan.Plan, error) {
	cur, err := a.planFrom(ctx, src, 0)
	if err != nil || at.IsZero() {
		return cur, err
	}
	year := at.In(cur.Location()).Year()
	if year == cur.Year {
		return cur, nil
	}
	pl, err := a.planFrom(ctx, src, year)
	if domain.ErrorOf(err).Code == domain.ENotFound {
		return cur, nil
	}
	return pl, err
}

// planIn is Plan inside a transaction: through q, never the pool (a pool
// of one would wait for itself).
func (a *App) planIn(ctx context.Context, q *store.Q, year int) (*plan.Plan, error) {
	return a.planFrom(ctx, q, year)
}

// planSource is where plans are read: the pool, or a transaction.
type planSource interface {
	Plan(ctx context.Context, year int) (*plan.Plan, error)
	Plans(ctx context.Context) ([]*plan.Plan, error)
}

func (a *App) planFrom(ctx context.Context, src planSource, year int) (*plan.Plan, error) {
	if year == 0 {
		ps, err := src.Plans(ctx)
		if err != nil {
			return nil, err
		}
		if len(ps) == 0 {
			return nil, &domain.Error{Code: domain.ENotFound, Message: "尚未载入任何考核方案"}
		}
		today := a.CalendarNow().In(plan.DefaultLocation()).Year()
		for _, p := range ps {
			if p.Year == today {
				return p, nil
			}
		}
		return ps[len(ps)-1], nil
	}
	p, err := src.Plan(ctx, year)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &domain.Error{Code: domain.ENotFound, Field: "year", Message: fmt.Sprintf("%d 年没有考核方案", year)}
	}
	return p, err
}

// Report is the assessment of a plan year as of a date (zero: the default),
// computed by the same engine and query as `kexuan report`. Results are
// kept per (year, as_of) while the aggregate's version stays (one small
// query tells); callers must not change them.
func (a *App) Report(ctx context.Context, year int, asOf plan.Date) (*plan.Plan, *scoring.Result, error) {
	p, res, _, err := a.report(ctx, year, asOf)
	return p, res, err
}

// report is Report with the score version it was computed at.
func (a *App) report(ctx context.Context, year int, asOf plan.Date) (*plan.Plan, *scoring.Result, int64, error) {
	p, err := a.Plan(ctx, year)
	if err != nil {
		return nil, nil, 0, err
	}
	if asOf.IsZero() {
		asOf = scoring.DefaultAsOf(p, a.Today(p.Location()))
	}
	version, err := a.DB.ScoreVersion(ctx)
	if err != nil {
		return nil, nil, 0, err
	}
	key := reportKey{p.Year, asOf, p}
	if res := a.reports.get(version, key); res != nil {
		return p, res, version, nil
	}
	res, err := a.score(ctx, p, asOf, "", false)
	if err != nil {
		return nil, nil, 0, err
	}
	a.reports.put(version, key, res)
	return p, res, version, nil
}

// ledgerCounts keeps how many single-publication lines a ledger selection
// has, until a score changes (the count reads the aggregate; a page shows it
// on every request).
type ledgerCounts struct {
	mu      sync.Mutex
	version int64
	n       map[string]int
}

func (c *ledgerCounts) get(version int64, key string) (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != version {
		return 0, false
	}
	n, ok := c.n[key]
	return n, ok
}

func (c *ledgerCounts) put(version int64, key string, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != version || len(c.n) > 1024 {
		c.version, c.n = version, map[string]int{}
	}
	c.n[key] = n
}

type reportKey struct {
	year int
	asOf plan.Date
	plan *plan.Plan // a plan replaced is another key (and moves the version)
}

// reportCache holds computed reports of one aggregate version.
type reportCache struct {
	mu      sync.Mutex
	version int64
	results map[reportKey]*scoring.Result
}

const maxCachedReports = 64

func (c *reportCache) get(version int64, k reportKey) *scoring.Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != version {
		return nil
	}
	return c.results[k]
}

func (c *reportCache) put(version int64, k reportKey, r *scoring.Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != version || c.results == nil || len(c.results) >= maxCachedReports {
		c.version, c.results = version, map[reportKey]*scoring.Result{}
	}
	c.results[k] = r
}

// LedgerQuery selects a page of a department's ledger: a category (its
// channels), a kind of line ("task", "bonus", "deduction"), a cursor from
// a previous page (Next or Prev of a LedgerPage) and a page size.
type LedgerQuery struct {
	Category string
	Kind     string
	Cursor   string
	Limit    int
}

// LedgerPage is one page of a department's ledger: the department's score
// (from the aggregate: the totals of the whole selection), the summary lines
// that belong to no single publication (caps, quota months, deductions),
// and at most Limit lines of single publications, with cursors to the pages
// before and after ("" at either end).
type LedgerPage struct {
	Plan      *plan.Plan
	AsOf      plan.Date
	Dept      *scoring.Department
	Summary   []scoring.Line
	Lines     []scoring.Line
	Total     int // single-publication lines in the selection
	Next      string
	Prev      string
	FirstPage bool
}

// Ledger page sizes: the lines of single publications a page shows unless
// ?limit= asks for another number, and the most it may ask for.
const (
	DefaultLedgerPage = 50
	MaxLedgerPage     = 100
)

// Ledger returns one page of a department's ledger. Its cost does not grow
// with the publications: the totals come from the aggregate, the page from
// the unique index in (day, identity) order (lines within a page are shown
// by date and record).
func (a *App) Ledger(ctx context.Context, act *Actor, year int, asOf plan.Date, dept string, lq LedgerQuery) (_ *LedgerPage, err error) {
	defer a.refused(ctx, act, "ledger_read", "ledger:"+domain.Clip(dept, 40), &err)
	if act == nil || !CanSeeDetail(act.User, dept) {
		return nil, forbidden("积分台账只对本科室、分管局领导、主要领导和办公室开放；各科室的总分与排名见考核总览")
	}
	p, res, version, err := a.report(ctx, year, asOf)
	if err != nil {
		return nil, err
	}
	var d *scoring.Department
	for i := range res.Departments {
		if res.Departments[i].Code == dept {
			d = &res.Departments[i]
		}
	}
	if d == nil {
		return nil, errNotFound
	}
	at, err := plan.ParseDate(res.AsOf)
	if err != nil {
		return nil, err
	}
	var kinds []string
	switch lq.Kind {
	case "":
	case "task":
		kinds = []string{scoring.LinePoints, scoring.LineCap}
	case "bonus":
		kinds = []string{scoring.LineBonus, scoring.LineBonusCap}
	case "deduction":
		kinds = []string{scoring.LineDeduction}
	case "adjustment":
		kinds = []string{scoring.LineAdjust}
	default:
		return nil, invalid("kind", "台账筛选 %q 不对：应为 task、bonus、deduction 或 adjustment", lq.Kind)
	}
	if lq.Category != "" && p.Category(lq.Category) == nil {
		return nil, invalid("category", "方案中没有类别 %q", lq.Category)
	}
	keep := func(l scoring.Line) bool {
		return (lq.Category == "" || l.Category == lq.Category) && (kinds == nil || slices.Contains(kinds, l.Kind))
	}
	page := &LedgerPage{Plan: p, AsOf: at, Dept: d}
	for _, l := range d.Ledger {
		if l.Ref == 0 && keep(l) && l.Kind != scoring.LinePoints && l.Kind != scoring.LineBonus {
			page.Summary = append(page.Summary, l)
		}
	}
	// The channels whose single publications can appear under the filter.
	var channels []string
	for _, ch := range p.Channels {
		cat := p.Category(ch.Category)
		kind := map[string]string{plan.KindTarget: scoring.LinePoints, plan.KindBonus: scoring.LineBonus, plan.KindQuota: scoring.LineQuota}[cat.Kind]
		if (lq.Category == "" || cat.Code == lq.Category) && (kinds == nil || slices.Contains(kinds, kind)) {
			channels = append(channels, ch.Code)
		}
	}
	if lq.Category == "" && kinds == nil {
		channels = nil // every channel, known to the plan or not
	} else if channels == nil {
		channels = []string{}
	}
	f := store.LedgerFilter{Channels: channels, Limit: lq.Limit}
	switch {
	case f.Limit <= 0:
		f.Limit = DefaultLedgerPage
	case f.Limit > MaxLedgerPage:
		f.Limit = MaxLedgerPage
	}
	if lq.Cursor != "" {
		dir, key, err := decodeCursor(lq.Cursor)
		if err != nil {
			return nil, invalid("cursor", "翻页位置不对")
		}
		if dir == '<' {
			f.Before = key
		} else {
			f.After = key
		}
	}
	page.FirstPage = lq.Cursor == ""
	entries, firstKey, lastKey, more, err := a.DB.PublicationPage(ctx, p, at, dept, f)
	if err != nil {
		return nil, err
	}
	one := scoring.Score(p, at, entries, scoring.Options{})
	for _, od := range one.Departments {
		if od.Code != dept {
			continue
		}
		for _, l := range od.Ledger {
			if l.Ref != 0 {
				page.Lines = append(page.Lines, l)
			}
		}
	}
	slices.SortStableFunc(page.Lines, func(x, y scoring.Line) int {
		if c := strings.Compare(x.Date, y.Date); c != 0 {
			return c
		}
		return cmp.Compare(x.Ref, y.Ref)
	})
	if len(entries) > 0 {
		hasNext, hasPrev := more, f.After != nil
		if f.Before != nil {
			hasNext, hasPrev = true, more
		}
		if hasNext {
			page.Next = encodeCursor('>', lastKey)
		}
		if hasPrev {
			page.Prev = encodeCursor('<', firstKey)
		}
	}
	countKey := fmt.Sprintf("%d|%s|%s|%v|%q", p.Year, at, dept, channels == nil, channels)
	if n, ok := a.ledgerCounts.get(version, countKey); ok {
		page.Total = n
		return page, nil
	}
	if page.Total, err = a.DB.CountLedger(ctx, p, at, dept, channels); err != nil {
		return nil, err
	}
	a.ledgerCounts.put(version, countKey, page.Total)
	return page, nil
}

// encodeCursor and decodeCursor turn a keyset position and its direction
// ('>' after, '<' before) into an opaque token for a URL.
func encodeCursor(dir byte, k *store.LedgerKey) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%c%s,%x", dir, k.Day, k.Identity))
}

func decodeCursor(c string) (byte, *store.LedgerKey, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) < 2 || (b[0] != '<' && b[0] != '>') {
		return 0, nil, errors.New("bad cursor")
	}
	day, id, ok := strings.Cut(string(b[1:]), ",")
	if !ok {
		return 0, nil, errors.New("bad cursor")
	}
	if _, err := plan.ParseDate(day); err != nil {
		return 0, nil, err
	}
	identity, err := hex.DecodeString(id)
	if err != nil || len(identity) == 0 || len(identity) > 32 {
		return 0, nil, errors.New("bad cursor")
	}
	return b[0], &store.LedgerKey{Day: day, Identity: identity}, nil
}

// PlanLoad is what loading a plan changed, or would change.
type PlanLoad struct {
	Changes     []string    // the scoring rules that differ from the year's plan before
	Corrections []Corrected // closed periods' figures the new plan changes (recorded)
}

// LoadPlan stores a plan for its year. Over a year that already has a plan
// it refuses unless replace is set, and says what would change (or what
// changed) either way. A replace over a year with closed periods needs a
// reason: what it changes in their figures is recorded as corrections,
// listed in the answer. All of it, and its audit row, in one transaction.
// act is nil for the command line.
func (a *App) LoadPlan(ctx context.Context, act *Actor, p *plan.Plan, src []byte, replace bool, why string) (out *PlanLoad, err error) {
	object := fmt.Sprintf("plan:%d", p.Year)
	if act != nil && !act.Role.Can(domain.PermUsers) {
		defer a.refused(ctx, act, "plan_load", object, &err)
		return nil, forbidden("只有管理员可以载入方案")
	}
	if err := checkText("reason", &why, MaxReason); err != nil {
		return nil, err
	}
	out = &PlanLoad{}
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		old, err := q.Plan(ctx, p.Year)
		switch {
		case errors.Is(err, store.ErrNotFound):
			old = nil
		case err != nil:
			return err
		}
		action, reason := "plan_load", fmt.Sprintf("%s %s（%d 个科室）", p.DocumentNumber, p.Title, len(p.Departments))
		var closed []*domain.Period
		if old != nil {
			out.Changes = plan.Diff(old, p)
			if !replace {
				return &domain.Error{Code: domain.EConflict, Field: "replace", Message: fmt.Sprintf("%d 年已有方案（%s），替换需加 --replace", p.Year, old.DocumentNumber)}
			}
			if err := themesKept(old, p); err != nil {
				return err
			}
			if closed, err = q.ClosedPeriods(ctx, p.Year, plan.Date{Year: p.Year, Month: 1, Day: 1}); err != nil {
				return err
			}
			if len(closed) > 0 && why == "" {
				return invalid("reason", "%d 年已有结账的时段（%s）：替换方案可能改变它们的得分，须说明原因（--reason），变化记为更正", p.Year, periodNames(closed))
			}
			action = "plan_replace"
			if len(out.Changes) == 0 {
				reason += "；计分规则无变化"
			} else {
				reason += "；" + strings.Join(out.Changes, "；")
			}
		}
		if err := q.SavePlan(ctx, p, src); err != nil {
			return err
		}
		if out.Corrections, err = a.correct(ctx, q, act, closed, "替换方案："+why); err != nil {
			return err
		}
		if len(out.Corrections) > 0 {
			reason += fmt.Sprintf("；更正已结账时段的得分 %d 项", len(out.Corrections))
		}
		if why != "" {
			reason += "；原因：" + why
		}
		return a.audit(ctx, q, act, action, object, domain.AuditOK, reason)
	})
	a.zoneMu.Lock()
	a.zone = nil // the new plan's time zone, from the next page on
	a.zoneMu.Unlock()
	return out, err
}

// themesKept refuses a replacement that moves a theme to another code:
// pieces and commissions store theme codes, so a plan whose themes were
// renumbered or reordered without codes (a theme's code is then its number)
// would move every old piece to another theme.
func themesKept(old, p *plan.Plan) error {
	for _, ot := range old.Themes {
		for _, nt := range p.Themes {
			if nt.Title == ot.Title && nt.Code != ot.Code {
				return invalid("themes", "宣传重点“%s”原来的代码是 %q，新方案里是 %q：已有的稿件和约稿按代码记着宣传重点，会被挪到别的重点下。调整顺序时请在新方案的这一条写 code = %q",
					ot.Title, ot.Code, nt.Code, ot.Code)
			}
		}
	}
	return nil
}

// periodNames lists periods as "2017-03、2017-04".
func periodNames(ps []*domain.Period) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Period
	}
	return strings.Join(names, "、")
}
