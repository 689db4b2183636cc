// Package demo fills an empty database with a living 2017: one account per
// role (and a reporter for every department), and a year of pieces that
// went through review, adoptions recorded by the office, outside coverage
// and monthly quota items verified — all through the app service, so every
// step has its history and audit row, timed on the 2017 calendar.
package demo

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/plan"
)

// Account is a demo account and its password, to print at start-up.
type Account struct {
	Username, Password, Role, Note string
}

// script is the demonstration year, as data (year-2017.json): the accounts,
// the topics each department writes about, and which of the plan's
// channels the year's records go to.
type script struct {
	Year     int `json:"year"`
	Accounts []struct {
		Username   string      `json:"username"`
		Name       string      `json:"name"`
		Role       domain.Role `json:"role"`
		Department string      `json:"department"`
		Leads      []string    `json:"leads"`
		Note       string      `json:"note"`
	} `json:"accounts"`
	Channels        channels            `json:"channels"`
	MajorDepartment string              `json:"major_department"` // writes a 重大事项 in May
	MediaOutlets    []string            `json:"media_outlets"`
	Topics          map[string][]string `json:"topics"`
	Place           place               `json:"place"`
	Policies        []struct {
		Level     string `json:"level"`
		Issuer    string `json:"issuer"`
		DocNumber string `json:"doc_number"`
		Title     string `json:"title"`
		Issued    string `json:"issued"`
		Summary   string `json:"summary"`
	} `json:"policies"` // the library the campaign explains
}

// place is where the demonstration's bureau is: the names its pieces,
// enterprises and addresses use.
type place struct {
	District         string   `json:"district"`           // pieces' titles, addresses
	City             string   `json:"city"`               // enterprises' names
	CreditCodePrefix string   `json:"credit_code_prefix"` // 统一社会信用代码 of the district's enterprises
	PhonePrefix      string   `json:"phone_prefix"`
	Streets          []string `json:"streets"`
	Parks            []string `json:"parks"`
	University       string   `json:"university"`
}

// channels are the plan's channels the demonstration uses, by role.
type channels struct {
	Piece         []string `json:"piece"`          // the channels a piece is written for
	Office        string   `json:"office"`         // recorded by the office, most pieces
	OfficeSpecial string   `json:"office_special"` // now and then instead
	Journal       string   `json:"journal"`        // the office's journal, a third of the pieces
	City          string   `json:"city"`           // outside coverage: the city bureau's site
	Media         string   `json:"newspaper"`      // outside coverage: newspapers
}

//go:embed year-2017.json
var scriptJSON []byte

