package secret

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "k.key")
	k, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %04o", st.Mode().Perm())
	}
	if _, err := Create(path); err == nil {
		t.Error("a key file was overwritten")
	}
	again, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if k.AuditMAC([]byte("x")) != again.AuditMAC([]byte("x")) || !strings.HasPrefix(k.AuditMAC(nil), AuditPrefix) {
		t.Error("a loaded key differs from the one made")
	}
	if k.AuditMAC([]byte("x")) == "sm3:"+k.CheckpointMAC([]byte("x")) {
		t.Error("the audit and checkpoint keys are the same")
	}
	os.Chmod(path, 0o640)
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "0640") {
		t.Errorf("a group-readable key loaded: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "none.key")); err == nil {
		t.Error("a missing key loaded")
	}
	os.WriteFile(filepath.Join(dir, "bad.key"), []byte("kexuan-key-v1 abc\n"), 0o600)
	if _, err := Load(filepath.Join(dir, "bad.key")); err == nil || !strings.Contains(err.Error(), "格式不对") {
		t.Errorf("a bad key loaded: %v", err)
	}
	other, _ := Create(filepath.Join(dir, "other.key"))
	if other.AuditMAC([]byte("x")) == k.AuditMAC([]byte("x")) {
		t.Error("two keys give the same MAC")
	}
}

func TestSeal(t *testing.T) {
	k, err := Create(filepath.Join(t.TempDir(), "k.key"))
	if err != nil {
		t.Fatal(err)
	}
	a, b := k.Seal("13812341234", "user:1:phone"), k.Seal("13812341234", "user:1:phone")
	if a == b || !Sealed(a) || strings.Contains(a, "1234") {
		t.Errorf("sealed: %q %q", a, b)
	}
	if v, err := k.Open(a, "user:1:phone"); err != nil || v != "13812341234" {
		t.Errorf("open: %q %v", v, err)
	}
	if _, err := k.Open(a, "user:2:phone"); err == nil {
		t.Error("a sealed value moved to another row opened")
	}
	if _, err := k.Open(a[:len(a)-2]+"AA", "user:1:phone"); err == nil {
		t.Error("a changed sealed value opened")
	}
	if v, _ := k.Open("plain", "x"); v != "plain" || k.Seal("", "x") != "" {
		t.Error("values from before sealing, or empty ones")
	}
}

func TestMask(t *testing.T) {
	for in, want := range map[string]string{"13812341234": "138****1234", "0371-6588 1234": "037****1234", "65881234": "******34", "123": "***", "": "",
		"zhangsan@example.cn": "z***@example.cn", "张三@例子.中国": "张***@例子.中国"} {
		got := MaskPhone(in)
		if strings.Contains(in, "@") {
			got = MaskEmail(in)
		}
		if got != want {
			t.Errorf("mask %q = %q, want %q", in, got, want)
		}
	}
}

// Processes starting at once on a new database: one creates the key, the
// others load that same key, none sees half a file or fails.
func TestLoadOrCreateAtOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.key")
	const n = 16
	keys := make([]*Key, n)
	created := make([]bool, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			keys[i], created[i], errs[i] = LoadOrCreate(path, true)
		}()
	}
	wg.Wait()
	made := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("start %d: %v", i, errs[i])
		}
		if created[i] {
			made++
		}
		if keys[i].AuditMAC([]byte("x")) != keys[0].AuditMAC([]byte("x")) {
			t.Fatalf("start %d has another key", i)
		}
	}
	if made != 1 {
		t.Errorf("%d starts created the key, want 1", made)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".k.key.new-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
