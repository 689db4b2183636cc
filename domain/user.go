package domain

import (
	"slices"
	"time"
)

// User is an account.
type User struct {
	ID                 int64
	Username           string
	DisplayName        string
	Role               Role
	Department         string // code; empty for bureau-wide roles
	DepartmentName     string
	Leads              []string // department codes an in-charge leader oversees
	PasswordHash       string
	MustChangePassword bool
	FailedLogins       int
	LockedUntil        time.Time
	Disabled           bool
	Demo               bool
	PasswordChangedAt  time.Time
	CreatedAt          time.Time
	Email              string // for notices by e-mail (sealed at rest)
	NotifyEmail        bool   // the user asked for them
	Phone              string // sealed at rest; shown masked
	WeComUser          string // the 企业微信 member id (成员 UserID): messages and sign-in; "" none
	TOTPSecret         string // the second factor's secret, sealed; "" before enrolment
	TOTPEnabled        bool   // enrolment confirmed with a code
	TOTPLastStep       int64  // the last time step accepted (a code is good once)
}

// LeadsDept reports whether the user oversees the department.
func (u *User) LeadsDept(code string) bool { return slices.Contains(u.Leads, code) }

// Session is a signed-in browser or client.
type Session struct {
	UserID     int64
	CSRFToken  string
	Address    string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	Stage      SessionStage
}

// SessionStage is how far a sign-in has come: a session that has given the
// password alone may do nothing but give its second factor, or enrol one.
type SessionStage string

// Session stages.
const (
	StageFull  SessionStage = ""      // signed in
	StageCode  SessionStage = "code"  // waits for the second factor's code
	StageEnrol SessionStage = "enrol" // must enrol a second factor first
)

// UserFilter selects accounts; zero fields select everything.
type UserFilter struct {
	Role       Role
	Department string
	Text       string // in the user name or the display name
}

// Notice kinds.
const (
	NoticeReview   = "review"   // a piece waits for this reviewer
	NoticeReturned = "returned" // the user's piece came back, with the comment
	NoticeVerify   = "verify"   // a department's record waits for the office
	NoticeRejected = "rejected" // the office did not accept the user's record
	NoticeRemind   = "remind"   // 催报 from the office
	NoticeQuota    = "quota"    // a quota item is due soon
	NoticeClosed   = "closed"   // a period was closed with the user's deductions
	NoticeSecurity = "security" // something was done to the user's account (a password reset)
	NoticeApproved = "approved" // the user's piece passed review
	NoticeAdopted  = "adopted"  // the user's piece counts in a channel (recorded by the office, or verified)
	NoticeUndone   = "undone"   // the office took back a verification of the user's record
)

var noticeKinds = map[string]string{NoticeReview: "待审核", NoticeReturned: "退回修改", NoticeVerify: "待核实",
	NoticeRejected: "不予认定", NoticeRemind: "催报", NoticeQuota: "月度任务提醒", NoticeClosed: "结账扣分", NoticeSecurity: "账户安全", NoticeApproved: "审核通过", NoticeAdopted: "采用计分", NoticeUndone: "撤销认定", "activate": "账户启用链接", "reset": "密码重置链接"}

// NoticeKindName is a notice kind in Chinese (通知 for one without a name).
func NoticeKindName(kind string) string {
	if n, ok := noticeKinds[kind]; ok {
		return n
	}
	return "通知"
}

// Notice is something kexuan tells a user, with where to go about it.
type Notice struct {
	ID        int64
	UserID    int64
	Kind      string
	Text      string
	Link      string // a local path
	About     string // the event that told several people (remind:…, commission:N), or ""
	CreatedAt time.Time
	Read      bool
}

// Reads is how many of the people an event told have read it.
type Reads struct{ Read, Told int }

// Delivery is a notice on its way beyond the page: an e-mail to a user or a
// message to a department's group robot.
type Delivery struct {
	ID      int64
	Kind    string // the notice's kind (NoticeReview, …)
	Channel string // email, webhook, wecom
	Target  string // an address, a department code (its webhook), or a 企业微信 member id
	Subject string
	Body    string
	// Mentions are the phones of the people a robot message is for
	// (sealed, comma-separated; "" for none).
	Mentions  string
	Attempts  int
	SentAt    time.Time
	FailedAt  time.Time
	LastError string
	CreatedAt time.Time
}

// Webhook is a department's group robot.
type Webhook struct {
	Department string
	Kind       string // wecom (企业微信), dingtalk (钉钉)
	URL        string
	Secret     string // 钉钉's signing secret; never shown once saved
}
