package domain

import (
	"fmt"
	"time"

	"kexuan/plan"
)

// PieceState is where a piece is in its life (PRODUCT.md module 2).
type PieceState string

// Piece states.
const (
	StateDraft          PieceState = "draft"           // 草稿
	StateSubmitted      PieceState = "submitted"       // 待审核 (in-charge leader)
	StateLeaderApproved PieceState = "leader_approved" // 待主要领导审核 (flagged 重大事项)
	StateApproved       PieceState = "approved"        // 已审核
	StateReturned       PieceState = "returned"        // 退回
	StateAdopted        PieceState = "adopted"         // 已采用: at least one counted adoption
)

// States in the order of a piece's life, as lists and filters show them.
var States = []PieceState{StateDraft, StateSubmitted, StateLeaderApproved, StateReturned, StateApproved, StateAdopted}

var stateNames = map[PieceState]string{
	StateDraft: "草稿", StateSubmitted: "待审核", StateLeaderApproved: "待主要领导审核",
	StateApproved: "已审核", StateReturned: "退回", StateAdopted: "已采用",
}

// Name is the state's Chinese name.
func (s PieceState) Name() string {
	if n, ok := stateNames[s]; ok {
		return n
	}
	return string(s)
}

// Valid reports whether s is one of States.
func (s PieceState) Valid() bool { _, ok := stateNames[s]; return ok }

// Editable reports whether the author's department may change the piece.
func (s PieceState) Editable() bool { return s == StateDraft || s == StateReturned }

// Published reports whether the piece passed review (adoptions may be recorded).
func (s PieceState) Published() bool { return s == StateApproved || s == StateAdopted }

