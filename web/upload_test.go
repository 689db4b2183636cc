package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"kexuan/domain"
	"kexuan/store/storetest"
)

func (c *client) upload(path, name string, data []byte) (*http.Response, string) {
	c.e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", c.csrf())
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", c.e.ts.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.send(req)
}

// Uploads: type from the content (never the name), no SVG or HTML, a size
// limit, served as attachments with nosniff, only to those who may see the piece.
func TestAttachments(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		id := e.newPiece("reporter", domain.StateDraft, false)
		rep := e.as("reporter")
		path := "/pieces/" + itoa(id) + "/attachments"
		png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde")
		pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
		cases := []struct {
			name string
			data []byte
			want int
		}{
			{"照片.png", png, 303},
			{"扫描件.pdf", pdf, 303},
			{"evil.png", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), 422},
			{"page.pdf", []byte("<html><script>alert(1)</script></html>"), 422},
			{"big.pdf", append([]byte("%PDF-1.4\n"), make([]byte, 10<<20)...), 422},  // over the file limit
			{"huge.pdf", append([]byte("%PDF-1.4\n"), make([]byte, 12<<20)...), 413}, // over the route's body limit: refused unread
		}
		for _, c := range cases {
			res, body := rep.upload(path, c.name, c.data)
			if res.StatusCode != c.want {
				t.Errorf("%s: %d, want %d (%.200s)", c.name, res.StatusCode, c.want, body)
			}
			// A refused file is said on the piece's own upload form.
			if c.want == 422 && (!strings.Contains(body, `id="attach-error"`) || !strings.Contains(body, `id="attach-form"`)) {
				t.Errorf("%s: the refusal is not on the piece's upload form: %.300s", c.name, body)
			}
		}
		atts, err := e.db.Q().Attachments(t.Context(), id)
		if err != nil || len(atts) != 2 {
			t.Fatalf("stored attachments: %d %v", len(atts), err)
		}
		res, body := rep.do("GET", "/attachments/"+itoa(atts[0].ID), nil)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") ||
			res.Header.Get("X-Content-Type-Options") != "nosniff" || body != string(png) {
			t.Errorf("download: %d %v", res.StatusCode, res.Header)
		}
		// Another department cannot fetch it, nor upload to the piece.
		if res, _ := e.as("reporter2").do("GET", "/attachments/"+itoa(atts[0].ID), nil); res.StatusCode != 404 {
			t.Errorf("another department downloaded it: %d", res.StatusCode)
		}
		if res, _ := e.as("reporter2").upload(path, "x.png", png); res.StatusCode != 404 {
			t.Errorf("another department uploaded: %d", res.StatusCode)
		}
	})
}
