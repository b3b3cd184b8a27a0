package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/internal/adopt"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

const adoptUsage = `usage: go run ./cmd/exports adopt [--datasets DIR] [--out FILE]

Finds, in the AWS account of the usual credentials (AWS_PROFILE, AWS_REGION,
AWS_ENDPOINT_URL, ...), every resource the stack would manage for the
datasets in DIR that exists already (the earlier tool's, mostly: the export
bucket, the pull buckets, the mover roles and functions, the users'
policies), and writes the imports file: the next deploy imports each one
into the stack, instead of creating it, and updates it in place. Commit the
file, reviewed, in the pull request that brings the datasets across.

It prints a Markdown report for that pull request: what a person must do
before the switch, what is imported, which of the earlier tool's grants the
switch removes, and what it found that the stack will not manage, to retire
afterwards. It only reads AWS: iam:List*/Get* on roles, s3:ListAllMyBuckets
and s3:Get* on the buckets, lambda:GetFunctionConfiguration, GetPolicy and
GetFunctionEventInvokeConfig, logs:DescribeLogGroups.

Exit status:
  0  the imports file is written, and nothing needs a person first
  3  the imports file is written, and "Before the switch" lists what a
     person must do before the pull request merges
  1  AWS could not be read, or the file could not be written
  2  usage error, or a dataset file is invalid (the problems are printed)

Flags:
`

// exitBeforeSwitch: the file is written, and a person must act first.
const exitBeforeSwitch = 3

// loadAWSConfig is the SDK's configuration from the environment and the
// shared files, which must give a region.
func loadAWSConfig(ctx context.Context) (aws.Config, error) {
	awsConfig, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	if awsConfig.Region == "" {
		return aws.Config{}, errors.New("no AWS region: set AWS_REGION (or use a profile that has one)")
	}
	return awsConfig, nil
}

// Adopt writes the imports file with internal/adopt.
func Adopt(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("adopt", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() { fmt.Fprint(stderr, adoptUsage); flags.PrintDefaults() }
	dir := flags.String("datasets", DatasetsDir(), "the datasets directory, holding push/ and pull/ (default $"+EnvDatasetsDir+" or "+DefaultDatasetsDir+")")
	out := flags.String("out", "", "the imports file to write (default DIR/"+naming.ImportsFile+", where synthesis reads it)")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "adopt takes no arguments (got %q)\n", flags.Args())
		flags.Usage()
		return 2
	}
	if *out == "" {
		*out = naming.ImportsFilePath(*dir)
	}
	set, err := datasets.Load(*dir)
	if err != nil {
		ReportProblems(err, stdout, stderr)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	awsConfig, err := loadAWSConfig(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "adopt: %v\n", err)
		return 2
	}
	report, err := adopt.Run(ctx, adopt.NewClients(awsConfig), *set, *out)
	if err != nil {
		fmt.Fprintf(stderr, "adopt: %v (no file written)\n", err)
		return 1
	}
	fmt.Fprint(stdout, report.Markdown())
	fmt.Fprintf(stderr, "adopt: wrote %s: %s to import\n", *out, plural(len(report.Imports), "resource"))
	if len(report.BeforeSwitch) > 0 {
		fmt.Fprintf(stderr, "adopt: %s before the switch: see \"Before the switch\" in the report\n", plural(len(report.BeforeSwitch), "thing")+" to do")
		return exitBeforeSwitch
	}
	return 0
}
