package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"kexuan/store/storetest"
	"kexuan/web"
)

// apiDoc is web/openapi.json read for checking: a constant of the build,
// parsed once for every test of the package.
var apiDoc = sync.OnceValues(func() (*openAPI, error) {
	var d openAPI
	if err := json.Unmarshal(web.OpenAPI(), &d); err != nil {
		return nil, err
	}
	d.mux = http.NewServeMux()
	for p, ops := range d.Paths {
		for m := range ops {
			d.mux.HandleFunc(strings.ToUpper(m)+" "+p, func(http.ResponseWriter, *http.Request) {})
		}
	}
	return &d, nil
})

type openAPI struct {
	OpenAPI    string                          `json:"openapi"`
	Paths      map[string]map[string]operation `json:"paths"`
	Components struct {
		Schemas   map[string]*schema `json:"schemas"`
		Responses map[string]struct {
			Content map[string]struct {
				Schema *schema `json:"schema"`
			} `json:"content"`
		} `json:"responses"`
	} `json:"components"`
	mux *http.ServeMux
}

type operation struct {
	OperationID string  `json:"operationId"`
	Summary     string  `json:"summary"`
	Parameters  []param `json:"parameters"`
	RequestBody *struct {
		Content map[string]struct {
			Schema *schema `json:"schema"`
		} `json:"content"`
	} `json:"requestBody"`
	Responses map[string]struct {
		Ref     string `json:"$ref"`
		Content map[string]struct {
			Schema *schema `json:"schema"`
		} `json:"content"`
	} `json:"responses"`
}

type param struct {
	Name     string `json:"name"`
	In       string `json:"in"`
	Required bool   `json:"required"`
}

// schema is the part of JSON Schema (2020-12, as OpenAPI 3.1 uses it) the
// description is written in.
type schema struct {
	Ref                  string             `json:"$ref"`
	Type                 any                `json:"type"` // a name or a list of names
	Format               string             `json:"format"`
	Enum                 []any              `json:"enum"`
	Properties           map[string]*schema `json:"properties"`
	Required             []string           `json:"required"`
	AdditionalProperties json.RawMessage    `json:"additionalProperties"`
	Items                *schema            `json:"items"`
}

