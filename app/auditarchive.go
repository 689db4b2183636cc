package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"kexuan/domain"
	"kexuan/secret"
	"kexuan/store"
)

// AuditKeepMonths is how long audit entries stay in the database at least
// (等保 2.0: six months); older ones may be archived.
const AuditKeepMonths = 6

// archiveHeader opens an archive file.
type archiveHeader struct {
	Format   string `json:"format"` // kexuan-audit-archive-v1
	Database string `json:"database"`
	Before   string `json:"before"`
	FirstID  int64  `json:"first_id"`
	UpToID   int64  `json:"up_to_id"`
	Entries  int    `json:"entries"`
	PrevHash string `json:"prev_hash"` // the hash the first entry links to
	LastHash string `json:"last_hash"`
	Created  string `json:"created"`
}

type archivedEntry struct {
	ID       int64  `json:"id"`
	At       string `json:"at"`
	UserID   int64  `json:"user_id,omitempty"`
	Username string `json:"username,omitempty"`
	Role     string `json:"role,omitempty"`
	Address  string `json:"address,omitempty"`
	Action   string `json:"action"`
	Object   string `json:"object,omitempty"`
	Result   string `json:"result"`
	Reason   string `json:"reason,omitempty"`
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
}

// ArchiveResult is what an archive took.
type ArchiveResult struct {
	Entries        int
	FirstID, UpTo  int64
	File, LastHash string
}

// ArchiveAudit moves the audit entries written before a day at least six
// months ago to a file signed with the key (HMAC-SM3 over its content),
// then deletes them from the database, which keeps the archive's last hash,
// count and signature: `kexuan audit verify` goes on checking the chain from
// there, and checks the file with --archive. The command line only.
func (a *App) ArchiveAudit(ctx context.Context, before time.Time, out string) (*ArchiveResult, error) {
	if a.Key == nil {
		return nil, errNoKey
	}
	if limit := a.Now().AddDate(0, -AuditKeepMonths, 0); before.After(limit) {
		return nil, invalid("before", "六个月内的审计日志不能归档：最晚只能归档 %s 之前的", limit.Format("2006-01-02"))
	}
	c, err := a.DB.Q().VerifyAudit(ctx)
	if err != nil {
		return nil, err
	}
	if c.Broken != 0 {
		return nil, conflict("审计日志在第 %d 条处不完整（%s）：先查明，不能归档", c.Broken, c.Why)
	}
	prev := ""
	if arcs, err := a.DB.Q().AuditArchives(ctx); err != nil {
		return nil, err
	} else if len(arcs) > 0 {
		prev = arcs[len(arcs)-1].LastHash
	}
	// What is archived is the oldest run of entries — by id, the chain's
	// order — written before the day: it stops at the first entry written
	// on or after it, whatever comes later (the demo's replayed year writes
	// 2017 times after a real day's). What is deleted is that run, by its
	// first and last id, and must be as many rows.
	entries, err := a.DB.Q().AuditBefore(ctx, before, 10_000_000)
	if err != nil {
		return nil, err
	}
	// The newest entry always stays: the chain goes on from it, and SQLite
	// numbers the next entry after the largest kept.
	if len(entries) > 0 && entries[len(entries)-1].ID == c.HeadID {
		entries = entries[:len(entries)-1]
	}
	if len(entries) == 0 {
		return nil, invalid("before", "%s 之前没有可归档的审计日志", before.Format("2006-01-02"))
	}
	dbid, err := a.DatabaseID(ctx)
	if err != nil {
		return nil, err
	}
	last := entries[len(entries)-1]
	h := archiveHeader{Format: "kexuan-audit-archive-v1", Database: dbid, Before: before.Format("2006-01-02"), FirstID: entries[0].ID,
		UpToID: last.ID, Entries: len(entries), PrevHash: prev, LastHash: last.Hash, Created: a.Now().Format(time.RFC3339)}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(h); err != nil {
		return nil, err
	}
	for _, e := range entries {
		if err := enc.Encode(archivedEntry{e.ID, e.At.Format(time.RFC3339Nano), e.UserID, e.Username, e.Role, e.Address, e.Action, e.Object,
			e.Result, e.Reason, e.PrevHash, e.Hash}); err != nil {
			return nil, err
		}
	}
	mac := a.Key.CheckpointMAC(buf.Bytes())
	fmt.Fprintf(&buf, "{\"mac\":%q}\n", "hmac-sm3:"+mac)
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	_, err = f.Write(buf.Bytes())
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		// The file is read back and checked — its signature, its chain, and
		// entry by entry the rows to delete — before anything is deleted.
		err = a.sameAsArchived(out, entries)
	}
	if err == nil {
		err = a.DB.InTx(ctx, func(q *store.Q) error {
			if err := q.AuditArchive(ctx, entries[0].ID, last.ID, int64(len(entries)), last.Hash, mac, a.archiveRowMAC(last.ID, int64(len(entries)), last.Hash, mac)); err != nil {
				return err
			}
			return a.audit(ctx, q, nil, "audit_archive", "audit_log", domain.AuditOK,
				fmt.Sprintf("第 %d–%d 条（共 %d 条，%s 之前）归档到 %s", entries[0].ID, last.ID, len(entries), h.Before, out))
		})
	}
	if err != nil {
		os.Remove(out)
		return nil, err
	}
	return &ArchiveResult{Entries: len(entries), FirstID: entries[0].ID, UpTo: last.ID, File: out, LastHash: last.Hash}, nil
}

