// Command genregister writes a plausible register of publications (adoption
// records) as CSV, for benchmarks (1,000,000 rows) and for the sample that
// ships in examples/. The same seed gives the same file.
//
//	go run ./bench/genregister -n 1000000 -out /tmp/register.csv
package main

import (
	"flag"
	"fmt"
	"os"

	"kexuan/bench/gen"
)

func main() {
	n := flag.Int("n", 1000, "rows")
	out := flag.String("out", "", "output file (default stdout)")
	year := flag.Int("year", 2017, "year of the dates")
	seed := flag.Uint64("seed", 1, "random seed")
	english := flag.Bool("english", false, "English headers")
	flag.Parse()
	f := os.Stdout
	if *out != "" {
		var err error
		if f, err = os.Create(*out); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	err := gen.Write(f, gen.Options{Rows: *n, Year: *year, Seed: *seed, English: *english})
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
