package datasets

import (
	"fmt"
	"syscall"
	"testing"
	"time"
)

// BenchmarkValidate2000 loads 1,000 push and 1,000 pull dataset files, the
// scale the validate command must handle in well under a second. Besides the
// wall time per load it reports the CPU time per load (cpu-s/op), which other
// work on a shared machine does not inflate.
func BenchmarkValidate2000(b *testing.B) {
	dir := b.TempDir()
	for i := range 1000 {
		name := fmt.Sprintf("push_dataset_%04d", i)
		writeDataset(b, dir, KindPush, name+".yaml", file(KindPush, "name: "+name, "keep_files: true"))
		name = fmt.Sprintf("pull_dataset_%04d", i)
		writeDataset(b, dir, KindPull, name+".yaml", file(KindPull, "name: "+name, "allow_push: false"))
	}
	cpuBefore := cpuTime(b)
	for b.Loop() {
		set, err := Load(dir)
		if err != nil {
			b.Fatal(err)
		}
		if set.Len() != 2000 {
			b.Fatalf("Load found %d datasets, want 2000", set.Len())
		}
	}
	b.ReportMetric((cpuTime(b)-cpuBefore).Seconds()/float64(b.N), "cpu-s/op")
}

// cpuTime is the user and system CPU time the process has used.
func cpuTime(b *testing.B) time.Duration {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		b.Fatal(err)
	}
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
}
