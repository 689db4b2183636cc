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
		{"li", "Zhangwei1988!", false}, // pinyin full name + year
		{"zhang", "短密码也可以Aa1", true},   // Chinese characters count as "other"
		{"zhang", "Ab1!", false},
		{"zhang", "abcdefgh", false},
		{"zhang", "abcdefg1", false},
		{"zhang", "abcdefG1", false}, // a sequence (was accepted before issue 10)
		{"zhang", "Hq7#vtLm", true},
		{"zhang", "Zhang!2017", false},
		{"zhang", "P@ssw0rd1", false},
		{"zhang", "Admin@123", false},
		{"zhang", string(make([]rune, 129)), false},
		// Issue 10: breached, Chinese and patterned passwords.
		{"zhang", "Qwerty123!", false},             // keyboard walk + digits
		{"zhang", "Aaaaaaaa1", false},              // repeat
		{"zhang", "12345678Aa", false},             // sequence
		{"zhang", "Woaini1314!", false},            // pinyin phrase + 1314
		{"zhang", "Wangfang@0815", false},          // pinyin name + date
		{"zhang", "Jinshui2017!", false},           // pinyin place + year
		{"zhang", "Qaz2wsx#edc", false},            // vertical keyboard walk
		{"zhang", "Qwerty123!\x00\x00\x00", false}, // NUL padding
		{"zhang", "Kx!2017-te\u202Est", false},     // bidi override
		{"zhang", "Kx!2017-test", true},
		{"zhang", "长城-Guard-7x!", true},
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
	if ok, err := VerifyPassword(ctx, "Kx!2017ab", h); err != nil || !ok {
		t.Error("right password refused")
	}
	if ok, err := VerifyPassword(ctx, "Kx!2017ac", h); err != nil || ok {
		t.Error("wrong password accepted")
	}
	if ok, _ := VerifyPassword(ctx, "x", ""); ok {
		t.Error("empty hash accepted")
	}
}
