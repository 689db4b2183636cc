// Package secret is kexuan's installation key and what is done with it, all
// in 国密 algorithms (GB/T 39786-2021): the audit log's chain is keyed with
// HMAC over SM3, its checkpoints outside the database are keyed the same way,
// and personal data at rest (phone numbers, e-mail addresses) is sealed with
// SM4-GCM. The key lives in a file outside the database, readable by its
// owner only: whoever copies the database alone can neither rewrite the
// audit log unseen nor read the personal data.
package secret

import (
	"bytes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/sm4"
)

const (
	header  = "# kexuan 密钥文件：审计日志签名（HMAC-SM3）与个人信息加密（SM4-GCM）。\n# 丢失后无法验证审计日志、无法解密手机号和邮箱；请与数据库分开、妥善备份。权限必须为 0600。\n"
	tag     = "kexuan-key-v1 "
	keySize = 32
)

// ErrNoKey is returned by Load when the key file does not exist.
var ErrNoKey = errors.New("密钥文件不存在")

// Key is an installation's key and the keys derived from it.
type Key struct {
	Path       string
	audit      []byte
	checkpoint []byte
	personal   cipher.AEAD
}

// derive is HMAC-SM3(master, purpose): one key per use.
func derive(master []byte, purpose string) []byte {
	m := hmac.New(sm3.New, master)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

func fromMaster(path string, master []byte) (*Key, error) {
	block, err := sm4.NewCipher(derive(master, "kexuan personal data v1")[:16])
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Key{Path: path, audit: derive(master, "kexuan audit chain v1"),
		checkpoint: derive(master, "kexuan audit checkpoint v1"), personal: aead}, nil
}

// Create writes a new random key to path, which must not exist, readable and
// writable by its owner only. The key appears whole or not at all: it is
// written to a temporary file beside path and linked into place, so that a
// second process starting at the same moment finds either no key or all of
// it (and, losing the race, an error that wraps fs.ErrExist).
func Create(path string) (*Key, error) {
	master := make([]byte, keySize)
	if _, err := rand.Read(master); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".new-*")
	if err != nil {
		return nil, fmt.Errorf("创建密钥文件 %s：%w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	err = f.Chmod(0o600)
	if err == nil {
		_, err = fmt.Fprintf(f, "%s%s%s\n", header, tag, hex.EncodeToString(master))
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("写密钥文件 %s：%w", path, err)
	}
	if err := os.Link(tmp, path); err != nil {
		return nil, fmt.Errorf("创建密钥文件 %s：%w", path, err)
	}
	return fromMaster(path, master)
}

// Load reads the key at path. A file others may read or write is refused:
// the key is worth as much as the audit log and the personal data.
func Load(path string) (*Key, error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w：%s", ErrNoKey, path)
	}
	if err != nil {
		return nil, err
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("密钥文件 %s 的权限 %04o 过宽：只能由所有者读写（chmod 600 %s）", path, st.Mode().Perm(), path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		s := strings.TrimSpace(string(line))
		if !strings.HasPrefix(s, tag) {
			continue
		}
		master, err := hex.DecodeString(strings.TrimPrefix(s, tag))
		if err != nil || len(master) != keySize {
			break
		}
		return fromMaster(path, master)
	}
	return nil, fmt.Errorf("密钥文件 %s 格式不对：应有一行 %q 加 64 位十六进制", path, strings.TrimSpace(tag))
}

// LoadOrCreate loads the key at path, creating it when it does not exist and
// create is true. created reports whether it did.
func LoadOrCreate(path string, create bool) (k *Key, created bool, err error) {
	k, err = Load(path)
	if errors.Is(err, ErrNoKey) && create {
		k, err = Create(path)
		if errors.Is(err, fs.ErrExist) {
			// Another process made it first: theirs is the key.
			k, err = Load(path)
			return k, false, err
		}
		return k, err == nil, err
	}
	return k, false, err
}

// AuditPrefix marks a hash of the keyed chain.
const AuditPrefix = "sm3:"

// AuditMAC is the keyed hash of an audit entry's canonical bytes.
func (k *Key) AuditMAC(b []byte) string { return AuditPrefix + mac(k.audit, b) }

// CheckpointMAC is the keyed hash of a checkpoint line.
func (k *Key) CheckpointMAC(b []byte) string { return mac(k.checkpoint, b) }

func mac(key, b []byte) string {
	m := hmac.New(sm3.New, key)
	m.Write(b)
	return hex.EncodeToString(m.Sum(nil))
}

// Equal compares two MACs in constant time.
func Equal(a, b string) bool { return hmac.Equal([]byte(a), []byte(b)) }

// SealedPrefix marks a sealed value.
const SealedPrefix = "sm4gcm:"

// Seal encrypts a value with SM4-GCM under a fresh nonce; "" stays "". The
// additional data binds it to where it is kept (e.g. "user:7:phone"), so a
// sealed value copied to another row does not open.
func (k *Key) Seal(plain, where string) string {
	if plain == "" {
		return ""
	}
	nonce := make([]byte, k.personal.NonceSize())
	rand.Read(nonce)
	ct := k.personal.Seal(nonce, nonce, []byte(plain), []byte(where))
	return SealedPrefix + base64.RawStdEncoding.EncodeToString(ct)
}

// Open decrypts a sealed value. A value without the prefix is returned as it
// is (kept before sealing began; sealed on its next write).
func (k *Key) Open(sealed, where string) (string, error) {
	if !strings.HasPrefix(sealed, SealedPrefix) {
		return sealed, nil
	}
	b, err := base64.RawStdEncoding.DecodeString(strings.TrimPrefix(sealed, SealedPrefix))
	n := k.personal.NonceSize()
	if err != nil || len(b) < n {
		return "", errors.New("加密数据已损坏")
	}
	plain, err := k.personal.Open(nil, b[:n], b[n:], []byte(where))
	if err != nil {
		return "", errors.New("加密数据无法用本密钥解开（密钥不对或数据被改动）")
	}
	return string(plain), nil
}

// Sealed reports whether a stored value is sealed.
func Sealed(s string) bool { return strings.HasPrefix(s, SealedPrefix) }

// RecoveryMAC is the keyed hash a recovery code is kept as: without the key
// file a copy of the database does not let anyone test guesses offline.
func (k *Key) RecoveryMAC(code string) string {
	return mac(k.checkpoint, []byte("recovery code\x00"+code))
}
