package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/ministryofjustice/data-engineering-exports/internal/redrive"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

const redriveUsage = `usage: go run ./cmd/exports redrive [--dry-run] [--dataset NAME] [flags]

Re-drives the failed-moves queue (` + naming.FailedMovesQueue + `): each message
is a move that failed on every try. Each is re-invoked on the mover that failed
it (export_<dataset>-move), with the S3 event that failed, so it runs with that
dataset's own role, recipient and keep_files; the message is deleted only when
that invocation succeeded. Other messages are left in the queue, each with its
reason, and visible again when the run ends. One line per message, then a count.

Uses the usual AWS credentials, region and AWS_ENDPOINT_URL. They need
sqs:GetQueueUrl, GetQueueAttributes, ReceiveMessage, DeleteMessage and
ChangeMessageVisibility on the queue, lambda:ListFunctions, and
lambda:InvokeFunction on the movers.

Exit status: 0 when every message was re-driven (or there was none, or a dry
run), 1 when some are left (each line says why), 2 for bad usage.

Flags:
`

// receiveWait is how long each receive waits for a message: with any wait
// SQS asks all its servers, so an empty answer means an empty queue.
const receiveWait = time.Second

// maxVisibilityTimeout is SQS's limit.
const maxVisibilityTimeout = 12 * time.Hour

// Redrive re-drives the failed-moves queue with internal/redrive.
func Redrive(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("redrive", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() {
		fmt.Fprint(flags.Output(), redriveUsage)
		flags.PrintDefaults()
	}
	dryRun := flags.Bool("dry-run", false, "list what would be re-driven and why each move failed; invoke and delete nothing")
	dataset := flags.String("dataset", "", "re-drive only this push dataset's messages, and touch no other")
	queueURL := flags.String("queue-url", "", "the queue's URL (default: the queue "+naming.FailedMovesQueue+" of the credentials' account and region)")
	visibility := flags.Duration("visibility-timeout", redrive.DefaultVisibilityTimeout,
		"how long a received message stays hidden while its move runs again: longer than the mover's 15-minute timeout")
	maxMessages := flags.Int("max-messages", 0, "receive at most this many messages (default: the queue's count at the start, plus one batch)")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	var problems []string
	if flags.NArg() > 0 {
		problems = append(problems, fmt.Sprintf("redrive takes no arguments (got %q)", flags.Args()))
	}
	if *visibility < time.Second || *visibility > maxVisibilityTimeout || *visibility%time.Second != 0 {
		problems = append(problems, fmt.Sprintf("--visibility-timeout %v: give whole seconds from 1s to 12h, e.g. %v", *visibility, redrive.DefaultVisibilityTimeout))
	}
	if *maxMessages < 0 {
		problems = append(problems, fmt.Sprintf("--max-messages %d: give a positive number, or leave it out", *maxMessages))
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(stderr, "redrive: "+p)
		}
		return 2
	}

	// Ctrl-C stops the run cleanly: the messages it holds are made visible again.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	awsConfig, err := loadAWSConfig(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "redrive: %v\n", err)
		return 2
	}
	queue, functions := sqs.NewFromConfig(awsConfig), lambda.NewFromConfig(awsConfig)
	if *queueURL == "" {
		if *queueURL, err = redrive.QueueURL(ctx, queue, naming.FailedMovesQueue); err != nil {
			fmt.Fprintf(stderr, "redrive: %v\n", err)
			return 1
		}
	}
	summary, err := redrive.Run(ctx, queue, functions, redrive.Options{
		QueueURL:          *queueURL,
		Dataset:           *dataset,
		DryRun:            *dryRun,
		VisibilityTimeout: *visibility,
		MaxMessages:       *maxMessages,
		ReceiveWait:       receiveWait,
		Progress:          stdout,
	})
	var unknown *redrive.UnknownDatasetError
	if errors.As(err, &unknown) {
		fmt.Fprintf(stderr, "redrive: --dataset %s: %v\n", *dataset, err)
		return 2
	}
	if err == nil || summary.Received > 0 {
		fmt.Fprintln(stdout, summary)
	}
	if err != nil {
		fmt.Fprintf(stderr, "redrive: %v\n", err)
		return 1
	}
	if n := summary.Unresolved(); n > 0 {
		fmt.Fprintf(stderr, "redrive: %s left in the queue: deal with what each line says, then run redrive again\n", plural(n, "message"))
		return 1
	}
	return 0
}
