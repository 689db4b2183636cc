package web_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"kexuan/domain"
	"kexuan/store/storetest"
)

const (
	R = "reporter"
	H = "head"
	L = "leader"
	C = "chief"
	O = "office"
	A = "admin"
	S = "security"
	U = "auditor"
)

var everyone = []string{R, H, L, C, O, A, S, U}

// routeTable is the access policy written out by hand: for every route, the
// roles allowed past the route check. The test compares it with the server,
// so a route added without a line here, or a grant that drifts, fails.
var routeTable = map[string][]string{
	"GET /healthz":                               nil, // public
	"GET /login":                                 nil,
	"POST /login":                                nil,
	"POST /api/v1/login":                         nil,
	"GET /api/v1/openapi.json":                   nil,
	"GET /login/wecom":                           nil, // 企业微信 sign-in (网页授权)
	"GET /login/wecom/callback":                  nil,
	"GET /reset":                                 nil, // an account's holder sets their password with a link or code
	"GET /reset/{token}":                         nil,
	"POST /reset":                                nil,
	"POST /api/v1/reset":                         nil,
	"POST /logout":                               everyone,
	"GET /password":                              everyone,
	"POST /password":                             everyone,
	"POST /api/v1/logout":                        everyone,
	"POST /api/v1/password":                      everyone,
	"GET /api/v1/me":                             everyone,
	"GET /{$}":                                   everyone,
	"GET /dashboard":                             {R, H, L, C, O},
	"GET /departments/{code}":                    {R, H, L, C, O},
	"GET /ledger/{code}":                         {R, H, L, C, O},
	"GET /export/report.xlsx":                    {H, L, C, O},
	"GET /api/v1/report":                         {R, H, L, C, O},
	"GET /api/v1/ledger/{code}":                  {R, H, L, C, O},
	"GET /pieces":                                {R, H, L, C, O},
	"GET /pieces/export.xlsx":                    {R, H, L, C, O},
	"GET /pieces/{id}":                           {R, H, L, C, O},
	"GET /attachments/{id}":                      {R, H, L, C, O},
	"GET /api/v1/pieces":                         {R, H, L, C, O},
	"GET /api/v1/pieces/{id}":                    {R, H, L, C, O},
	"GET /pieces/new":                            {R, H},
	"POST /pieces":                               {R, H},
	"GET /pieces/{id}/edit":                      {R, H},
	"POST /pieces/{id}/edit":                     {R, H},
	"POST /pieces/{id}/submit":                   {R, H},
	"POST /pieces/{id}/attachments":              {R, H},
	"POST /words":                                {R, H},
	"POST /api/v1/pieces":                        {R, H},
	"POST /api/v1/checks":                        {R, H},
	"POST /api/v1/pieces/{id}/submit":            {R, H},
	"GET /reviews":                               {L, C},
	"POST /pieces/{id}/approve":                  {L, C},
	"POST /pieces/{id}/return":                   {L, C},
	"GET /api/v1/reviews":                        {L, C},
	"POST /api/v1/pieces/{id}/approve":           {L, C},
	"POST /api/v1/pieces/{id}/return":            {L, C},
	"POST /pieces/{id}/adoptions":                {R, H, O},
	"POST /api/v1/pieces/{id}/adoptions":         {R, H, O},
	"GET /verify":                                {O},
	"POST /verify/{id}":                          {O},
	"GET /api/v1/adoptions/pending":              {O},
	"POST /api/v1/adoptions/{id}/verify":         {O},
	"POST /verify":                               {O},
	"POST /api/v1/adoptions/verify":              {O},
	"POST /adoptions/{id}/unverify":              {O},
	"POST /api/v1/adoptions/{id}/unverify":       {O},
	"POST /reviews":                              {L, C},
	"POST /api/v1/reviews/approve":               {L, C},
	"POST /adoptions/{id}/words":                 {O},
	"POST /api/v1/adoptions/{id}/words":          {O},
	"POST /adoptions/{id}/delete":                {O},
	"POST /api/v1/adoptions/{id}/delete":         {O},
	"GET /bulletins/{period}":                    {O},
	"POST /bulletins":                            {O},
	"GET /documents":                             {O},
	"GET /periods/{period}":                      {R, H, L, C, O},
	"POST /periods":                              {O},
	"POST /periods/{period}/reopen":              {L, C},
	"GET /api/v1/periods/{period}":               {R, H, L, C, O},
	"POST /api/v1/periods":                       {O},
	"POST /api/v1/periods/{period}/reopen":       {L, C},
	"GET /ledger/{code}/export":                  {H, L, C, O},
	"GET /calendar":                              {R, H, L, C, O},
	"POST /calendar/events":                      {O},
	"POST /calendar/feed":                        {R, H, L, C, O},
	"POST /api/v1/calendar/token":                {R, H, L, C, O},
	"GET /ics/{file}":                            nil,
	"GET /month":                                 {R, H, L, C, O},
	"GET /notices":                               everyone,
	"POST /notices/{id}/read":                    everyone,
	"POST /notices/read-all":                     everyone,
	"GET /api/v1/notices":                        everyone,
	"POST /api/v1/notices/{id}/read":             everyone,
	"POST /api/v1/notices/read-all":              everyone,
	"POST /departments/{code}/remind":            {O},
	"POST /api/v1/departments/{code}/remind":     {O},
	"GET /adjustments":                           {R, H, L, C, O},
	"POST /adjustments":                          {O},
	"POST /adjustments/{id}/reverse":             {O},
	"GET /api/v1/adjustments":                    {R, H, L, C, O},
	"POST /api/v1/adjustments":                   {O},
	"POST /api/v1/adjustments/{id}/reverse":      {O},
	"GET /admin/delivery":                        {A},
	"POST /admin/delivery/mail":                  {A},
	"POST /admin/delivery/wecom":                 {A},
	"POST /admin/delivery/webhooks/{code}":       {A},
	"POST /me/email":                             everyone,
	"GET /admin/users":                           {A, S},
	"GET /admin/tokens":                          {A, S},
	"POST /admin/tokens":                         {A},
	"POST /admin/tokens/{name}/revoke":           {A},
	"GET /api/v1/users":                          {A, S},
	"GET /admin/users/new":                       {A},
	"POST /admin/users":                          {A},
	"GET /admin/users/{id}":                      {A, S},
	"POST /admin/users/{id}":                     {A},
	"POST /admin/users/{id}/password":            {S},
	"POST /admin/users/{id}/role":                {S},
	"POST /admin/users/{id}/unlock":              {S},
	"POST /admin/users/{id}/second-factor/reset": {S},
	"POST /admin/users/{id}/reveal":              {A},
	"POST /api/v1/users/{id}/reveal":             {A},
	"POST /enterprises/{id}/reveal":              {R, H, O},
	"POST /api/v1/enterprises/{id}/reveal":       {R, H, O},
	"GET /admin/security":                        {S},
	"POST /admin/security/policy":                {S},
	"GET /api/v1/policy":                         {S},
	"POST /api/v1/policy":                        {S},
	"GET /login/code":                            everyone,
	"POST /login/code":                           everyone,
	"POST /api/v1/login/code":                    everyone,
	"GET /second-factor":                         everyone,
	"POST /second-factor/enrol":                  everyone,
	"POST /second-factor/confirm":                everyone,
	"POST /api/v1/second-factor/enrol":           everyone,
	"POST /api/v1/second-factor/confirm":         everyone,
	"GET /admin/audit/export.csv":                {U},
	"GET /enterprises":                           {R, H, L, C, O},
	"POST /enterprises":                          {R, H, O},
	"GET /export/enterprises.xlsx":               {R, H, L, C, O},
	"GET /export/lists/{kind}":                   {R, H, L, C, O},
	"GET /api/v1/enterprises":                    {R, H, L, C, O},
	"POST /api/v1/enterprises":                   {R, H, O},
	"GET /visits":                                {R, H, L, C, O},
	"POST /visits":                               {R, H, O},
	"GET /api/v1/visits":                         {R, H, L, C, O},
	"POST /api/v1/visits":                        {R, H, O},
	"GET /api/v1/visits/summary":                 {R, H, L, C, O},
	"GET /activities":                            {R, H, L, C, O},
	"GET /activities/{id}":                       {R, H, L, C, O},
	"POST /activities/{id}":                      {R, H, O},
	"POST /activities/{id}/files":                {R, H, O},
	"GET /activity-files/{id}":                   {R, H, L, C, O},
	"GET /api/v1/activities":                     {R, H, L, C, O},
	"GET /policies":                              {R, H, L, C, O},
	"POST /policies":                             {O},
	"POST /policies/reaches":                     {R, H, O},
	"GET /policies/booklet.docx":                 {R, H, L, C, O},
	"GET /api/v1/policies":                       {R, H, L, C, O},
	"POST /api/v1/policies":                      {O},
	"POST /api/v1/policies/reaches":              {R, H, O},
	"GET /api/v1/policies/campaign":              {R, H, L, C, O},
	"GET /journal":                               {R, H, L, C, O},
	"POST /journal":                              {O},
	"GET /journal/{id}":                          {R, H, L, C, O},
	"GET /journal/{id}/print":                    {R, H, L, C, O},
	"GET /journal/{id}/docx":                     {R, H, L, C, O},
	"POST /journal/{id}/{action}":                {R, H, L, C, O},
	"GET /api/v1/journal":                        {R, H, L, C, O},
	"GET /commissions":                           {R, H, L, C, O},
	"POST /commissions":                          {R, H, L, C, O},
	"POST /commissions/{id}/fulfil":              {R, H},
	"GET /api/v1/commissions":                    {R, H, L, C, O},
	"POST /api/v1/commissions":                   {R, H, L, C, O},
	"POST /pieces/{id}/instructions":             {L, C},
	"POST /adoptions/{id}/instructions":          {L, C},
	"POST /activities/{id}/instructions":         {L, C},
	"POST /api/v1/instructions":                  {L, C},
	"GET /admin/audit":                           {U},
	"GET /api/v1/audit":                          {U},
}

