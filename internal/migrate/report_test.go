package migrate

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite "+exampleReport+" from the example estate")

const (
	// exampleEstate is an invented repository of the earlier tool with a
	// file for most quirks; its report is the README's worked example.
	exampleEstate = "testdata/estate"
	exampleReport = "testdata/estate-report.md"
)

// TestExampleReport migrates the example estate as the README shows it,
// from a repository checked out beside ours, and compares the report with
// the reviewed copy. After an intended change, run
// `go test ./internal/migrate -run TestExampleReport -update`.
func TestExampleReport(t *testing.T) {
	estate, err := filepath.Abs(exampleEstate)
	if err != nil {
		t.Fatal(err)
	}
	golden, err := filepath.Abs(exampleReport)
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	if err := os.CopyFS(filepath.Join(work, "earlier-tool"), os.DirFS(estate)); err != nil {
		t.Fatal(err)
	}
	ours := filepath.Join(work, "data-engineering-exports")
	if err := os.Mkdir(ours, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(ours)
	report, err := Run(Options{From: "../earlier-tool", To: "datasets"})
	if err != nil {
		t.Fatal(err)
	}
	if report.Status() != NotAllMigrated {
		t.Errorf("status %v; the example shows every outcome, a refused name included", report.Status())
	}
	got := report.Markdown()
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v: run go test ./internal/migrate -run TestExampleReport -update", err)
	}
	if got != string(want) {
		t.Errorf("the example report differs from %s: if the change is intended, run go test ./internal/migrate -run TestExampleReport -update and review the diff\ngot:\n%s", exampleReport, got)
	}
}
