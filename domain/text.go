package domain

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// XMLChar reports whether r may appear in an XML 1.0 document — and so in a
// .docx or .xlsx part: tab, line feed, carriage return, and U+0020–U+D7FF,
// U+E000–U+FFFD, U+10000–U+10FFFF. C0 controls, lone surrogates, U+FFFE and
// U+FFFF are not, and Word refuses a file that holds one.
func XMLChar(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return true
	case r < 0x20:
		return false
	case r >= 0xD800 && r <= 0xDFFF:
		return false
	case r == 0xFFFE || r == 0xFFFF:
		return false
	}
	return r <= unicode.MaxRune
}

// ForbiddenChar finds the first character of s that a document cannot hold
// (invalid UTF-8 counts as one): its description and its position, counted
// in characters from 1. ok is false when there is none.
func ForbiddenChar(s string) (what string, at int, ok bool) {
	n := 0
	for i, r := range s {
		n++
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				return "无效的 UTF-8 字节", n, true
			}
		}
		if !XMLChar(r) {
			return fmt.Sprintf("U+%04X", r), n, true
		}
	}
	return "", 0, false
}

// XMLText is s with what a document cannot hold left out: the last guard of
// every document writer, after the input checks.
func XMLText(s string) string {
	if _, _, bad := ForbiddenChar(s); !bad {
		return s
	}
	s = strings.ToValidUTF8(s, "")
	return strings.Map(func(r rune) rune {
		if XMLChar(r) {
			return r
		}
		return -1
	}, s)
}

// Blank reports whether s says nothing: empty, or only spaces, line breaks,
// and invisible characters (zero-width spaces and joiners, the byte-order
// mark, direction marks) — a reason made of them is no reason.
func Blank(s string) bool {
	for _, r := range s {
		if !unicode.IsSpace(r) && !unicode.Is(unicode.Cf, r) && r != 0x3000 && r != 0x115F && r != 0x1160 && r != 0x3164 && r != 0xFFA0 {
			return false
		}
	}
	return true
}
