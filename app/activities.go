package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"kexuan/domain"
	"kexuan/plan"
	"kexuan/store"
)

// ActivityView is an activity with its form from the plan and what it
// still lacks.
type ActivityView struct {
	*domain.Activity
	Form        *plan.Form
	Lead        []string // department names
	Responsible []string // department names; ["各科室"] for every department
	Missing     []string // past its last day: what it lacks (总结, 佐证, 状态)
}

// forms indexes a plan's forms by number.
func formOf(pl *plan.Plan, n int) *plan.Form {
	for i := range pl.Forms {
		if pl.Forms[i].Number == n {
			return &pl.Forms[i]
		}
	}
	return nil
}

// formDays are a form's fixed days in a year (the plan's MM-DD), first and
// last; zero when the plan fixes none.
func formDays(year int, f *plan.Form) [2]plan.Date {
	var days []plan.Date
	for _, md := range f.Dates {
		if d, err := plan.ParseDate(fmt.Sprintf("%d-%s", year, md)); err == nil {
			days = append(days, d)
		}
	}
	if len(days) == 0 {
		return [2]plan.Date{}
	}
	slices.SortFunc(days, func(a, b plan.Date) int { return a.Compare(b) })
	return [2]plan.Date{days[0], days[len(days)-1]}
}

// activityDepts are the codes of a form's lead and responsible departments.
func activityDepts(pl *plan.Plan, f *plan.Form) []string {
	if f.AllDepartments {
		var all []string
		for _, d := range pl.Departments {
			all = append(all, d.Code)
		}
		return all
	}
	return append(slices.Clone(f.Lead), f.Responsible...)
}

func (a *App) activityView(pl *plan.Plan, act *domain.Activity, today plan.Date) *ActivityView {
	v := &ActivityView{Activity: act, Form: formOf(pl, act.Form)}
	if v.Form == nil {
		return v
	}
	names := func(codes []string) []string {
		var out []string
		for _, c := range codes {
			if d := pl.Department(c); d != nil {
				out = append(out, d.Name)
			}
		}
		return out
	}
	v.Lead = names(v.Form.Lead)
	if v.Form.AllDepartments {
		v.Responsible = []string{"各科室"}
	} else {
		v.Responsible = names(v.Form.Responsible)
	}
	// Past its last day (or the year's, when it has no days), an activity
	// should be done, summed up and evidenced.
	end := act.Last
	if end == (plan.Date{}) {
		end = pl.End()
	}
	if today.After(end) {
		if act.Status != domain.ActivityDone {
			v.Missing = append(v.Missing, "未标记完成")
		}
		if strings.TrimSpace(act.Summary) == "" {
			v.Missing = append(v.Missing, "缺少总结")
		}
		if act.Files == 0 && act.Pieces == 0 {
			v.Missing = append(v.Missing, "缺少佐证（照片、材料或报道稿件）")
		}
	}
	return v
}

// Activities is a plan year's activities, one per form, made on first
// sight with the plan's fixed days.
func (a *App) Activities(ctx context.Context, u *domain.User, year int) ([]*ActivityView, error) {
	if !u.Role.Can(domain.PermFieldRead) {
		return nil, forbidden("无权查看活动")
	}
	pl, err := a.Plan(ctx, year)
	if err != nil {
		return nil, err
	}
	q := a.DB.Q()
	acts, err := q.Activities(ctx, pl.Year)
	if err != nil {
		return nil, err
	}
	if len(acts) < len(pl.Forms) {
		forms := map[int][2]plan.Date{}
		for i := range pl.Forms {
			forms[pl.Forms[i].Number] = formDays(pl.Year, &pl.Forms[i])
		}
		if err := a.DB.InTx(ctx, func(q *store.Q) error { return q.EnsureActivities(ctx, pl.Year, forms) }); err != nil {
			return nil, err
		}
		if acts, err = q.Activities(ctx, pl.Year); err != nil {
			return nil, err
		}
	}
	today := a.Today(pl.Location())
	var out []*ActivityView
	for _, act := range acts {
		if formOf(pl, act.Form) != nil {
			out = append(out, a.activityView(pl, act, today))
		}
	}
	return out, nil
}

