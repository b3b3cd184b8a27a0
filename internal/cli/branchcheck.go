package cli

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ministryofjustice/data-engineering-exports/internal/branchcheck"
)

// BranchCheck checks that a pull request from a push_dataset/<name> or
// pull_dataset/<name> branch changes that dataset's file. The changed paths
// come one per line (as `git diff --name-only` prints them) from --changed,
// or standard input. Inside GitHub Actions findings are written as workflow
// annotations so that warnings show on the pull request.
func BranchCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("branch-check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	branch := fs.String("branch", "", "the pull request's head branch (required)")
	changedPath := fs.String("changed", "-", "file listing the changed paths, one per line; - for standard input")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *branch == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: branch-check --branch BRANCH [--changed FILE]")
		return 2
	}
	data, err := readInput(*changedPath)
	if err != nil {
		fmt.Fprintf(stderr, "branch-check: %v\n", err)
		return 1
	}
	var changed []string
	for _, line := range strings.Split(string(data), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			changed = append(changed, line)
		}
	}

	result := branchcheck.Check(*branch, changed)
	inActions := os.Getenv("GITHUB_ACTIONS") == "true"
	report := func(level, msg string) {
		if inActions {
			fmt.Fprintf(stdout, "::%s title=Branch check::%s\n", level, msg)
		} else {
			fmt.Fprintf(stdout, "%s: %s\n", level, msg)
		}
	}
	for _, w := range result.Warnings {
		report("warning", w)
	}
	for _, e := range result.Errors {
		report("error", e)
	}
	if !result.OK() {
		return 1
	}
	fmt.Fprintf(stdout, "branch check: %q passes (%d changed files)\n", *branch, len(changed))
	return 0
}
