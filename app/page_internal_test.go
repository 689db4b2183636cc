package app

import (
	"fmt"
	"slices"
	"testing"
)

// A list's cursors carry the reader's place: pages of two over five items
// are 第 1–2, 3–4 and 5–5 条 forward, the last knowing the total, and the
// same places walking back.
func TestPagesKnowTheirPlace(t *testing.T) {
	t.Parallel()
	list := []int64{10, 20, 30, 40, 50}
	fetch := func(from *int64, back bool, n int) ([]int64, error) {
		var out []int64
		if back {
			for i := len(list) - 1; i >= 0 && len(out) < n; i-- {
				if from == nil || list[i] < *from {
					out = append(out, list[i])
				}
			}
			slices.Reverse(out)
			return out, nil
		}
		for _, v := range list {
			if (from == nil || v > *from) && len(out) < n {
				out = append(out, v)
			}
		}
		return out, nil
	}
	get := func(cursor string) *Page[int64] {
		t.Helper()
		pg, err := paginate(PageQuery{Limit: 2, Cursor: cursor}, idKeys, func(v int64) int64 { return v }, fetch)
		if err != nil {
			t.Fatal(err)
		}
		return pg
	}
	place := func(pg *Page[int64]) string { return fmt.Sprintf("%d-%d/%d", pg.First, pg.Last(), pg.Total) }
	p1 := get("")
	p2 := get(p1.Next)
	p3 := get(p2.Next)
	if got := []string{place(p1), place(p2), place(p3)}; fmt.Sprint(got) != "[1-2/0 3-4/0 5-5/5]" {
		t.Errorf("forward: %v", got)
	}
	if p3.Next != "" {
		t.Errorf("the last page has a next page")
	}
	b2 := get(p3.Prev)
	b1 := get(b2.Prev)
	if got := []string{place(b2), place(b1)}; fmt.Sprint(got) != "[3-4/0 1-2/0]" || b1.Prev != "" {
		t.Errorf("back: %v (prev %q)", got, b1.Prev)
	}
	if _, err := paginate(PageQuery{Cursor: "PjEw"}, idKeys, func(v int64) int64 { return v }, fetch); err == nil {
		t.Error("a cursor without its place is taken")
	}
}