func concrete(path string, pieceID int64) string {
	r := strings.NewReplacer("{id}", itoa(pieceID), "{code}", "hightech", "{$}", "")
	return r.Replace(path)
}

// Every route, every role: allowed roles get past the route check (no 401 or
// 403 from it), others get 403 (401 when signed out), on both databases.
func TestRouteRoleTable(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		pieceID := e.newPiece("reporter", domain.StateApproved, false)
		var seen []string
		clients := map[string]*client{}
		for _, role := range everyone {
			clients[role] = e.as(role)
		}
		for _, rt := range e.srv.Routes() {
			key := rt.Method + " " + rt.Path
			seen = append(seen, key)
			allowed, ok := routeTable[key]
			if !ok {
				t.Errorf("route %s is not in the route × role table", key)
				continue
			}
			if rt.Public != (allowed == nil) {
				t.Errorf("%s: public=%v but the table says %v", key, rt.Public, allowed)
			}
			path := concrete(rt.Path, pieceID)
			if !rt.Public {
				// Signed out.
				res, _ := e.anon().do(rt.Method, path, jsonBody(rt.Method, rt.API))
				if rt.API && res.StatusCode != http.StatusUnauthorized || !rt.API && res.StatusCode != http.StatusSeeOther {
					t.Errorf("%s signed out: %d", key, res.StatusCode)
				}
			}
			for _, role := range everyone {
				var res *http.Response
				var body string
				if rt.API || rt.Method == "GET" {
					res, body = clients[role].do(rt.Method, path, jsonBody(rt.Method, rt.API))
				} else {
					res, body = clients[role].form(path, formFor(rt.Path), true)
				}
				denied := res.StatusCode == http.StatusForbidden && strings.Contains(body, "无权访问此页面")
				want := allowed == nil || slices.Contains(allowed, role)
				if want && (denied || res.StatusCode == http.StatusUnauthorized && !rt.Public) {
					t.Errorf("%s as %s: refused (%d %.120s)", key, role, res.StatusCode, body)
				}
				if !want && !denied {
					t.Errorf("%s as %s: %d, want 403 from the route check (%.120s)", key, role, res.StatusCode, body)
				}
				if key == "POST /logout" || key == "POST /api/v1/logout" || key == "POST /password" {
					clients[role] = e.as(role) // those ended or changed the session
				}
			}
			if strings.HasPrefix(key, "POST /admin/users/{id}/") {
				// The security administrator's actions end the sessions of the
				// account acted on (whichever has the piece's id).
				for _, role := range everyone {
					clients[role] = e.as(role)
				}
			}
		}
		for key := range routeTable {
			if !slices.Contains(seen, key) {
				t.Errorf("the table names %s, which the server does not have", key)
			}
		}
	})
}