var demoScript = func() *script {
	var sc script
	dec := json.NewDecoder(bytes.NewReader(scriptJSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sc); err != nil {
		panic("demo/year-2017.json: " + err.Error())
	}
	return &sc
}()

// Present reports whether the demo accounts exist.
func Present(ctx context.Context, a *app.App) (bool, error) {
	_, err := a.DemoUser(ctx, "reporter")
	if errors.Is(err, domain.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// ResetPasswords gives every demo account a fresh random password (the
// demo's passwords are printed at each start, never stored in clear).
func ResetPasswords(ctx context.Context, a *app.App) ([]Account, error) {
	var out []Account
	for _, s := range demoScript.Accounts {
		u, err := a.DemoUser(ctx, s.Username)
		if errors.Is(err, domain.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		pw := app.RandomPassword()
		if err := a.ResetDemoPassword(ctx, u, pw); err != nil {
			return nil, err
		}
		out = append(out, Account{s.Username, pw, string(s.Role), s.Note})
	}
	return out, nil
}

// demoYear is the year the demonstration plays: its data's.
var demoYear = demoScript.Year

// ymd is a day of the demonstration year, as text.
func ymd(month, day int) string { return plan.Date{Year: demoYear, Month: month, Day: day}.String() }

// Load creates the demo accounts and the demonstration year; the database must have
// that year's plan and no users.
func Load(ctx context.Context, a *app.App) ([]Account, error) {
	p, err := a.Plan(ctx, demoScript.Year)
	if err != nil {
		return nil, err
	}
	var out []Account
	users := map[string]*app.Actor{}
	for i, s := range demoScript.Accounts {
		pw := app.RandomPassword()
		// A work phone each (sealed at rest, shown masked in the accounts list).
		phone := fmt.Sprintf("1390371%04d", demoYear+i*37)
		u, err := a.CreateUser(ctx, nil, app.UserInput{Username: s.Username, DisplayName: s.Name, Role: s.Role, Department: s.Department, Leads: s.Leads,
			Password: pw, Phone: phone}, false)
		if err != nil {
			return nil, fmt.Errorf("demo account %s: %w", s.Username, err)
		}
		if err := a.MarkDemo(ctx, u); err != nil {
			return nil, err
		}
		users[s.Username] = &app.Actor{User: u, Address: "demo"}
		out = append(out, Account{s.Username, pw, string(s.Role), s.Note})
	}
	if err := year(ctx, a, p, users); err != nil {
		return nil, err
	}
	if err := fieldWork(ctx, a, p, users); err != nil {
		return nil, err
	}
	if err := activities(ctx, a, p, users); err != nil {
		return nil, err
	}
	if err := policyCampaign(ctx, a, p, users); err != nil {
		return nil, err
	}
	if err := journal(ctx, a, p, users); err != nil {
		return nil, err
	}
	// A year's notices were read as it went: a handful are new.
	if err := a.SettleDemoNotices(ctx, 4); err != nil {
		return nil, err
	}
	return out, nil
}

// journal plays the year's issues of the plan's journal: a quarterly issue of approved pieces
// and outside material, published by the office's leader; the last one
// waiting for review. And a leader's commissions and 批示.
func journal(ctx context.Context, a *app.App, p *plan.Plan, users map[string]*app.Actor) error {
	realNow := a.Now
	defer func() { a.Now = realNow }()
	loc := p.Location()
	office := users["office"]
	reviewer := users["chief"]
	for _, u := range users {
		if u.Role == domain.Leader && slices.ContainsFunc(p.Forms, func(f plan.Form) bool {
			return strings.Contains(f.Title, p.Journal.Name) && len(f.Lead) > 0 && u.LeadsDept(f.Lead[0])
		}) {
			reviewer = u
		}
	}
	material := []struct{ title, source, body string }{
		{"国务院部署新一轮全面创新改革试验", "新华社", "<p>会议指出，要深化科技体制改革，强化企业创新主体地位，推动科技成果转化。</p>"},
		{"人工智能助力制造业转型升级", "科技日报", "<p>人工智能技术在质量检测、预测性维护等场景加快应用，推动制造业提质增效。</p>"},
		{"青少年科普：认识二维材料", "科普中国", "<p>石墨烯是由碳原子组成的二维材料，具有优异的导电和导热性能。</p>"},
		{"外地经验：深圳如何服务科技型中小企业", "深圳特区报", "<p>深圳通过创新券、科技金融和孵化载体，形成了覆盖企业全生命周期的服务体系。</p>"},
	}
	for n, month := range []int{3, 6, 9, 12} {
		day := plan.Date{Year: p.Year, Month: month, Day: 25}
		a.Now = func() time.Time { return time.Date(day.Year, time.Month(day.Month), day.Day, 10, 0, 0, 0, loc) }
		j, err := a.CreateIssue(ctx, office, app.IssueInput{Number: n + 1, Date: day.String(), Editor: office.DisplayName})
		if err != nil {
			return fmt.Errorf("demo journal: %w", err)
		}
		pieces, err := a.Pieces(ctx, office.User, domain.PieceFilter{States: []domain.PieceState{domain.StateAdopted}}, app.PageQuery{Limit: 40})
		if err != nil {
			return err
		}
		for i := 0; i < 4 && n*4+i < len(pieces.Items); i++ {
			if err := a.AddJournalItem(ctx, office, j.ID, app.ItemInput{Section: (i + 2) % len(p.Journal.Sections), PieceID: pieces.Items[n*4+i].ID}); err != nil {
				return err
			}
		}
		m := material[n%len(material)]
		if err := a.AddJournalItem(ctx, office, j.ID, app.ItemInput{Section: n % len(p.Journal.Sections), Title: m.title, Source: m.source, Body: m.body}); err != nil {
			return err
		}
		if err := a.SubmitIssue(ctx, office, j.ID); err != nil {
			return err
		}
		if month < 12 {
			if err := a.ReviewIssue(ctx, reviewer, j.ID, true, "同意印发。"); err != nil {
				return err
			}
		}
	}
	// A leader's commission for each department they lead, one answered; a 批示.
	a.Now = func() time.Time { return time.Date(p.Year, 12, 1, 9, 0, 0, 0, loc) }
	leader := users["leader"]
	for i, dept := range leader.Leads {
		due := plan.Date{Year: p.Year, Month: 12, Day: 10 + 10*i}
		if _, err := a.CreateCommission(ctx, leader, app.CommissionInput{Department: dept, Title: "年度科技创新工作亮点综述", Theme: theme(p, 1), Due: due.String(),
			Notes: "请围绕全年重点工作，800 字左右。"}); err != nil {
			return err
		}
	}
	adopted, err := a.Pieces(ctx, leader.User, domain.PieceFilter{States: []domain.PieceState{domain.StateAdopted}}, app.PageQuery{Limit: 1})
	if err != nil {
		return err
	}
	if len(adopted.Items) > 0 {
		if _, err := a.AddInstruction(ctx, leader, "piece", adopted.Items[0].ID, "写得很好，请各科室学习借鉴。"); err != nil {
			return err
		}
	}
	return nil
}

// policyCampaign plays 科技政策进百企: the office's library, and the
// responsible departments reaching about 80 enterprises through the year.
func policyCampaign(ctx context.Context, a *app.App, p *plan.Plan, users map[string]*app.Actor) error {
	realNow := a.Now
	defer func() { a.Now = realNow }()
	loc := p.Location()
	a.Now = func() time.Time { return time.Date(demoYear, 3, 25, 9, 0, 0, 0, loc) }
	office := users["office"]
	var ids []int64
	for _, in := range demoScript.Policies {
		pol, err := a.AddPolicy(ctx, office, app.PolicyInput{Level: in.Level, Issuer: in.Issuer, DocNumber: in.DocNumber, Title: in.Title,
			Issued: in.Issued, Summary: in.Summary})
		if err != nil {
			return fmt.Errorf("demo policy: %w", err)
		}
		ids = append(ids, pol.ID)
	}
	ents, err := a.Enterprises(ctx, office.User, domain.EnterpriseFilter{}, app.PageQuery{Limit: app.MaxPage})
	if err != nil {
		return err
	}
	var form *plan.Form
	for i := range p.Forms {
		if p.Forms[i].EnterprisesTarget > 0 {
			form = &p.Forms[i]
		}
	}
	if form == nil {
		return nil
	}
	rng := rand.New(rand.NewPCG(uint64(demoYear), 4))
	asked := []string{"希望了解研发费用加计扣除的申报流程", "咨询高新技术企业认定条件", "希望申领科技创新券", "了解区级研发中心奖励", "希望对接科技金融"}
	depts := form.Responsible
	for i, e := range ents.Items {
		if i >= 80 {
			break
		}
		dept := depts[i%len(depts)]
		actor := office
		for _, s := range demoScript.Accounts {
			if s.Role == domain.Reporter && s.Department == dept {
				actor = users[s.Username]
				break
			}
		}
		day := plan.Date{Year: demoYear, Month: 4 + i*8/80, Day: 1 + rng.IntN(27)}
		a.Now = func() time.Time { return time.Date(day.Year, time.Month(day.Month), day.Day, 16, 0, 0, 0, loc) }
		pick := []int64{ids[rng.IntN(len(ids))], ids[rng.IntN(len(ids))]}
		if _, err := a.RecordReach(ctx, actor, app.ReachInput{Date: day.String(), Department: dept, EnterpriseID: e.ID, PolicyIDs: pick,
			Asked: asked[rng.IntN(len(asked))]}); err != nil {
			return fmt.Errorf("demo reach: %w", err)
		}
	}
	return nil
}

// activities plays the year's 主要形式: each done by its departments with a
// summary, 科技活动周 in May; one left without its summary, to be flagged.
func activities(ctx context.Context, a *app.App, p *plan.Plan, users map[string]*app.Actor) error {
	realNow := a.Now
	defer func() { a.Now = realNow }()
	a.Now = func() time.Time { return time.Date(demoYear, 12, 20, 10, 0, 0, 0, p.Location()) }
	office := users["office"]
	acts, err := a.Activities(ctx, office.User, p.Year)
	if err != nil {
		return err
	}
	for i, v := range acts {
		in := app.ActivityInput{Status: string(domain.ActivityDone),
			Summary: fmt.Sprintf("%s已按方案组织开展，相关科室参与，全年共形成宣传稿件若干篇，活动照片和材料已归档。", v.Form.Title)}
		switch {
		case v.First != (plan.Date{}):
			in.First, in.Last = v.First.String(), v.Last.String()
		case len(v.Form.Dates) == 0 && v.Form.VisitsPerMonth == 0 && i == 0:
			in.First, in.Last = ymd(5, 20), ymd(5, 26) // the office sets 科技活动周's days
		}
		if i == len(acts)-2 {
			in.Status, in.Summary = string(domain.ActivityRunning), "" // still open at the year's end
		}
		if _, err := a.UpdateActivity(ctx, office, v.ID, in); err != nil {
			return fmt.Errorf("demo activity %d: %w", v.Form.Number, err)
		}
	}
	return nil
}

// fieldWork plays the year's 定期走访园区和企业: the enterprise register
// (about 80, in four parks) and each responsible department's visits, two a
// month mostly, a short month here and there.
func fieldWork(ctx context.Context, a *app.App, p *plan.Plan, users map[string]*app.Actor) error {
	realNow := a.Now
	defer func() { a.Now = realNow }()
	rng := rand.New(rand.NewPCG(uint64(demoYear), 7))
	loc := p.Location()
	a.Now = func() time.Time { return time.Date(demoYear, 1, 5, 9, 0, 0, 0, loc) }
	office := users["office"]
	pl := demoScript.Place
	first := []string{"云智", "华信", "中原", "汇通", "博睿", "启航", "融科", "数联", "天成", "鼎新", "智汇", "恒达", "新宇", "瑞思", "领航", "金诚", "正信", "远景", "博达", "卓越"}
	kinds := []struct{ suffix, industry string }{{"科技有限公司", "软件和信息技术"}, {"信息技术有限公司", "软件和信息技术"}, {"新材料有限公司", "新材料"},
		{"生物科技有限公司", "生物医药"}, {"智能装备有限公司", "高端装备"}, {"环保科技有限公司", "节能环保"}}
	var ents []*domain.Enterprise
	const codeChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	for i := 0; len(ents) < 84; i++ {
		k := kinds[rng.IntN(len(kinds))]
		name := pl.City + first[i%len(first)] + first[(i*7+3)%len(first)] + k.suffix
		body := []byte(pl.CreditCodePrefix)
		for len(body) < 17 {
			body = append(body, codeChars[rng.IntN(len(codeChars))])
		}
		code, err := domain.CompleteCreditCode(string(body))
		if err != nil {
			return err
		}
		e, err := a.CreateEnterprise(ctx, office, app.EnterpriseInput{Name: name, CreditCode: code, Park: pl.Parks[rng.IntN(len(pl.Parks))],
			Address: fmt.Sprintf("%s%s%d号", pl.District, pl.Streets[rng.IntN(len(pl.Streets))], 10+rng.IntN(190)),
			Contact: []string{"王", "李", "张", "刘", "陈", "杨"}[rng.IntN(6)] + "经理", Phone: fmt.Sprintf("%s%04d", pl.PhonePrefix, rng.IntN(10000)), Industry: k.industry})
		if err != nil {
			if domain.ErrorOf(err).Code == domain.EConflict {
				continue // a name or code drawn twice
			}
			return err
		}
		ents = append(ents, e)
	}
	needs := []string{"研发场地紧张，希望入驻孵化器", "希望对接高校院所的技术团队", "需要知识产权布局指导", "希望了解高新技术企业认定政策", "急需中高级研发人才"}
	problems := []string{"融资渠道少，研发投入压力大", "核心技术人员流失", "市场开拓难", "申报项目材料准备不熟悉", "检测认证费用高"}
	highlights := []string{"新获授权发明专利 3 项", "产品进入省首台套目录", "与" + pl.University + "共建联合实验室", "年营收同比增长 40%", "通过高新技术企业认定"}
	follow := []string{"组织参加科技金融对接会", "推荐申报区级研发中心", "安排知识产权科上门辅导", "纳入科技型企业培育库", "协调孵化器提供场地"}
	for _, f := range p.Forms {
		if f.VisitsPerMonth == 0 {
			continue
		}
		for _, dept := range f.Responsible {
			actor := office
			for _, s := range demoScript.Accounts {
				if s.Role == domain.Reporter && s.Department == dept {
					actor = users[s.Username]
					break
				}
			}
			for m := 1; m <= 12; m++ {
				n := f.VisitsPerMonth
				switch r := rng.IntN(100); {
				case r < 12:
					n--
				case r > 85:
					n++
				}
				for i := range n {
					day := plan.Date{Year: demoYear, Month: m, Day: 3 + i*9 + rng.IntN(6)}
					a.Now = func() time.Time { return time.Date(day.Year, time.Month(day.Month), day.Day, 17, 0, 0, 0, loc) }
					e := ents[rng.IntN(len(ents))]
					ids := []int64{e.ID}
					if rng.IntN(3) == 0 {
						ids = append(ids, ents[rng.IntN(len(ents))].ID)
					}
					_, err := a.RecordVisit(ctx, actor, app.VisitInput{Date: day.String(), Department: dept,
						People: []string{actor.DisplayName, "科室负责人"}, EnterpriseIDs: ids, Park: e.Park,
						Needs: needs[rng.IntN(len(needs))], Problems: problems[rng.IntN(len(problems))],
						Highlights: highlights[rng.IntN(len(highlights))], FollowUp: follow[rng.IntN(len(follow))]})
					if err != nil {
						return fmt.Errorf("demo visit %s %s: %w", dept, day, err)
					}
				}
			}
		}
	}
	return nil
}

var sentences = []string{
	"为深入贯彻落实全市开放创新会议精神，我局精心组织、周密部署，推动各项工作落到实处。",
	"活动吸引了辖区内高新技术企业、科研院所和众创空间的代表参加，现场气氛热烈。",
	"与会人员围绕政策解读、项目申报、成果转化等内容进行了深入交流。",
	"下一步，我局将继续加强服务，助力企业创新发展，为建设中部地区有影响力的科技创新先导区营造良好氛围。",
	"据统计，今年以来全区新增科技型中小企业一百余家，技术合同成交额稳步增长。",
	"企业代表纷纷表示，政策宣讲针对性强，解决了企业在研发投入、知识产权保护方面的实际困难。",
	"此次活动进一步增强了全社会的创新意识，营造了“大众创业、万众创新”的浓厚氛围。",
}

func body(rng *rand.Rand, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString("<p>")
		for j := 0; j < 2; j++ {
			b.WriteString(sentences[rng.IntN(len(sentences))])
		}
		b.WriteString("</p>")
	}
	return b.String()
}

// Today is the demo's day once its year is played: new records made while
// the demo runs are dated from it, beside the year's, not years later.
var Today = plan.Date{Year: demoYear, Month: 12, Day: 29}

// Clock is the demo's time: Today at nine in the plan's zone when the
// server started, moving on as real time does.
func Clock(loc *time.Location, real func() time.Time) func() time.Time {
	start := real()
	at := time.Date(Today.Year, time.Month(Today.Month), Today.Day, 9, 0, 0, 0, loc)
	return func() time.Time { return at.Add(real().Sub(start)) }
}

// clock moves the app's time through the year while it is played.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// player plays the demonstration year through the app, on its clock.
type player struct {
	ctx      context.Context
	a        *app.App
	p        *plan.Plan
	users    map[string]*app.Actor
	rng      *rand.Rand
	ck       *clock
	loc      *time.Location
	ch       *channels
	reporter map[string]*app.Actor // a department's first reporter
	office   *app.Actor
}

// at moves the clock to a day and hour of the year.
func (y *player) at(day plan.Date, hour int) {
	y.ck.t = time.Date(day.Year, time.Month(day.Month), day.Day, hour, y.rng.IntN(60), 0, 0, y.loc)
}

// themes are the codes of the plan's n-th themes (1-based, as the plan
// numbers them; past the last one they wrap around).
func themes(p *plan.Plan, ns ...int) []string {
	var out []string
	for _, n := range ns {
		if c := theme(p, n); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// theme is the code of the plan's n-th theme, or "" for a plan without any.
func theme(p *plan.Plan, n int) string {
	if len(p.Themes) == 0 {
		return ""
	}
	return p.Themes[(n-1)%len(p.Themes)].Code
}

// leaderOf is the leader who reviews a department's pieces.
func (y *player) leaderOf(dept string) *app.Actor {
	if y.users["leader"].LeadsDept(dept) {
		return y.users["leader"]
	}
	return y.users["leader2"]
}

func year(ctx context.Context, a *app.App, p *plan.Plan, users map[string]*app.Actor) error {
	realNow := a.Now
	y := &player{ctx: ctx, a: a, p: p, users: users, rng: rand.New(rand.NewPCG(uint64(demoYear), 3)), ck: &clock{}, loc: p.Location(),
		ch: &demoScript.Channels, reporter: map[string]*app.Actor{}, office: users["office"]}
	a.Now = y.ck.now
	defer func() { a.Now = realNow }()
	for _, s := range demoScript.Accounts {
		if s.Role == domain.Reporter && s.Department != "" && y.reporter[s.Department] == nil {
			y.reporter[s.Department] = users[s.Username]
		}
	}
	for m := 3; m <= 12; m++ {
		for _, d := range p.Departments {
			n := y.rng.IntN(3) // about one a month: near the 机关内网 targets
			for i := 0; i < n; i++ {
				if err := y.piece(d, m, i); err != nil {
					return err
				}
			}
			if err := y.quotaItems(d, m); err != nil {
				return err
			}
		}
	}
	return y.yearEnd()
}

// piece is one piece of a department in month m (the i-th): written,
// reviewed (sometimes returned first), published in the office's channels
// and sometimes outside.
func (y *player) piece(d plan.Department, m, i int) error {
	ctx, a, rng, ch, office, users, at, leaderOf := y.ctx, y.a, y.rng, y.ch, y.office, y.users, y.at, y.leaderOf
	rep := y.reporter[d.Code]
	day := plan.Date{Year: demoYear, Month: m, Day: 1 + rng.IntN(25)}
	at(day, 9)
	t := demoScript.Topics[d.Code][(m+i)%len(demoScript.Topics[d.Code])] // distinct within a month
	major := m == 5 && i == 0 && d.Code == demoScript.MajorDepartment
	pc, err := a.CreatePiece(ctx, rep, app.PieceInput{Title: demoScript.Place.District + monthName(m) + t, Body: body(rng, 1+rng.IntN(5)),
		Themes: themes(y.p, 1+rng.IntN(9)), Channels: ch.Piece, Major: major})
	if err != nil {
		return err
	}
	if _, err := a.Submit(ctx, rep, pc.ID); err != nil {
		return err
	}
	at(day, 15)
	lead := leaderOf(d.Code)
	if rng.IntN(6) == 0 {
		if _, err := a.Return(ctx, lead, pc.ID, "请补充活动成效和具体数据后再报。"); err != nil {
			return err
		}
		at(day, 17)
		if _, err := a.UpdatePiece(ctx, rep, pc.ID, app.PieceInput{Title: pc.Title, Body: pc.Body + "<p>活动共服务企业三十余家，发放政策汇编五百余册。</p>",
			Themes: pc.Themes, Channels: pc.Channels, Major: pc.Major}); err != nil {
			return err
		}
		if _, err := a.Submit(ctx, rep, pc.ID); err != nil {
			return err
		}
	}
	pc, err = a.Approve(ctx, lead, pc.ID, "同意报送。")
	if err != nil {
		return err
	}
	if pc.State == domain.StateLeaderApproved {
		if _, err := a.Approve(ctx, users["chief"], pc.ID, "同意，可在各渠道发布。"); err != nil {
			return err
		}
	}
	pub := day
	pub.Day = min(pub.Day+1+rng.IntN(3), 28)
	at(pub, 10)
	channel := ch.Office
	if rng.IntN(12) == 0 {
		channel = ch.OfficeSpecial
	}
	if _, err := a.RecordAdoption(ctx, office, pc.ID, app.AdoptionInput{Channel: channel, Date: pub.String()}); err != nil {
		return err
	}
	if rng.IntN(3) == 0 {
		if _, err := a.RecordAdoption(ctx, office, pc.ID, app.AdoptionInput{Channel: ch.Journal, Date: pub.String(), Issue: fmt.Sprintf("第%d期", m*2)}); err != nil {
			return err
		}
	}
	if rng.IntN(4) == 0 {
		if err := outside(ctx, a, rep, office, pc.ID, ch.City, pub, ""); err != nil {
			return err
		}
	}
	if rng.IntN(10) == 0 {
		if err := outside(ctx, a, rep, office, pc.ID, ch.Media, pub, demoScript.MediaOutlets[rng.IntN(len(demoScript.MediaOutlets))]); err != nil {
			return err
		}
	}
	return nil
}

// quotaItems are a department's quota items of month m, mostly on time.
func (y *player) quotaItems(d plan.Department, m int) error {
	ctx, a, p, rng, office, at, leaderOf := y.ctx, y.a, y.p, y.rng, y.office, y.at, y.leaderOf
	rep := y.reporter[d.Code]
	for _, qc := range p.CategoriesOf(plan.KindQuota) {
		need := d.Quotas[qc.Code]
		for k := 0; k < need; k++ {
			if rng.IntN(7) == 0 {
				continue // a missed item: deducted once the month is over
			}
			day := plan.Date{Year: demoYear, Month: m, Day: 5 + rng.IntN(20)}
			at(day, 11)
			pc, err := a.CreatePiece(ctx, rep, app.PieceInput{Title: fmt.Sprintf("%s%s（%d月）", qc.Name, demoScript.Topics[d.Code][k%5], m), Body: body(rng, 1)})
			if err != nil {
				return err
			}
			if _, err := a.Submit(ctx, rep, pc.ID); err != nil {
				return err
			}
			if _, err := a.Approve(ctx, leaderOf(d.Code), pc.ID, ""); err != nil {
				return err
			}
			if err := outside(ctx, a, rep, office, pc.ID, qc.Code, day, ""); err != nil {
				return err
			}
		}
	}
	return nil
}

// yearEnd is the office's 加减分, a closed month with a late correction,
// and work in flight at the end of the year.
func (y *player) yearEnd() error {
	ctx, a, rng, ch, office, users, at := y.ctx, y.a, y.rng, y.ch, y.office, y.users, y.at
	// The office's 加减分: a commendation, and a slip undone by its reversal.
	at(plan.Date{Year: demoYear, Month: 11, Day: 15}, 16)
	if _, err := a.RecordAdjustment(ctx, office, app.AdjustmentInput{Department: demoScript.MajorDepartment, Date: ymd(11, 15), Points: 2,
		Reason: "科技活动周宣传工作获市科技局通报表扬"}); err != nil {
		return err
	}
	slip, err := a.RecordAdjustment(ctx, office, app.AdjustmentInput{Department: demoScript.MajorDepartment, Date: ymd(11, 15), Points: -2,
		Reason: "误录：应为加分"})
	if err != nil {
		return err
	}
	if _, err := a.ReverseAdjustment(ctx, office, slip.ID, "误录，冲销"); err != nil {
		return err
	}
	// March closed (its report frozen), then a late 加减分 dated in it: a
	// visible correction against the snapshot.
	at(plan.Date{Year: demoYear, Month: 12, Day: 26}, 17)
	if _, err := a.ClosePeriod(ctx, office, fmt.Sprintf("%d-03", demoYear), "三月份宣传工作考核结果已通报"); err != nil {
		return err
	}
	if _, err := a.RecordAdjustment(ctx, office, app.AdjustmentInput{Department: demoScript.MajorDepartment, Date: ymd(3, 28), Points: 1,
		Reason: "三月科普活动信息补报，经分管局领导同意"}); err != nil {
		return err
	}
	// Work in flight at the end of the year, so each role finds something to do.
	at(plan.Date{Year: demoYear, Month: 12, Day: 27}, 9)
	if _, err := a.CreatePiece(ctx, users["reporter"], app.PieceInput{Title: "高新区企业年度创新成果展（草稿）", Body: body(rng, 2), Channels: ch.Piece[:1]}); err != nil {
		return err
	}
	pc, err := a.CreatePiece(ctx, users["reporter"], app.PieceInput{Title: demoScript.Place.District + "科技型企业培育工程年终总结", Body: body(rng, 3), Themes: themes(y.p, 5), Channels: ch.Piece})
	if err != nil {
		return err
	}
	if _, err := a.Submit(ctx, users["reporter"], pc.ID); err != nil {
		return err
	}
	pc, err = a.CreatePiece(ctx, users["reporter.planning"], app.PieceInput{Title: fmt.Sprintf("%s%d年科技创新工作综述", demoScript.Place.District, demoYear), Body: body(rng, 5), Themes: themes(y.p, 1, 3), Channels: []string{ch.Piece[0], ch.Media}, Major: true})
	if err != nil {
		return err
	}
	if _, err := a.Submit(ctx, users["reporter.planning"], pc.ID); err != nil {
		return err
	}
	if _, err := a.Approve(ctx, users["leader"], pc.ID, "重大事项，请主要领导审定。"); err != nil {
		return err
	}
	pc, err = a.CreatePiece(ctx, users["reporter"], app.PieceInput{Title: "高新科参加省技术转移对接会", Body: body(rng, 2), Channels: []string{ch.Media}})
	if err != nil {
		return err
	}
	if _, err := a.Submit(ctx, users["reporter"], pc.ID); err != nil {
		return err
	}
	if _, err := a.Approve(ctx, users["leader"], pc.ID, ""); err != nil {
		return err
	}
	at(plan.Date{Year: demoYear, Month: 12, Day: 28}, 10)
	_, err = a.RecordAdoption(ctx, users["reporter"], pc.ID, app.AdoptionInput{Channel: ch.Media, Date: ymd(12, 28), Outlet: demoScript.MediaOutlets[len(demoScript.MediaOutlets)-1], Issue: "第5版"})
	return err
}

func outside(ctx context.Context, a *app.App, rep, office *app.Actor, pieceID int64, channel string, day plan.Date, outlet string) error {
	issue := ""
	if outlet != "" || channel == demoScript.Channels.City {
		issue = fmt.Sprintf("%d年%d月%d日", day.Year, day.Month, day.Day)
	}
	rec, err := a.RecordAdoption(ctx, rep, pieceID, app.AdoptionInput{Channel: channel, Date: day.String(), Outlet: outlet, Issue: issue})
	if err != nil {
		return err
	}
	return a.Verify(ctx, office, rec.ID, true, "")
}

func monthName(m int) string {
	return []string{"", "一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月"}[m]
}
