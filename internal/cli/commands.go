// Package cli is the analysts' and operators' tool, cmd/exports: every
// subcommand reads its configuration from the environment and its arguments
// and returns an exit code; main only starts it. It never imports CDKTF, its
// AWS bindings or jsii, so that it builds in seconds and runs anywhere Go
// does.
package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// Environment variables every command honours.
const (
	// EnvDatasetsDir selects the directory of dataset files.
	EnvDatasetsDir = "DATASETS_DIR"
	// DefaultDatasetsDir is used when EnvDatasetsDir is unset.
	DefaultDatasetsDir = naming.DatasetsDir
)

// DatasetsDir is the directory holding push/ and pull/ dataset files.
func DatasetsDir() string { return envOr(EnvDatasetsDir, DefaultDatasetsDir) }

const usage = `usage: go run ./cmd/exports COMMAND

  validate                check every dataset file in $DATASETS_DIR (default datasets)
  plan-summary PLAN.json  summarize 'terraform show -json' output as Markdown
  branch-check --branch B check a push_dataset/<name> or pull_dataset/<name> branch changes that file
  redrive [--dry-run]     re-invoke each failed move in the failed-moves queue on its own mover (redrive -h)
  migrate --from DIR      bring the earlier tool's push_datasets/ and pull_datasets/ across, with a report
  new push|pull NAME      write datasets/<kind>/NAME.yaml, to fill in: a comment per field says what to write
  recipient-policy NAME.. what the recipient (push) or the readers (pull) need, ready to send (--from-plan PLAN.json)
  schema                  write datasets/schema/*.schema.json, the dataset files' JSON Schema, from the model
  reader-setup DATASET    print what each federated reader of a pull dataset runs to read it (reader-setup -h)
  adopt                   write the imports that adopt what exists in AWS (the earlier tool's estate) (adopt -h)

Synthesis is the other program: go run . (or cdktf synth).
`

// Run runs the subcommand named by args[0] and returns the process exit
// code.
func Run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "validate":
		return Validate(args[1:], stdout, stderr)
	case "plan-summary":
		return PlanSummary(args[1:], stdout, stderr)
	case "branch-check":
		return BranchCheck(args[1:], stdout, stderr)
	case "redrive":
		return Redrive(args[1:], stdout, stderr)
	case "migrate":
		return Migrate(args[1:], stdout, stderr)
	case "new":
		return New(args[1:], stdout, stderr)
	case "recipient-policy":
		return RecipientPolicy(args[1:], stdout, stderr)
	case "schema":
		return Schema(args[1:], stdout, stderr)
	case "reader-setup":
		return ReaderSetup(args[1:], stdout, stderr)
	case "adopt":
		return Adopt(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "unknown command %q\n%s", args[0], usage)
	return 2
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