// ActivityDetail is an activity with its evidence and pieces.
type ActivityDetail struct {
	*ActivityView
	Files        []*domain.ActivityFile
	Reports      []*domain.Piece // a page of them (ReportsPage)
	ReportsPage  *Page[*domain.Piece]
	Instructions []*domain.Instruction
	CanEdit      bool
}

// Activity returns one activity with its evidence and the pieces that
// report it (those the user may see, a page at a time: pq).
func (a *App) Activity(ctx context.Context, u *domain.User, id int64, pq PageQuery) (*ActivityDetail, error) {
	if !u.Role.Can(domain.PermFieldRead) {
		return nil, forbidden("无权查看活动")
	}
	q := a.DB.Q()
	act, err := q.Activity(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	pl, err := a.Plan(ctx, act.Year)
	if err != nil {
		return nil, err
	}
	d := &ActivityDetail{ActivityView: a.activityView(pl, act, a.Today(pl.Location()))}
	if d.Form == nil {
		return nil, errNotFound
	}
	d.CanEdit = mayEditActivity(u, pl, d.Form)
	if d.Files, err = q.ActivityFiles(ctx, id); err != nil {
		return nil, err
	}
	if d.Instructions, err = q.Instructions(ctx, fmt.Sprintf("activity:%d", id)); err != nil {
		return nil, err
	}
	if d.ReportsPage, err = a.Pieces(ctx, u, domain.PieceFilter{Activity: id}, pq); err != nil {
		return nil, err
	}
	d.Reports = d.ReportsPage.Items
	return d, nil
}

// mayEditActivity: the office, and the people of its lead or responsible
// departments.
func mayEditActivity(u *domain.User, pl *plan.Plan, f *plan.Form) bool {
	if !u.Role.Can(domain.PermFieldWrite) {
		return false
	}
	if !u.Role.InDepartment() {
		return true
	}
	return slices.Contains(activityDepts(pl, f), u.Department)
}

// editableActivity loads an activity the actor may change (the office, its
// departments' people) with its form; what names the change in a refusal.
func (a *App) editableActivity(ctx context.Context, q *store.Q, act *Actor, id int64, what string) (*domain.Activity, *plan.Form, error) {
	cur, err := q.Activity(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, errNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	pl, err := a.planIn(ctx, q, cur.Year)
	if err != nil {
		return nil, nil, err
	}
	f := formOf(pl, cur.Form)
	if f == nil {
		return nil, nil, errNotFound
	}
	if !mayEditActivity(act.User, pl, f) {
		return nil, nil, forbidden("只有办公室和责任科室可以%s", what)
	}
	return cur, f, nil
}

// ActivityInput is what the office or a responsible department writes.
type ActivityInput struct {
	First, Last string // YYYY-MM-DD; both empty: unset
	Status      string
	Summary     string
}

// MaxSummary is the longest activity summary, in characters.
const MaxSummary = 5000

// UpdateActivity sets an activity's days, status and summary.
func (a *App) UpdateActivity(ctx context.Context, act *Actor, id int64, in ActivityInput) (_ *ActivityDetail, err error) {
	defer a.refused(ctx, act, "activity_update", fmt.Sprintf("activity:%d", id), &err)
	if err := checkText("summary", &in.Summary, MaxSummary); err != nil {
		return nil, err
	}
	status := domain.ActivityStatus(in.Status)
	if !status.Valid() {
		return nil, invalid("status", "状态应为计划中、进行中或已完成")
	}
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		cur, f, err := a.editableActivity(ctx, q, act, id, "修改这项活动")
		if err != nil {
			return err
		}
		next := *cur
		next.First, next.Last = plan.Date{}, plan.Date{}
		if in.First != "" || in.Last != "" {
			if next.First, err = plan.ParseDate(strings.TrimSpace(in.First)); err != nil {
				return invalid("first_day", "开始日期：%v", err)
			}
			last := strings.TrimSpace(in.Last)
			if last == "" {
				last = in.First
			}
			if next.Last, err = plan.ParseDate(last); err != nil {
				return invalid("last_day", "结束日期：%v", err)
			}
			if next.Last.Before(next.First) {
				return invalid("last_day", "结束日期早于开始日期")
			}
			if next.First.Year != cur.Year || next.Last.Year != cur.Year {
				return invalid("first_day", "活动日期应在 %d 年内", cur.Year)
			}
		}
		next.Status, next.Summary, next.UpdatedBy = status, in.Summary, act.ID
		if err := q.UpdateActivity(ctx, &next); err != nil {
			return err
		}
		days := "未定"
		if next.First != (plan.Date{}) {
			days = next.First.String() + "–" + next.Last.String()
		}
		return a.audit(ctx, q, act, "activity_update", fmt.Sprintf("activity:%d", id), domain.AuditOK,
			fmt.Sprintf("%s：%s，%s", f.Title, days, status.Name()))
	})
	if err != nil {
		return nil, err
	}
	return a.Activity(ctx, act.User, id, PageQuery{})
}

