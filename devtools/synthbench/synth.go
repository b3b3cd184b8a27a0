package synthbench

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"
)

// Result is what synthesizing one generated datasets directory cost.
type Result struct {
	Datasets int
	// Wall and CPU are the medians of the timed runs.
	Wall, CPU time.Duration
	// Peak is the highest of the timed runs' peaks.
	Peak Usage
	// Resources is how many Terraform resources the synthesized stack holds.
	Resources int
}

// StackFile is where the synthesized stack lands below CDKTF_OUTDIR.
var StackFile = filepath.Join("stacks", "exports", "cdk.tf.json")

// Synth generates n datasets in a temporary directory and runs bin (the
// program built from the repository root, which must be dir) on them once
// untimed, to warm caches, then runs more times, timed.
func Synth(bin, dir string, n, runs int) (Result, error) {
	tmp, err := os.MkdirTemp("", fmt.Sprintf("bench-synth-%d-", n))
	if err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(tmp)
	datasetsDir, outDir := filepath.Join(tmp, "datasets"), filepath.Join(tmp, "cdktf.out")
	if err := WriteDatasets(datasetsDir, n); err != nil {
		return Result{}, err
	}
	result := Result{Datasets: n, Peak: Usage{PeakByCommand: map[string]int64{}}}
	var walls, cpus []time.Duration
	for run := range runs + 1 {
		cmd := exec.Command(bin)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "DATASETS_DIR="+datasetsDir, "CDKTF_OUTDIR="+outDir,
			"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20")
		output := &tail{}
		cmd.Stdout, cmd.Stderr = output, output
		usage, err := Measure(cmd)
		if err != nil {
			return result, fmt.Errorf("synthesize %d datasets: %w\n%s", n, err, output)
		}
		if run == 0 {
			continue // warm-up
		}
		walls, cpus = append(walls, usage.Wall), append(cpus, usage.CPU)
		result.Peak.PeakTree = max(result.Peak.PeakTree, usage.PeakTree)
		for command, rss := range usage.PeakByCommand {
			result.Peak.PeakByCommand[command] = max(result.Peak.PeakByCommand[command], rss)
		}
	}
	result.Wall, result.CPU = median(walls), median(cpus)
	result.Resources, err = countResources(filepath.Join(outDir, StackFile))
	return result, err
}

func median(durations []time.Duration) time.Duration {
	slices.Sort(durations)
	return durations[len(durations)/2]
}

// countResources counts the resources of a synthesized stack.
func countResources(path string) (int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("synthesis wrote no stack: %w", err)
	}
	var stack struct {
		Resource map[string]map[string]json.RawMessage `json:"resource"`
	}
	if err := json.Unmarshal(data, &stack); err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	count := 0
	for _, byName := range stack.Resource {
		count += len(byName)
	}
	return count, nil
}

// tail keeps the last few kilobytes a command printed, for the error when it
// fails.
type tail struct{ data []byte }

const tailBytes = 4096

func (t *tail) Write(p []byte) (int, error) {
	t.data = append(t.data, p...)
	if len(t.data) > tailBytes {
		t.data = t.data[len(t.data)-tailBytes:]
	}
	return len(p), nil
}

func (t *tail) String() string { return string(t.data) }
