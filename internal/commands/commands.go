// Package commands holds the subcommands of the data-engineering-exports
// program. Each reads its configuration from the environment and its
// arguments and returns an exit code; main only starts it.
package commands

import (
	"fmt"
	"io"
)

// Environment variables every command honours.
const (
	// EnvDatasetsDir selects the directory of dataset files.
	EnvDatasetsDir = "DATASETS_DIR"
	// DefaultDatasetsDir is used when EnvDatasetsDir is unset.
	DefaultDatasetsDir = "datasets"
)

// DatasetsDir is the directory holding push/ and pull/ dataset files.
func DatasetsDir() string { return envOr(EnvDatasetsDir, DefaultDatasetsDir) }

const usage = `usage:
  data-engineering-exports                         synthesize Terraform JSON into $CDKTF_OUTDIR (default cdktf.out)
  data-engineering-exports validate                check every dataset file in $DATASETS_DIR (default datasets)
  data-engineering-exports plan-summary PLAN.json  summarize 'terraform show -json' output as Markdown
  data-engineering-exports branch-check --branch B check a push_dataset/<name> or pull_dataset/<name> branch changes that file
`

// Run runs the subcommand named by args[0] (synthesis when there is none)
// and returns the process exit code.
func Run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return Synth(stdout, stderr)
	}
	switch args[0] {
	case "synth":
		return Synth(stdout, stderr)
	case "validate":
		return Validate(args[1:], stdout, stderr)
	case "plan-summary":
		return PlanSummary(args[1:], stdout, stderr)
	case "branch-check":
		return BranchCheck(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "unknown command %q\n%s", args[0], usage)
	return 2
}
