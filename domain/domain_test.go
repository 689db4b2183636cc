package domain

import (
	"strings"
	"testing"
)

func TestTransitions(t *testing.T) {
	for _, tc := range []struct {
		action Action
		from   PieceState
		to     PieceState
		ok     bool
	}{
		{ActSubmit, StateDraft, StateSubmitted, true},
		{ActSubmit, StateReturned, StateSubmitted, true},
		{ActSubmit, StateSubmitted, "", false},
		{ActSubmit, StateApproved, "", false},
		{ActApprove, StateSubmitted, StateApproved, true},
		{ActApprove, StateLeaderApproved, StateApproved, true},
		{ActApprove, StateDraft, "", false},
		{ActReturn, StateLeaderApproved, StateReturned, true},
		{ActReturn, StateApproved, "", false},
		{ActAdopt, StateApproved, StateApproved, true},
		{ActAdopt, StateAdopted, StateAdopted, true},
		{ActAdopt, StateSubmitted, "", false},
		{ActEdit, StateApproved, "", false},
	} {
		to, ok := Next(tc.action, tc.from)
		if ok != tc.ok || to != tc.to {
			t.Errorf("%s from %s: %q %v, want %q %v", tc.action, tc.from, to, ok, tc.to, tc.ok)
		}
	}
	if AdoptedTo(StateApproved, 1) != StateAdopted || AdoptedTo(StateAdopted, 0) != StateApproved ||
		AdoptedTo(StateAdopted, 2) != StateAdopted || AdoptedTo(StateApproved, 0) != StateApproved {
		t.Error("AdoptedTo: 已采用 must mean at least one counted record")
	}
	major := &Piece{Major: true, State: StateSubmitted}
	if ApproveTo(Leader, major, Chief) != StateLeaderApproved || ApproveTo(Leader, major, Leader) != StateApproved ||
		ApproveTo(Leader, &Piece{State: StateSubmitted}, Chief) != StateApproved {
		t.Error("ApproveTo: a 重大事项 goes on to the chief only when the plan says so")
	}
}

func TestAllow(t *testing.T) {
	rep := &User{ID: 1, Role: Reporter, Department: "a"}
	other := &User{ID: 2, Role: Reporter, Department: "b"}
	lead := &User{ID: 3, Role: Leader, Leads: []string{"a"}}
	lead2 := &User{ID: 4, Role: Leader, Leads: []string{"b"}}
	chief := &User{ID: 5, Role: Chief}
	office := &User{ID: 6, Role: Office}
	admin := &User{ID: 7, Role: Admin}
	piece := func(s PieceState) *Piece { return &Piece{Department: "a", AuthorID: 1, State: s} }
	code := func(err error) string {
		if err == nil {
			return ""
		}
		return ErrorOf(err).Code
	}
	for _, tc := range []struct {
		u      *User
		p      *Piece
		action Action
		want   string
	}{
		{rep, piece(StateDraft), ActEdit, ""},
		{rep, piece(StateDraft), ActSubmit, ""},
		{rep, piece(StateSubmitted), ActEdit, EConflict},
		{rep, piece(StateSubmitted), ActAttach, EConflict},
		{other, piece(StateDraft), ActEdit, ENotFound}, // another department's piece is not theirs to see
		{lead, piece(StateDraft), ActApprove, ENotFound},
		{lead, piece(StateSubmitted), ActApprove, ""},
		{lead, piece(StateSubmitted), ActReturn, ""},
		{lead2, piece(StateSubmitted), ActApprove, ENotFound},
		{lead, piece(StateLeaderApproved), ActApprove, EConflict},
		{chief, piece(StateLeaderApproved), ActApprove, ""},
		{chief, piece(StateSubmitted), ActApprove, EConflict},
		{lead, piece(StateSubmitted), ActEdit, EForbidden},
		{rep, piece(StateSubmitted), ActApprove, EForbidden},
		{&User{ID: 1, Role: Leader, Leads: []string{"a"}}, piece(StateSubmitted), ActApprove, EForbidden}, // one's own piece
		{office, piece(StateApproved), ActAdopt, ""},
		{office, piece(StateSubmitted), ActAdopt, EConflict},
		{rep, piece(StateApproved), ActAdopt, ""},
		{rep, piece(StateAdopted), ActAdopt, ""},
		{lead, piece(StateApproved), ActAdopt, EForbidden},
		{admin, piece(StateApproved), ActAdopt, ENotFound},
		{office, piece(StateDraft), ActAdopt, ENotFound},
	} {
		if got := code(Allow(tc.u, tc.p, tc.action)); got != tc.want {
			t.Errorf("%s (%s) %s a %s piece: %q, want %q", tc.u.Role, tc.u.Department, tc.action, tc.p.State, got, tc.want)
		}
	}
	if a := ActionsOf(rep, piece(StateReturned)); !a.Edit || !a.Submit || !a.Attach || a.Approve || a.Adopt {
		t.Errorf("a reporter on their returned piece: %+v", a)
	}
	if a := ActionsOf(lead, piece(StateSubmitted)); a.Edit || !a.Approve || !a.Return || a.Adopt {
		t.Errorf("the leader on a submitted piece: %+v", a)
	}
}

