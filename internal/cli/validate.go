package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/ministryofjustice/data-engineering-exports/datasets"
)

// iamSigningRegion is used when no region is configured: IAM is global and
// signs in us-east-1.
const iamSigningRegion = "us-east-1"

// Validate checks every dataset file in DatasetsDir and prints every problem,
// one per line, or a one-line summary. With --check-users it also asks AWS
// (honouring AWS_ENDPOINT_URL and the usual credentials) whether every user's
// IAM role exists. It never starts Node: it must stay fast and run anywhere Go
// does.
func Validate(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("validate", flag.ContinueOnError)
	flags.SetOutput(stderr)
	checkUsers := flags.Bool("check-users", false, "also check with AWS IAM that every user's role exists")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "validate takes no arguments (got %q): set %s to choose the directory\n", flags.Args(), EnvDatasetsDir)
		return 2
	}
	dir := DatasetsDir()
	set, err := datasets.Load(dir)
	if err != nil {
		return ReportProblems(err, stdout, stderr)
	}
	summary := fmt.Sprintf("%d datasets valid (%d push, %d pull) in %s", set.Len(), len(set.Push), len(set.Pull), dir)
	if *checkUsers {
		ctx := context.Background()
		client, err := newIAMClient(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "validate: --check-users: %v\n", err)
			return 1
		}
		roles, problems, err := missingUserRoles(ctx, client, set)
		if err != nil {
			fmt.Fprintf(stderr, "validate: --check-users: %v\n", err)
			return 1
		}
		if len(problems) > 0 {
			return ReportProblems(problems, stdout, stderr)
		}
		summary += fmt.Sprintf("; all %d users' roles exist", roles)
	}
	fmt.Fprintln(stdout, summary)
	return 0
}

// ReportProblems prints each problem and a count, and returns exit code 1.
func ReportProblems(err error, stdout, stderr io.Writer) int {
	var problems datasets.Problems
	if !errors.As(err, &problems) {
		fmt.Fprintf(stderr, "validate: %v\n", err)
		return 1
	}
	for _, p := range problems {
		fmt.Fprintln(stdout, p.String())
	}
	fmt.Fprintf(stdout, "%s in %s: fix %s and run validate again\n",
		plural(len(problems), "problem"), plural(problems.Files(), "file"), map[bool]string{true: "it", false: "them"}[len(problems) == 1])
	return 1
}

func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func newIAMClient(ctx context.Context) (*iam.Client, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = iamSigningRegion
	}
	return iam.NewFromConfig(cfg), nil
}

// missingUserRoles asks IAM once for each distinct user's role and reports
// every place a role that does not exist is listed. It returns how many
// distinct roles it checked.
func missingUserRoles(ctx context.Context, client *iam.Client, set *datasets.Set) (int, datasets.Problems, error) {
	type listing struct {
		file  string
		users []string
	}
	var listings []listing
	for _, push := range set.Push {
		listings = append(listings, listing{push.File, push.Users})
	}
	for _, pull := range set.Pull {
		listings = append(listings, listing{pull.File, pull.Users})
	}
	exists := map[string]bool{}
	for _, l := range listings {
		for _, role := range l.users {
			if _, checked := exists[role]; checked {
				continue
			}
			_, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(role)})
			var missing *iamtypes.NoSuchEntityException
			if err != nil && !errors.As(err, &missing) {
				return 0, nil, fmt.Errorf("get role %s: %w", role, err)
			}
			exists[role] = err == nil
		}
	}
	var problems datasets.Problems
	for _, l := range listings {
		for i, role := range l.users {
			if !exists[role] {
				problems = append(problems, datasets.Problem{File: l.file, Field: fmt.Sprintf("users[%d]", i), Message: fmt.Sprintf(
					"the IAM role %s does not exist, and the deploy would fail on it: check the spelling, or remove the user if they no longer use the Analytical Platform", role)})
			}
		}
	}
	sort.SliceStable(problems, func(i, j int) bool { return problems[i].File < problems[j].File })
	return len(exists), problems, nil
}
