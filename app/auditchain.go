package app

import (
	"bufio"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"kexuan/domain"
	"kexuan/secret"
	"kexuan/store"
)

// CheckpointEvery is how many audit entries this process writes at most
// between two checkpoints of the chain's head.
const CheckpointEvery = 100

// checkpoints writes the audit chain's head outside the database: a line
// appended to a file (created 0600) and to the server's log.
type checkpoints struct {
	mu        sync.Mutex
	path      string
	mirrors   []string // more places each checkpoint is appended to
	extra     []string // more places only read when verifying (a copy of the system log)
	written   string   // the last head written by this process
	writtenID int64    // and its entry's id
	since     int      // entries audited since
	kick      chan struct{}
}

// UseCheckpoints names the append-only file the audit chain's head is
// checkpointed to, and the mirrors each checkpoint is appended to as well
// (KEXUAN_CHECKPOINT_MIRROR: another disk, a mount the database's
// administrator cannot write). Cutting the newest entries and the
// checkpoints naming them then needs every place cut alike.
func (a *App) UseCheckpoints(path string, mirrors ...string) {
	a.cp.path = path
	a.cp.mirrors = mirrors
	a.cp.kick = make(chan struct{}, 1)
}

// ReadCheckpointsToo names more places verification reads checkpoints from
// (a copy of the server's log or the system log, where each checkpoint's
// line is written too).
func (a *App) ReadCheckpointsToo(paths ...string) { a.cp.extra = append(a.cp.extra, paths...) }

// audited counts an entry toward the next checkpoint.
func (a *App) audited() {
	if a.cp.kick == nil {
		return
	}
	a.cp.mu.Lock()
	a.cp.since++
	due := a.cp.since >= CheckpointEvery
	a.cp.mu.Unlock()
	if due {
		select {
		case a.cp.kick <- struct{}{}:
		default:
		}
	}
}

// RunCheckpoints checkpoints the head whenever CheckpointEvery entries were
// written, every interval when it moved, and once more when ctx ends (the
// server shutting down).
func (a *App) RunCheckpoints(ctx context.Context, interval time.Duration) {
	if a.cp.kick == nil {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := a.Checkpoint(context.WithoutCancel(ctx)); err != nil {
				a.Log.Error("audit checkpoint at shutdown", "err", err)
			}
			return
		case <-a.cp.kick:
		case <-t.C:
			a.FlushSignInSummary(ctx)
		}
		if err := a.Checkpoint(ctx); err != nil && ctx.Err() == nil {
			a.Log.Error("audit checkpoint", "err", err)
		}
	}
}

const settingDatabaseID = "database_id"

// DatabaseID is the database's own random name, which its checkpoints carry
// (several databases may share a key and a checkpoint file).
func (a *App) DatabaseID(ctx context.Context) (string, error) {
	s, err := a.DB.Q().Settings(ctx)
	if err != nil {
		return "", err
	}
	if id := s[settingDatabaseID]; id != "" {
		return id, nil
	}
	b := make([]byte, 8)
	rand.Read(b)
	id := hex.EncodeToString(b)
	// Two processes starting on a new database at once: the first to
	// claim the name gives it; the other reads it.
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		mine, err := q.ClaimRun(ctx, settingDatabaseID, id)
		if err != nil || mine {
			return err
		}
		s, err := q.Settings(ctx)
		id = s[settingDatabaseID]
		return err
	})
	return id, err
}