func TestNames(t *testing.T) {
	for _, s := range States {
		if !s.Valid() || s.Name() == string(s) {
			t.Errorf("state %s has no Chinese name", s)
		}
	}
	for _, r := range Roles {
		if !r.Valid() || r.Name() == string(r) {
			t.Errorf("role %s has no Chinese name", r)
		}
	}
	if PieceState("x").Valid() || Role("root").Valid() {
		t.Error("unknown states and roles are not valid")
	}
	if got := Clip("一二三四五", 3); got != "一二…" {
		t.Errorf("Clip: %q", got)
	}
}

func TestAuditNames(t *testing.T) {
	if AuditActionName("period_close") != "结账" || AuditAction("结账") != "period_close" || AuditAction("login") != "login" {
		t.Error("audit action names do not round-trip")
	}
	if AuditResultName(AuditDenied) != "拒绝" {
		t.Error("result name")
	}
}

func TestCheckCreditCode(t *testing.T) {
	// The standard's example, and codes whose check characters were computed
	// apart (by a separate script) from the same weights.
	for _, ok := range []string{"91350100M000100Y43", "91110000802100433B", "91410105MA44PQ3R1K", "12410100415803247T", "91410100MA3X4XKN97"} {
		if _, err := CheckCreditCode(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	if got, err := CheckCreditCode(" 91350100m000100y43 "); err != nil || got != "91350100M000100Y43" {
		t.Errorf("lower case: %q %v", got, err)
	}
	for code, want := range map[string]string{
		"91350100M000100Y4":   "应为 18 位，现为 17 位",
		"91350100M000100Y433": "现为 19 位",
		"91350100M0001O0Y43":  "第 14 位“O”",
		"91350100M000100Y44":  "第 18 位应为“3”",
		"91350100M000100Y4中":  "第 18 位“中”",
	} {
		if _, err := CheckCreditCode(code); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", code, err, want)
		}
	}
}

// FuzzCreditCode: whatever is accepted is 18 upper-case characters whose
// check character is the one the standard computes; nothing panics.
func FuzzCreditCode(f *testing.F) {
	for _, s := range []string{"91350100M000100Y43", "91350100m000100y43", "9135010", "中文中文中文中文中文中文中文中文中文", "91350100M000100Y4I"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, err := CheckCreditCode(s)
		if err != nil {
			return
		}
		if len(code) != 18 || strings.ToUpper(code) != code {
			t.Fatalf("accepted %q as %q", s, code)
		}
		if again, err := CompleteCreditCode(code[:17]); err != nil || again != code {
			t.Fatalf("%q: check character differs (%q, %v)", code, again, err)
		}
	})
}

// 三员分立: the three administrators share no permission, and none of them
// may write, review, record, verify, adjust, export or read the scores.
func TestThreeAdministrators(t *testing.T) {
	admins := []Role{Admin, Security, Auditor}
	for i, a := range admins {
		if !a.Administrator() {
			t.Errorf("%s is not an administrator", a)
		}
		for _, p := range []Perm{PermScore, PermPieceRead, PermPieceWrite, PermReview, PermAdopt, PermVerify, PermExport, PermAdjust, PermFieldRead, PermFieldWrite} {
			if a.Can(p) {
				t.Errorf("%s may %s", a, p)
			}
		}
		for _, b := range admins[i+1:] {
			for _, p := range grants[a] {
				if b.Can(p) && p != PermAccounts {
					t.Errorf("%s and %s both may %s", a, b, p)
				}
			}
		}
	}
	if Admin.Can(PermSecurity) || Admin.Can(PermAudit) || Security.Can(PermUsers) || Security.Can(PermAudit) ||
		Auditor.Can(PermUsers) || Auditor.Can(PermSecurity) || Auditor.Can(PermAccounts) {
		t.Error("administrators overlap")
	}
	for _, r := range WorkRoles {
		if r.Administrator() || r.Can(PermUsers) || r.Can(PermSecurity) || r.Can(PermAudit) || r.Can(PermAccounts) {
			t.Errorf("%s may administer", r)
		}
	}
	if Pending.Can(PermNone) {
		t.Error("an account waiting for its role may act")
	}
}
