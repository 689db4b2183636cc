package domain

import "slices"

// Role is what a user is in the bureau (PRODUCT.md).
type Role string

// Roles.
const (
	Reporter Role = "reporter" // 信息员
	Head     Role = "head"     // 科室负责人
	Leader   Role = "leader"   // 分管局领导
	Chief    Role = "chief"    // 主要领导/新闻发言人
	Office   Role = "office"   // 办公室
	// 三员分立: three administrators with no overlap, none of whom writes,
	// reviews or records anything.
	Admin    Role = "admin"    // 系统管理员: accounts, departments, plans, settings
	Security Role = "security" // 安全管理员: roles and leaders, the password and lockout policy, unlocking, second factors
	Auditor  Role = "auditor"  // 审计管理员: the audit log, and nothing else
	// Pending is an account the system administrator created that waits for
	// the security administrator to give it a role: it can do nothing.
	Pending Role = "pending"
)

// Roles in the order the UI lists them.
var Roles = []Role{Reporter, Head, Leader, Chief, Office, Admin, Security, Auditor, Pending}

// WorkRoles are the roles the security administrator assigns in the pages;
// the three administrators are made on the command line only.
var WorkRoles = []Role{Reporter, Head, Leader, Chief, Office}

var roleNames = map[Role]string{
	Reporter: "信息员", Head: "科室负责人", Leader: "分管局领导", Chief: "主要领导/新闻发言人", Office: "办公室",
	Admin: "系统管理员", Security: "安全管理员", Auditor: "审计管理员", Pending: "待授权",
}

// Administrator reports whether the role is one of the three administrators.
func (r Role) Administrator() bool { return r == Admin || r == Security || r == Auditor }

// Name is the role's Chinese name.
func (r Role) Name() string {
	if n, ok := roleNames[r]; ok {
		return n
	}
	return string(r)
}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { _, ok := roleNames[r]; return ok }

// InDepartment reports whether the role belongs to one department.
func (r Role) InDepartment() bool { return r == Reporter || r == Head }

// Perm is a permission a route or action requires.
type Perm string

// Permissions.
const (
	PermNone       Perm = ""               // any signed-in user
	PermScore      Perm = "score:read"     // dashboards and ledgers
	PermPieceRead  Perm = "piece:read"     // see pieces (which ones: per object)
	PermPieceWrite Perm = "piece:write"    // draft, edit, submit, attach
	PermReview     Perm = "piece:review"   // approve / return
	PermAdopt      Perm = "adoption:add"   // record adoptions (which channels: the plan's recorded_by)
	PermVerify     Perm = "adoption:ok"    // verify outside coverage, accept quota items
	PermAccounts   Perm = "admin:accounts" // see the accounts (system and security administrators)
	PermUsers      Perm = "admin:users"    // create accounts, their names, departments, contacts; settings
	PermSecurity   Perm = "admin:security" // roles and leaders, policy, unlocking, password and second-factor resets
	PermAudit      Perm = "admin:audit"    // search, verify and export the audit log
	PermExport     Perm = "report:export"  // exports of the assessment
	PermAdjust     Perm = "score:adjust"   // manual 加减分, with a reason
	// The rest of the plan's work (主要形式): enterprises and parks are
	// shared; visits belong to a department.
	PermFieldRead  Perm = "field:read"  // see enterprises, visits
	PermFieldWrite Perm = "field:write" // add enterprises, record visits (a department's own; the office any)
)

var grants = map[Role][]Perm{
	Reporter: {PermScore, PermPieceRead, PermPieceWrite, PermAdopt, PermFieldRead, PermFieldWrite},
	Head:     {PermScore, PermPieceRead, PermPieceWrite, PermAdopt, PermExport, PermFieldRead, PermFieldWrite},
	Leader:   {PermScore, PermPieceRead, PermReview, PermExport, PermFieldRead},
	Chief:    {PermScore, PermPieceRead, PermReview, PermExport, PermFieldRead},
	Office:   {PermScore, PermPieceRead, PermAdopt, PermVerify, PermExport, PermAdjust, PermFieldRead, PermFieldWrite},
	Admin:    {PermAccounts, PermUsers},
	Security: {PermAccounts, PermSecurity},
	Auditor:  {PermAudit},
	Pending:  {},
}

// Can reports whether a role has a permission.
func (r Role) Can(p Perm) bool {
	if p == PermNone {
		_, ok := grants[r]
		return ok && r != Pending
	}
	return slices.Contains(grants[r], p)
}
