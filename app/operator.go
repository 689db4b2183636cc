package app

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"time"

	"kexuan/domain"
	"kexuan/plan"
	"kexuan/register"
	"kexuan/scoring"
	"kexuan/store"
)

// What the server's operator does from the command line, through the same
// door as the web: each change audited (a nil actor is the command line).

// Upgrade creates or upgrades the schema.
func (a *App) Upgrade(ctx context.Context) error { return a.DB.Migrate(ctx) }

// Initialise creates or upgrades the schema and loads the built-in plan
// unless its year has one; loaded reports whether it did.
func (a *App) Initialise(ctx context.Context) (loaded bool, err error) {
	if err := a.DB.Migrate(ctx); err != nil {
		return false, err
	}
	p, src := plan.Builtin()
	if _, err := a.DB.Plan(ctx, p.Year); !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		// Two processes initialising one new database at once: one loads.
		if mine, err := q.ClaimRun(ctx, fmt.Sprintf("builtin_plan_loaded:%d", p.Year), "1"); err != nil || !mine {
			loaded = false
			return err
		}
		loaded = true
		if err := q.SavePlan(ctx, p, src); err != nil {
			return err
		}
		return a.audit(ctx, q, nil, "plan_load", fmt.Sprintf("plan:%d", p.Year), domain.AuditOK, "内置方案 "+p.DocumentNumber)
	})
	return loaded && err == nil, err
}

// CountUsers counts the accounts.
func (a *App) CountUsers(ctx context.Context) (int, error) {
	return a.DB.Q().CountUsers(ctx, "")
}

// Plans lists the stored plans by year.
func (a *App) Plans(ctx context.Context) ([]*plan.Plan, error) {
	return a.DB.Plans(ctx)
}

// PlanFor picks the plan of the year asked for (0: the current year's, or
// the newest).
func (a *App) PlanFor(ctx context.Context, year int, now time.Time) (*plan.Plan, error) {
	if year != 0 {
		p, err := a.DB.Plan(ctx, year)
		if errors.Is(err, store.ErrNotFound) {
			return nil, invalid("year", "%d 年没有考核方案", year)
		}
		return p, err
	}
	plans, err := a.DB.Plans(ctx)
	if err != nil {
		return nil, err
	}
	if len(plans) == 0 {
		return nil, store.ErrNotInitialised
	}
	for _, p := range plans {
		if p.Year == now.Year() {
			return p, nil
		}
	}
	return plans[len(plans)-1], nil
}

// ScoreReport computes a plan year's assessment as of a day from the
// publications and the office's adjustments: from the aggregate, or
// (detail) with one ledger line per publication of one department.
func (a *App) ScoreReport(ctx context.Context, p *plan.Plan, asOf plan.Date, dept string, detail bool) (*scoring.Result, error) {
	return a.score(ctx, p, asOf, dept, detail)
}

func (a *App) score(ctx context.Context, p *plan.Plan, asOf plan.Date, dept string, detail bool) (*scoring.Result, error) {
	var entries []scoring.Entry
	var err error
	if detail {
		entries, err = a.DB.PublicationEntries(ctx, p, asOf, dept)
	} else {
		entries, err = a.DB.Entries(ctx, p, asOf)
	}
	if err != nil {
		return nil, err
	}
	adj, err := a.DB.ScoreAdjustments(ctx, p, asOf)
	if err != nil {
		return nil, err
	}
	res := scoring.Score(p, asOf, entries, scoring.Options{Adjustments: adj})
	if detail && dept != "" {
		// The detail read one department's publications; its rank is its
		// place in the whole bureau, as the report without --detail says.
		all, err := a.DB.Entries(ctx, p, asOf)
		if err != nil {
			return nil, err
		}
		whole := scoring.Score(p, asOf, all, scoring.Options{Adjustments: adj, NoLedger: true})
		rank := make(map[string]int, len(whole.Departments))
		for _, d := range whole.Departments {
			rank[d.Code] = d.Rank
		}
		for i := range res.Departments {
			res.Departments[i].Rank = rank[res.Departments[i].Code]
		}
	}
	return res, nil
}

// importTarget lets the register package write through the store. While
// the import's Commit runs its Finish, q is the import's transaction.
type importTarget struct {
	db *store.DB
	q  *store.Q
}

func (t *importTarget) Plans(ctx context.Context) ([]*plan.Plan, error) { return t.db.Plans(ctx) }
func (t *importTarget) Closed(ctx context.Context) (map[int]plan.Date, error) {
	return t.db.ClosedThrough(ctx)
}
func (t *importTarget) BeginImport(ctx context.Context, update bool) (register.Writer, error) {
	im, err := t.db.BeginImport(ctx, update)
	if err != nil {
		return nil, err
	}
	return importWriter{im, t}, nil
}

// importWriter commits a store import with the register's then inside its
// transaction.
type importWriter struct {
	*store.Import
	t *importTarget
}

func (w importWriter) Commit(then func(inserted, skipped int64) error) (int64, int64, error) {
	if then == nil {
		return w.Import.Commit()
	}
	return w.Import.CommitWith(func(q *store.Q, inserted, skipped int64) error {
		w.t.q = q
		defer func() { w.t.q = nil }()
		return then(inserted, skipped)
	})
}

