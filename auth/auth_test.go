package auth

import (
	"context"
	"testing"
)

func TestCheckPassword(t *testing.T) {
	for _, c := range []struct {
		user, pw string
		ok       bool
	}{
		{"zhang", "Kx!2017ab", true},
		{"zhang", "短密码也可以Aa1", true}, // Chinese characters count as "other"
		{"zhang", "Ab1!", false},
		{"zhang", "abcdefgh", false},
		{"zhang", "abcdefg1", false},
		{"zhang", "abcdefG1", true},
		{"zhang", "Zhang!2017", false},
		{"zhang", "P@ssw0rd1", false},
		{"zhang", "Admin@123", false},
		{"zhang", string(make([]rune, 129)), false},
	} {
		if err := CheckPassword(c.user, c.pw); (err == nil) != c.ok {
			t.Errorf("CheckPassword(%q, %q) = %v", c.user, c.pw, err)
		}
	}
}

func TestHash(t *testing.T) {
	ctx := context.Background()
	h, err := HashPassword(ctx, "Kx!2017ab")
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := VerifyPassword(ctx, "Kx!2017ab", h); !ok {
		t.Error("right password refused")
	}
	if ok, _ := VerifyPassword(ctx, "Kx!2017ac", h); ok {
		t.Error("wrong password accepted")
	}
	if ok, _ := VerifyPassword(ctx, "x", ""); ok {
		t.Error("empty hash accepted")
	}
}

func TestPermissions(t *testing.T) {
	if Can(Admin, PermPieceWrite) || Can(Admin, PermReview) {
		t.Error("an administrator may not write or review pieces")
	}
	if Can(Reporter, PermReview) || Can(Leader, PermPieceWrite) {
		t.Error("role overlap")
	}
	if ok, _ := MayRecord(Reporter, "intranet"); ok {
		t.Error("a reporter records intranet adoptions")
	}
	if ok, counted := MayRecord(Reporter, "media"); !ok || counted {
		t.Error("a reporter's media record should wait for verification")
	}
	if ok, counted := MayRecord(Office, "shixun"); !ok || !counted {
		t.Error("the office records 金水时讯")
	}
}
