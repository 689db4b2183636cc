package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"kexuan/testclock"
)

// runEnv runs a command with its own environment.
func runEnv(t *testing.T, environ map[string]string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Now: testclock.Now,
		Getenv: func(k string) string { return environ[k] }})
	return out.String(), errb.String(), code
}

// The serve settings: the command line beats the environment, which beats
// the configuration file, which beats the default; each says where it came
// from; a password in the database URL is not printed; an unknown key or a
// bad value names the file and line.
func TestConfigPrecedence(t *testing.T) {
	t.Parallel()
	file := write(t, "kexuan.toml", "# kexuan\naddr = \"0.0.0.0:9000\"\ntrust_proxy = \"10.0.0.0/8\"\ndelivery_every = \"30s\"\nsecure_cookies = true\ndb = \"postgres://kx:s3cret@db.example/kexuan\"\n")
	out, errs, code := runEnv(t, map[string]string{"KEXUAN_ADDR": "127.0.0.1:7000"}, "config", "check", "--config", file, "--delivery-every", "1m")
	if code != 0 {
		t.Fatalf("config check: %d %s", code, errs)
	}
	for _, want := range []string{
		"配置文件：" + file,
		"127.0.0.1:7000", "环境变量 KEXUAN_ADDR",
		"10.0.0.0/8", "配置文件 " + file + " 第 3 行",
		"1m0s", "命令行",
		"secure_cookies", "true",
		"postgres://kx:%2A%2A%2A%2A@db.example/kexuan",
		"checkpoint_every", "默认",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("config check lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "s3cret") {
		t.Error("the database password is printed")
	}
	bad := write(t, "bad.toml", "addr = \"127.0.0.1:1\"\n\nlisten = \":80\"\n")
	if _, errs, code := runEnv(t, nil, "config", "check", "--config", bad); code != 2 || !strings.Contains(errs, bad+" 第 3 行") || !strings.Contains(errs, "listen") {
		t.Errorf("an unknown key: %d %s", code, errs)
	}
	worse := write(t, "worse.toml", "delivery_every = \"soon\"\n")
	if _, errs, code := runEnv(t, nil, "config", "check", "--config", worse); code != 2 || !strings.Contains(errs, worse+" 第 1 行") {
		t.Errorf("a bad value: %d %s", code, errs)
	}
	if _, errs, code := runEnv(t, nil, "config", "check", "--config", "/nonexistent/kexuan.toml"); code == 0 || !strings.Contains(errs, "/nonexistent/kexuan.toml") {
		t.Errorf("a named file that is missing: %d %s", code, errs)
	}
	if _, errs, code := runEnv(t, map[string]string{"KEXUAN_DELIVERY_EVERY": "often"}, "config", "check", "--config", file); code != 2 || !strings.Contains(errs, "KEXUAN_DELIVERY_EVERY") {
		t.Errorf("a bad environment value: %d %s", code, errs)
	}
}

// The sample configuration in deploy/ is one kexuan reads as it is.
func TestSampleConfig(t *testing.T) {
	t.Parallel()
	out, errs, code := runEnv(t, nil, "config", "check", "--config", "../deploy/kexuan.toml")
	if code != 0 || !strings.Contains(out, "/var/lib/kexuan/kexuan.db") || !strings.Contains(out, "secure_cookies     = true") {
		t.Errorf("deploy/kexuan.toml: %d %s%s", code, out, errs)
	}
}
