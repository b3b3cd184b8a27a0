// Package redrive re-drives the failed-moves queue: each message there is
// the on-failure record of a mover that failed an S3 event on every try.
// Run re-invokes the very function that failed with the very event that
// failed, so that each move runs again with its own dataset's role and
// configuration (its recipient, keep_files), and deletes a message only
// once its re-invocation succeeded.
package redrive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// Queue is the part of the SQS API a re-drive uses; *sqs.Client satisfies it.
type Queue interface {
	GetQueueUrl(context.Context, *sqs.GetQueueUrlInput, ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error)
	GetQueueAttributes(context.Context, *sqs.GetQueueAttributesInput, ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
	ReceiveMessage(context.Context, *sqs.ReceiveMessageInput, ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessage(context.Context, *sqs.DeleteMessageInput, ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error)
	ChangeMessageVisibilityBatch(context.Context, *sqs.ChangeMessageVisibilityBatchInput, ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityBatchOutput, error)
}

// Functions is the part of the Lambda API a re-drive uses; *lambda.Client
// satisfies it.
type Functions interface {
	Invoke(context.Context, *lambda.InvokeInput, ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
	lambda.ListFunctionsAPIClient
}

// BatchSize is how many messages one receive asks for: SQS's maximum. The
// messages of a batch are re-driven at once, so one visibility timeout
// covers them all.
const BatchSize = 10

// DefaultVisibilityTimeout hides a received message from other readers
// while it is re-driven: the mover's Lambda timeout (900 s, set by
// constructs/pushexport) and a minute for the invocation's round trip.
const DefaultVisibilityTimeout = 15*time.Minute + time.Minute

// Options says what to re-drive and how.
type Options struct {
	// QueueURL is the failed-moves queue (see QueueURL).
	QueueURL string
	// Dataset, when set, limits the re-drive to that dataset's messages;
	// the others are not touched.
	Dataset string
	// DryRun reports what a re-drive would do, without invoking or
	// deleting anything.
	DryRun bool
	// VisibilityTimeout hides each received message from other readers
	// until its re-invocation has answered; it must outlast the mover's
	// timeout. Whole seconds; zero means the queue's own setting. Messages
	// left in the queue are made visible again when the run ends.
	VisibilityTimeout time.Duration
	// MaxMessages bounds how many messages are received. Zero means the
	// queue's approximate count at the start plus one batch (the count is
	// approximate), so that failures arriving during the run cannot keep
	// it going.
	MaxMessages int
	// ReceiveWait is how long one receive waits for a message. Above zero
	// SQS long-polls every server, so an empty answer means an empty queue.
	ReceiveWait time.Duration
	// Progress gets one line per message and a final count.
	Progress io.Writer
}

// Outcome is what a re-drive did with one message.
type Outcome int

const (
	// Redriven: the mover was re-invoked, succeeded, and the message was deleted.
	Redriven Outcome = iota
	// WouldRedrive: a dry run's mover message.
	WouldRedrive
	// Left: the re-drive failed, or could not be tried; the message stays,
	// and its line says why.
	Left
	// NotMover: not a mover's on-failure record; left alone.
	NotMover
	// OtherDataset: another dataset's message, with Options.Dataset set;
	// not touched.
	OtherDataset
)

// Summary counts what a run did with each message it received.
type Summary struct {
	Received     int
	Redriven     int
	WouldRedrive int
	Left         int
	NotMover     int
	OtherDataset int
	// dataset is Options.Dataset: messages that are not a mover's are
	// another matter than that dataset's.
	dataset string
	dryRun  bool
}

// Unresolved counts the messages in scope that a run left in the queue:
// with a dataset, that dataset's; otherwise every one. A dry run, which
// resolves nothing, leaves nothing unresolved.
func (s Summary) Unresolved() int {
	switch {
	case s.dryRun:
		return 0
	case s.dataset != "":
		return s.Left
	}
	return s.Left + s.NotMover
}

func (s *Summary) add(o Outcome) {
	s.Received++
	switch o {
	case Redriven:
		s.Redriven++
	case WouldRedrive:
		s.WouldRedrive++
	case Left:
		s.Left++
	case NotMover:
		s.NotMover++
	case OtherDataset:
		s.OtherDataset++
	}
}

// String is the final count line.
func (s Summary) String() string {
	if s.Received == 0 {
		return "the failed-moves queue holds no message: nothing to re-drive"
	}
	var parts []string
	for _, c := range []struct {
		n    int
		what string
	}{
		{s.Redriven, "re-driven and deleted"},
		{s.WouldRedrive, "would be re-driven"},
		{s.Left, "left in the queue"},
		{s.NotMover, "not a mover's (left alone)"},
		{s.OtherDataset, "of other datasets (not touched)"},
	} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.what))
		}
	}
	line := fmt.Sprintf("%d %s: %s", s.Received, plural(s.Received, "message"), strings.Join(parts, ", "))
	if s.dryRun {
		line = "dry run, nothing invoked or deleted; " + line
	}
	return line
}

