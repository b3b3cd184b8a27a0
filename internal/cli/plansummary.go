package cli

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ministryofjustice/data-engineering-exports/internal/plansummary"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

const planSummaryUsage = `usage: plan-summary [--datasets DIR] [--raw-plan FILE] [--labels FILE] [--known-labels FILE] [--fail-on-data-risk] PLAN.json

Prints a Markdown summary of PLAN.json, the output of 'terraform show -json
PLANFILE' ('-' reads it from standard input), for a pull-request comment.
With --fail-on-data-risk it exits 3 when the plan puts stored data, its
protections or its delivery at risk (a bucket deleted, its policy or
public-access block removed, a mover role re-created, ...): the deploy
applies no such plan.

--labels FILE writes the pull-request labels the plan calls for, one per
line, in the order below (an empty file for none); --known-labels FILE
writes all of them, so that a workflow can remove those that no longer apply
without a list of its own:
`

// exitDataRisk is plan-summary's exit status for a plan the deploy's gate
// refuses, when asked to refuse one.
const exitDataRisk = 3

// PlanSummary prints the Markdown summary of a Terraform JSON plan.
func PlanSummary(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("plan-summary", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, planSummaryUsage)
		for _, l := range plansummary.AllLabels {
			fmt.Fprintf(stderr, "  %-20s %s\n", l, l.Meaning())
		}
		fmt.Fprintln(stderr)
		fs.PrintDefaults()
	}
	datasetsDir := fs.String("datasets", DatasetsDir(), "directory of dataset files, for each dataset's paperwork")
	rawPlan := fs.String("raw-plan", "", "file holding 'terraform show -no-color PLANFILE' output, appended collapsed")
	failOnDataRisk := fs.Bool("fail-on-data-risk", false, "exit 3 when the deploy's gate refuses the plan")
	labelsPath := fs.String("labels", "", "file to write the pull-request labels the plan calls for to, one per line")
	knownLabelsPath := fs.String("known-labels", "", "file to write every label --labels may write to, one per line")
	planPath, ok := parseWithOnePositional(fs, args, "plan file", " (or - for standard input)")
	if !ok {
		return 2
	}

	planJSON, err := readInput(planPath)
	if err != nil {
		fmt.Fprintf(stderr, "plan-summary: %v\n", err)
		return 1
	}
	plan, err := plansummary.ParsePlan(planJSON)
	if err != nil {
		fmt.Fprintf(stderr, "plan-summary: %s: %v\n", planPath, err)
		return 1
	}
	summary := plansummary.Summarize(plan, plansummary.PaperworkLookup{Dir: *datasetsDir})
	out, err := plansummary.Markdown(summary)
	if err != nil {
		fmt.Fprintf(stderr, "plan-summary: %v\n", err)
		return 1
	}
	if *rawPlan != "" {
		raw, err := os.ReadFile(*rawPlan)
		if err != nil {
			fmt.Fprintf(stderr, "plan-summary: --raw-plan: %v\n", err)
			return 1
		}
		out = plansummary.WithRawPlan(out, string(raw))
	}
	for _, labels := range []struct {
		flag, path string
		labels     []plansummary.Label
	}{
		{"--labels", *labelsPath, summary.Labels()},
		{"--known-labels", *knownLabelsPath, plansummary.AllLabels},
	} {
		if err := writeLabels(labels.path, labels.labels); err != nil {
			fmt.Fprintf(stderr, "plan-summary: %s: %v\n", labels.flag, err)
			return 1
		}
	}
	if _, err := io.WriteString(stdout, out); err != nil {
		fmt.Fprintf(stderr, "plan-summary: %v\n", err)
		return 1
	}
	if refused := plansummary.Gate(plan.Plan); *failOnDataRisk && len(refused) > 0 {
		fmt.Fprintln(stderr, "plan-summary: refusing this plan, which puts stored data, its protections or its delivery at risk:")
		for _, risk := range refused {
			fmt.Fprintf(stderr, "  %s\n", risk)
		}
		fmt.Fprintln(stderr, "Nothing was applied. If such a change is intended, make it deliberately: "+naming.DocURL("reviewing.md"))
		return exitDataRisk
	}
	return 0
}

// writeLabels writes labels to path, one per line; nothing when path is "".
func writeLabels(path string, labels []plansummary.Label) error {
	if path == "" {
		return nil
	}
	var text strings.Builder
	for _, l := range labels {
		text.WriteString(string(l) + "\n")
	}
	return os.WriteFile(path, []byte(text.String()), 0o644)
}

// parseWithOnePositional parses flags given before or after exactly one
// positional argument, and returns it. On a mistake it prints what is wrong
// and the usage.
func parseWithOnePositional(fs *flag.FlagSet, args []string, noun, hint string) (positional string, ok bool) {
	if fs.Parse(args) != nil {
		return "", false // the flag package has said why
	}
	var mistake string
	switch {
	case fs.NArg() == 0:
		mistake = "missing the " + noun + hint
	default:
		positional = fs.Arg(0)
		if fs.Parse(fs.Args()[1:]) != nil {
			return "", false
		}
		if fs.NArg() > 0 {
			mistake = fmt.Sprintf("one %s only; unexpected %q", noun, fs.Arg(0))
		}
	}
	if mistake != "" {
		fmt.Fprintf(fs.Output(), "%s: %s\n", fs.Name(), mistake)
		fs.Usage()
		return "", false
	}
	return positional, true
}

// readInput reads a file, or standard input for "-".
func readInput(path string) ([]byte, error) {
	if path == "-" {
		return io.ReadAll(os.Stdin)
	}
	return os.ReadFile(path)
}
