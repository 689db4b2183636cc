package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"unicode"

	"kexuan/domain"
	"kexuan/store"
)

// AddAttachment stores a photo or PDF scan on a draft or returned piece of
// the actor's department: what goes to review is what the leader reviews, and
// nothing is added to a piece under review or published. After approval a
// file is taken only as evidence on an adoption record (RecordAdoption).
func (a *App) AddAttachment(ctx context.Context, act *Actor, id int64, name string, data []byte) (_ *domain.Attachment, err error) {
	defer a.refused(ctx, act, "attachment_add", pieceObj(id), &err)
	if !act.Role.Can(domain.PermPieceWrite) {
		return nil, forbidden("无权上传附件")
	}
	att, err := newAttachment(act, id, name, data)
	if err != nil {
		return nil, err
	}
	err = a.DB.InTx(ctx, func(q *store.Q) error {
		p, err := a.piece(ctx, q, act.User, id)
		if err != nil {
			return err
		}
		if err := domain.Allow(act.User, p, domain.ActAttach); err != nil {
			return err
		}
		if err := q.AddAttachment(ctx, att); err != nil {
			return err
		}
		return a.audit(ctx, q, act, "attachment_add", pieceObj(id), domain.AuditOK, fmt.Sprintf("%s（%s，%d 字节）", att.Name, att.ContentType, att.Size))
	})
	return att, err
}

// newAttachment checks an uploaded file — its type read from the content,
// never from the name — and makes the record to store on a piece. The name
// keeps no path, no characters a file system or a download dialog would
// misread (control, format and bidirectional-override characters), and at
// most MaxFileName characters.
func newAttachment(act *Actor, pieceID int64, name string, data []byte) (*domain.Attachment, error) {
	if len(data) == 0 {
		return nil, invalid("file", "文件是空的")
	}
	if len(data) > MaxAttachment {
		return nil, invalid("file", "文件过大：附件不能超过 %d MB", MaxAttachment>>20)
	}
	ct := http.DetectContentType(data)
	if i := strings.IndexByte(ct, ';'); i > 0 {
		ct = ct[:i]
	}
	if bytes.HasPrefix(data, []byte("%PDF-")) {
		ct = "application/pdf"
	}
	ext, ok := allowedUploads[ct]
	if !ok {
		return nil, invalid("file", "只能上传图片（JPEG、PNG、GIF、WebP）或 PDF 扫描件，这个文件是 %s", ct)
	}
	return &domain.Attachment{PieceID: pieceID, Name: FileName(name, ext), ContentType: ct, Size: len(data),
		SHA256: sha256Hex(data), Data: data, UploadedBy: act.ID}, nil
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// FileName makes a safe stored name from an uploaded one and the extension
// of its detected type.
func FileName(name, ext string) string {
	name = strings.ToValidUTF8(name, "")
	base := filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	base = strings.TrimSuffix(base, filepath.Ext(base))
	base = strings.Map(func(r rune) rune {
		switch {
		case unicode.Is(unicode.Cf, r): // bidi overrides and isolates, zero-width characters
			return -1
		case unicode.IsControl(r) || strings.ContainsRune(`/\:*?"<>|`, r):
			return '_'
		}
		return r
	}, base)
	base = strings.Trim(base, " .")
	if r := []rune(base); len(r) > MaxFileName {
		base = string(r[:MaxFileName])
	}
	if base == "" {
		base = "附件"
	}
	return base + ext
}

// Attachment returns a file of a piece the user may see.
func (a *App) Attachment(ctx context.Context, u *domain.User, id int64) (*domain.Attachment, error) {
	q := a.DB.Q()
	att, err := q.Attachment(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	if _, err := a.piece(ctx, q, u, att.PieceID); err != nil {
		return nil, err
	}
	return att, nil
}
