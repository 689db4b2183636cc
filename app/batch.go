package app

import (
	"context"
	"errors"
	"fmt"

	"kexuan/domain"
	"kexuan/store"
)

// MaxBatch is how many items one batch may name.
const MaxBatch = 200

// BatchResult is what a batch did: the items done, and each refused one
// with why. Every item is checked as if alone and is its own transaction
// and audit row; one refused item does not stop the others.
type BatchResult struct {
	Done    []int64
	Refused []BatchRefusal
}

// BatchRefusal is one item a batch could not do.
type BatchRefusal struct {
	ID    int64
	Error *domain.Error
}

func batch(ids []int64, do func(id int64) error) (*BatchResult, error) {
	if len(ids) == 0 {
		return nil, invalid("ids", "请选择至少一项")
	}
	if len(ids) > MaxBatch {
		return nil, invalid("ids", "一次最多 %d 项", MaxBatch)
	}
	res := &BatchResult{Done: []int64{}, Refused: []BatchRefusal{}}
	seen := map[int64]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if err := do(id); err != nil {
			e := domain.ErrorOf(err)
			if e.Code == domain.EInternal {
				return res, err // the database failed: stop, say so
			}
			res.Refused = append(res.Refused, BatchRefusal{ID: id, Error: e})
			continue
		}
		res.Done = append(res.Done, id)
	}
	return res, nil
}

// ApproveMany approves pieces one by one with one comment, for a leader
// with a queue: each as Approve would alone.
func (a *App) ApproveMany(ctx context.Context, act *Actor, ids []int64, comment string) (*BatchResult, error) {
	return batch(ids, func(id int64) error {
		_, err := a.Approve(ctx, act, id, comment)
		return err
	})
}

// VerifyMany accepts department records one by one (认定), for the office
// going through a month: each as Verify would alone.
func (a *App) VerifyMany(ctx context.Context, act *Actor, ids []int64) (*BatchResult, error) {
	return batch(ids, func(id int64) error { return a.Verify(ctx, act, id, true, "") })
}

// Unverify takes back a verification done by mistake: the record is
// pending again (待核实) and stops counting; the piece follows (back to
// 已通过 when nothing of it counts), its history and the audit log say who
// undid it, when and why; in a closed month it is a correction. The
// office, with a reason.
func (a *App) Unverify(ctx context.Context, act *Actor, id int64, reason string) (err error) {
	defer a.refused(ctx, act, "adoption_unverify", fmt.Sprintf("publication:%d", id), &err)
	if !act.Role.Can(domain.PermVerify) {
		return forbidden("只有办公室可以撤销认定")
	}
	if err := checkText("reason", &reason, MaxReason); err != nil {
		return err
	}
	if reason == "" {
		return invalid("reason", "撤销认定需写明理由")
	}
	return a.DB.InTx(ctx, func(q *store.Q) error {
		rec, err := adoption(ctx, q, id)
		if err != nil {
			return err
		}
		touched, err := a.touchClosed(ctx, q, rec.Day, reason)
		if err != nil {
			return err
		}
		err = q.UnverifyAdoption(ctx, id)
		if errors.Is(err, store.ErrConflict) {
			return conflict("这条记录没有经过核实认定，不能撤销（办公室登记的记录请删除）")
		}
		if err != nil {
			return err
		}
		if rec.PieceID != 0 {
			if err := a.followAdoptions(ctx, q, act, rec, "unverify", fmt.Sprintf("撤销认定 %s %s：%s", a.channelName(ctx, q, rec), rec.Day, reason)); err != nil {
				return err
			}
		}
		if err := a.recordCorrections(ctx, q, act, touched, reason); err != nil {
			return err
		}
		if rec.RecordedBy != 0 {
			link := ""
			if rec.PieceID != 0 {
				link = fmt.Sprintf("/pieces/%d", rec.PieceID)
			}
			if err := a.notify(ctx, q, act, []int64{rec.RecordedBy}, rec.Department, domain.NoticeUndone,
				fmt.Sprintf("《%s》%s 的认定已撤销，重新待核实：%s", rec.Title, rec.Day, reason), link); err != nil {
				return err
			}
		}
		return a.audit(ctx, q, act, "adoption_unverify", fmt.Sprintf("publication:%d", id), domain.AuditOK, reason)
	})
}