// Piece is a piece of writing a department submits.
type Piece struct {
	ID             int64
	Department     string // code
	DepartmentName string
	AuthorID       int64
	AuthorName     string
	Title          string
	Body           string // sanitised HTML
	Words          int
	Themes         []string // theme codes of its year's plan
	Channels       []string
	Major          bool
	State          PieceState
	ActivityID     int64 // the plan activity (主要形式) it reports, 0: none
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Event is one step in a piece's history.
type Event struct {
	ID        int64
	PieceID   int64
	ActorID   int64
	ActorName string
	Action    string
	FromState PieceState
	ToState   PieceState
	Comment   string
	At        time.Time
}

// Attachment is a file attached to a piece (photo, scan, evidence).
type Attachment struct {
	ID          int64
	PieceID     int64
	Name        string
	ContentType string
	Size        int
	SHA256      string
	Data        []byte
	UploadedBy  int64
	CreatedAt   time.Time
}

// Adoption is a publication recorded for a piece.
type Adoption struct {
	ID           int64
	PieceID      int64
	Department   string
	Channel      string
	Day          plan.Date
	Title        string
	Outlet       string
	Issue        string
	Words        int
	Counted      bool // false until the office verifies a department's record
	RecordedBy   int64
	RecordedName string
	VerifiedBy   int64
	EvidenceID   int64
	CreatedAt    time.Time
}

// PieceVersion is what a piece said when it was sent for review.
type PieceVersion struct {
	ID            int64
	PieceID       int64
	Title, Body   string
	SubmittedBy   int64
	SubmittedName string
	SubmittedAt   time.Time
}

// Removal is why an adoption record left the score.
type Removal string

const (
	RemovalRejected Removal = "rejected" // the office did not accept a department's record
	RemovalDeleted  Removal = "deleted"  // the office deleted a wrong record
)

// Name is how pages call a removal.
func (r Removal) Name() string {
	switch r {
	case RemovalRejected:
		return "不予认定"
	case RemovalDeleted:
		return "已删除"
	}
	return string(r)
}

// RemovedAdoption is an adoption record that was rejected or deleted, kept
// with who removed it, when and why.
type RemovedAdoption struct {
	Adoption
	Kind        Removal
	Reason      string
	RemovedBy   int64
	RemovedName string
	RemovedAt   time.Time
}

// Publication is one row of the adoption register as imported.
type Publication struct {
	ID         int64
	Department string // code
	Channel    string // code
	Day        plan.Date
	Title      string
	Outlet     string
	Words      int
	Body       string
	Counted    bool   // false while a department's record awaits the office's verification
	Source     string // "import", "adoption"
	Line       int    // the register's line it was read from (imports)
}

// WordChange is a register row that is a publication already present (same
// department, channel, date, title and outlet) but with other 字数: an
// import refuses it unless asked to update, and then applies it as a
// correction.
type WordChange struct {
	Line      int // the register's line
	FirstLine int // > 0: the same publication earlier in the same register
	Title     string
	Old, New  int
}

// DiffersError refuses an import whose rows differ from what they repeat.
type DiffersError struct {
	Changes []WordChange
}

func (e *DiffersError) Error() string {
	return fmt.Sprintf("%d 行与已有记录字数不同", len(e.Changes))
}

// DepartmentRef is a department as accounts see it.
type DepartmentRef struct {
	Code, Name string
}

// PieceFilter selects pieces; zero fields select everything. The actor's
// visibility is expressed in it too (app narrows Departments and HideStates),
// so that a list's limit applies to what the actor may see.
type PieceFilter struct {
	Departments []string     // any of these (nil: all; empty: none)
	States      []PieceState // any of these (nil: all; empty: none)
	HideStates  []PieceState // none of these
	NotAuthor   int64        // not written by this user (a reviewer's queue)
	Major       *bool
	Title       string    // the title contains it
	Channel     string    // intended for this channel
	Theme       string    // under the theme of this code
	From, Until time.Time // written from, before (zero: open)
	Activity    int64     // reporting this activity
}

// Adjustment is a manual 加减分 the office recorded for a department.
type Adjustment struct {
	ID             int64
	Department     string
	DepartmentName string
	Day            plan.Date
	Points         float64 // ±, a multiple of 0.5
	Category       string  // a category of the plan, or "" (其他)
	Reason         string
	Reverses       int64 // the adjustment this one undoes (0: none)
	ReversedBy     int64 // the adjustment that undid this one (0: none)
	CreatedBy      int64
	CreatedByName  string
	CreatedAt      time.Time
}

// Period is a month or a year the office closed: its report as of the last
// day frozen, later changes recorded as corrections against it.
type Period struct {
	ID           int64
	Period       string // "2017-03" or "2017"
	Year         int
	LastDay      plan.Date
	ClosedAt     time.Time
	ClosedBy     int64
	ClosedName   string
	Reason       string
	Snapshot     string // the report JSON as of LastDay
	ReopenedAt   time.Time
	ReopenedBy   int64
	ReopenReason string
}

// Correction is a change to a closed period's figure for a department.
type Correction struct {
	ID         int64
	PeriodID   int64
	Department string
	Field      string // task_score, bonus, deduction, adjustment, total, rank
	Before     float64
	After      float64
	Reason     string
	At         time.Time
	ByUser     int64
	ByName     string
}

// CorrectionFieldNames are a correction's figures as people name them.
var CorrectionFieldNames = map[string]string{"task_score": "任务得分", "bonus": "加分", "deduction": "扣分",
	"adjustment": "加减分", "total": "总分", "rank": "排名"}

// CalendarEvent is a date the office set on the plan's calendar.
type CalendarEvent struct {
	ID        int64
	Year      int
	Title     string
	FirstDay  plan.Date
	LastDay   plan.Date
	Note      string
	CreatedBy int64
}

// CalendarEntry is one dated item of the plan's calendar, whatever it comes
// from (the plan file, the office, a quota deadline, a closed period).
type CalendarEntry struct {
	UID   string // stable across feeds, e.g. "form-4-2017-04-26"
	Kind  string // form, event, deadline, closed
	Title string
	Note  string
	First plan.Date
	Last  plan.Date
	Link  string // a local path
}
