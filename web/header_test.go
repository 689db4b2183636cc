package web_test

import (
	"regexp"
	"strings"
	"testing"

	"kexuan/domain"
	"kexuan/store/storetest"
)

// The header says whom a leader's review covers and what waits for each
// person's work: pieces to review, approved pieces to record, records to
// verify.
func TestHeaderWaiting(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		e.newPiece("reporter", domain.StateSubmitted, false)
		e.newPiece("reporter", domain.StateSubmitted, false)
		e.newPiece("reporter", domain.StateApproved, false)
		e.newPiece("reporter2", domain.StateSubmitted, false) // another leader's
		badge := func(page, id string) string {
			m := regexp.MustCompile(`id="` + id + `">[^<]*(?:<span class="badge count">(\d+)</span>)?`).FindStringSubmatch(page)
			if m == nil {
				t.Fatalf("no #%s in the header", id)
			}
			return m[1]
		}
		_, page := e.as("leader").do("GET", "/pieces", nil)
		if got := badge(page, "to-review"); got != "2" {
			t.Errorf("leader's review badge %q, want 2", got)
		}
		if !strings.Contains(page, "分管高新科、发展计划科") {
			t.Errorf("the header does not name the leader's departments: %s", page[strings.Index(page, `id="whoami"`):][:200])
		}
		_, page = e.as("office").do("GET", "/pieces", nil)
		if got := badge(page, "to-record"); got != "1" {
			t.Errorf("office's record badge %q, want 1", got)
		}
		if got := badge(page, "to-verify"); got != "" {
			t.Errorf("office's verify badge %q with nothing pending", got)
		}
		_, page = e.as("reporter").do("GET", "/pieces", nil)
		if strings.Contains(page, `id="to-review"`) || strings.Contains(page, `id="to-record"`) {
			t.Error("a reporter's header shows others' queues")
		}
	})
}
