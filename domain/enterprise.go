package domain

import (
	"fmt"
	"kexuan/plan"
	"strings"
	"time"
)

// Enterprise is a company the bureau works with: visited, reached by the
// 科技政策进百企 campaign. Its 统一社会信用代码 (GB 32100-2015) identifies it.
type Enterprise struct {
	ID         int64
	Name       string
	CreditCode string // 18 characters, upper case, check character verified
	Park       string // the park it is in ("" when none)
	Address    string
	Contact    string
	Phone      string // the contact's phone; sealed at rest, masked in lists
	Industry   string
	CreatedBy  int64
	CreatedAt  time.Time
}

// EnterpriseFilter selects enterprises: Text in the name or the credit
// code, Park exactly.
type EnterpriseFilter struct {
	Text string
	Park string
}

// creditCodeChars are the characters of a 统一社会信用代码 in order: their
// index is their value (no I, O, Z, S, V).
const creditCodeChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditCodeWeights weigh the first 17 characters (GB 32100-2015, 3^i mod 31).
var creditCodeWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// CompleteCreditCode appends the check character to the first 17
// characters of a 统一社会信用代码.
func CompleteCreditCode(body string) (string, error) {
	body = strings.ToUpper(body)
	if len(body) != 17 {
		return "", fmt.Errorf("需要 17 位，现为 %d 位", len(body))
	}
	sum := 0
	for i, r := range body {
		v := strings.IndexRune(creditCodeChars, r)
		if v < 0 {
			return "", fmt.Errorf("第 %d 位“%c”不是允许的字符", i+1, r)
		}
		sum += v * creditCodeWeights[i]
	}
	return body + string(creditCodeChars[(31-sum%31)%31]), nil
}

// CheckCreditCode validates a 统一社会信用代码 by GB 32100-2015 and returns
// it in upper case; the error says what is wrong: its length, a character
// not allowed (and where), or the check character (and what it should be).
func CheckCreditCode(s string) (string, error) {
	code := strings.ToUpper(strings.TrimSpace(s))
	if n := len([]rune(code)); n != 18 {
		return "", fmt.Errorf("统一社会信用代码应为 18 位，现为 %d 位", n)
	}
	sum := 0
	for i, r := range code {
		v := strings.IndexRune(creditCodeChars, r)
		if v < 0 {
			return "", fmt.Errorf("统一社会信用代码第 %d 位“%c”不是允许的字符（数字或除 I、O、Z、S、V 外的大写字母）", i+1, r)
		}
		if i < 17 {
			sum += v * creditCodeWeights[i]
		}
	}
	check := (31 - sum%31) % 31
	if want := creditCodeChars[check]; code[17] != want {
		return "", fmt.Errorf("统一社会信用代码校验位不符：第 18 位应为“%c”，现为“%c”", want, code[17])
	}
	return code, nil
}

// Visit is a department's visit to a park or enterprises (定期走访园区和企业).
type Visit struct {
	ID          int64
	Department  string // code
	DeptName    string
	Day         plan.Date
	People      []string
	Enterprises []*Enterprise // visited (id and name at least)
	Park        string
	Needs       string // 创新需求
	Problems    string // 发展难题
	Highlights  string // 创新发展典型
	FollowUp    string
	CreatedBy   int64
	CreatedName string
	CreatedAt   time.Time
}

// VisitFilter selects visits: a department's (the actor's visibility is
// applied by app), within days.
type VisitFilter struct {
	Departments []string // nil: all; empty: none
	From, To    plan.Date
}

// ActivityStatus is where an activity stands.
type ActivityStatus string

const (
	ActivityPlanned ActivityStatus = "planned"
	ActivityRunning ActivityStatus = "running"
	ActivityDone    ActivityStatus = "done"
)

// Name is the status as pages show it.
func (s ActivityStatus) Name() string {
	switch s {
	case ActivityPlanned:
		return "计划中"
	case ActivityRunning:
		return "进行中"
	case ActivityDone:
		return "已完成"
	}
	return string(s)
}

// Valid reports a known status.
func (s ActivityStatus) Valid() bool {
	return s == ActivityPlanned || s == ActivityRunning || s == ActivityDone
}

