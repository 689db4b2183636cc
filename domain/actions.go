package domain

// Action is something a user does to a piece.
type Action string

// Actions on a piece.
const (
	ActEdit    Action = "edit"    // change title, body, themes, channels
	ActAttach  Action = "attach"  // add a photo or scan
	ActSubmit  Action = "submit"  // send for review
	ActApprove Action = "approve" // pass review
	ActReturn  Action = "return"  // send back with a comment
	ActAdopt   Action = "adopt"   // record where it appeared
)

// step is one edge of the transition table.
type step struct {
	action Action
	from   PieceState
}

// transitions is the piece's life: which action moves a piece from which
// state to which. Approving a 重大事项 at the leader's step goes to the
// chief instead when the plan says so (ApproveTo); recording adoptions moves
// a piece only through its counted records (AdoptedTo).
var transitions = map[step]PieceState{
	{ActSubmit, StateDraft}:           StateSubmitted,
	{ActSubmit, StateReturned}:        StateSubmitted,
	{ActApprove, StateSubmitted}:      StateApproved,
	{ActApprove, StateLeaderApproved}: StateApproved,
	{ActReturn, StateSubmitted}:       StateReturned,
	{ActReturn, StateLeaderApproved}:  StateReturned,
	{ActEdit, StateDraft}:             StateDraft,
	{ActEdit, StateReturned}:          StateReturned,
	{ActAttach, StateDraft}:           StateDraft,
	{ActAttach, StateReturned}:        StateReturned,
	{ActAdopt, StateApproved}:         StateApproved, // moved by AdoptedTo
	{ActAdopt, StateAdopted}:          StateAdopted,
}

// Next is where action takes a piece in state from; ok is false when the
// action is not possible in that state.
func Next(action Action, from PieceState) (to PieceState, ok bool) {
	to, ok = transitions[step{action, from}]
	return to, ok
}

// ApproveTo is where an approval by role takes a piece: a 重大事项 approved by
// its in-charge leader goes on to majorReviewer when that is the chief.
func ApproveTo(role Role, p *Piece, majorReviewer Role) PieceState {
	if role == Leader && p.Major && majorReviewer == Chief && p.State == StateSubmitted {
		return StateLeaderApproved
	}
	return StateApproved
}

// AdoptedTo is the state of a published piece with counted records:
// 已采用 exactly when at least one record counts.
func AdoptedTo(s PieceState, counted int) PieceState {
	switch {
	case counted > 0 && s == StateApproved:
		return StateAdopted
	case counted == 0 && s == StateAdopted:
		return StateApproved
	}
	return s
}

// CanSee reports whether a user may see a piece: departments see their own
// (drafts included); a leader the departments they oversee, past the draft;
// the chief and the office every piece past its draft; an administrator none.
func CanSee(u *User, p *Piece) bool {
	switch u.Role {
	case Reporter, Head:
		return p.Department == u.Department
	case Leader:
		return u.LeadsDept(p.Department) && p.State != StateDraft
	case Chief, Office:
		return p.State != StateDraft
	}
	return false
}

// Allow says whether u may take action on p now: nil, or the error to
// show (ErrNotFound when u may not see the piece, EForbidden when the role or
// department may not, EConflict when the piece's state does not allow it).
// Which channels an adoption may be recorded in is the plan's (recorded_by):
// see app.MayRecord.
func Allow(u *User, p *Piece, action Action) error {
	if !CanSee(u, p) {
		return ErrNotFound
	}
	switch action {
	case ActEdit, ActAttach, ActSubmit:
		if !u.Role.Can(PermPieceWrite) || p.Department != u.Department {
			return Forbidden("无权修改或报送此稿件")
		}
	case ActApprove, ActReturn:
		if !u.Role.Can(PermReview) {
			return Forbidden("只有分管局领导、主要领导或新闻发言人可以审核")
		}
		if p.AuthorID == u.ID {
			return Forbidden("不能审核自己撰写的稿件")
		}
		switch u.Role {
		case Leader:
			if !u.LeadsDept(p.Department) {
				return Forbidden("不是此科室的分管局领导")
			}
			if p.State != StateSubmitted {
				return Conflict("稿件%s，不在分管局领导审核环节", p.State.Name())
			}
		case Chief:
			if p.State != StateLeaderApproved {
				return Conflict("稿件%s，不在主要领导审核环节", p.State.Name())
			}
		}
	case ActAdopt:
		if !u.Role.Can(PermAdopt) {
			return Forbidden("无权登记采用")
		}
		if u.Role.InDepartment() && p.Department != u.Department {
			return ErrNotFound
		}
	default:
		return Forbidden("未知操作 %q", action)
	}
	if _, ok := Next(action, p.State); !ok {
		switch action {
		case ActAttach:
			return Conflict("稿件%s：附件只能在草稿或退回修改时添加；审核通过后，佐证材料随采用登记上传", p.State.Name())
		case ActAdopt:
			return Conflict("稿件%s：只有审核通过的稿件才能登记采用", p.State.Name())
		case ActSubmit:
			return Conflict("稿件%s，不能报送", p.State.Name())
		case ActEdit:
			return Conflict("稿件%s，不能修改", p.State.Name())
		}
		return Conflict("稿件%s，不能%s", p.State.Name(), action)
	}
	return nil
}

// Actions is what a user may do to a piece now: the buttons a page shows.
type Actions struct {
	Edit, Attach, Submit, Approve, Return, Adopt bool
}

// ActionsOf evaluates Allow for every action.
func ActionsOf(u *User, p *Piece) Actions {
	ok := func(a Action) bool { return Allow(u, p, a) == nil }
	return Actions{Edit: ok(ActEdit), Attach: ok(ActAttach), Submit: ok(ActSubmit),
		Approve: ok(ActApprove), Return: ok(ActReturn), Adopt: ok(ActAdopt)}
}
