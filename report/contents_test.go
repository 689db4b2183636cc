package report_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"kexuan/domain"
	"kexuan/plan"
	"kexuan/report"
)

// sentences makes n sentences of CJK text with numbers in it.
func sentences(rng *rand.Rand, n int) string {
	words := []string{"科技创新", "企业培育", "研发投入", "知识产权", "高新技术企业", "孵化器", "众创空间", "科技金融", "成果转化", "人才引进"}
	var b strings.Builder
	for range n {
		for range 3 + rng.IntN(8) {
			b.WriteString(words[rng.IntN(len(words))])
		}
		fmt.Fprintf(&b, "%d项，", 1+rng.IntN(300))
		b.WriteString(words[rng.IntN(len(words))] + "。")
	}
	return b.String()
}

// The booklet's and the journal's contents give the page each policy or
// article starts on as LibreOffice prints it, without updating a field;
// the booklet's cover has no page number; a heading never ends a page.
func TestContentsPages(t *testing.T) {
	t.Parallel()
	needOffice(t)
	p, _ := plan.Builtin()
	rng := rand.New(rand.NewPCG(7, 9))
	var pols []*domain.Policy
	for i := range 24 {
		level := domain.PolicyLevels[i%len(domain.PolicyLevels)]
		summary := sentences(rng, 1+rng.IntN(12))
		if i%5 == 0 {
			summary += "\n" + sentences(rng, 2+rng.IntN(6))
		}
		pols = append(pols, &domain.Policy{ID: int64(i + 1), Level: level, Issuer: "某某人民政府", DocNumber: fmt.Sprintf("某政〔2017〕%d号", i+3),
			Title: fmt.Sprintf("关于%s的若干意见（第%d号）", strings.Repeat("加快科技创新", 1+i%3), i+1), Issued: plan.Date{Year: 2017, Month: 1 + i%12, Day: 1 + i},
			Summary: summary})
	}
	var booklet bytes.Buffer
	if err := report.BookletDOCX(&booklet, &report.Booklet{Plan: p, Year: 2017, Policies: pols, Made: time.Date(2017, 6, 1, 9, 0, 0, 0, p.Location())}); err != nil {
		t.Fatal(err)
	}
	issue := &domain.JournalIssue{ID: 1, Year: 2017, Number: 3, Day: plan.Date{Year: 2017, Month: 9, Day: 30}, Editor: "王编辑", State: domain.JournalReview}
	for i := range 14 {
		sec := i % (len(p.Journal.Sections) - 1) // the last section stays empty
		issue.Items = append(issue.Items, &domain.JournalItem{ID: int64(i + 1), Section: sec, Title: fmt.Sprintf("区%s工作取得新进展（%d）", strings.Repeat("科技", 1+i%4), i+1),
			Source: "高新科", Body: "<p>" + sentences(rng, 2+rng.IntN(14)) + "</p><p>" + sentences(rng, 1+rng.IntN(5)) + "</p>"})
	}
	var journal bytes.Buffer
	if err := report.JournalDOCX(&journal, p, issue); err != nil {
		t.Fatal(err)
	}
	pdfs := toPDF(t, map[string][]byte{"booklet": booklet.Bytes(), "journal": journal.Bytes()})

	// check holds the page numbers written in the document — what Word and
	// WPS show until its fields are updated — to the pages LibreOffice
	// prints the headings on. (LibreOffice itself updates the fields.)
	check := func(t *testing.T, doc []byte, pdf string, headings map[string]bool, markOf map[string]string) {
		cached := map[string]int{}
		for _, m := range regexp.MustCompile(`PAGEREF (\S+) \\h </w:instrText>.*?<w:t>(\d+)</w:t>`).FindAllStringSubmatch(docxPart(t, doc, "word/document.xml"), -1) {
			cached[m[1]], _ = strconv.Atoi(m[2])
		}
		lines := textLines(t, pdf)
		// The text as one stream, and the page of each of its bytes: a title
		// may wrap onto a second line.
		var stream strings.Builder
		var pageAt []int
		for _, l := range lines {
			text := strings.Join(strings.Fields(l.Text), "")
			stream.WriteString(text)
			for range len(text) {
				pageAt = append(pageAt, l.Page)
			}
		}
		all := stream.String()
		for h := range headings {
			m := regexp.MustCompile(regexp.QuoteMeta(h) + `[.…·]{3,}(\d+)`).FindStringSubmatchIndex(all)
			if m == nil {
				t.Errorf("%s is not in the contents", h)
				continue
			}
			listed, _ := strconv.Atoi(all[m[2]:m[3]])
			at := strings.Index(all[m[1]:], h)
			if at < 0 {
				t.Errorf("%s is not printed", h)
				continue
			}
			if printed := pageAt[m[1]+at]; listed != printed || cached[markOf[h]] != printed {
				t.Errorf("%s: the contents say page %d (LibreOffice's field: %d), printed on page %d", h, cached[markOf[h]], listed, printed)
			}
		}
		// No heading is the last line of its page.
		for i, l := range lines {
			if headings[l.Text] && i+1 < len(lines) && (lines[i+1].Page != l.Page || strings.HasPrefix(lines[i+1].Text, "—")) {
				t.Errorf("heading %q ends page %d", l.Text, l.Page)
			}
		}
	}
	t.Run("booklet", func(t *testing.T) {
		heads, marks := map[string]bool{}, map[string]string{}
		for _, p := range pols {
			heads[p.Title], marks[p.Title] = true, fmt.Sprintf("policy%d", p.ID)
		}
		check(t, booklet.Bytes(), pdfs["booklet"], heads, marks)
		for _, l := range textLines(t, pdfs["booklet"]) {
			if l.Page == 1 && strings.HasPrefix(l.Text, "—") {
				t.Errorf("a page number on the cover: %v", l)
			}
		}
	})
	t.Run("journal", func(t *testing.T) {
		heads, marks := map[string]bool{}, map[string]string{}
		for _, it := range issue.Items {
			heads[it.Title], marks[it.Title] = true, fmt.Sprintf("item%d", it.ID)
		}
		check(t, journal.Bytes(), pdfs["journal"], heads, marks)
		lines := textLines(t, pdfs["journal"])
		empty := p.Journal.Sections[len(p.Journal.Sections)-1]
		var sawEmpty, draft bool
		for i, l := range lines {
			if l.Text == empty && i+1 < len(lines) && strings.HasPrefix(lines[i+1].Text, "本期无") {
				sawEmpty = true
			}
			if l.Text == "送审稿" {
				draft = true
			}
		}
		if !sawEmpty {
			t.Errorf("the empty section %q does not say 本期无", empty)
		}
		if !draft {
			t.Error("an issue under review does not say 送审稿")
		}
	})
}

// docxPart is one part of a Word package, as text.
func docxPart(t *testing.T, doc []byte, name string) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(doc), int64(len(doc)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == name {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Fatalf("no %s", name)
	return ""
}
