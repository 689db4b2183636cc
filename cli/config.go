package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// DefaultConfig is the configuration file `kexuan serve` reads when it
// exists and none is named.
const DefaultConfig = "/etc/kexuan/kexuan.toml"

// settings are a command's options with where each value came from: the
// command line beats the environment (KEXUAN_<NAME>), which beats the
// configuration file (a key per option, with _ for -), which beats the
// default.
type settings struct {
	fs     *flag.FlagSet
	file   string            // the configuration file read, or ""
	source map[string]string // option → "文件 F 第 N 行", "环境变量 KEXUAN_X", "命令行"
}

var tomlKey = regexp.MustCompile(`^\s*([A-Za-z0-9_-]+)\s*=`)

// parseSettings parses a command's arguments over its configuration file
// and environment. --config FILE names the file (or KEXUAN_CONFIG);
// without one, DefaultConfig when it exists. An unknown key, or a value an
// option refuses, is an error naming the file and line.
func parseSettings(fs *flag.FlagSet, args []string, env Env) (*settings, error) {
	s := &settings{fs: fs, source: map[string]string{}}
	fs.String("config", "", "配置文件（TOML，每个选项一个键，- 写作 _；默认 "+DefaultConfig+"，存在时）")
	// The file is named before the options are parsed: look for it first.
	path, named := env.getenv("KEXUAN_CONFIG"), false
	if path != "" {
		named = true
	}
	for i, a := range args {
		for _, p := range []string{"-config", "--config"} {
			switch {
			case a == p && i+1 < len(args):
				path, named = args[i+1], true
			case strings.HasPrefix(a, p+"="):
				path, named = strings.TrimPrefix(a, p+"="), true
			}
		}
	}
	if path == "" {
		path = DefaultConfig
	}
	if err := s.readFile(path, named); err != nil {
		return nil, err
	}
	// The environment: KEXUAN_ADDR, KEXUAN_TRUST_PROXY, …
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		if f.Name == "config" {
			return
		}
		name := "KEXUAN_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := env.getenv(name); v != "" {
			if err := fs.Set(f.Name, v); err != nil {
				envErr = errors.Join(envErr, usagef("环境变量 %s：%v", name, err))
				return
			}
			s.source[f.Name] = "环境变量 " + name
		}
	})
	if envErr != nil {
		return nil, envErr
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	for _, name := range commandLineNames(fs, args) {
		if name != "config" {
			s.source[name] = "命令行"
		}
	}
	return s, nil
}

// commandLineNames are the options args give (fs.Visit would also list the
// ones the file and environment set): args parsed again by a shadow set of
// the same names that keeps nothing.
func commandLineNames(fs *flag.FlagSet, args []string) []string {
	shadow := flag.NewFlagSet("", flag.ContinueOnError)
	shadow.SetOutput(io.Discard)
	fs.VisitAll(func(f *flag.Flag) {
		b, _ := f.Value.(interface{ IsBoolFlag() bool })
		shadow.Var(anyValue{isBool: b != nil && b.IsBoolFlag()}, f.Name, "")
	})
	_ = shadow.Parse(args) // fs.Parse accepted them
	var names []string
	shadow.Visit(func(f *flag.Flag) { names = append(names, f.Name) })
	return names
}

// anyValue is a flag value that takes anything and keeps nothing.
type anyValue struct{ isBool bool }

func (anyValue) String() string     { return "" }
func (anyValue) Set(string) error   { return nil }
func (v anyValue) IsBoolFlag() bool { return v.isBool }

// readFile applies a configuration file's keys to the options; a missing
// file is an error only when it was named.
func (s *settings) readFile(path string, named bool) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !named {
		return nil
	}
	if err != nil {
		return usagef("配置文件 %s：%v", path, err)
	}
	var values map[string]any
	if err := toml.Unmarshal(b, &values); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, _ := de.Position()
			return usagef("配置文件 %s 第 %d 行：%s", path, row, de.Error())
		}
		return usagef("配置文件 %s：%v", path, err)
	}
	lines := map[string]int{}
	for i, l := range strings.Split(string(b), "\n") {
		if m := tomlKey.FindStringSubmatch(l); m != nil {
			if _, ok := lines[m[1]]; !ok {
				lines[m[1]] = i + 1
			}
		}
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return lines[keys[i]] < lines[keys[j]] })
	for _, k := range keys {
		name := strings.ReplaceAll(k, "_", "-")
		where := fmt.Sprintf("配置文件 %s 第 %d 行", path, lines[k])
		if s.fs.Lookup(name) == nil || name == "config" {
			return usagef("%s：未知设置 %q", where, k)
		}
		v := values[k]
		var text string
		switch x := v.(type) {
		case string:
			text = x
		case bool, int64, float64:
			text = fmt.Sprint(x)
		case []any:
			parts := make([]string, len(x))
			for i, p := range x {
				parts[i] = fmt.Sprint(p)
			}
			text = strings.Join(parts, ",")
		default:
			return usagef("%s：%s 的值不对", where, k)
		}
		if err := s.fs.Set(name, text); err != nil {
			return usagef("%s：%s：%v", where, k, err)
		}
		s.source[name] = where
	}
	s.file = path
	return nil
}

// secretish are the options whose values are not printed in full.
var secretish = map[string]bool{"db": true}

// report writes the settings in force, each with where it came from.
func (s *settings) report(w func(format string, args ...any)) {
	if s.file != "" {
		w("配置文件：%s\n", s.file)
	} else {
		w("配置文件：无（%s 不存在）\n", DefaultConfig)
	}
	s.fs.VisitAll(func(f *flag.Flag) {
		if f.Name == "config" {
			return
		}
		v := f.Value.String()
		if secretish[f.Name] {
			v = maskURL(v)
		}
		src := s.source[f.Name]
		if src == "" {
			src = "默认"
		}
		w("%-18s = %-32s （%s）\n", strings.ReplaceAll(f.Name, "-", "_"), v, src)
	})
}

// maskURL hides a database URL's password.
func maskURL(v string) string {
	u, err := url.Parse(v)
	if err != nil || u.User == nil {
		return v
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "****")
	}
	return u.String()
}
