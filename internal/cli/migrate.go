package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/ministryofjustice/data-engineering-exports/internal/migrate"
)

const migrateUsage = `usage: migrate --from DIR [--to DIR] [--force]

Brings the earlier tool's dataset files, DIR/push_datasets/*.yaml and
DIR/pull_datasets/*.yaml, across to <to>/push/<name>.yaml and
<to>/pull/<name>.yaml in our schema, keeping every AWS name they deployed
(mover roles and functions, export prefixes, pull buckets). It prints a
Markdown report for the migration pull request: what changed mechanically,
each decision a person must take (with the choices and what each does to
access), and what was not migrated and why. A file that needs a decision is
written anyway, and validate refuses it with the report's words until the
decision is taken. Running it again changes nothing; it never replaces a
dataset file of ours that differs unless --force.

Exit status:
  0  every file migrated, and validate accepts them all
  3  every file migrated, and some wait for a person's decision
  1  some file could not be read, could not be written, or has a name
     that cannot be kept (the report says which and why)
  2  usage error, or DIR is not the earlier tool's repository
`

// Exit statuses of migrate besides 0, 1 and 2.
const exitDecisionsPending = 3

// Migrate runs the migration from the earlier tool and prints its report.
func Migrate(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("migrate", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() { fmt.Fprint(stderr, migrateUsage); flags.PrintDefaults() }
	from := flags.String("from", "", "the earlier tool's repository, holding push_datasets/ and pull_datasets/ (required)")
	to := flags.String("to", DatasetsDir(), "our datasets directory, to write push/ and pull/ in (default $"+EnvDatasetsDir+" or "+DefaultDatasetsDir+")")
	force := flags.Bool("force", false, "replace dataset files of ours that differ from what the migration writes")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if *from == "" || flags.NArg() > 0 {
		flags.Usage()
		return 2
	}
	report, err := migrate.Run(migrate.Options{From: *from, To: *to, Force: *force})
	var usage *migrate.UsageError
	switch {
	case errors.As(err, &usage):
		fmt.Fprintf(stderr, "migrate: %v\n", err)
		return 2
	case err != nil:
		fmt.Fprintf(stderr, "migrate: %v\n", err)
		return 1
	}
	if _, err := io.WriteString(stdout, report.Markdown()); err != nil {
		fmt.Fprintf(stderr, "migrate: %v\n", err)
		return 1
	}
	switch report.Status() {
	case migrate.NotAllMigrated:
		fmt.Fprintln(stderr, "migrate: some files were not migrated: see \"Not migrated\" in the report")
		return 1
	case migrate.DecisionsPending:
		fmt.Fprintln(stderr, "migrate: every file is written; some wait for the decisions listed in the report")
		return exitDecisionsPending
	}
	return 0
}