func plural(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}

// QueueURL finds the queue named name in the client's account and region.
func QueueURL(ctx context.Context, queue Queue, name string) (string, error) {
	out, err := queue.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	var missing *sqstypes.QueueDoesNotExist
	if errors.As(err, &missing) {
		return "", fmt.Errorf("the queue %s does not exist in this account and region: check the AWS credentials and region, or give the queue's URL", name)
	}
	if err != nil {
		return "", fmt.Errorf("find the queue %s: %w", name, err)
	}
	return aws.ToString(out.QueueUrl), nil
}

// deployedMovers maps the ARN of every mover in the client's account and
// region to its dataset.
func deployedMovers(ctx context.Context, functions Functions) (map[string]string, error) {
	movers := map[string]string{}
	pages := lambda.NewListFunctionsPaginator(functions, &lambda.ListFunctionsInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list the Lambda functions: %w", err)
		}
		for _, fn := range page.Functions {
			if dataset, ok := DatasetOf(aws.ToString(fn.FunctionName)); ok {
				movers[aws.ToString(fn.FunctionArn)] = dataset
			}
		}
	}
	return movers, nil
}

// UnknownDatasetError is returned when Options.Dataset has no mover in the
// account and region.
type UnknownDatasetError struct {
	Dataset string
	// Deployed are the push datasets whose movers are there, sorted.
	Deployed []string
}

func (e *UnknownDatasetError) Error() string {
	deployed := "no push dataset is deployed here"
	if len(e.Deployed) > 0 {
		deployed = "the push datasets deployed here are " + strings.Join(e.Deployed, ", ")
	}
	return fmt.Sprintf("dataset %q has no mover (no function %s in this account and region): %s", e.Dataset, naming.MoverName(e.Dataset), deployed)
}

// Run re-drives the queue: it receives messages a batch at a time until
// the queue yields none or Options.MaxMessages were received, re-invokes
// each mover message's function with its event (the messages of a batch at
// once), deletes the message when that succeeded, and writes one line per
// message to Options.Progress. The messages it does not delete are made
// visible again when it ends, even when ctx is cancelled.
func Run(ctx context.Context, queue Queue, functions Functions, opts Options) (Summary, error) {
	r := &run{queue: queue, functions: functions, opts: opts, kept: map[string]string{}, seen: map[string]bool{}}
	r.summary.dataset, r.summary.dryRun = opts.Dataset, opts.DryRun
	movers, err := deployedMovers(ctx, functions)
	if err != nil {
		return r.summary, err
	}
	r.movers = movers
	if deployed := slices.Compact(slices.Sorted(maps.Values(movers))); opts.Dataset != "" && !slices.Contains(deployed, opts.Dataset) {
		return r.summary, &UnknownDatasetError{Dataset: opts.Dataset, Deployed: deployed}
	}
	limit := opts.MaxMessages
	if limit <= 0 {
		n, err := r.approximateCount(ctx)
		if err != nil {
			return r.summary, err
		}
		limit = n + BatchSize
	}
	var runErr error
	for received := 0; received < limit; {
		out, err := queue.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:            aws.String(opts.QueueURL),
			MaxNumberOfMessages: int32(min(BatchSize, limit-received)),
			VisibilityTimeout:   int32(opts.VisibilityTimeout / time.Second),
			WaitTimeSeconds:     int32(opts.ReceiveWait / time.Second),
		})
		if err != nil {
			runErr = fmt.Errorf("receive from %s: %w", opts.QueueURL, err)
			break
		}
		if len(out.Messages) == 0 {
			break
		}
		received += len(out.Messages)
		r.batch(ctx, out.Messages)
	}
	if err := r.release(context.WithoutCancel(ctx)); err != nil {
		runErr = errors.Join(runErr, err)
	}
	return r.summary, runErr
}

