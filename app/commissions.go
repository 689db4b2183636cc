package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"kexuan/domain"
	"kexuan/plan"
	"kexuan/store"
)

// CommissionInput is 约稿 as the office or a leader writes it.
type CommissionInput struct {
	Department string
	Title      string
	Theme      string // a theme code of the plan, or "" (不限)
	Channel    string
	Due        string
	Notes      string
}

// mayCommission: the office any department, a leader the departments they lead.
func mayCommission(u *domain.User, dept string) bool {
	switch u.Role {
	case domain.Office, domain.Chief:
		return true
	case domain.Leader:
		return slices.Contains(u.Leads, dept)
	}
	return false
}

// CreateCommission asks a department for a piece by a date; its people are told.
func (a *App) CreateCommission(ctx context.Context, act *Actor, in CommissionInput) (_ *domain.Commission, err error) {
	defer a.refused(ctx, act, "commission_create", "department:"+in.Department, &err)
	if !mayCommission(act.User, in.Department) {
		return nil, forbidden("只有办公室和分管局领导可以向科室约稿")
	}
	due, err := plan.ParseDate(strings.TrimSpace(in.Due))
	if err != nil {
		return nil, invalid("due", "截止日期：%v", err)
	}
	// A commission is not scored: one due next year is checked against the
	// latest plan when its own year has none yet.
	pl, err := a.Plan(ctx, due.Year)
	if err != nil {
		if pl, err = a.Plan(ctx, 0); err != nil {
			return nil, err
		}
		if due.Year < pl.Year {
			return nil, invalid("due", "%d 年没有考核方案", due.Year)
		}
	}
	if pl.Department(in.Department) == nil {
		return nil, invalid("department", "请选择科室")
	}
	if err := checkText("title", &in.Title, MaxTitle); err != nil {
		return nil, err
	}
	if in.Title == "" {
		return nil, invalid("title", "请写明约稿题目")
	}
	if err := checkText("notes", &in.Notes, MaxComment); err != nil {
		return nil, err
	}
	if in.Theme != "" && pl.Theme(in.Theme) == nil {
		return nil, invalid("theme", "宣传重点不对")
	}
	if in.Channel != "" && pl.Channel(in.Channel) == nil {
		return nil, invalid("channel", "渠道不对")
	}
	c := &domain.Commission{Department: in.Department, Title: in.Title, Theme: in.Theme, Channel: in.Channel, Due: due, Notes: in.Notes, CreatedBy: act.ID}
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		if err := q.AddCommission(ctx, c); err != nil {
			return err
		}
		who, err := departmentPeople(ctx, q, c.Department)
		if err != nil {
			return err
		}
		if err := a.notifyAbout(ctx, q, act, who, c.Department, domain.NoticeRemind,
			fmt.Sprintf("%s约稿：《%s》，请于 %s 前报送", act.DisplayName, c.Title, c.Due), "/commissions", fmt.Sprintf("commission:%d", c.ID)); err != nil {
			return err
		}
		return a.audit(ctx, q, act, "commission_create", fmt.Sprintf("commission:%d", c.ID), domain.AuditOK,
			fmt.Sprintf("%s《%s》%s 前", pl.Department(c.Department).Name, c.Title, c.Due))
	})
	if err != nil {
		return nil, err
	}
	c.DeptName = pl.Department(c.Department).Name
	return c, nil
}

// CommissionView is a commission and whether it is overdue.
type CommissionView struct {
	*domain.Commission
	Overdue bool
	Reads   *domain.Reads // how many of the department's people have read it (for who asked; nil otherwise)
}

// CommissionFilter narrows the commissions listed.
type CommissionFilter struct {
	Open       bool   // only those no piece answers yet
	Department string // "": every department u may see
}

// commissionKeys: open first, due date, id.
var commissionKeys = keyCodec[store.CommissionKey]{
	encode: func(k store.CommissionKey) string {
		done := "0"
		if k.Done {
			done = "1"
		}
		return done + "," + k.Due.String() + "," + strconv.FormatInt(k.ID, 10)
	},
	decode: func(s string) (store.CommissionKey, bool) {
		parts := strings.Split(s, ",")
		if len(parts) != 3 || (parts[0] != "0" && parts[0] != "1") {
			return store.CommissionKey{}, false
		}
		due, err1 := plan.ParseDate(parts[1])
		id, err2 := strconv.ParseInt(parts[2], 10, 64)
		if err1 != nil || err2 != nil || id <= 0 {
			return store.CommissionKey{}, false
		}
		return store.CommissionKey{Done: parts[0] == "1", Due: due, ID: id}, true
	},
}

