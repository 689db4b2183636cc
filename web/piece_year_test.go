package web_test

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"kexuan/domain"
	"kexuan/plan"
	"kexuan/store/storetest"
)

// A piece is shown and edited with the plan of the year it was written in:
// when the next year's plan renames a theme, last year's piece keeps its
// own theme's name.
func TestPieceShownWithItsOwnYearsPlan(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		var day atomic.Int64
		day.Store(time.Date(2017, 6, 1, 2, 0, 0, 0, time.UTC).Unix())
		e.app.PlanClock = func() time.Time { return time.Unix(day.Load(), 0).UTC() }
		id := e.newPiece("reporter", domain.StateDraft, false) // under theme 1
		_, src := plan.Builtin()
		s := strings.Replace(strings.Replace(string(src), "year = 2017", "year = 2018", 1), "issued = 2017-02-23", "issued = 2018-01-20", 1)
		s = strings.ReplaceAll(strings.Replace(s, `quota_from = "2017-03"`, `quota_from = "2018-02"`, 1), "金科〔2017〕3号", "金科〔2018〕1号")
		old := `title = "大众创业、万众创新"`
		if !strings.Contains(s, old) {
			t.Fatal("the built-in plan's first theme moved: update the test")
		}
		s = strings.Replace(s, old, `title = "二〇一八年的第一项重点"`, 1)
		p18, err := plan.Parse("2018.toml", []byte(s))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.app.LoadPlan(t.Context(), nil, p18, []byte(s), false, ""); err != nil {
			t.Fatal(err)
		}
		day.Store(time.Date(2018, 3, 1, 2, 0, 0, 0, time.UTC).Unix())
		rep := e.as("reporter")
		for _, path := range []string{"/pieces/" + itoa(id), "/pieces/" + itoa(id) + "/edit"} {
			res, page := rep.do("GET", path, nil)
			if res.StatusCode != 200 || !strings.Contains(page, "大众创业、万众创新") || strings.Contains(page, "二〇一八年的第一项重点") {
				t.Errorf("%s (%d): a 2017 piece is not shown with 2017's theme", path, res.StatusCode)
			}
		}
		// A piece written in 2018 is shown with 2018's.
		id18 := e.newPiece("reporter", domain.StateDraft, false)
		if _, page := rep.do("GET", "/pieces/"+itoa(id18), nil); !strings.Contains(page, "二〇一八年的第一项重点") {
			t.Errorf("a 2018 piece is not shown with 2018's theme")
		}
	})
}
