// Package auth holds who may do what: the roles of PRODUCT.md, the
// permissions each grants, the password policy of SECURITY.md, and password
// hashing (argon2id, with a bound on concurrent hashes).
package auth

import (
	"context"
	"slices"

	"github.com/alexedwards/argon2id"
)

// Roles.
const (
	Reporter = "reporter" // 信息员
	Head     = "head"     // 科室负责人
	Leader   = "leader"   // 分管局领导
	Chief    = "chief"    // 主要领导/新闻发言人
	Office   = "office"   // 办公室
	Admin    = "admin"    // 管理员
)

// Roles in the order the UI lists them.
var Roles = []string{Reporter, Head, Leader, Chief, Office, Admin}

// RoleName is the Chinese name of a role.
var RoleName = map[string]string{
	Reporter: "信息员", Head: "科室负责人", Leader: "分管局领导", Chief: "主要领导/新闻发言人", Office: "办公室", Admin: "管理员",
}

// DepartmentRole reports whether the role belongs to one department.
func DepartmentRole(role string) bool { return role == Reporter || role == Head }

// Perm is a permission a route or action requires.
type Perm string

// Permissions.
const (
	PermNone       Perm = ""              // any signed-in user
	PermScore      Perm = "score:read"    // dashboards and ledgers
	PermPieceRead  Perm = "piece:read"    // see pieces (which ones: per object)
	PermPieceWrite Perm = "piece:write"   // draft, edit, submit, attach
	PermReview     Perm = "piece:review"  // approve / return
	PermAdopt      Perm = "adoption:add"  // record adoptions (which channels: per role)
	PermVerify     Perm = "adoption:ok"   // verify outside coverage, accept quota items
	PermUsers      Perm = "admin:users"   // accounts, roles, leader assignments
	PermAudit      Perm = "admin:audit"   // read the audit log
	PermExport     Perm = "report:export" // exports of the assessment
)

var grants = map[string][]Perm{
	Reporter: {PermScore, PermPieceRead, PermPieceWrite, PermAdopt},
	Head:     {PermScore, PermPieceRead, PermPieceWrite, PermAdopt, PermExport},
	Leader:   {PermScore, PermPieceRead, PermReview, PermExport},
	Chief:    {PermScore, PermPieceRead, PermReview, PermExport},
	Office:   {PermScore, PermPieceRead, PermAdopt, PermVerify, PermExport},
	Admin:    {PermUsers, PermAudit},
}

// Can reports whether a role has a permission.
func Can(role string, p Perm) bool {
	if p == PermNone {
		_, ok := grants[role]
		return ok
	}
	return slices.Contains(grants[role], p)
}

// params: argon2id with 19 MiB, 2 passes (OWASP's minimum configuration).
var params = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// hashSlots bounds concurrent hashes: each takes 19 MiB.
var hashSlots = make(chan struct{}, 4)

func slot(ctx context.Context) (func(), error) {
	select {
	case hashSlots <- struct{}{}:
		return func() { <-hashSlots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// HashPassword returns an argon2id hash.
func HashPassword(ctx context.Context, pw string) (string, error) {
	release, err := slot(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return argon2id.CreateHash(pw, params)
}

// dummyHash is compared against when the user does not exist, so that an
// unknown and a known user take the same time.
var dummyHash, _ = argon2id.CreateHash("kexuan-dummy-password", params)

// VerifyPassword compares a password with a hash ("" hash: compares with a
// dummy and fails).
func VerifyPassword(ctx context.Context, pw, hash string) (bool, error) {
	release, err := slot(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	if hash == "" {
		argon2id.ComparePasswordAndHash(pw, dummyHash)
		return false, nil
	}
	return argon2id.ComparePasswordAndHash(pw, hash)
}
