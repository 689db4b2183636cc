package app_test

import (
	"go/build"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The import graph: the core (plan, wordcount, scoring) imports no kexuan
// package but plan; the encoders (report) and the others never reach the
// database except through app. web, register and demo still import store
// for its types (User, Piece, …) until they move to a domain package (issue
// 6); they are listed here so that none is added silently, and web may not
// use the store's queries (no App.DB — checked on its source).
func TestImportGraph(t *testing.T) {
	allowed := map[string][]string{
		"plan":      {},
		"wordcount": {},
		"scoring":   {"kexuan/plan"},
		"richtext":  {},
		"auth":      {},
		"report":    {"kexuan/plan", "kexuan/scoring"},
	}
	storeTypesOnly := []string{"web", "register", "demo"} // known, to shrink
	for _, dir := range []string{"plan", "wordcount", "scoring", "richtext", "auth", "report", "web", "register", "demo"} {
		pkg, err := build.ImportDir(filepath.Join("..", dir), 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range pkg.Imports {
			if !strings.HasPrefix(imp, "kexuan/") {
				continue
			}
			if want, ok := allowed[dir]; ok && !slices.Contains(want, imp) {
				t.Errorf("%s imports %s", dir, imp)
			}
			if imp == "kexuan/store" && !slices.Contains(storeTypesOnly, dir) {
				t.Errorf("%s imports kexuan/store: go through app", dir)
			}
		}
	}
	web, err := build.ImportDir(filepath.Join("..", "web"), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range web.GoFiles {
		src := readFile(t, filepath.Join("..", "web", f))
		if strings.Contains(src, "App.DB") {
			t.Errorf("web/%s uses App.DB: add an app method", f)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
