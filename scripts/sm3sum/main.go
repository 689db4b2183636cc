// Command sm3sum prints or checks SM3 (GB/T 32905) digests in the format of
// sha256sum: "HEX  NAME" a line. scripts/release.sh writes SM3SUMS with it;
// `go run ./scripts/sm3sum -c SM3SUMS` checks a download.
package main

import (
	"bufio"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/emmansun/gmsm/sm3"
)

func main() {
	check := flag.String("c", "", "check the digests listed in this file (names relative to its folder)")
	flag.Parse()
	if *check != "" {
		os.Exit(verify(*check))
	}
	code := 0
	for _, name := range flag.Args() {
		sum, err := digest(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, "sm3sum:", err)
			code = 1
			continue
		}
		fmt.Printf("%s  %s\n", sum, name)
	}
	os.Exit(code)
}

func digest(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sm3.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func verify(list string) int {
	f, err := os.Open(list)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sm3sum:", err)
		return 1
	}
	defer f.Close()
	bad, line := 0, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line++
		want, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(want) != 64 {
			fmt.Fprintf(os.Stderr, "sm3sum: %s:%d: not \"DIGEST  NAME\"\n", list, line)
			bad++
			continue
		}
		got, err := digest(filepath.Join(filepath.Dir(list), name))
		switch {
		case err != nil:
			fmt.Printf("%s: 无法读取（%v）\n", name, err)
			bad++
		case got != want:
			fmt.Printf("%s: 不符\n", name)
			bad++
		default:
			fmt.Printf("%s: 正确\n", name)
		}
	}
	if bad > 0 {
		return 1
	}
	return 0
}