// AddActivityFile keeps a photo or document as an activity's evidence.
func (a *App) AddActivityFile(ctx context.Context, act *Actor, id int64, name string, data []byte) (_ *domain.ActivityFile, err error) {
	defer a.refused(ctx, act, "activity_file", fmt.Sprintf("activity:%d", id), &err)
	att, err := newAttachment(act, 0, name, data)
	if err != nil {
		return nil, err
	}
	f := &domain.ActivityFile{ActivityID: id, Name: att.Name, ContentType: att.ContentType, Size: att.Size, SHA256: att.SHA256, Data: att.Data, UploadedBy: act.ID}
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		if _, _, err := a.editableActivity(ctx, q, act, id, "上传活动材料"); err != nil {
			return err
		}
		if err := q.AddActivityFile(ctx, f); err != nil {
			return err
		}
		return a.audit(ctx, q, act, "activity_file", fmt.Sprintf("activity:%d", id), domain.AuditOK, fmt.Sprintf("%s（%s，%d 字节）", f.Name, f.ContentType, f.Size))
	})
	return f, err
}

// ActivityFile returns an evidence file to those who may see activities.
func (a *App) ActivityFile(ctx context.Context, u *domain.User, id int64) (*domain.ActivityFile, error) {
	if !u.Role.Can(domain.PermFieldRead) {
		return nil, forbidden("无权查看活动")
	}
	f, err := a.DB.Q().ActivityFile(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNotFound
	}
	return f, err
}

// RemindActivities tells, once per activity, the office and the people of
// its lead departments (the responsible ones when it has no lead) when an
// activity is past its days without being done, summed up or evidenced.
// Run by the outbox's loop while the plan's year runs; safe to call often.
func (a *App) RemindActivities(ctx context.Context) (sent int, err error) {
	pl, err := a.Plan(ctx, 0)
	if err != nil {
		return 0, err
	}
	// Only while the plan's year runs: a year long over is not chased.
	if a.Today(pl.Location()).Year != pl.Year {
		return 0, nil
	}
	system := &domain.User{Role: domain.Office}
	acts, err := a.Activities(ctx, system, pl.Year)
	if err != nil {
		return 0, err
	}
	for _, v := range acts {
		if len(v.Missing) == 0 || v.Form == nil {
			continue
		}
		key := fmt.Sprintf("activity_reminded:%d", v.ID)
		err := a.DB.InTx(ctx, func(q *store.Q) error {
			// The run is claimed with its effects: of several servers,
			// exactly one tells them.
			if mine, err := q.ClaimRun(ctx, key, a.Today(pl.Location()).String()); err != nil || !mine {
				return err
			}
			depts := v.Form.Lead
			if len(depts) == 0 {
				depts = activityDepts(pl, v.Form)
			}
			who, err := q.Recipients(ctx, domain.Office, "")
			if err != nil {
				return err
			}
			for _, d := range depts {
				ids, err := departmentPeople(ctx, q, d)
				if err != nil {
					return err
				}
				who = append(who, ids...)
			}
			text := fmt.Sprintf("活动“%s”已过日期：%s", v.Form.Title, strings.Join(v.Missing, "、"))
			dept := ""
			if len(depts) == 1 {
				dept = depts[0]
			}
			if err := a.notify(ctx, q, nil, who, dept, domain.NoticeRemind, text, fmt.Sprintf("/activities/%d", v.ID)); err != nil {
				return err
			}
			sent++
			return nil
		})
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}
