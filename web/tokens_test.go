package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"kexuan/app"
	"kexuan/domain"
	"kexuan/store/storetest"
)

// bearer calls the API as a system does: a token, no cookies.
func (e *env) bearer(token, method, path string, body any, header map[string]string) (*http.Response, string) {
	e.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.ts.URL+path, r)
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// A token acts with its scopes only, on the API only, audited under its own
// account; revoked, it is refused. A POST with Idempotency-Key is done once:
// a repeat gets the first answer, another body under the same key is
// refused, and ten at once record one publication.
func TestAPITokens(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx := context.Background()
		if _, _, err := e.app.AddToken(ctx, nil, app.TokenInput{Name: "oa", Scopes: []string{"report:write"}}); domain.ErrorOf(err).Field != "scopes" {
			t.Errorf("an unknown scope: %v", err)
		}
		if _, _, err := e.app.AddToken(ctx, nil, app.TokenInput{Name: "oa", Scopes: []string{"report:read"}, Expires: "2017-01-01"}); domain.ErrorOf(err).Field != "expires" {
			t.Errorf("an expiry already past: %v", err)
		}
		if _, _, err := e.app.AddToken(ctx, e.actor("office"), app.TokenInput{Name: "oa", Scopes: []string{"report:read"}}); domain.ErrorOf(err).Code != domain.EForbidden {
			t.Errorf("the office issues a token: %v", err)
		}
		token, _, err := e.app.AddToken(ctx, e.actor("admin"), app.TokenInput{Name: "oa", Scopes: []string{"report:read", "adoptions:write"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.app.AddToken(ctx, nil, app.TokenInput{Name: "oa", Scopes: []string{"report:read"}}); domain.ErrorOf(err).Code != domain.EConflict {
			t.Errorf("a second token of one name: %v", err)
		}
		for _, c := range []struct {
			method, path string
			body         any
			want         int
		}{
			{"GET", "/api/v1/report?year=2017", nil, 200},
			{"GET", "/api/v1/me", nil, 200},
			{"GET", "/dashboard", nil, 403}, // a page
			{"POST", "/api/v1/pieces", map[string]any{"title": "令牌写稿", "body": "<p>正文</p>"}, 403}, // outside its scopes
			{"POST", "/api/v1/password", map[string]string{"old": "x", "new": "y"}, 403},          // the account's own
			{"GET", "/api/v1/audit", nil, 403},
		} {
			if res, body := e.bearer(token, c.method, c.path, c.body, nil); res.StatusCode != c.want {
				t.Errorf("%s %s with the token: %d, want %d (%s)", c.method, c.path, res.StatusCode, c.want, body)
			}
		}
		if res, _ := e.bearer("kx_not-a-token", "GET", "/api/v1/me", nil, nil); res.StatusCode != 401 {
			t.Errorf("an unknown token: %d", res.StatusCode)
		}

		pid := e.newPiece("reporter", domain.StateApproved, false)
		id := itoa(pid)
		rec := map[string]any{"channel": "shixun", "date": "2017-05-02"}
		key := map[string]string{"Idempotency-Key": "oa-20170502-1"}
		res, first := e.bearer(token, "POST", "/api/v1/pieces/"+id+"/adoptions", rec, key)
		if res.StatusCode != 201 {
			t.Fatalf("the token records: %d %s", res.StatusCode, first)
		}
		res, again := e.bearer(token, "POST", "/api/v1/pieces/"+id+"/adoptions", rec, key)
		if res.StatusCode != 201 || again != first || res.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("the repeat: %d %q %s, want the first answer %s", res.StatusCode, res.Header.Get("Idempotent-Replayed"), again, first)
		}
		if res, body := e.bearer(token, "POST", "/api/v1/pieces/"+id+"/adoptions", map[string]any{"channel": "intranet", "date": "2017-05-02"}, key); res.StatusCode != 422 || !strings.Contains(body, "Idempotency-Key") {
			t.Errorf("the same key on another request: %d %s", res.StatusCode, body)
		}
		if recs := must(e.db.Q().PieceAdoptions(ctx, pid))(t); len(recs) != 1 {
			t.Errorf("%d records after a repeated POST, want 1", len(recs))
		}
		rows := must(e.db.Q().AuditEntries(ctx, domain.AuditFilter{Action: "adoption_record"}))(t)
		if len(rows) != 1 || rows[0].Username != "token-oa" {
			t.Errorf("the record's audit row: %+v, want one by token-oa", rows)
		}

		// Ten at once under one key: one does the work.
		pid2 := e.newPiece("reporter", domain.StateApproved, false)
		id2 := itoa(pid2)
		var wg sync.WaitGroup
		var mu sync.Mutex
		codes := map[int]int{}
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, body := e.bearer(token, "POST", "/api/v1/pieces/"+id2+"/adoptions", map[string]any{"channel": "shixun", "date": "2017-05-03"}, map[string]string{"Idempotency-Key": "oa-at-once"})
				if res.StatusCode == 409 && !strings.Contains(body, "正在处理") {
					t.Errorf("a 409 that is not the key's: %s", body)
				}
				mu.Lock()
				codes[res.StatusCode]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if codes[201] < 1 || codes[201]+codes[409] != 10 {
			t.Errorf("ten at once under one key: %v, want 201s and 409s only", codes)
		}
		if recs := must(e.db.Q().PieceAdoptions(ctx, pid2))(t); len(recs) != 1 {
			t.Errorf("%d records from ten POSTs under one key, want 1", len(recs))
		}

		if err := e.app.RevokeToken(ctx, nil, "oa"); err != nil {
			t.Fatal(err)
		}
		if res, _ := e.bearer(token, "GET", "/api/v1/me", nil, nil); res.StatusCode != 401 {
			t.Errorf("a revoked token: %d", res.StatusCode)
		}
		if err := e.app.RevokeToken(ctx, nil, "oa"); domain.ErrorOf(err).Code != domain.EConflict {
			t.Errorf("revoked twice: %v", err)
		}
	})
}

