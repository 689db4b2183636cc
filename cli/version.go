package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version is the release's version, set when a release is built
// (-ldflags "-X kexuan/cli.Version=v1.2.3"); "dev" otherwise.
var Version = "dev"

// Commit is the commit a release was built from, set by scripts/release.sh
// (-X kexuan/cli.Commit=…) for builds whose Go did not stamp it.
var Commit = ""

// versionLine is what `kexuan version` prints: the version, the commit it
// was built from (and whether the tree had changes), the Go that built it,
// and the platform.
func versionLine() string {
	commit, when, dirty := "unknown", "", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if commit == "unknown" && Commit != "" {
		commit = Commit
	}
	if len(commit) > 12 {
		commit = commit[:12]
	}
	if dirty {
		commit += "（含未提交的改动）"
	}
	if when != "" {
		commit += " " + when
	}
	return fmt.Sprintf("kexuan %s，提交 %s，%s，%s/%s\n", Version, commit, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