// Commissions lists, a page at a time, what u may see: a department's
// people their own, a leader their departments', the office and the chief
// all; open first, by due date.
func (a *App) Commissions(ctx context.Context, u *domain.User, f CommissionFilter, pq PageQuery) (*Page[*CommissionView], error) {
	var depts []string
	switch {
	case u.Role.InDepartment():
		depts = []string{u.Department}
	case u.Role == domain.Leader:
		depts = slices.Clone(u.Leads)
		if depts == nil {
			depts = []string{}
		}
	case u.Role == domain.Office || u.Role == domain.Chief:
	default:
		return nil, forbidden("无权查看约稿")
	}
	if f.Department != "" {
		if depts != nil && !slices.Contains(depts, f.Department) {
			depts = []string{}
		} else {
			depts = []string{f.Department}
		}
	}
	today := a.Today(a.Zone(ctx))
	view := func(c *domain.Commission) *CommissionView {
		return &CommissionView{Commission: c, Overdue: c.PieceID == 0 && c.Due.Before(today)}
	}
	return paginate(pq, commissionKeys, func(c *CommissionView) store.CommissionKey { return store.KeyOfCommission(c.Commission) },
		func(from *store.CommissionKey, back bool, n int) ([]*CommissionView, error) {
			cs, err := a.DB.Q().Commissions(ctx, depts, f.Open, from, back, n)
			if err != nil {
				return nil, err
			}
			out := make([]*CommissionView, len(cs))
			var abouts []string
			for i, c := range cs {
				out[i] = view(c)
				abouts = append(abouts, fmt.Sprintf("commission:%d", c.ID))
			}
			// Who asked sees who has read it.
			if !u.Role.InDepartment() {
				reads, err := a.DB.Q().NoticeReads(ctx, abouts)
				if err != nil {
					return nil, err
				}
				for i, c := range cs {
					if r, ok := reads[fmt.Sprintf("commission:%d", c.ID)]; ok {
						out[i].Reads = &r
					}
				}
			}
			return out, nil
		})
}

// allCommissions is every commission u may see, page after page (exports).
func (a *App) allCommissions(ctx context.Context, u *domain.User, f CommissionFilter) ([]*CommissionView, error) {
	var out []*CommissionView
	pq := PageQuery{Limit: MaxPage}
	for {
		pg, err := a.Commissions(ctx, u, f, pq)
		if err != nil {
			return nil, err
		}
		out = append(out, pg.Items...)
		if pg.Next == "" || len(pg.Items) == 0 {
			return out, nil
		}
		pq.Cursor = pg.Next
	}
}

// FulfilCommission records that a piece of the department answers a
// commission (its reporters and head), audited; who asked is told.
func (a *App) FulfilCommission(ctx context.Context, act *Actor, id, pieceID int64) (err error) {
	defer a.refused(ctx, act, "commission_fulfil", fmt.Sprintf("commission:%d", id), &err)
	if !act.Role.InDepartment() {
		return forbidden("由约稿的科室选择回应的稿件")
	}
	return a.DB.InTx(ctx, func(q *store.Q) error {
		c, err := q.Commission(ctx, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && c.Department != act.Department) {
			return errNotFound
		}
		if err != nil {
			return err
		}
		p, err := a.piece(ctx, q, act.User, pieceID)
		if err != nil || p.Department != act.Department {
			return invalid("piece_id", "请选择本科室的稿件")
		}
		if err := q.FulfilCommission(ctx, id, pieceID); err != nil {
			return conflict("这项约稿已有稿件回应")
		}
		if err := a.notify(ctx, q, act, []int64{c.CreatedBy}, c.Department, domain.NoticeRemind,
			fmt.Sprintf("约稿《%s》已由%s回应：《%s》", c.Title, c.DeptName, p.Title), "/pieces/"+strconv.FormatInt(p.ID, 10)); err != nil {
			return err
		}
		return a.audit(ctx, q, act, "commission_fulfil", fmt.Sprintf("commission:%d", id), domain.AuditOK, pieceObj(pieceID))
	})
}

// MaxInstruction is the longest 批示, in characters.
const MaxInstruction = 1000

