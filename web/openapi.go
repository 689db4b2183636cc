package web

import (
	"cmp"
	_ "embed"
	"encoding/json"
	"net/http"
	"sync"
)

// The API's description, OpenAPI 3.1 (web/openapi.json, kept by hand beside
// the routes): every API route with its parameters, body, answers and
// errors. web/openapi_test.go fails when a route is missing from it or an
// answer of the API tests does not match it.
//
//go:embed openapi.json
var openAPIDoc []byte

// OpenAPI is the description as embedded (servers at the root).
func OpenAPI() []byte { return openAPIDoc }

type servedDoc struct {
	once sync.Once
	doc  []byte
	err  error
}

// apiOpenAPI: GET /api/v1/openapi.json — public, like any API's
// description: the server it names is this site (its address and path).
func (s *Server) apiOpenAPI(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	s.openAPI.once.Do(func() {
		var doc map[string]any
		if s.openAPI.err = json.Unmarshal(openAPIDoc, &doc); s.openAPI.err != nil {
			return
		}
		// The paths begin with /api/v1: the server is the site's root.
		root := cmp.Or(s.siteURL, s.base, "/")
		doc["servers"] = []map[string]string{{"url": root, "description": "本站"}}
		s.openAPI.doc, s.openAPI.err = json.Marshal(doc)
	})
	if s.openAPI.err != nil {
		return s.openAPI.err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, err := w.Write(s.openAPI.doc)
	return err
}
