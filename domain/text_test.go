package domain

import "testing"

func TestForbiddenChar(t *testing.T) {
	for _, c := range []struct {
		s    string
		what string
		at   int
	}{
		{"标题\uFFFF", "U+FFFF", 3},
		{"a\uFFFEb", "U+FFFE", 2},
		{"x\x01", "U+0001", 2},
		{"\x1b[0m", "U+001B", 1},
		{"ok\xed\xa0\x80", "无效的 UTF-8 字节", 3}, // a lone surrogate, as CESU bytes
		{"ok\xff", "无效的 UTF-8 字节", 3},
	} {
		what, at, ok := ForbiddenChar(c.s)
		if !ok || what != c.what || at != c.at {
			t.Errorf("ForbiddenChar(%q) = %q %d %v, want %q %d", c.s, what, at, ok, c.what, c.at)
		}
		if _, _, bad := ForbiddenChar(XMLText(c.s)); bad {
			t.Errorf("XMLText(%q) = %q still has a forbidden character", c.s, XMLText(c.s))
		}
	}
	for _, s := range []string{"", "正文\t第二行\n第三行\r\n", "\uFFFD 替换字符", "😀 \U0010FFFD", "\u007f"} {
		if what, at, bad := ForbiddenChar(s); bad {
			t.Errorf("ForbiddenChar(%q) refuses %s at %d", s, what, at)
		}
	}
}

func TestBlank(t *testing.T) {
	for _, s := range []string{"", "   ", "\u200b\u200b", " \u200d\ufeff\u3000\t\n", "\u2060\u200e"} {
		if !Blank(s) {
			t.Errorf("Blank(%q) = false", s)
		}
	}
	for _, s := range []string{"理由", " x ", "\u200b改\u200b"} {
		if Blank(s) {
			t.Errorf("Blank(%q) = true", s)
		}
	}
}
