package synthbench

import (
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// helperEnv makes the test binary act as a process that holds memory: its
// value is how many child processes it starts, each holding the same.
const helperEnv = "SYNTHBENCH_HELPER_CHILDREN"

const helperBytes = 64 << 20

func TestMain(m *testing.M) {
	if children, ok := os.LookupEnv(helperEnv); ok {
		holdMemory(children)
		return
	}
	os.Exit(m.Run())
}

// holdMemory touches helperBytes, starts its children, and holds the memory
// until they exit and a little longer, so that a sampler sees them together.
func holdMemory(children string) {
	n, _ := strconv.Atoi(children)
	held := make([]byte, helperBytes)
	for i := range held {
		held[i] = 1
	}
	var cmds []*exec.Cmd
	for range n {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), helperEnv+"=0")
		if err := cmd.Start(); err != nil {
			os.Exit(3)
		}
		cmds = append(cmds, cmd)
	}
	time.Sleep(500 * time.Millisecond)
	for _, cmd := range cmds {
		_ = cmd.Wait()
	}
	if held[len(held)-1] != 1 {
		os.Exit(4)
	}
}

func TestMeasureSumsTheProcessTree(t *testing.T) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), helperEnv+"=2")
	usage, err := Measure(cmd)
	if err != nil {
		t.Fatal(err)
	}
	// Three processes of 64 MiB each are alive together.
	if usage.PeakTree < 3*helperBytes {
		t.Errorf("PeakTree = %d MiB, want at least %d MiB (parent and two children)", usage.PeakTree>>20, 3*helperBytes>>20)
	}
	if len(usage.PeakByCommand) != 1 {
		t.Fatalf("PeakByCommand = %v, want the one command name of the test binary", usage.PeakByCommand)
	}
	for command, peak := range usage.PeakByCommand {
		if peak < helperBytes || peak >= 2*helperBytes {
			t.Errorf("peak of %s = %d MiB, want one process's %d MiB and a little", command, peak>>20, helperBytes>>20)
		}
	}
	if usage.CPU <= 0 {
		t.Errorf("CPU = %s, want the time spent touching the memory", usage.CPU)
	}
	if usage.Wall < 500*time.Millisecond {
		t.Errorf("Wall = %s, want at least the helper's 500ms", usage.Wall)
	}
}

func TestMeasureReportsFailure(t *testing.T) {
	if _, err := Measure(exec.Command("sh", "-c", "exit 3")); err == nil {
		t.Fatal("Measure of a command exiting 3 returned no error")
	}
}
