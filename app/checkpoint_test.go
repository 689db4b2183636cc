package app_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"kexuan/app"
	"kexuan/plan"
	"kexuan/store/storetest"
	"kexuan/testclock"
)

// Two databases of one installation (or two servers) checkpoint into one
// file at the same moment: every line signs the line before it, so the
// audit check finds no checkpoint missing.
func TestCheckpointsAtOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kexuan.checkpoints")
	key := storetest.Key(t) // one installation, one key
	p, src := plan.Builtin()
	var apps []*app.App
	for range 3 {
		db := storetest.Open(t, storetest.SQLite(t))
		if err := db.SavePlan(ctx, p, src); err != nil {
			t.Fatal(err)
		}
		a := app.New(db)
		a.Now = testclock.Now
		a.UseKey(key)
		a.UseCheckpoints(path)
		apps = append(apps, a)
	}
	var wg sync.WaitGroup
	for _, a := range apps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range 20 {
				days := 3 + n%2 // a change the audit records
				if _, err := a.SetPolicy(ctx, nil, app.PolicyChange{LockoutFailures: &days}); err != nil {
					t.Error(err)
					return
				}
				if err := a.Checkpoint(ctx); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for i, a := range apps {
		r, err := a.VerifyAudit(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !r.Intact() || r.Checkpoints < 10 {
			t.Errorf("database %d: %d checkpoints, problems %v", i, r.Checkpoints, r.Problems)
		}
	}
}