func jsonBody(method string, api bool) any {
	if method == "POST" && api {
		return map[string]any{}
	}
	return nil
}

func formFor(path string) map[string][]string {
	return map[string][]string{}
}

// Object-level rules: each refused, and nothing changed.
func TestObjectLevel(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		ipDraft := e.newPiece("reporter2", domain.StateDraft, false)
		ipSubmitted := e.newPiece("reporter2", domain.StateSubmitted, false)
		htSubmitted := e.newPiece("reporter", domain.StateSubmitted, false)
		htDraft := e.newPiece("reporter", domain.StateDraft, false)
		state := func(id int64) string {
			p, err := e.db.Q().Piece(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return string(p.State) + "|" + p.Title
		}
		adoptions := func() int64 { n, _ := e.db.CountPublications(ctx); return n }
		before := map[int64]string{ipDraft: state(ipDraft), ipSubmitted: state(ipSubmitted), htSubmitted: state(htSubmitted), htDraft: state(htDraft)}
		nAdoptions := adoptions()
		rep := e.as("reporter")
		cases := []struct {
			name   string
			c      *client
			method string
			path   string
			body   any
			want   int
		}{
			{"reporter reads another department's piece", rep, "GET", "/api/v1/pieces/" + itoa(ipDraft), nil, 404},
			{"reporter reads another department's piece (page)", rep, "GET", "/pieces/" + itoa(ipSubmitted), nil, 404},
			{"reporter submits another department's piece", rep, "POST", "/api/v1/pieces/" + itoa(ipDraft) + "/submit", nil, 404},
			{"reporter edits another department's piece", rep, "GET", "/pieces/" + itoa(ipDraft) + "/edit", nil, 404},
			{"leader approves a department not overseen", e.as("leader"), "POST", "/api/v1/pieces/" + itoa(ipSubmitted) + "/approve", map[string]string{}, 404},
			{"leader returns a department not overseen", e.as("leader"), "POST", "/api/v1/pieces/" + itoa(ipSubmitted) + "/return", map[string]string{"comment": "x"}, 404},
			{"chief approves before the leader", e.as("chief"), "POST", "/api/v1/pieces/" + itoa(htSubmitted) + "/approve", map[string]string{}, 409},
			{"office adopts an unapproved piece", e.as("office"), "POST", "/api/v1/pieces/" + itoa(htSubmitted) + "/adoptions", map[string]string{"channel": "intranet", "date": "2017-05-01"}, 409},
			{"leader sees another department's draft", e.as("leader"), "GET", "/api/v1/pieces/" + itoa(htDraft), nil, 404},
			{"admin reads a piece", e.as("admin"), "GET", "/api/v1/pieces/" + itoa(htSubmitted), nil, 403},
		}
		for _, c := range cases {
			res, body := c.c.do(c.method, c.path, c.body)
			if res.StatusCode != c.want {
				t.Errorf("%s: %d, want %d (%s)", c.name, res.StatusCode, c.want, body)
			}
		}
		if n := adoptions(); n != nAdoptions {
			t.Errorf("adoptions changed: %d → %d", nAdoptions, n)
		}
		// A reporter recording an intranet adoption of its own approved piece.
		htApproved := e.newPiece("reporter", domain.StateApproved, false)
		before[htApproved] = state(htApproved)
		nAdoptions = adoptions()
		res, body := rep.do("POST", "/api/v1/pieces/"+itoa(htApproved)+"/adoptions", map[string]string{"channel": "intranet", "date": "2017-05-01"})
		if res.StatusCode != 403 {
			t.Errorf("reporter records an intranet adoption: %d %s", res.StatusCode, body)
		}
		// Approving one's own piece: a head who wrote a piece, then was made its leader.
		headPiece := e.newPiece("head", domain.StateSubmitted, false)
		before[headPiece] = state(headPiece)
		u := e.users["head"]
		u.Role, u.Department, u.Leads = "leader", "", []string{"hightech"}
		if err := e.db.Q().UpdateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		res, body = e.as("head").do("POST", "/api/v1/pieces/"+itoa(headPiece)+"/approve", map[string]string{})
		if res.StatusCode != 403 || !strings.Contains(body, "自己") {
			t.Errorf("approving one's own piece: %d %s", res.StatusCode, body)
		}
		for id, was := range before {
			if now := state(id); now != was {
				t.Errorf("piece %d changed: %s → %s", id, was, now)
			}
		}
		if n := adoptions(); n != nAdoptions {
			t.Errorf("adoptions changed: %d → %d", nAdoptions, n)
		}
		// Every refusal above that reached the route check is audited.
		entries, _ := e.db.Q().AuditEntries(ctx, domain.AuditFilter{Action: "route"})
		if len(entries) == 0 || entries[0].Result != domain.AuditDenied {
			t.Errorf("authorisation failures not audited: %v", entries)
		}
	})
}