// run is the state of one Run.
type run struct {
	queue     Queue
	functions Functions
	opts      Options
	// movers maps each deployed mover's ARN to its dataset.
	movers map[string]string

	mu      sync.Mutex
	summary Summary
	// kept maps each received message that is still in the queue to its
	// latest receipt handle, to make it visible again at the end.
	kept map[string]string
	// seen holds every message id received: a message whose visibility
	// timeout ran out during the run comes back, and is not re-driven twice.
	seen map[string]bool
}

func (r *run) approximateCount(ctx context.Context) (int, error) {
	name := sqstypes.QueueAttributeNameApproximateNumberOfMessages
	out, err := r.queue.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       aws.String(r.opts.QueueURL),
		AttributeNames: []sqstypes.QueueAttributeName{name},
	})
	if err != nil {
		return 0, fmt.Errorf("count the messages in %s: %w", r.opts.QueueURL, err)
	}
	n, err := strconv.Atoi(out.Attributes[string(name)])
	if err != nil {
		return 0, fmt.Errorf("count the messages in %s: %s is %q", r.opts.QueueURL, name, out.Attributes[string(name)])
	}
	return n, nil
}

// batch re-drives the messages of one receive at once.
func (r *run) batch(ctx context.Context, messages []sqstypes.Message) {
	var wg sync.WaitGroup
	for _, msg := range messages {
		id := aws.ToString(msg.MessageId)
		r.mu.Lock()
		again := r.seen[id]
		r.seen[id] = true
		if _, kept := r.kept[id]; again && kept {
			r.kept[id] = aws.ToString(msg.ReceiptHandle)
		}
		r.mu.Unlock()
		if again {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.report(msg, r.handle(ctx, msg))
		}()
	}
	wg.Wait()
}

// result is what became of one message, and why.
type result struct {
	outcome Outcome
	failure Failure
	// text completes the message's progress line.
	text string
}

func (r *run) handle(ctx context.Context, msg sqstypes.Message) result {
	f, err := ParseFailure(aws.ToString(msg.Body))
	res := result{failure: f}
	name := functionName(f.Function)
	switch {
	case errors.Is(err, ErrNotRecord):
		res.outcome, res.text = NotMover, fmt.Sprintf("left alone: %v; body: %s", err, firstRunes(aws.ToString(msg.Body), 80))
	case errors.Is(err, ErrNotMover):
		res.outcome, res.text = NotMover, "left alone: "+err.Error()
	case r.opts.Dataset != "" && f.Dataset != r.opts.Dataset:
		res.outcome, res.text = OtherDataset, "not touched: not "+r.opts.Dataset+"'s"
	case err != nil:
		res.outcome, res.text = Left, "left in the queue: "+err.Error()
	case r.movers[f.Function] == "":
		res.outcome, res.text = Left, "left in the queue: "+name+" is not deployed in this account and region (was the dataset removed?)"
	case r.opts.DryRun:
		res.outcome, res.text = WouldRedrive, "would re-invoke "+name+"; it "+f.FirstReason()
	default:
		if why := r.invoke(ctx, f); why != "" {
			res.outcome, res.text = Left, "left in the queue: "+why
		} else if _, err := r.queue.DeleteMessage(ctx, &sqs.DeleteMessageInput{
			QueueUrl: aws.String(r.opts.QueueURL), ReceiptHandle: msg.ReceiptHandle,
		}); err != nil {
			res.outcome, res.text = Left, "left in the queue: re-driven by "+name+", but deleting the message failed (delete it by hand): "+awsError(err)
		} else {
			res.outcome, res.text = Redriven, "re-driven by "+name+"; message deleted"
		}
	}
	return res
}

