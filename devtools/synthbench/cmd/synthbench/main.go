// Command synthbench times synthesis of generated datasets and checks the
// goals of issue 4 (warm: 25 datasets within 10 s, 200 within 20 s, peak
// memory of the whole process tree within 2 GB). It exits 1 when a goal is
// missed. Run it from the repository root, after building the program:
//
//	go build -o build/exports . && go run ./devtools/synthbench/cmd/synthbench -bin build/exports
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ministryofjustice/data-engineering-exports/devtools/synthbench"
)

// wallGoals are the warm synthesis time goals by number of datasets.
var wallGoals = map[int]time.Duration{25: 10 * time.Second, 200: 20 * time.Second}

// peakGoal bounds the memory of the whole process tree at every size.
const peakGoal = 2 << 30

func main() {
	bin := flag.String("bin", "build/exports", "the program built from this repository (go build -o build/exports .)")
	sizes := flag.String("sizes", "1,25,200", "comma-separated numbers of generated datasets (half push, half pull)")
	runs := flag.Int("runs", 3, "timed runs per size after one untimed warm-up; the median wall time is reported")
	flag.Parse()
	counts, err := parseSizes(*sizes)
	if err != nil || *runs < 1 {
		fmt.Fprintf(os.Stderr, "synthbench: -sizes wants positive integers like 1,25,200 and -runs at least 1 (%v)\n", err)
		os.Exit(2)
	}
	binPath, err := filepath.Abs(*bin)
	if err == nil {
		_, err = os.Stat(binPath)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "synthbench: %v: build the program first: go build -o %s .\n", err, *bin)
		os.Exit(2)
	}
	dir, _ := os.Getwd()

	fmt.Printf("synthesis of generated datasets: median of %d warm runs; cpu = user+system of the whole process tree;\n", *runs)
	fmt.Printf("peak = resident memory of the whole process tree (Go, node and the mover build), and of its largest Go and node processes\n\n")
	fmt.Printf("%8s %9s %7s %7s %10s %10s %10s  %s\n", "datasets", "resources", "wall", "cpu", "peak tree", "peak Go", "peak node", "goal")
	missed := false
	for _, n := range counts {
		result, err := synthbench.Synth(binPath, dir, n, *runs)
		if err != nil {
			fmt.Fprintln(os.Stderr, "synthbench:", err)
			os.Exit(1)
		}
		verdict, met := checkGoals(result)
		missed = missed || !met
		byCommand := result.Peak.PeakByCommand
		fmt.Printf("%8d %9d %6.1fs %6.1fs %10s %10s %10s  %s\n", n, result.Resources, result.Wall.Seconds(), result.CPU.Seconds(),
			mib(result.Peak.PeakTree), mib(byCommand[filepath.Base(binPath)]), mib(byCommand["node"]), verdict)
	}
	if missed {
		os.Exit(1)
	}
}

// checkGoals says of each goal that applies to r whether it is met, and
// whether all are.
func checkGoals(r synthbench.Result) (verdict string, met bool) {
	met = true
	var verdicts []string
	judge := func(ok bool, goal string) {
		if ok {
			verdicts = append(verdicts, goal+" ok")
		} else {
			verdicts = append(verdicts, goal+" MISSED")
			met = false
		}
	}
	if goal, ok := wallGoals[r.Datasets]; ok {
		judge(r.Wall <= goal, fmt.Sprintf("wall <= %s", goal))
	}
	judge(r.Peak.PeakTree <= peakGoal, "peak <= 2 GiB")
	return strings.Join(verdicts, ", "), met
}

func mib(bytes int64) string { return fmt.Sprintf("%d MiB", bytes>>20) }

func parseSizes(s string) ([]int, error) {
	var counts []int
	for _, field := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(field))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bad size %q", field)
		}
		counts = append(counts, n)
	}
	return counts, nil
}
