package app_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/plan"
	"kexuan/store/storetest"
)

// Pieces and commissions keep their themes when a plan's themes are
// reordered: they store codes, and a replacement that would move a theme to
// another code (reordered without codes) is refused with what to write.
func TestThemesByCode(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		p, src := plan.Builtin()
		dept, other := p.Departments[1].Code, p.Departments[2].Code
		f := newFixture(t, dsn, p, src, dept, other)
		ctx := context.Background()
		first, second := p.Themes[0], p.Themes[1]

		pc, err := f.app.CreatePiece(ctx, f.users["reporter"], app.PieceInput{Title: "体制改革一篇", Body: "<p>改革。</p>",
			Themes: []string{second.Code, first.Code, second.Code}})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{first.Code, second.Code}; !slices.Equal(pc.Themes, want) {
			t.Fatalf("themes stored %q, want %q (the plan's order, each once)", pc.Themes, want)
		}
		if _, err := f.app.CreatePiece(ctx, f.users["reporter"], app.PieceInput{Title: "无此重点", Body: "<p>x</p>", Themes: []string{"nosuch"}}); domain.ErrorOf(err).Field != "themes" {
			t.Fatalf("an unknown theme: %v", err)
		}
		cm, err := f.app.CreateCommission(ctx, f.users["office"], app.CommissionInput{Department: dept, Title: "约稿", Theme: second.Code, Due: "2017-12-20"})
		if err != nil {
			t.Fatal(err)
		}

		// The first two themes swap places.
		swapped := strings.Replace(string(src), "title = \""+first.Title+"\"", "title = \"@1\"", 1)
		swapped = strings.Replace(swapped, "title = \""+second.Title+"\"", "title = \""+first.Title+"\"", 1)
		swapped = strings.Replace(swapped, "title = \"@1\"", "title = \""+second.Title+"\"", 1)
		np, err := plan.Parse("swapped.toml", []byte(swapped))
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.app.LoadPlan(ctx, nil, np, []byte(swapped), true, "测试：调整顺序")
		if e := domain.ErrorOf(err); e.Field != "themes" || !strings.Contains(e.Message, "code = ") {
			t.Fatalf("reordered without codes: %v", err)
		}

		// With codes that keep the old ones, it loads, and old objects keep their themes.
		coded := strings.Replace(swapped, "number = 1\ntitle", "number = 1\ncode = \""+second.Code+"\"\ntitle", 1)
		coded = strings.Replace(coded, "number = 2\ntitle", "number = 2\ncode = \""+first.Code+"\"\ntitle", 1)
		np, err = plan.Parse("coded.toml", []byte(coded))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.LoadPlan(ctx, nil, np, []byte(coded), true, "测试：调整顺序"); err != nil {
			t.Fatal(err)
		}
		cur, err := f.app.Plan(ctx, 2017)
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.app.Piece(ctx, f.users["reporter"].User, pc.ID)
		if err != nil {
			t.Fatal(err)
		}
		var titles []string
		for _, c := range got.Themes {
			titles = append(titles, cur.Theme(c).Title)
		}
		if !slices.Contains(titles, second.Title) || !slices.Contains(titles, first.Title) || cur.Theme(second.Code).Number != 1 {
			t.Fatalf("after the reorder the piece's themes are %q", titles)
		}
		pg, err := f.app.Commissions(ctx, f.users["office"].User, app.CommissionFilter{}, app.PageQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if len(pg.Items) != 1 || pg.Items[0].ID != cm.ID || cur.Theme(pg.Items[0].Theme).Title != second.Title {
			t.Fatalf("commission after the reorder: %+v", pg.Items)
		}
	})
}
