package move

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
)

// FromEnvironment builds a Mover from the environment (see FromEnv),
// logging JSON lines to logOut.
func FromEnvironment(ctx context.Context, getenv func(string) string, logOut io.Writer) (*Mover, error) {
	c, err := FromEnv(getenv)
	if err != nil {
		return nil, err
	}
	client, err := NewS3Client(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("AWS SDK configuration: %w", err)
	}
	return New(c, client, slog.New(slog.NewJSONHandler(logOut, nil))), nil
}

const usage = `mover: move objects from the export bucket to a recipient's bucket.

In Lambda (AWS_LAMBDA_RUNTIME_API set) it handles S3 event notifications.
Outside Lambda it is the operator's tool:

  mover --event FILE     move the objects named in FILE ("-" reads stdin), which is
                         one of:
                           an S3 event notification {"Records":[...]};
                           a record from the failed-moves queue (the function's
                             on-failure destination), whose requestPayload is the
                             S3 event that failed;
                           the output of
                             aws sqs receive-message --queue-url URL --max-number-of-messages 10
                             on that queue ({"Messages":[{"Body":"..."}]}).
  mover --sweep s3://BUCKET/PREFIX/
                         move every object under the prefix (all pages of the
                         listing), e.g. after an outage, or objects too large to
                         move within Lambda's 15 minutes.
  mover --help           this text.

Environment (the same in Lambda and here):
  DESTINATION_BUCKET          the recipient's bucket (required)
  DESTINATION_ACCOUNT         the 12-digit account that owns DESTINATION_BUCKET, the dataset's
                              bucket_account (required): every request to the bucket expects
                              it as owner, so S3 refuses to deliver to a bucket of that name
                              that anyone else owns
  SOURCE_ACCOUNT              the 12-digit account that owns the export bucket (required):
                              the expected owner of requests to it, and of copies' sources
  KEEP_FILES                  true: copy and keep the source; false (default): move
  DATASET_NAME                the dataset: keys outside DATASET_NAME/ are refused, and it names
                              the dataset in log lines. Required here; in Lambda the default
                              is the key's first path segment.
  MULTIPART_THRESHOLD_BYTES   objects of at least this size are copied in parts
                              (default 268435456 = 256 MiB; at most 5 GiB)
  MULTIPART_PART_BYTES        part size (default 134217728 = 128 MiB; 5 MiB to 5 GiB;
                              grown when an object would need more than 10,000 parts)
  MULTIPART_CONCURRENCY       parts copied at once, and objects at once (default 16)
  AWS_ENDPOINT_URL            another S3 endpoint (e.g. moto), with path-style addressing
  AWS_MAX_ATTEMPTS            tries per S3 request (SDK default 3)
  plus the usual AWS_PROFILE, AWS_REGION, credentials.

Output: one JSON line per object on stdout with dataset, key, size,
bytes_per_second, duration_ms, s3_requests, outcome (moved, copied,
already_moved, failed), error, and, when the S3 event names them, uploader
(userIdentity.principalId) and source_ip (requestParameters.sourceIPAddress). Exit status: 0 when every object was moved,
1 when any failed (its source is left in place), 2 for bad usage or
configuration.
`

// Command runs the operator's command line (args without the program
// name) and returns the exit status.
func Command(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("mover", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	eventFile := flags.String("event", "", "")
	sweep := flags.String("sweep", "", "")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return 0
		}
		fmt.Fprintf(stderr, "mover: %v\n\n%s", err, usage)
		return 2
	}
	if (*eventFile == "") == (*sweep == "") || flags.NArg() > 0 {
		fmt.Fprintf(stderr, "mover: give exactly one of --event FILE or --sweep s3://BUCKET/PREFIX/\n\n%s", usage)
		return 2
	}
	m, err := FromEnvironment(ctx, getenv, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "mover: %v\n", err)
		return 2
	}
	if m.config.DatasetName == "" {
		// The failed-moves queue and the export bucket hold every dataset's
		// objects: without a dataset to stay within, one mistyped command
		// would send one dataset's files to another's recipient.
		fmt.Fprintln(stderr, "mover: DATASET_NAME is not set: set it to the dataset whose recipient DESTINATION_BUCKET is; the mover then refuses keys outside <dataset>/")
		return 2
	}
	if *sweep != "" {
		bucket, prefix, err := parseS3URL(*sweep)
		if err != nil {
			fmt.Fprintf(stderr, "mover: --sweep: %v\n", err)
			return 2
		}
		if !strings.HasPrefix(prefix, m.config.DatasetName+"/") {
			fmt.Fprintf(stderr, "mover: --sweep %s is not within dataset %s: write s3://%s/%[2]s/ (or a prefix below it)\n", *sweep, m.config.DatasetName, bucket)
			return 2
		}
		return exitStatus(stderr, m.Sweep(ctx, bucket, prefix))
	}
	data, err := readEventFile(*eventFile, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "mover: --event: %v\n", err)
		return 2
	}
	objects, err := ParseEvents(data)
	if err != nil {
		fmt.Fprintf(stderr, "mover: --event %s: %v\n", *eventFile, err)
		return 2
	}
	return exitStatus(stderr, m.MoveAll(ctx, objects))
}

func readEventFile(name string, stdin io.Reader) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(stdin)
	}
	return os.ReadFile(name)
}

func exitStatus(stderr io.Writer, err error) int {
	if err != nil {
		fmt.Fprintf(stderr, "mover: %v\n", err)
		return 1
	}
	return 0
}

// parseS3URL splits s3://BUCKET/PREFIX into bucket and prefix.
func parseS3URL(s string) (bucket, prefix string, err error) {
	rest, ok := strings.CutPrefix(s, "s3://")
	bucket, prefix, _ = strings.Cut(rest, "/")
	if !ok || bucket == "" {
		return "", "", fmt.Errorf("%q is not an S3 URL: write s3://BUCKET/PREFIX/ (e.g. s3://mojap-hub-exports/my_dataset/)", s)
	}
	return bucket, prefix, nil
}