// invoke runs the mover on its failed event again and waits for it; it
// returns why that failed, or "".
func (r *run) invoke(ctx context.Context, f Failure) string {
	name := functionName(f.Function)
	out, err := r.functions.Invoke(ctx, &lambda.InvokeInput{
		FunctionName:   aws.String(f.Function),
		InvocationType: lambdatypes.InvocationTypeRequestResponse,
		LogType:        lambdatypes.LogTypeTail,
		Payload:        f.RequestPayload,
	})
	switch {
	case err != nil:
		return "re-invoking " + name + ": " + awsError(err)
	case out.FunctionError != nil:
		why := moverErrors(aws.ToString(out.LogResult))
		if len(f.Keys) == 1 {
			// The progress line names the key already.
			for i := range why {
				why[i] = strings.TrimPrefix(why[i], f.Keys[0]+": ")
			}
		}
		if len(why) == 0 {
			why = []string{errorMessage(out.Payload)}
		}
		return fmt.Sprintf("%s failed again (%s): %s", name, aws.ToString(out.FunctionError), strings.Join(why, "; "))
	case out.StatusCode != 200:
		return fmt.Sprintf("%s answered with status %d", name, out.StatusCode)
	}
	return ""
}

// report writes a message's progress line and counts it.
func (r *run) report(msg sqstypes.Message, res result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.summary.add(res.outcome)
	if res.outcome != Redriven {
		r.kept[aws.ToString(msg.MessageId)] = aws.ToString(msg.ReceiptHandle)
	}
	subject := "message " + aws.ToString(msg.MessageId)
	if f := res.failure; f.Dataset != "" && len(f.Keys) > 0 {
		subject = f.Dataset + ": " + strings.Join(f.Keys, ", ")
	} else if f.Dataset != "" {
		subject = f.Dataset + ": " + subject
	}
	fmt.Fprintf(r.opts.Progress, "%s: %s\n", subject, shorten(res.text))
}

// release makes every message the run received and did not delete visible
// again, so that the alarm, a second run or another operator see it at
// once rather than after the visibility timeout.
func (r *run) release(ctx context.Context) error {
	var entries []sqstypes.ChangeMessageVisibilityBatchRequestEntry
	for _, handle := range r.kept {
		entries = append(entries, sqstypes.ChangeMessageVisibilityBatchRequestEntry{
			Id: aws.String(strconv.Itoa(len(entries))), ReceiptHandle: aws.String(handle), VisibilityTimeout: 0,
		})
	}
	var errs []error
	for chunk := range slices.Chunk(entries, BatchSize) {
		out, err := r.queue.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{
			QueueUrl: aws.String(r.opts.QueueURL), Entries: chunk,
		})
		if err != nil {
			errs = append(errs, awsErrorValue(err))
			continue
		}
		for _, failed := range out.Failed {
			errs = append(errs, fmt.Errorf("%s: %s", aws.ToString(failed.Code), aws.ToString(failed.Message)))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("making the messages left in the queue visible again (they will be after the visibility timeout): %w", errors.Join(errs...))
	}
	return nil
}

// functionName is the name in a function ARN.
func functionName(functionARN string) string {
	return functionARN[strings.LastIndex(functionARN, ":")+1:]
}

// awsError is an AWS API error's code and message, or for a request that
// got no answer the innermost cause (such as "connection refused"),
// without the SDK's request details.
func awsError(err error) string { return awsErrorValue(err).Error() }

func awsErrorValue(err error) error {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return fmt.Errorf("%s: %s", apiErr.ErrorCode(), apiErr.ErrorMessage())
	}
	for inner := errors.Unwrap(err); inner != nil; inner = errors.Unwrap(err) {
		err = inner
	}
	return err
}