var (
	dateRE     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	dateTimeRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$`)
)

// check says where v does not match s ("" when it does).
func (d *openAPI) check(s *schema, v any, at string) []string {
	if s == nil {
		return nil
	}
	if s.Ref != "" {
		name, ok := strings.CutPrefix(s.Ref, "#/components/schemas/")
		if !ok || d.Components.Schemas[name] == nil {
			return []string{at + ": unresolved " + s.Ref}
		}
		return d.check(d.Components.Schemas[name], v, at)
	}
	var types []string
	switch t := s.Type.(type) {
	case string:
		types = []string{t}
	case []any:
		for _, x := range t {
			types = append(types, fmt.Sprint(x))
		}
	}
	kind := jsonKind(v)
	if len(types) > 0 && !slices.Contains(types, kind) && !(kind == "integer" && slices.Contains(types, "number")) {
		return []string{fmt.Sprintf("%s: %s, described as %v", at, kind, types)}
	}
	if len(s.Enum) > 0 && !slices.ContainsFunc(s.Enum, func(e any) bool { return fmt.Sprint(e) == fmt.Sprint(v) }) {
		return []string{fmt.Sprintf("%s: %v is none of %v", at, v, s.Enum)}
	}
	var out []string
	switch x := v.(type) {
	case string:
		if s.Format == "date" && !dateRE.MatchString(x) || s.Format == "date-time" && !dateTimeRE.MatchString(x) {
			out = append(out, fmt.Sprintf("%s: %q is not a %s", at, x, s.Format))
		}
	case []any:
		for i, e := range x {
			out = append(out, d.check(s.Items, e, at+"["+strconv.Itoa(i)+"]")...)
		}
	case map[string]any:
		for _, r := range s.Required {
			if _, ok := x[r]; !ok {
				out = append(out, at+": lacks "+r)
			}
		}
		var extra *schema
		closed := string(s.AdditionalProperties) == "false"
		if len(s.AdditionalProperties) > 0 && !closed {
			json.Unmarshal(s.AdditionalProperties, &extra)
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p, ok := s.Properties[k]; ok {
				out = append(out, d.check(p, x[k], at+"."+k)...)
			} else if closed {
				out = append(out, at+"."+k+": not described")
			} else if extra != nil {
				out = append(out, d.check(extra, x[k], at+"."+k)...)
			}
		}
	}
	return out
}

func jsonKind(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		if _, err := x.Int64(); err == nil {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func decodeAny(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// checkAPI holds every API call a test makes through its client to the
// description: the route is described, its answer (success or error)
// matches the schema of its status, and a request that succeeded sent only
// described parameters and a body of the described shape.
func (e *env) checkAPI(req *http.Request, sent []byte, res *http.Response, got []byte) {
	path, ok := strings.CutPrefix(req.URL.Path, e.base)
	if !ok || !strings.HasPrefix(path, "/api/") {
		return
	}
	e.t.Helper()
	d, err := apiDoc()
	if err != nil {
		e.t.Fatalf("web/openapi.json: %v", err)
	}
	probe := req.Clone(req.Context())
	probe.URL.Path = path
	_, pattern := d.mux.Handler(probe)
	method, p, _ := strings.Cut(pattern, " ")
	op, described := d.Paths[p][strings.ToLower(method)]
	if !described {
		// An unknown path or method: the API's error shape.
		if v, err := decodeAny(got); err != nil || len(d.check(d.Components.Schemas["Error"], v, "")) > 0 {
			e.t.Errorf("%s %s (no such route): %d answers %.200s, not the error shape", req.Method, path, res.StatusCode, got)
		}
		return
	}
	where := fmt.Sprintf("%s %s → %d", req.Method, p, res.StatusCode)
	resp, ok := op.Responses[strconv.Itoa(res.StatusCode)]
	if !ok {
		if res.StatusCode < 400 {
			e.t.Errorf("%s: the status is not described", where)
			return
		}
		resp = op.Responses["default"]
	}
	var want *schema
	if resp.Ref != "" {
		name := strings.TrimPrefix(resp.Ref, "#/components/responses/")
		r, ok := d.Components.Responses[name]
		if !ok {
			e.t.Errorf("%s: unresolved %s", where, resp.Ref)
			return
		}
		want = r.Content["application/json"].Schema
	} else if c, ok := resp.Content["application/json"]; ok {
		want = c.Schema
	}
	if mt := res.Header.Get("Content-Type"); strings.HasPrefix(mt, "application/json") {
		if want == nil {
			e.t.Errorf("%s: answers JSON, described without", where)
			return
		}
		v, err := decodeAny(got)
		if err != nil {
			e.t.Errorf("%s: %v", where, err)
			return
		}
		for _, f := range d.check(want, v, "answer") {
			e.t.Errorf("%s: %s", where, f)
		}
	} else if want != nil && res.StatusCode != http.StatusNoContent && req.Method != http.MethodHead {
		e.t.Errorf("%s: answers %q, described as JSON", where, mt)
	}
	if res.StatusCode >= 300 {
		return
	}
	for k := range req.URL.Query() {
		if !slices.ContainsFunc(op.Parameters, func(pr param) bool {
			return pr.In == "query" && pr.Name == k
		}) {
			e.t.Errorf("%s: the query parameter %q is not described", where, k)
		}
	}
	if len(bytes.TrimSpace(sent)) > 0 {
		if op.RequestBody == nil {
			e.t.Errorf("%s: took a body, described without", where)
			return
		}
		v, err := decodeAny(sent)
		if err != nil {
			return // not JSON: the server said why
		}
		for _, f := range d.check(op.RequestBody.Content["application/json"].Schema, v, "body") {
			e.t.Errorf("%s: %s", where, f)
		}
	}
}

// The description is OpenAPI 3.1, served at /api/v1/openapi.json with this
// site as its server, and describes exactly the API routes there are, each
// with a summary, its path parameters, a success answer and the error shape.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLite(t))
	d, err := apiDoc()
	if err != nil {
		t.Fatal(err)
	}
	if d.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q", d.OpenAPI)
	}
	res, body := e.anon().do("GET", "/api/v1/openapi.json", nil)
	var served struct {
		Servers []struct{ URL string }
		Paths   map[string]any
	}
	decodeJSON(t, body, &served)
	if res.StatusCode != 200 || len(served.Servers) != 1 || served.Servers[0].URL != "/" || len(served.Paths) != len(d.Paths) {
		t.Errorf("served: %d %+v", res.StatusCode, served.Servers)
	}
	routes := map[string]bool{}
	for _, rt := range e.srv.Routes() {
		if !rt.API {
			continue
		}
		key := strings.ToLower(rt.Method) + " " + rt.Path
		routes[key] = true
		op, ok := d.Paths[rt.Path][strings.ToLower(rt.Method)]
		if !ok {
			t.Errorf("%s %s is not in web/openapi.json", rt.Method, rt.Path)
			continue
		}
		if op.Summary == "" || op.OperationID == "" {
			t.Errorf("%s %s: no summary or operationId", rt.Method, rt.Path)
		}
		for _, name := range regexp.MustCompile(`\{(\w+)\}`).FindAllStringSubmatch(rt.Path, -1) {
			if !slices.ContainsFunc(op.Parameters, func(p param) bool {
				return p.In == "path" && p.Name == name[1] && p.Required
			}) {
				t.Errorf("%s %s: the path parameter %s is not described", rt.Method, rt.Path, name[1])
			}
		}
		success := false
		for st := range op.Responses {
			success = success || strings.HasPrefix(st, "2")
		}
		if !success || op.Responses["default"].Ref != "#/components/responses/Error" {
			t.Errorf("%s %s: a success answer and the error shape (default) must be described", rt.Method, rt.Path)
		}
	}
	for p, ops := range d.Paths {
		for m := range ops {
			if !routes[m+" "+p] {
				t.Errorf("web/openapi.json describes %s %s, which is no route", strings.ToUpper(m), p)
			}
		}
	}
	// Every reference resolves.
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok {
				parts := strings.Split(strings.TrimPrefix(ref, "#/"), "/")
				var cur any = map[string]any{}
				json.Unmarshal(web.OpenAPI(), &cur)
				for _, p := range parts {
					m, _ := cur.(map[string]any)
					cur = m[p]
				}
				if cur == nil {
					t.Errorf("%s: %s does not resolve", at, ref)
				}
			}
			for k, y := range x {
				walk(y, at+"/"+k)
			}
		case []any:
			for i, y := range x {
				walk(y, at+"/"+strconv.Itoa(i))
			}
		}
	}
	var raw any
	json.Unmarshal(web.OpenAPI(), &raw)
	walk(raw, "")
}

// Under a base path the description names the site as its server.
func TestOpenAPIServerIsTheSite(t *testing.T) {
	t.Parallel()
	e, _ := demoEnvAt(t, storetest.SQLite(t), "/kexuan")
	_, body := e.anon().do("GET", "/api/v1/openapi.json", nil)
	var served struct{ Servers []struct{ URL string } }
	decodeJSON(t, body, &served)
	if len(served.Servers) != 1 || served.Servers[0].URL != e.srv.SiteURL() {
		t.Errorf("servers %+v, want %s", served.Servers, e.srv.SiteURL())
	}
}
