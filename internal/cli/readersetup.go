package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/federation"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

const readerSetupUsage = `usage: go run ./cmd/exports reader-setup [--account ID] DATASET

Prints, for each federated reader (gcp_readers and azure_readers) of the pull
dataset DATASET in $DATASETS_DIR, the bash script that reader runs on their
side to read the dataset's bucket with no AWS keys: get a token from their own
cloud for the role's audience, exchange it for an hour of AWS credentials
(AssumeRoleWithWebIdentity on their role), list the bucket. Send each reader
their own script, once the deploy has made their role.

The role ARNs name the account the stack deploys to: --account, or else the
account the usual AWS credentials belong to (STS GetCallerIdentity, honouring
AWS_PROFILE, AWS_ENDPOINT_URL and the rest). The region is $` + naming.EnvRegion + `,
or ` + naming.DefaultRegion + `, as for the deploy.

Exit status: 0 when the scripts are printed, 1 when they cannot be (an invalid
dataset file, no such pull dataset, no federated reader, no account), 2 for bad
usage.

Flags:
`

// ReaderSetup prints the instructions of each federated reader of a pull
// dataset.
func ReaderSetup(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("reader-setup", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() {
		fmt.Fprint(flags.Output(), readerSetupUsage)
		flags.PrintDefaults()
	}
	account := flags.String("account", "", "the 12-digit id of the account the stack deploys to (default: the AWS credentials' account)")
	name, ok := parseWithOnePositional(flags, args, "dataset name", "")
	if !ok {
		return 2
	}
	if *account != "" && !naming.IsAccountID(*account) {
		fmt.Fprintf(stderr, "reader-setup: --account %q: give the 12-digit account id, e.g. --account 123456789012\n", *account)
		return 2
	}

	dir := DatasetsDir()
	set, err := datasets.Load(dir)
	if err != nil {
		return ReportProblems(err, stdout, stderr)
	}
	dataset, err := pullDataset(set, dir, name)
	if err != nil {
		fmt.Fprintf(stderr, "reader-setup: %v\n", err)
		return 1
	}
	region := envOr(naming.EnvRegion, naming.DefaultRegion)
	if *account == "" {
		if *account, err = callerAccount(context.Background(), region); err != nil {
			fmt.Fprintf(stderr, "reader-setup: %v: give the account the stack deploys to with --account\n", err)
			return 1
		}
	}

	readers := dataset.Readers()
	for i, reader := range readers {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		fmt.Fprintf(stdout, "# ---- reader %d of %d of %s: %s\n", i+1, len(readers), dataset.Name, reader)
		fmt.Fprint(stdout, federation.Instructions(reader, federation.Target{AccountID: *account, Region: region, Dataset: dataset.Name}))
	}
	return 0
}

// pullDataset is the pull dataset called name, with federated readers.
func pullDataset(set *datasets.Set, dir, name string) (datasets.Pull, error) {
	i := slices.IndexFunc(set.Pull, func(p datasets.Pull) bool { return p.Name == name })
	switch {
	case i >= 0 && len(set.Pull[i].Readers()) == 0:
		return datasets.Pull{}, fmt.Errorf("pull dataset %s (%s) has no federated readers: list them under %s or %s",
			name, set.Pull[i].File, federation.FieldGCPReaders, federation.FieldAzureReaders)
	case i >= 0:
		return set.Pull[i], nil
	case slices.ContainsFunc(set.Push, func(p datasets.Push) bool { return p.Name == name }):
		return datasets.Pull{}, fmt.Errorf("%s is a push dataset, but only pull datasets have readers", name)
	}
	return datasets.Pull{}, fmt.Errorf("no pull dataset %s in %s: give the name of one, its file's name without %s", name, dir, naming.FileExtension)
}

// callerAccount is the account of the usual AWS credentials.
func callerAccount(ctx context.Context, region string) (string, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return "", fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = region
	}
	identity, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", fmt.Errorf("ask STS which account the AWS credentials belong to: %w", err)
	}
	if account := aws.ToString(identity.Account); naming.IsAccountID(account) {
		return account, nil
	}
	return "", errors.New("STS named no account for the AWS credentials")
}