// The system administrator's page issues a token, shows it once, lists it
// without it, and revokes it; a bad form comes back with what was typed.
func TestTokensPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLite(t))
	admin := e.as("admin")
	res, page := admin.form("/admin/tokens", url.Values{"name": {"Bad Name"}, "scope": {"report:read"}}, true)
	if res.StatusCode != 422 || !strings.Contains(page, `id="token-error"`) || !strings.Contains(page, `value="Bad Name"`) || !strings.Contains(page, `value="report:read" checked`) {
		t.Errorf("a bad name: %d, the form not kept", res.StatusCode)
	}
	res, page = admin.form("/admin/tokens", url.Values{"name": {"oa"}, "scope": {"report:read", "pieces:read"}}, true)
	i := strings.Index(page, `<code id="token-value">`)
	if res.StatusCode != 200 || i < 0 || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("issue: %d, the token not shown", res.StatusCode)
	}
	token := page[i+len(`<code id="token-value">`):]
	token = token[:strings.Index(token, "<")]
	if r, _ := e.bearer(token, "GET", "/api/v1/report?year=2017", nil, nil); r.StatusCode != 200 {
		t.Errorf("the token from the page: %d", r.StatusCode)
	}
	if _, list := admin.do("GET", "/admin/tokens", nil); strings.Contains(list, token) || !strings.Contains(list, "<code>pieces:read</code>") {
		t.Error("the list shows the token, or not its scopes")
	}
	if r, _ := e.as("office").form("/admin/tokens", url.Values{"name": {"x1"}, "scope": {"report:read"}}, true); r.StatusCode != 403 {
		t.Errorf("the office issues a token from the page: %d", r.StatusCode)
	}
	if r, _ := admin.form("/admin/tokens/oa/revoke", url.Values{}, true); r.StatusCode != 303 && r.StatusCode != 200 {
		t.Errorf("revoke: %d", r.StatusCode)
	}
	if r, _ := e.bearer(token, "GET", "/api/v1/report?year=2017", nil, nil); r.StatusCode != 401 {
		t.Errorf("the revoked token: %d", r.StatusCode)
	}
}