// Activity is one of the plan's 主要形式 in one year.
type Activity struct {
	ID          int64
	Year, Form  int
	First, Last plan.Date // zero until set
	Status      ActivityStatus
	Summary     string
	UpdatedBy   int64
	UpdatedName string
	UpdatedAt   time.Time
	Files       int // evidence files
	Pieces      int // pieces that report it
}

// ActivityFile is a photo or document kept as an activity's evidence.
type ActivityFile struct {
	ID          int64
	ActivityID  int64
	Name        string
	ContentType string
	Size        int
	SHA256      string
	Data        []byte
	UploadedBy  int64
	CreatedAt   time.Time
}

// PolicyLevel is who issued a policy: 国家, 省, 市 or 区.
type PolicyLevel string

const (
	LevelNational   PolicyLevel = "national"
	LevelProvincial PolicyLevel = "provincial"
	LevelCity       PolicyLevel = "city"
	LevelDistrict   PolicyLevel = "district"
)

// PolicyLevels in the booklet's order.
var PolicyLevels = []PolicyLevel{LevelNational, LevelProvincial, LevelCity, LevelDistrict}

// Name is the level as documents write it.
func (l PolicyLevel) Name() string {
	return map[PolicyLevel]string{LevelNational: "国家级", LevelProvincial: "省级", LevelCity: "市级", LevelDistrict: "区级"}[l]
}

// Valid reports a known level.
func (l PolicyLevel) Valid() bool { return l.Name() != "" }

// Policy is one policy of the library (and the booklet).
type Policy struct {
	ID        int64
	Level     PolicyLevel
	Issuer    string
	DocNumber string // 文号
	Title     string
	Issued    plan.Date
	Summary   string
	Link      string
	Repealed  bool // 废止
	CreatedBy int64
	CreatedAt time.Time
}

// PolicyReach is one enterprise reached by 科技政策进百企: when, by which
// department, which policies were explained, what it asked for.
type PolicyReach struct {
	ID          int64
	Enterprise  *Enterprise
	Department  string
	DeptName    string
	Day         plan.Date
	Policies    []*Policy // id and title at least
	Asked       string
	CreatedBy   int64
	CreatedName string
	CreatedAt   time.Time
}

// JournalState is where an issue of the journal stands.
type JournalState string

const (
	JournalDraft     JournalState = "draft"
	JournalReview    JournalState = "review"
	JournalPublished JournalState = "published"
)

// Name is the state as pages show it.
func (s JournalState) Name() string {
	return map[JournalState]string{JournalDraft: "编辑中", JournalReview: "待审核", JournalPublished: "已印发"}[s]
}

// JournalIssue is one issue of the internal journal (the plan names it: 《…》2017年第N期).
type JournalIssue struct {
	ID          int64
	Year        int
	Number      int
	Day         plan.Date
	Editor      string
	State       JournalState
	Comment     string
	CreatedBy   int64
	CreatedAt   time.Time
	ReviewedBy  int64
	PublishedAt time.Time
	Items       []*JournalItem
}

// JournalItem is one article of an issue, in a section.
type JournalItem struct {
	ID       int64
	IssueID  int64
	Section  int // index in the plan's journal sections
	Position int
	PieceID  int64 // 0: outside material
	Title    string
	Source   string
	Body     string // sanitised HTML
}

// Commission is 约稿: a piece asked of a department by a date.
type Commission struct {
	ID          int64
	Department  string
	DeptName    string
	Title       string
	Theme       string // a theme code of the year's plan, or ""
	Channel     string
	Due         plan.Date
	Notes       string
	CreatedBy   int64
	CreatedName string
	CreatedAt   time.Time
	PieceID     int64 // 0 until a piece fulfils it
	PieceTitle  string
	FulfilledAt time.Time
}

// Instruction is 批示: a leader's instruction on a piece, an adoption
// record or an activity.
type Instruction struct {
	ID          int64
	Object      string // piece:12, publication:5, activity:3
	Text        string
	CreatedBy   int64
	CreatedName string
	CreatedAt   time.Time
}

// PhoneLike reports whether s reads as a phone number: 7 to 20 digits,
// with +, - or spaces between them.
func PhoneLike(s string) bool {
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0, r == '-' || r == ' ':
		default:
			return false
		}
	}
	return digits >= 7 && digits <= 20
}
