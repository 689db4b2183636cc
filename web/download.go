package web

import (
	"net/http"
	"net/url"
	"strings"
)

// setAttachment names a download for every client: filename* (RFC 6266,
// UTF-8) for the browsers that read it, and filename, in ASCII, for those
// that do not — percent-encoded UTF-8 there too, which WPS and older
// browsers decode, so the Chinese name is kept either way.
func setAttachment(w http.ResponseWriter, name string) {
	w.Header().Set("Content-Disposition", attachment(name))
}

func attachment(name string) string {
	// No path, quote, control character or line break reaches the header.
	name = strings.Map(func(r rune) rune {
		switch {
		case r < 0x20 || r == 0x7f || r == '"' || r == '\\' || r == '/':
			return '_'
		}
		return r
	}, name)
	if name == "" {
		name = "download"
	}
	enc := strings.ReplaceAll(url.PathEscape(name), "+", "%2B")
	// PathEscape leaves ;,= and a few more, which a header parameter may
	// not hold unquoted; filename= is quoted, filename* escapes them.
	for _, c := range []string{";", ",", "=", "'", "(", ")", "*", "!", "&", "$", ":", "@"} {
		enc = strings.ReplaceAll(enc, c, "%"+strings.ToUpper(hex2(c[0])))
	}
	return `attachment; filename="` + enc + `"; filename*=UTF-8''` + enc
}

func hex2(b byte) string {
	const digits = "0123456789ABCDEF"
	return string([]byte{digits[b>>4], digits[b&15]})
}