// AddInstruction records a leader's 批示 on a piece ("piece"), an adoption
// record ("publication") or an activity ("activity") the leader may see;
// those it concerns are told.
func (a *App) AddInstruction(ctx context.Context, act *Actor, kind string, id int64, text string) (_ *domain.Instruction, err error) {
	object := fmt.Sprintf("%s:%d", kind, id)
	defer a.refused(ctx, act, "instruction", object, &err)
	if act.Role != domain.Leader && act.Role != domain.Chief {
		return nil, forbidden("批示由局领导作出")
	}
	if err := checkText("text", &text, MaxInstruction); err != nil {
		return nil, err
	}
	if text == "" {
		return nil, invalid("text", "批示内容不能为空")
	}
	in := &domain.Instruction{Object: object, Text: text, CreatedBy: act.ID}
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		var who []int64
		var dept, link, what string
		switch kind {
		case "piece":
			p, err := a.piece(ctx, q, act.User, id)
			if err != nil {
				return err
			}
			people, err := departmentPeople(ctx, q, p.Department)
			if err != nil {
				return err
			}
			who, dept, link, what = append(people, p.AuthorID), p.Department, "/pieces/"+strconv.FormatInt(id, 10), "《"+p.Title+"》"
		case "publication":
			rec, err := adoption(ctx, q, id)
			if err != nil {
				return err
			}
			if rec.PieceID == 0 {
				return errNotFound
			}
			if _, err := a.piece(ctx, q, act.User, rec.PieceID); err != nil {
				return err
			}
			office, err := q.Recipients(ctx, domain.Office, "")
			if err != nil {
				return err
			}
			who, dept, link, what = append(office, rec.RecordedBy), rec.Department, "/pieces/"+strconv.FormatInt(rec.PieceID, 10), "《"+rec.Title+"》的采用记录"
		case "activity":
			d, err := a.Activity(ctx, act.User, id, PageQuery{})
			if err != nil {
				return err
			}
			pl, err := a.planIn(ctx, q, d.Year)
			if err != nil {
				return err
			}
			office, err := q.Recipients(ctx, domain.Office, "")
			if err != nil {
				return err
			}
			who = office
			for _, code := range activityDepts(pl, d.Form) {
				people, err := departmentPeople(ctx, q, code)
				if err != nil {
					return err
				}
				who = append(who, people...)
			}
			link, what = "/activities/"+strconv.FormatInt(id, 10), "活动“"+d.Form.Title+"”"
		default:
			return invalid("object", "批示对象应为稿件、采用记录或活动")
		}
		if err := q.AddInstruction(ctx, in); err != nil {
			return err
		}
		if err := a.notify(ctx, q, act, who, dept, domain.NoticeRemind, fmt.Sprintf("%s对%s批示：%s", act.DisplayName, what, text), link); err != nil {
			return err
		}
		return a.audit(ctx, q, act, "instruction", object, domain.AuditOK, text)
	})
	if err != nil {
		return nil, err
	}
	in.CreatedName = act.DisplayName
	return in, nil
}

// Instructions lists the 批示 on an object the user has already been shown.
func (a *App) Instructions(ctx context.Context, kind string, id int64) ([]*domain.Instruction, error) {
	return a.DB.Q().Instructions(ctx, fmt.Sprintf("%s:%d", kind, id))
}

// CommissionDueDays is how many days before its due date a commission not
// yet answered is told to the department again.
const CommissionDueDays = 3

// RemindCommissions tells the department of each open commission due
// within CommissionDueDays, once: the run is claimed with its notice, so of
// several servers exactly one tells it.
func (a *App) RemindCommissions(ctx context.Context) (sent int, err error) {
	today := a.Today(a.Zone(ctx))
	due, err := a.DB.Q().CommissionsDue(ctx, today, today.AddDays(CommissionDueDays))
	if err != nil {
		return 0, err
	}
	for _, c := range due {
		err := a.DB.InTx(ctx, func(q *store.Q) error {
			if mine, err := q.ClaimRun(ctx, fmt.Sprintf("commission_due:%d", c.ID), today.String()); err != nil || !mine {
				return err
			}
			who, err := departmentPeople(ctx, q, c.Department)
			if err != nil {
				return err
			}
			if err := a.notify(ctx, q, nil, who, c.Department, domain.NoticeRemind,
				fmt.Sprintf("约稿《%s》将于 %s 截止，尚未报送", c.Title, c.Due), "/commissions"); err != nil {
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