// VerifyArchive checks an archive file: its signature under the key, the
// chain of its entries, and that the database recorded it (same last entry,
// hash and signature). It returns the entries.
func (a *App) VerifyArchive(ctx context.Context, path string) (int, error) {
	h, entries, mac, err := a.readArchive(path)
	if err != nil {
		return 0, err
	}
	arcs, err := a.DB.Q().AuditArchives(ctx)
	if err != nil {
		return 0, err
	}
	for _, r := range arcs {
		if r.UpTo == h.UpToID {
			if r.LastHash != h.LastHash || !secret.Equal(r.FileMAC, mac) || r.Entries != int64(h.Entries) {
				return 0, fmt.Errorf("%s：与数据库记录的归档（到第 %d 条）不一致", path, r.UpTo)
			}
			return len(entries), nil
		}
	}
	return 0, fmt.Errorf("%s：数据库中没有到第 %d 条的归档记录（不是本数据库的归档？）", path, h.UpToID)
}

// readArchive reads an archive file and checks it on its own: the key's
// signature over its content, its count, and the chain of its entries.
func (a *App) readArchive(path string) (archiveHeader, []*domain.AuditEntry, string, error) {
	var h archiveHeader
	if a.Key == nil {
		return h, nil, "", errNoKey
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return h, nil, "", err
	}
	body := bytes.TrimRight(b, "\n")
	i := bytes.LastIndexByte(body, '\n')
	if i < 0 {
		return h, nil, "", fmt.Errorf("%s：不是审计日志归档文件", path)
	}
	var sig struct {
		MAC string `json:"mac"`
	}
	if err := json.Unmarshal(body[i+1:], &sig); err != nil || !strings.HasPrefix(sig.MAC, "hmac-sm3:") {
		return h, nil, "", fmt.Errorf("%s：最后一行应为签名", path)
	}
	content := body[:i+1]
	mac := strings.TrimPrefix(sig.MAC, "hmac-sm3:")
	if !secret.Equal(a.Key.CheckpointMAC(content), mac) {
		return h, nil, "", fmt.Errorf("%s：签名不符，归档文件被改动过（或不是用本密钥签的）", path)
	}
	sc := bufio.NewScanner(bytes.NewReader(content))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	var entries []*domain.AuditEntry
	line := 0
	for sc.Scan() {
		line++
		if line == 1 {
			if err := json.Unmarshal(sc.Bytes(), &h); err != nil || h.Format != "kexuan-audit-archive-v1" {
				return h, nil, "", fmt.Errorf("%s:1：不是审计日志归档文件", path)
			}
			continue
		}
		var e archivedEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return h, nil, "", fmt.Errorf("%s:%d：%v", path, line, err)
		}
		at, err := time.Parse(time.RFC3339Nano, e.At)
		if err != nil {
			return h, nil, "", fmt.Errorf("%s:%d：时间 %q 不对", path, line, e.At)
		}
		entries = append(entries, &domain.AuditEntry{ID: e.ID, At: at, UserID: e.UserID, Username: e.Username, Role: e.Role, Address: e.Address,
			Action: e.Action, Object: e.Object, Result: e.Result, Reason: e.Reason, PrevHash: e.PrevHash, Hash: e.Hash})
	}
	if err := sc.Err(); err != nil {
		return h, nil, "", err
	}
	if len(entries) != h.Entries {
		return h, nil, "", fmt.Errorf("%s：应有 %d 条，实有 %d 条", path, h.Entries, len(entries))
	}
	if bad, why, err := a.DB.CheckEntries(h.PrevHash, entries); err != nil {
		return h, nil, "", err
	} else if bad != 0 {
		return h, nil, "", fmt.Errorf("%s：第 %d 条：%s", path, bad, why)
	}
	return h, entries, mac, nil
}

// sameAsArchived reads the archive just written and checks that it holds
// exactly these entries, in order, each with its hash.
func (a *App) sameAsArchived(path string, entries []*domain.AuditEntry) error {
	_, got, _, err := a.readArchive(path)
	if err != nil {
		return fmt.Errorf("归档文件读回校验失败，未删除任何审计日志：%w", err)
	}
	if len(got) != len(entries) {
		return fmt.Errorf("归档文件读回 %d 条，应为 %d 条：未删除任何审计日志", len(got), len(entries))
	}
	for i, e := range entries {
		if got[i].ID != e.ID || got[i].Hash != e.Hash {
			return fmt.Errorf("归档文件第 %d 条（编号 %d）与数据库不符：未删除任何审计日志", i+1, got[i].ID)
		}
	}
	return nil
}

// archiveRowMAC signs an archive's record in the database, so that a record
// inserted by hand — to let old entries be deleted, or to start the chain
// elsewhere — is found.
func (a *App) archiveRowMAC(upTo, entries int64, lastHash, fileMAC string) string {
	return a.Key.CheckpointMAC([]byte(fmt.Sprintf("kexuan-archive-v1 %d %d %s %s", upTo, entries, lastHash, fileMAC)))
}
