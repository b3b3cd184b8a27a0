package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/internal/handout"
	"github.com/ministryofjustice/data-engineering-exports/internal/plansummary"
)

const recipientPolicyUsage = `usage: go run ./cmd/exports recipient-policy [--account ID] [--json] DATASET...
       go run ./cmd/exports recipient-policy --from-plan PLAN.json [--account ID] [--json]

What the other side of an export needs, ready to send. For a push dataset:
the mover role's ARN and the complete bucket policy the recipient saves, what
each action is for, when it can be saved and the KMS caveat. For a pull
dataset: its bucket, its readers, what each may do, and the policy each
reader's own role needs.

DATASET names datasets in $DATASETS_DIR (default datasets). --from-plan
takes every push and pull dataset that PLAN.json ('terraform show -json
PLANFILE') adds, takes over or changes, and says for each what the deploy did
and whether the other side must act: the deploy prints it to its job summary
and the merged pull request after applying that plan.

The mover role's account is --account; else, with --from-plan, the account
the plan deploys to; else the account of the usual AWS credentials
(sts:GetCallerIdentity; AWS_ENDPOINT_URL is honoured). Pull datasets need no
account.

Flags:
`

// RecipientPolicy prints the handout of named datasets, or of those a plan
// changes.
func RecipientPolicy(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("recipient-policy", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() {
		fmt.Fprint(flags.Output(), recipientPolicyUsage)
		flags.PrintDefaults()
	}
	account := flags.String("account", "", "the 12-digit id of the account the exports are deployed to")
	fromPlan := flags.String("from-plan", "", "the JSON of a plan ('terraform show -json PLANFILE'): the datasets it adds, takes over or changes")
	asJSON := flags.Bool("json", false, "print JSON for machines: a list of handouts")
	names, err := parseInterleaved(flags, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, "recipient-policy: "+format+"\n", a...)
		return code
	}
	switch {
	case *fromPlan == "" && len(names) == 0:
		flags.Usage()
		return fail(2, "name at least one dataset, or give --from-plan PLAN.json")
	case *fromPlan != "" && len(names) > 0:
		return fail(2, "--from-plan takes the datasets from the plan: name none (got %q)", names)
	case *account != "" && handout.AccountProblem(*account) != "":
		return fail(2, "--account %s", handout.AccountProblem(*account))
	}

	dir := DatasetsDir()
	set, err := datasets.Load(dir)
	if err != nil {
		fmt.Fprintf(stderr, "recipient-policy: the dataset files in %s have problems; run validate:\n", dir)
		return ReportProblems(err, stderr, stderr)
	}
	var targets []handout.Target
	if *fromPlan != "" {
		data, err := readInput(*fromPlan)
		if err != nil {
			return fail(1, "%v", err)
		}
		plan, err := plansummary.ParsePlan(data)
		if err != nil {
			return fail(1, "%s: %v", *fromPlan, err)
		}
		targets = handout.Changed(plan)
		switch deployed := handout.PlanAccount(plan); {
		case *account == "":
			*account = deployed
		case deployed != "" && deployed != *account:
			return fail(2, "--account %s, but the plan deploys to the account %s: leave --account out", *account, deployed)
		}
	} else if targets, err = handout.Named(set, names); err != nil {
		return fail(2, "%v (in %s)", err, dir)
	}

	if handout.NeedAccount(targets) && *account == "" {
		if *account, err = callerAccount(context.Background(), iamSigningRegion); err != nil {
			return fail(1, "%v; or give --account", err)
		}
	}
	handouts, err := handout.Build(set, targets, *account)
	if err != nil {
		return fail(1, "%v (%s)", err, dir)
	}
	if *asJSON {
		return writeJSON(stdout, stderr, handouts)
	}
	out := handout.Markdown(handouts)
	if *fromPlan != "" {
		out = handout.FromPlanMarkdown(handouts)
	}
	if _, err := io.WriteString(stdout, out); err != nil {
		return fail(1, "%v", err)
	}
	return 0
}

// parseInterleaved parses flags written before, between or after the
// positional arguments, and returns those.
func parseInterleaved(flags *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := flags.Parse(args); err != nil {
			return nil, err
		}
		if flags.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, flags.Arg(0))
		args = flags.Args()[1:]
	}
}

// writeJSON prints handouts as an indented JSON list, [] for none.
func writeJSON(stdout, stderr io.Writer, handouts []handout.Handout) int {
	if handouts == nil {
		handouts = []handout.Handout{}
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(handouts); err != nil {
		fmt.Fprintf(stderr, "recipient-policy: %v\n", err)
		return 1
	}
	return 0
}
