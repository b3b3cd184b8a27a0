package synthbench

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// Usage is what one run of a command cost.
type Usage struct {
	// Wall is the time from start to exit.
	Wall time.Duration
	// CPU is the user and system time of the command and the descendants it
	// waited for, which on a busy machine says more than Wall.
	CPU time.Duration
	// PeakTree is the highest sum, at one sample, of the resident memory of
	// the command and every process below it, in bytes. Shared pages count
	// once per process, so this errs on the high side.
	PeakTree int64
	// PeakByCommand is the highest resident memory of any single process,
	// by command name (e.g. "exports", "node"), in bytes.
	PeakByCommand map[string]int64
}

// SampleInterval is how often Measure reads the process tree: short enough
// to catch node's peak during a synthesis lasting seconds, long enough that
// reading /proc does not slow the run it measures.
const SampleInterval = 20 * time.Millisecond

// Measure runs cmd to completion, sampling the resident memory of its whole
// process tree from /proc. GNU time and wait4 report only the largest single
// process, which misses the node process that jsii runs beside the Go
// program. A command that fails is an error carrying its exit status.
func Measure(cmd *exec.Cmd) (Usage, error) {
	usage := Usage{PeakByCommand: map[string]int64{}}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return usage, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	ticker := time.NewTicker(SampleInterval)
	defer ticker.Stop()
	for {
		usage.add(sampleTree(cmd.Process.Pid))
		select {
		case err := <-exited:
			usage.Wall = time.Since(start)
			usage.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			if err != nil {
				return usage, fmt.Errorf("%s: %w", cmd, err)
			}
			return usage, nil
		case <-ticker.C:
		}
	}
}

func (u *Usage) add(tree []process) {
	var total int64
	for _, p := range tree {
		total += p.rss
		u.PeakByCommand[p.command] = max(u.PeakByCommand[p.command], p.rss)
	}
	u.PeakTree = max(u.PeakTree, total)
}

// process is one line of the process table.
type process struct {
	pid, ppid int
	command   string
	rss       int64 // bytes
}

var pageSize = int64(os.Getpagesize())

// sampleTree returns root and all its descendants as they are now. Processes
// that exit while it reads are skipped.
func sampleTree(root int) []process {
	entries, _ := filepath.Glob("/proc/[0-9]*/stat")
	children := map[int][]process{}
	var tree []process
	for _, path := range entries {
		p, err := readStat(path)
		if err != nil {
			continue
		}
		if p.pid == root {
			tree = append(tree, p)
		}
		children[p.ppid] = append(children[p.ppid], p)
	}
	if len(tree) == 0 {
		return nil
	}
	for i := 0; i < len(tree); i++ {
		tree = append(tree, children[tree[i].pid]...)
	}
	return tree
}

// readStat parses /proc/PID/stat (see proc(5)): pid (comm) state ppid ...,
// with rss, in pages, the 24th field.
func readStat(path string) (process, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return process{}, err
	}
	open, closing := bytes.IndexByte(data, '('), bytes.LastIndexByte(data, ')')
	if open < 0 || closing < open {
		return process{}, errors.New("unexpected format")
	}
	// Fields after the command: state(3) ppid(4) ... rss(24).
	rest := bytes.Fields(data[closing+1:])
	if len(rest) < 22 {
		return process{}, errors.New("unexpected format")
	}
	pid, err1 := strconv.Atoi(string(bytes.TrimSpace(data[:open])))
	ppid, err2 := strconv.Atoi(string(rest[1]))
	rss, err3 := strconv.ParseInt(string(rest[21]), 10, 64)
	if err := errors.Join(err1, err2, err3); err != nil {
		return process{}, err
	}
	return process{pid: pid, ppid: ppid, command: string(data[open+1 : closing]), rss: rss * pageSize}, nil
}