// Checkpoint appends the chain's head (its last entry's id and hash and the
// entries counted) to the checkpoint file, signed with the key, unless this
// process wrote that head already.
func (a *App) Checkpoint(ctx context.Context) error {
	if a.cp.path == "" || a.Key == nil {
		return nil
	}
	// The database is read before the mutex is taken: an audit row's
	// writer holds a transaction and then takes the mutex (audited), so
	// the mutex must never wait for the database (a deadlock with a pool of
	// one connection, or SQLite's turn of writers).
	id, hash, count, err := a.DB.Q().AuditHead(ctx)
	if err != nil || id == 0 {
		return err
	}
	dbid, err := a.DatabaseID(ctx)
	if err != nil {
		return err
	}
	head := fmt.Sprintf("%d %s", id, hash)
	a.cp.mu.Lock()
	defer a.cp.mu.Unlock()
	if head == a.cp.written || id < a.cp.writtenID {
		a.cp.since = 0 // written already, or a newer head was, by another call
		return nil
	}
	// Each checkpoint signs the one before it in the file (prev=), whoever
	// wrote it (a server, a command): a line taken from the middle is found.
	// The file is locked from reading that line to writing this one, so two
	// writers at once (two servers, two databases of one installation) do
	// not both sign the same line.
	var line string
	err = withLockedFile(a.cp.path, func(f *os.File) error {
		prev := lastCheckpointMACOf(f)
		body := fmt.Sprintf("kexuan-checkpoint-v1 %s db=%s id=%d count=%d hash=%s prev=%s", a.Now().UTC().Format(time.RFC3339), dbid, id, count, hash, cmp.Or(prev, "-"))
		line = body + " mac=" + a.Key.CheckpointMAC([]byte(body)) + "\n"
		if _, err := f.WriteString(line); err != nil {
			return err
		}
		if err := f.Sync(); err != nil {
			return err
		}
		for _, m := range a.cp.mirrors {
			if err := appendSync(m, line); err != nil {
				a.Log.Error("audit checkpoint mirror not written", "path", m, "err", err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	a.cp.written, a.cp.writtenID, a.cp.since = head, id, 0
	// The server's log (journald, syslog) gets the signed line as well: one
	// more place verification can read (kexuan audit verify --checkpoints).
	a.Log.Info("audit checkpoint", "db", dbid, "id", id, "count", count, "line", strings.TrimSpace(line))
	return nil
}

// appendSync appends line to a file (created 0600) and syncs it.
func appendSync(path, line string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	_, err = f.WriteString(line)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// withLockedFile opens a file to append to (created 0600) and holds an
// exclusive lock on it (flock: every process that writes it takes it) while
// f runs.
func withLockedFile(path string, f func(*os.File) error) error {
	file, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer file.Close()
	if err := syscall.Flock(int(file.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("checkpoint file %s: lock: %w", path, err)
	}
	defer syscall.Flock(int(file.Fd()), syscall.LOCK_UN) //nolint:errcheck // closing unlocks too
	return f(file)
}

// lastCheckpointMACOf is the signature of an open checkpoint file's last
// line ("" when there is none).
func lastCheckpointMACOf(f *os.File) string {
	st, err := f.Stat()
	if err != nil {
		return ""
	}
	const tail = 8 << 10
	off := max(st.Size()-tail, 0)
	b := make([]byte, st.Size()-off)
	if _, err := f.ReadAt(b, off); err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	_, mac, ok := strings.Cut(lines[len(lines)-1], " mac=")
	if !ok {
		return ""
	}
	return strings.TrimSpace(mac)
}

// checkpoint is one line of the checkpoint file.
type checkpoint struct {
	restore bool // a restore from a backup: the checkpoints before it no longer apply
	path    string
	line    int
	prev    string // the signature of the checkpoint before it ("" in v1 lines of old)
	mac     string
	at      string
	db      string
	id      int64
	count   int64
	hash    string
	signed  bool
}

func readCheckpoints(path string, k *secret.Key) ([]checkpoint, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []checkpoint
	sc := bufio.NewScanner(f)
	n := 0
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		n++
		text := strings.TrimSpace(sc.Text())
		// A checkpoint file holds the lines alone; a log (the server's,
		// journald's, syslog's) holds them after its own prefix and
		// perhaps quoted.
		i := strings.Index(text, "kexuan-checkpoint-v1 ")
		if j := strings.Index(text, "kexuan-restore-v1 "); j >= 0 && (i < 0 || j < i) {
			i = j
		}
		if i < 0 {
			continue
		}
		text = strings.TrimRight(text[i:], `"'`)
		body, mac, _ := strings.Cut(text, " mac=")
		if sp := strings.IndexAny(mac, " \t"); sp >= 0 {
			mac = mac[:sp]
		}
		c := checkpoint{path: path, line: n, mac: mac, signed: k != nil && secret.Equal(k.CheckpointMAC([]byte(body)), mac), restore: strings.HasPrefix(body, "kexuan-restore-v1 ")}
		fields := strings.Fields(body)
		if len(fields) >= 2 {
			c.at = fields[1]
		}
		for _, f := range fields {
			k, v, _ := strings.Cut(f, "=")
			switch k {
			case "db":
				c.db = v
			case "id":
				c.id, _ = strconv.ParseInt(v, 10, 64)
			case "count":
				c.count, _ = strconv.ParseInt(v, 10, 64)
			case "hash":
				c.hash = v
			case "prev":
				c.prev = v
			}
		}
		out = append(out, c)
	}
	return out, sc.Err()
}

// checkpointGaps finds checkpoints taken from the middle of one place: each
// signed line names the signature of the one before it in the same file.
func checkpointGaps(cps []checkpoint) []string {
	var out []string
	prev := ""
	for _, cp := range cps {
		if !cp.signed || cp.restore {
			prev = ""
			if cp.signed {
				prev = cp.mac
			}
			continue
		}
		if cp.prev != "" && cp.prev != "-" && prev != "" && cp.prev != prev {
			out = append(out, fmt.Sprintf("%s 第 %d 行之前的检查点被删除（它签的上一个检查点不在那里）", cp.path, cp.line))
		}
		prev = cp.mac
	}
	return out
}

// AuditReport is what verifying the audit log found.
type AuditReport struct {
	store.AuditCheck
	CheckpointFile string
	Checkpoints    int      // checkpoints of this database checked
	Latest         string   // the latest one: when, and which entry
	Problems       []string // every finding, the first failing entry's first
}

// Intact reports whether nothing was found.
func (r *AuditReport) Intact() bool { return r.Broken == 0 && len(r.Problems) == 0 }

// VerifyAudit checks the audit log: the keyed chain entry by entry, then
// every checkpoint of this database outside it — each must be signed with
// the key and name an entry that is still there with the same hash and the
// same number of entries up to it. Deleting the last entries, or rewriting
// the log and recomputing the chain, is found with the first entry that
// fails. The auditor, or the command line (act nil).
func (a *App) VerifyAudit(ctx context.Context, act *Actor) (_ *AuditReport, err error) {
	defer a.refused(ctx, act, "audit_verify", "audit_log", &err)
	if act != nil && !act.Role.Can(domain.PermAudit) {
		return nil, forbidden("无权查看审计日志")
	}
	q := a.DB.Q()
	c, err := q.VerifyAudit(ctx)
	if err != nil {
		return nil, err
	}
	r := &AuditReport{AuditCheck: *c, CheckpointFile: a.cp.path}
	if c.Broken != 0 {
		r.Problems = append(r.Problems, fmt.Sprintf("第 %d 条：%s", c.Broken, c.Why))
	}
	if c.Archived > 0 {
		arcs, err := q.AuditArchives(ctx)
		if err != nil {
			return nil, err
		}
		for _, ar := range arcs {
			if a.Key == nil || !secret.Equal(a.archiveRowMAC(ar.UpTo, ar.Entries, ar.LastHash, ar.FileMAC), ar.RowMAC) {
				r.Problems = append(r.Problems, fmt.Sprintf("归档记录（到第 %d 条）签名不符：不是 kexuan 归档时写的，其之前的条目可能被删除", ar.UpTo))
				if r.Broken == 0 || ar.UpTo < r.Broken {
					r.Broken = ar.UpTo
				}
			}
		}
	}
	if a.cp.path != "" {
		var cps []checkpoint
		for _, place := range append(append([]string{a.cp.path}, a.cp.mirrors...), a.cp.extra...) {
			got, err := readCheckpoints(place, a.Key)
			if err != nil {
				return nil, err
			}
			r.Problems = append(r.Problems, checkpointGaps(got)...)
			cps = append(cps, got...)
		}
		dbid, err := a.DatabaseID(ctx)
		if err != nil {
			return nil, err
		}
		firstBad := int64(0)
		checked := map[int64]bool{}
		from := 0 // the checkpoints after the last restore of this database
		for i, cp := range cps {
			if cp.signed && cp.restore && cp.db == dbid {
				from = i + 1
			}
		}
		for i, cp := range cps {
			if !cp.signed {
				r.Problems = append(r.Problems, fmt.Sprintf("检查点文件 %s 第 %d 行签名不符：检查点被改动过", cp.path, cp.line))
				continue
			}
			if cp.db != dbid || cp.restore || i < from {
				continue
			}
			r.Checkpoints++
			r.Latest = fmt.Sprintf("%s 第 %d 条（共 %d 条）", cp.at, cp.id, cp.count)
			if checked[cp.id] {
				continue // another process checkpointed the same head
			}
			checked[cp.id] = true
			hash, count, err := q.AuditEntryHash(ctx, cp.id)
			if err != nil {
				return nil, err
			}
			var why string
			switch {
			case cp.id <= c.ArchivedUpTo:
				continue // archived: the archive file carries it
			case hash == "" && cp.id > c.HeadID:
				why = fmt.Sprintf("检查点（%s，%s 第 %d 行）记录的第 %d 条已不在数据库中：数据库的链头（第 %d 条）落后于它，日志末尾的条目被截去", cp.at, cp.path, cp.line, cp.id, c.HeadID)
			case hash == "":
				why = fmt.Sprintf("检查点（%s）记录的第 %d 条已不在数据库中：日志末尾或中间的条目被删除", cp.at, cp.id)
			case !secret.Equal(hash, cp.hash):
				why = fmt.Sprintf("第 %d 条的哈希与检查点（%s）记录的不同：日志被重写", cp.id, cp.at)
			case count != cp.count:
				why = fmt.Sprintf("到第 %d 条为止应有 %d 条（检查点 %s），现有 %d 条：条目被删除或插入", cp.id, cp.count, cp.at, count)
			default:
				continue
			}
			r.Problems = append(r.Problems, why)
			if firstBad == 0 || cp.id < firstBad {
				firstBad = cp.id
			}
		}
		if firstBad != 0 && (r.Broken == 0 || firstBad < r.Broken) {
			r.Broken = firstBad
		}
		if r.Checkpoints == 0 && c.Keyed >= CheckpointEvery {
			r.Problems = append(r.Problems, fmt.Sprintf("检查点文件 %s 中没有本数据库的检查点，而日志已有 %d 条签名条目：数据库标识或检查点文件被换过", a.cp.path, c.Keyed))
		}
	}
	if act != nil {
		a.auditAlways(ctx, act, "audit_verify", "audit_log", domain.AuditOK, fmt.Sprintf("共 %d 条，%s", r.Count, map[bool]string{true: "链完整", false: "链不完整"}[r.Intact()]))
	}
	return r, nil
}

// AuditKeyed reports whether the audit log's last entry is keyed: the key
// file is then needed to go on.
func (a *App) AuditKeyed(ctx context.Context) (bool, error) {
	_, hash, _, err := a.DB.Q().AuditHead(ctx)
	return strings.HasPrefix(hash, store.KeyedPrefix), err
}

// Restored records a restore from a backup: an audit entry, and a line in
// the checkpoint file after which the log is checked against new
// checkpoints only (the entries written after the backup are gone, as a
// restore means).
func (a *App) Restored(ctx context.Context, from string) error {
	id, hash, count, err := a.DB.Q().AuditHead(ctx)
	if err != nil {
		return err
	}
	if err := a.DB.InTx(ctx, func(q *store.Q) error {
		return a.audit(ctx, q, nil, "restore", "database", domain.AuditOK, fmt.Sprintf("从 %s 恢复；审计日志恢复至第 %d 条", from, id))
	}); err != nil {
		return err
	}
	if a.cp.path == "" || a.Key == nil {
		return nil
	}
	dbid, err := a.DatabaseID(ctx)
	if err != nil {
		return err
	}
	body := fmt.Sprintf("kexuan-restore-v1 %s db=%s id=%d count=%d hash=%s", a.Now().UTC().Format(time.RFC3339), dbid, id, count, hash)
	if err := withLockedFile(a.cp.path, func(f *os.File) error {
		if _, err := f.WriteString(body + " mac=" + a.Key.CheckpointMAC([]byte(body)) + "\n"); err != nil {
			return err
		}
		return f.Sync()
	}); err != nil {
		return err
	}
	return a.Checkpoint(ctx)
}

// Restore puts a backup in place of the database at dsn (not open, no
// server running on it), checked first — integrity, the audit chain under
// the key, the score aggregate.
func Restore(ctx context.Context, dsn, from string, k *secret.Key) error {
	return store.Restore(ctx, dsn, from, k.AuditMAC)
}

// HoldServing takes the database's serving lock for a server's life: a
// restore refuses while it is held.
func (a *App) HoldServing(ctx context.Context) (*store.ServingLock, error) {
	return a.DB.HoldServing(ctx)
}

// KeyCreated audits a new installation key: where its file is, never what
// it holds. From this entry on the chain is keyed.
func (a *App) KeyCreated(ctx context.Context, path string) error {
	return a.DB.InTx(ctx, func(q *store.Q) error {
		return a.audit(ctx, q, nil, "key_create", path, domain.AuditOK, "用于审计日志签名（HMAC-SM3）与个人信息加密（SM4-GCM）")
	})
}