// TakeForImports lets this App's imports take a SQLite database for
// themselves when nothing else has it open, which halves what a large one
// writes (store.DB.TakeForImports). For `kexuan import`, which runs alone.
func (a *App) TakeForImports() { a.DB.TakeForImports() }

// Import checks and imports a register file (.csv or .xlsx), whole or not at
// all, and audits it: what was added, or why it was refused. Rows dated in
// a closed period need a reason; what they change is then recorded as
// corrections against those periods.
func (a *App) Import(ctx context.Context, act *Actor, path, reason string, update bool) (*register.Result, error) {
	if act != nil && !act.Role.Can(domain.PermVerify) {
		err := forbidden("只有办公室可以导入登记表")
		a.auditAlways(ctx, act, "import", filepath.Base(path), domain.AuditDenied, err.Error())
		return nil, err
	}
	if err := checkText("reason", &reason, MaxReason); err != nil {
		return nil, err
	}
	// The audit rows and the corrections to closed periods are written in
	// the import's own transaction, before it commits: all land, or none.
	t := &importTarget{db: a.DB}
	finish := func(res *register.Result) error {
		q := t.q
		if reason != "" && (res.Inserted > 0 || len(res.Updated) > 0) {
			closed, err := q.ClosedThrough(ctx)
			if err != nil {
				return err
			}
			for _, year := range slices.Sorted(maps.Keys(closed)) {
				ps, err := q.ClosedPeriods(ctx, year, plan.Date{Year: year, Month: 1, Day: 1})
				if err != nil {
					return err
				}
				if err := a.recordCorrections(ctx, q, act, ps, "导入 "+filepath.Base(path)+"："+reason); err != nil {
					return err
				}
			}
		}
		for _, c := range res.Updated {
			if err := a.audit(ctx, q, act, "import_update", filepath.Base(path), domain.AuditOK,
				fmt.Sprintf("第 %d 行《%s》字数 %d → %d：%s", c.Line, c.Title, c.Old, c.New, reason)); err != nil {
				return err
			}
		}
		return a.audit(ctx, q, act, "import", filepath.Base(path), domain.AuditOK,
			fmt.Sprintf("共 %d 行：新增 %d 条，已存在 %d 条%s%s", res.Rows, res.Inserted, res.Skipped, updatedNote(res), optional(reason)))
	}
	res, err := register.ImportFile(ctx, t, path, register.Options{Reason: reason, Update: update, Finish: finish})
	if err != nil {
		a.auditAlways(ctx, act, "import", filepath.Base(path), domain.AuditFailed, err.Error())
		return nil, err
	}
	return res, nil
}

func updatedNote(res *register.Result) string {
	if len(res.Updated) == 0 {
		return ""
	}
	return fmt.Sprintf("，按登记表修改字数 %d 条", len(res.Updated))
}

// Backup writes a consistent copy of a SQLite database to path, checks that
// the copy opens and is sound, and audits it.
func (a *App) Backup(ctx context.Context, path string) error {
	if err := a.DB.Backup(ctx, path); err != nil {
		return err
	}
	if a.DB.Dialect() == "sqlite" {
		// The copy is opened and checked whole (a PostgreSQL dump's table of
		// contents was read back by the store; restore checks it whole).
		cp, err := store.Open(ctx, path)
		if err != nil {
			return fmt.Errorf("备份无法打开：%w", err)
		}
		if a.Key != nil {
			cp.SetAuditMAC(a.Key.AuditMAC)
		}
		res, err := cp.IntegrityCheck(ctx)
		cp.Close()
		if err != nil || res != "ok" {
			return fmt.Errorf("备份完整性检查未通过：%s %v", res, err)
		}
	}
	return a.DB.InTx(ctx, func(q *store.Q) error {
		return a.audit(ctx, q, nil, "backup", path, domain.AuditOK, "")
	})
}

// Check runs the store's integrity check ("ok", or every finding); with
// repair, when the score aggregate differs from a recomputation it is
// rebuilt (audited) and checked again.
func (a *App) Check(ctx context.Context, repair bool) (before, after string, err error) {
	if before, err = a.DB.IntegrityCheck(ctx); err != nil || before == "ok" || !repair {
		return before, "", err
	}
	if err := a.DB.RepairAggregate(ctx); err != nil {
		return before, "", err
	}
	if err := a.DB.InTx(ctx, func(q *store.Q) error {
		return a.audit(ctx, q, nil, "aggregate_repair", "score_cells", domain.AuditOK, before)
	}); err != nil {
		return before, "", err
	}
	after, err = a.DB.IntegrityCheck(ctx)
	return before, after, err
}

// Exported audits a document the command line wrote (a report to a file,
// a CSV or a workbook), once it was written whole.
func (a *App) Exported(ctx context.Context, name, reason string) error {
	return a.DB.InTx(context.WithoutCancel(ctx), func(q *store.Q) error {
		return a.audit(ctx, q, nil, "export", name, domain.AuditOK, reason)
	})
}
