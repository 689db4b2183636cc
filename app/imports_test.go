package app_test

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"kexuan/plan"
)

// packages lists the module's packages (directories with Go files), as
// paths relative to the module root.
func packages(t *testing.T) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != ".." || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() || path == ".." {
			return nil
		}
		if _, err := build.ImportDir(path, 0); err == nil {
			rel, _ := filepath.Rel("..", path)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The import graph: the core (plan, wordcount, scoring, textcheck) and the domain
// import nothing but the core; the encoders only the core and the domain;
// app is the only door to storage — web, register, demo and the encoders
// never import store, and the command line only to open a database.
func TestImportGraph(t *testing.T) {
	t.Parallel()
	only := map[string][]string{
		"plan":      {},
		"wordcount": {},
		"scoring":   {"kexuan/plan"},
		"richtext":  {},
		"textcheck": {"kexuan/plan"}, // the quality gate: part of the pure core
		"auth":      {},
		"secret":    {},
		"domain":    {"kexuan/plan"},
		"report":    {"kexuan/plan", "kexuan/scoring", "kexuan/domain", "kexuan/richtext"}, // richtext: a body as the document's paragraphs
		"register":  {"kexuan/plan", "kexuan/domain", "kexuan/wordcount"},
	}
	mayOpenStore := map[string]bool{"app": true, "cli": true, "store/storetest": true,
		"bench/loadbench": true, "bench/kexuanbench": true, "bench/gen": true, "bench/genregister": true, "bench/similarbench": true}
	pkgs := packages(t)
	for _, want := range []string{"domain", "app", "web", "cli", "store", "register", "demo", "report"} {
		if !slices.Contains(pkgs, want) {
			t.Fatalf("package %s not found among %v", want, pkgs)
		}
	}
	for _, dir := range pkgs {
		pkg, err := build.ImportDir(filepath.Join("..", dir), 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range pkg.Imports {
			if !strings.HasPrefix(imp, "kexuan/") {
				continue
			}
			if want, ok := only[dir]; ok && !slices.Contains(want, imp) {
				t.Errorf("%s imports %s", dir, imp)
			}
			if imp == "kexuan/store" && !mayOpenStore[dir] && dir != "store" {
				t.Errorf("%s imports kexuan/store: go through app", dir)
			}
		}
	}
	// The command line opens a database and hands it to app: nothing else
	// of the store's.
	opening := []string{"Open", "IsPostgres", "Redact", "DB", "ErrNotInitialised"}
	for _, sel := range selectors(t, "../cli", "store") {
		if !slices.Contains(opening, sel) {
			t.Errorf("cli uses store.%s: go through app", sel)
		}
	}
	// web holds no database handle of its own.
	for _, f := range goFiles(t, "../web") {
		if src := readFile(t, f); strings.Contains(src, "App.DB") || strings.Contains(src, ".DB.") {
			t.Errorf("%s reaches the database past app", f)
		}
	}
}

// No code of a plan is written in Go or in a template: every department,
// category and channel code comes from the plan in use. (The demonstration
// year is data — demo/year-2017.json — not code.)
func TestNoPlanCodesInCode(t *testing.T) {
	t.Parallel()
	p, _ := plan.Builtin()
	codes := map[string]bool{}
	for _, d := range p.Departments {
		codes[d.Code] = true
	}
	for _, c := range p.Categories {
		codes[c.Code] = true
	}
	for _, c := range p.Channels {
		codes[c.Code] = true
	}
	// Words that are also plain English in code (a role, a field) are
	// judged by their use as a quoted literal only.
	lit := regexp.MustCompile(`"([a-z_]+)"`)
	var files []string
	for _, dir := range packages(t) {
		if strings.HasPrefix(dir, "bench") || dir == "store/storetest" {
			continue // benchmarks generate 2017 data on purpose
		}
		files = append(files, goFiles(t, filepath.Join("..", dir))...)
	}
	tmpl, err := filepath.Glob("../web/templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, tmpl...)
	roles := map[string]bool{"office": true} // a role's name as well as a department's code
	for _, f := range files {
		for _, m := range lit.FindAllStringSubmatch(readFile(t, f), -1) {
			if codes[m[1]] && !roles[m[1]] {
				t.Errorf("%s: the plan's code %q is written in code", f, m[1])
			}
		}
	}
}

// selectors lists the names a package's non-test files use from an import.
func selectors(t *testing.T, dir, pkg string) []string {
	t.Helper()
	var out []string
	fset := token.NewFileSet()
	for _, f := range goFiles(t, dir) {
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			if s, ok := n.(*ast.SelectorExpr); ok {
				if id, ok := s.X.(*ast.Ident); ok && id.Name == pkg && !slices.Contains(out, s.Sel.Name) {
					out = append(out, s.Sel.Name)
				}
			}
			return true
		})
	}
	return out
}

func goFiles(t *testing.T, dir string) []string {
	t.Helper()
	pkg, err := build.ImportDir(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(pkg.GoFiles))
	for i, f := range pkg.GoFiles {
		out[i] = filepath.Join(dir, f)
	}
	return out
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
