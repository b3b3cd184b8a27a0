package redrive

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/ministryofjustice/data-engineering-exports/functions/mover/move"
	"github.com/ministryofjustice/data-engineering-exports/naming"
	"github.com/ministryofjustice/data-engineering-exports/testsupport/motoserver"
)

// harness is a moto server holding the failed-moves queue, recording every
// request so that a test sees which function got which event.
type harness struct {
	t        *testing.T
	moto     *motoserver.Server
	sqs      *sqs.Client
	lambda   *lambda.Client
	queueURL string
	// recorded is how many recorded requests invocations has read.
	recorded int
	// ids maps each body sent to its message id.
	ids map[string]string
}

func newHarness(t *testing.T, queueAttributes map[string]string) *harness {
	t.Helper()
	moto := motoserver.StartRecordingT(t)
	h := &harness{t: t, moto: moto, sqs: sqs.NewFromConfig(moto.AWSConfig()), lambda: lambda.NewFromConfig(moto.AWSConfig()), ids: map[string]string{}}
	out, err := h.sqs.CreateQueue(t.Context(), &sqs.CreateQueueInput{QueueName: aws.String(naming.FailedMovesQueue), Attributes: queueAttributes})
	if err != nil {
		t.Fatal(err)
	}
	h.queueURL = aws.ToString(out.QueueUrl)
	return h
}

// movers creates the movers of datasets in the emulator's current Lambda
// backend, with the environment the stack gives them.
func (h *harness) movers(datasets ...string) {
	h.t.Helper()
	for _, d := range datasets {
		if err := h.moto.CreateFunction(h.t.Context(), naming.MoverName(d), map[string]string{
			naming.EnvDatasetName: d, naming.EnvDestinationBucket: d + "-landing", naming.EnvKeepFiles: "false",
			naming.EnvDestinationAccount: motoserver.AccountID, naming.EnvSourceAccount: motoserver.AccountID,
		}); err != nil {
			h.t.Fatal(err)
		}
	}
}

func (h *harness) send(bodies ...string) {
	h.t.Helper()
	for _, body := range bodies {
		out, err := h.sqs.SendMessage(h.t.Context(), &sqs.SendMessageInput{QueueUrl: &h.queueURL, MessageBody: aws.String(body)})
		if err != nil {
			h.t.Fatal(err)
		}
		h.ids[body] = aws.ToString(out.MessageId)
	}
}

// run re-drives with opts and returns the summary, the progress lines
// (sorted: a batch's lines come in the order its invocations finish) and
// the error.
func (h *harness) run(functions Functions, opts Options) (Summary, []string, error) {
	h.t.Helper()
	var progress bytes.Buffer
	opts.QueueURL, opts.Progress = h.queueURL, &progress
	if functions == nil {
		functions = h.lambda
	}
	summary, err := Run(h.t.Context(), h.sqs, functions, opts)
	lines := strings.Split(strings.TrimSuffix(progress.String(), "\n"), "\n")
	if progress.Len() == 0 {
		lines = nil
	}
	slices.Sort(lines)
	return summary, lines, err
}

// invocations lists the Lambda invocations moto received since the last
// call, as "<function ARN> <payload>", sorted.
func (h *harness) invocations() []string {
	h.t.Helper()
	recorded, err := h.moto.Recorded(h.t.Context())
	if err != nil {
		h.t.Fatal(err)
	}
	var found []string
	for _, r := range recorded[h.recorded:] {
		u, err := url.Parse(r.URL)
		if err != nil {
			h.t.Fatal(err)
		}
		function, isFunction := strings.CutPrefix(u.Path, "/2015-03-31/functions/")
		function, isInvoke := strings.CutSuffix(function, "/invocations")
		if isFunction && isInvoke {
			if function, err = url.PathUnescape(function); err != nil {
				h.t.Fatal(err)
			}
			found = append(found, function+" "+string(r.Body))
		}
	}
	h.recorded = len(recorded)
	slices.Sort(found)
	return found
}

// invocation is how a record's failed event reaches its mover when re-driven.
func invocation(t testing.TB, body string) string {
	t.Helper()
	var rec struct {
		RequestContext struct{ FunctionARN string }
		RequestPayload json.RawMessage
	}
	if err := json.Unmarshal([]byte(body), &rec); err != nil {
		t.Fatal(err)
	}
	function, _, _ := strings.Cut(rec.RequestContext.FunctionARN, ":$LATEST")
	return function + " " + string(rec.RequestPayload)
}

// queued returns the bodies in the queue, sorted, after checking that the
// run left none hidden; it leaves them visible.
func (h *harness) queued() []string {
	h.t.Helper()
	ctx := h.t.Context()
	attrs, err := h.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &h.queueURL, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
	if err != nil {
		h.t.Fatal(err)
	}
	if n := attrs.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible)]; n != "0" {
		h.t.Fatalf("%s messages are hidden after the run; want every message it left visible again", n)
	}
	var bodies []string
	var handles []*string
	for {
		out, err := h.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &h.queueURL, MaxNumberOfMessages: 10, VisibilityTimeout: 60})
		if err != nil {
			h.t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			break
		}
		for _, m := range out.Messages {
			bodies = append(bodies, aws.ToString(m.Body))
			handles = append(handles, m.ReceiptHandle)
		}
	}
	for _, handle := range handles {
		if _, err := h.sqs.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: &h.queueURL, ReceiptHandle: handle}); err != nil {
			h.t.Fatal(err)
		}
	}
	slices.Sort(bodies)
	return bodies
}

func sorted(s ...string) []string { return slices.Sorted(slices.Values(s)) }

func equal(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n  %s\nwant:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// withoutDockerDetail cuts the emulator's Docker error, which depends on
// the machine, after its first words.
func withoutDockerDetail(lines []string) []string {
	out := make([]string, len(lines))
	for i, line := range lines {
		before, _, found := strings.Cut(line, "error running docker:")
		out[i] = line
		if found {
			out[i] = before + "error running docker: ..."
		}
	}
	return out
}

// TestRedrive follows the failed-moves queue through a failed re-drive, a
// dry run, a re-drive of one dataset and then of another: each message is
// re-invoked on the mover that failed it, with its own event, and deleted
// only when that succeeded; what is not a mover's is never invoked or
// deleted; what a run leaves is visible again when it ends.
func TestRedrive(t *testing.T) {
	h := newHarness(t, nil)
	daily1 := record(t, naming.MoverName("hub_daily"), "hub_daily/2026-11-22/a.csv")
	daily2 := record(t, naming.MoverName("hub_daily"), "hub_daily/2026-11-22/b c.csv")
	keep := record(t, naming.MoverName("hub_keep"), "hub_keep/k.csv")
	retired := record(t, naming.MoverName("hub_retired"), "hub_retired/r.csv")
	other := record(t, "nightly-report", "reports/n.csv")
	notRecord := `{"Type":"Notification","Message":"hello"}`
	h.send(daily1, daily2, keep, retired, other, notRecord)
	h.movers("hub_daily", "hub_keep")

	// 1. The emulator has no Docker, so every mover fails again, as when
	// the recipient has not fixed their side yet.
	summary, lines, err := h.run(nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "progress (failing)", withoutDockerDetail(lines), sorted(
		"hub_daily: hub_daily/2026-11-22/a.csv: left in the queue: export_hub_daily-move failed again (Handled): error running docker: ...",
		"hub_daily: hub_daily/2026-11-22/b c.csv: left in the queue: export_hub_daily-move failed again (Handled): error running docker: ...",
		"hub_keep: hub_keep/k.csv: left in the queue: export_hub_keep-move failed again (Handled): error running docker: ...",
		"hub_retired: hub_retired/r.csv: left in the queue: export_hub_retired-move is not deployed in this account and region (was the dataset removed?)",
		"message "+h.ids[other]+": left alone: not a mover's record: the function nightly-report is not a mover (export_<dataset>-move)",
		"message "+h.ids[notRecord]+": left alone: not a Lambda on-failure destination record: it has no requestContext.functionArn or requestPayload; body: "+notRecord,
	))
	if summary.String() != "6 messages: 4 left in the queue, 2 not a mover's (left alone)" || summary.Unresolved() != 6 {
		t.Errorf("summary %q, %d unresolved", summary, summary.Unresolved())
	}
	equal(t, "invocations (failing)", h.invocations(), sorted(invocation(t, daily1), invocation(t, daily2), invocation(t, keep)))
	equal(t, "queue after failing", h.queued(), sorted(daily1, daily2, keep, retired, other, notRecord))

	// The cause is fixed: from here on, invocations succeed.
	if err := h.moto.LambdaWithoutDocker(t.Context()); err != nil {
		t.Fatal(err)
	}
	h.movers("hub_daily", "hub_keep")

	// 2. A dry run says what it would do and why each failed, and changes nothing.
	summary, lines, err = h.run(nil, Options{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	why := `failed 3 times (RetriesExhausted): 1 of 1 objects were not moved (their log lines have outcome "failed"); each is still in the source bucket or already at the destination`
	equal(t, "progress (dry run)", lines[:3], sorted(
		"hub_daily: hub_daily/2026-11-22/a.csv: would re-invoke export_hub_daily-move; it "+why,
		"hub_daily: hub_daily/2026-11-22/b c.csv: would re-invoke export_hub_daily-move; it "+why,
		"hub_keep: hub_keep/k.csv: would re-invoke export_hub_keep-move; it "+why,
	))
	if want := "dry run, nothing invoked or deleted; 6 messages: 3 would be re-driven, 1 left in the queue, 2 not a mover's (left alone)"; summary.String() != want || summary.Unresolved() != 0 {
		t.Errorf("summary %q; want %q", summary, want)
	}
	equal(t, "invocations (dry run)", h.invocations(), nil)
	equal(t, "queue after the dry run", h.queued(), sorted(daily1, daily2, keep, retired, other, notRecord))

	// 3. One dataset: only its message is re-driven and deleted.
	summary, lines, err = h.run(nil, Options{Dataset: "hub_keep"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(lines, "hub_keep: hub_keep/k.csv: re-driven by export_hub_keep-move; message deleted") ||
		!slices.Contains(lines, "hub_daily: hub_daily/2026-11-22/a.csv: not touched: not hub_keep's") {
		t.Errorf("progress (--dataset hub_keep):\n%s", strings.Join(lines, "\n"))
	}
	if want := "6 messages: 1 re-driven and deleted, 2 not a mover's (left alone), 3 of other datasets (not touched)"; summary.String() != want || summary.Unresolved() != 0 {
		t.Errorf("summary %q, %d unresolved; want %q, 0", summary, summary.Unresolved(), want)
	}
	equal(t, "invocations (--dataset hub_keep)", h.invocations(), []string{invocation(t, keep)})
	equal(t, "queue after re-driving hub_keep", h.queued(), sorted(daily1, daily2, retired, other, notRecord))

	// 4. Everything: the rest of the movers' messages are re-driven; the
	// retired dataset's and the strangers stay.
	summary, _, err = h.run(nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "5 messages: 2 re-driven and deleted, 1 left in the queue, 2 not a mover's (left alone)"; summary.String() != want || summary.Unresolved() != 3 {
		t.Errorf("summary %q, %d unresolved; want %q, 3", summary, summary.Unresolved(), want)
	}
	equal(t, "invocations (all)", h.invocations(), sorted(invocation(t, daily1), invocation(t, daily2)))
	equal(t, "queue at the end", h.queued(), sorted(retired, other, notRecord))
}

// TestRedriveNeverLoops: messages the run leaves come back at once (the
// queue's visibility timeout is 0), yet each is re-invoked once and the run
// ends after the queue's count at the start plus one batch.
func TestRedriveNeverLoops(t *testing.T) {
	h := newHarness(t, map[string]string{string(sqstypes.QueueAttributeNameVisibilityTimeout): "0"})
	h.movers("hub_daily")
	var bodies []string
	for i := range 3 {
		bodies = append(bodies, record(t, naming.MoverName("hub_daily"), fmt.Sprintf("hub_daily/%d.csv", i)))
	}
	h.send(bodies...)
	summary, lines, err := h.run(nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if summary.Received != 3 || summary.Left != 3 || len(lines) != 3 {
		t.Errorf("summary %q, lines:\n%s\nwant each message once, left", summary, strings.Join(lines, "\n"))
	}
	if got := h.invocations(); len(got) != 3 {
		t.Errorf("%d invocations; want one per message:\n%s", len(got), strings.Join(got, "\n"))
	}
	received := 0
	recorded, err := h.moto.Recorded(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recorded {
		received += strings.Count(string(r.Body), `"MaxNumberOfMessages"`)
	}
	if received < 2 || received > 13 {
		t.Errorf("%d receives; want the messages received again, and the run bounded", received)
	}
	equal(t, "queue", h.queued(), sorted(bodies...))
}

// TestRedriveMaxMessages: --max-messages bounds a run exactly; without it a
// run takes every message, batch after batch.
func TestRedriveMaxMessages(t *testing.T) {
	h := newHarness(t, nil)
	if err := h.moto.LambdaWithoutDocker(t.Context()); err != nil {
		t.Fatal(err)
	}
	h.movers("hub_daily")
	for i := range 25 {
		h.send(record(t, naming.MoverName("hub_daily"), fmt.Sprintf("hub_daily/%02d.csv", i)))
	}
	summary, _, err := h.run(nil, Options{MaxMessages: 12})
	if err != nil || summary.Received != 12 || summary.Redriven != 12 {
		t.Fatalf("--max-messages 12: %q, %v; want 12 re-driven", summary, err)
	}
	if n := len(h.queued()); n != 13 {
		t.Fatalf("%d messages left; want 13", n)
	}
	summary, _, err = h.run(nil, Options{})
	if err != nil || summary.Received != 13 || summary.Redriven != 13 || summary.Unresolved() != 0 {
		t.Fatalf("unbounded: %q, %v; want the other 13 re-driven", summary, err)
	}
	if n := len(h.invocations()); n != 25 {
		t.Errorf("%d invocations; want 25", n)
	}
	equal(t, "queue at the end", h.queued(), nil)
}

// TestRedriveUnknownDataset: a dataset without a mover is refused before
// any message is received.
func TestRedriveUnknownDataset(t *testing.T) {
	h := newHarness(t, nil)
	h.movers("hub_keep", "hub_daily")
	body := record(t, naming.MoverName("hub_daily"), "hub_daily/a.csv")
	h.send(body)
	_, lines, err := h.run(nil, Options{Dataset: "hub_dialy"})
	var unknown *UnknownDatasetError
	if !errors.As(err, &unknown) || !slices.Equal(unknown.Deployed, []string{"hub_daily", "hub_keep"}) {
		t.Fatalf("error %v; want an UnknownDatasetError listing hub_daily and hub_keep", err)
	}
	if want := `dataset "hub_dialy" has no mover (no function export_hub_dialy-move in this account and region): the push datasets deployed here are hub_daily, hub_keep`; err.Error() != want {
		t.Errorf("error %q; want %q", err, want)
	}
	if len(lines) > 0 {
		t.Errorf("progress %q; want none", lines)
	}
	equal(t, "queue", h.queued(), []string{body})
}

// unreachableInvoke lists the emulator's functions but invokes through an
// endpoint where nothing listens, as when Lambda cannot be reached.
type unreachableInvoke struct {
	*lambda.Client
	invoker *lambda.Client
}

func (u unreachableInvoke) Invoke(ctx context.Context, in *lambda.InvokeInput, opts ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	return u.invoker.Invoke(ctx, in, opts...)
}

// TestRedriveInvokeError: when the invocation itself fails, the message
// stays, with the error.
func TestRedriveInvokeError(t *testing.T) {
	h := newHarness(t, nil)
	h.movers("hub_daily")
	body := record(t, naming.MoverName("hub_daily"), "hub_daily/a.csv")
	h.send(body)
	config := h.moto.AWSConfig()
	config.BaseEndpoint, config.RetryMaxAttempts = aws.String("http://127.0.0.1:1"), 1
	summary, lines, err := h.run(unreachableInvoke{h.lambda, lambda.NewFromConfig(config)}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if summary.Left != 1 || len(lines) != 1 || !strings.HasPrefix(lines[0], "hub_daily: hub_daily/a.csv: left in the queue: re-invoking export_hub_daily-move: ") || !strings.Contains(lines[0], "connection refused") {
		t.Errorf("summary %q, lines %q; want the message left with the connection error", summary, lines)
	}
	equal(t, "queue", h.queued(), []string{body})
}

// moverRuntime plays Lambda for the emulator's movers, which moto cannot
// run: an invocation runs the real mover with the function's environment
// as moto holds it (the same S3 event handler the Lambda binary serves)
// and answers as Lambda does for a Go function: FunctionError "Unhandled"
// with the error payload when the handler fails, and the log's tail.
type moverRuntime struct{ *lambda.Client }

func (m moverRuntime) Invoke(ctx context.Context, in *lambda.InvokeInput, _ ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	conf, err := m.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: in.FunctionName})
	if err != nil {
		return nil, err
	}
	getenv := func(name string) string {
		if v, ok := conf.Environment.Variables[name]; ok {
			return v
		}
		return os.Getenv(name) // the emulator's endpoint and credentials
	}
	var log bytes.Buffer
	mover, err := move.FromEnvironment(ctx, getenv, &log)
	if err != nil {
		return nil, err
	}
	var event events.S3Event
	if err := json.Unmarshal(in.Payload, &event); err != nil {
		return nil, err
	}
	out := &lambda.InvokeOutput{StatusCode: 200, Payload: []byte("null")}
	if err := mover.HandleS3Event(ctx, event); err != nil {
		out.FunctionError = aws.String("Unhandled")
		out.Payload, _ = json.Marshal(map[string]string{"errorMessage": err.Error(), "errorType": "errorString"})
	}
	out.LogResult = aws.String(base64.StdEncoding.EncodeToString(log.Bytes()))
	return out, nil
}

// TestRedriveRunsEachDatasetsOwnMover re-drives three datasets' failed
// moves with the real mover: each move runs with its own function's
// configuration, so the keep_files dataset keeps its file (the re-drive
// this replaces set only the dataset and bucket, and deleted it), and a
// recipient still refusing leaves its message with the mover's own reason.
func TestRedriveRunsEachDatasetsOwnMover(t *testing.T) {
	h := newHarness(t, nil)
	for _, kv := range h.moto.Env() {
		name, value, _ := strings.Cut(kv, "=")
		t.Setenv(name, value)
	}
	ctx := t.Context()
	s3client := s3.NewFromConfig(h.moto.AWSConfig(), func(o *s3.Options) { o.UsePathStyle = true })
	createBucket := func(name string) {
		t.Helper()
		if _, err := s3client.CreateBucket(ctx, &s3.CreateBucketInput{
			Bucket: aws.String(name), CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: motoserver.Region},
		}); err != nil {
			t.Fatal(err)
		}
	}
	exists := func(bucket, key string) bool {
		_, err := s3client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		return err == nil
	}
	createBucket(naming.ExportBucket)
	createBucket("daily-landing")
	createBucket("keep-landing")
	var bodies []string
	for _, d := range []struct{ dataset, recipient, keep, key string }{
		{"hub_daily", "daily-landing", "false", "hub_daily/a b.csv"},
		{"hub_keep", "keep-landing", "true", "hub_keep/k.csv"},
		{"hub_refused", "refused-landing", "false", "hub_refused/r.csv"},
	} {
		if err := h.moto.CreateFunction(ctx, naming.MoverName(d.dataset), map[string]string{
			naming.EnvDatasetName: d.dataset, naming.EnvDestinationBucket: d.recipient, naming.EnvKeepFiles: d.keep,
			naming.EnvDestinationAccount: motoserver.AccountID, naming.EnvSourceAccount: motoserver.AccountID,
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := s3client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(naming.ExportBucket), Key: aws.String(d.key), Body: strings.NewReader("5000 bytes, or so")}); err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, record(t, naming.MoverName(d.dataset), d.key))
	}
	h.send(bodies...)

	summary, lines, err := h.run(moverRuntime{h.lambda}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if summary.Redriven != 2 || summary.Left != 1 {
		t.Errorf("summary %q; want 2 re-driven, 1 left", summary)
	}
	const refused = "hub_refused: hub_refused/r.csv: left in the queue: export_hub_refused-move failed again (Unhandled): copy s3://mojap-hub-exports/hub_refused/r.csv to s3://refused-landing/hub_refused/r.csv: "
	if len(lines) != 3 || !strings.HasPrefix(lines[2], refused) || !strings.Contains(lines[2], "NoSuchBucket: The specified bucket does not exist") {
		t.Errorf("progress:\n%s\nwant the refused move's line to give the mover's own error (%s...NoSuchBucket...)", strings.Join(lines, "\n"), refused)
	}
	for _, c := range []struct {
		bucket, key string
		want        bool
	}{
		{"daily-landing", "hub_daily/a b.csv", true},
		{naming.ExportBucket, "hub_daily/a b.csv", false},
		{"keep-landing", "hub_keep/k.csv", true},
		{naming.ExportBucket, "hub_keep/k.csv", true},
		{naming.ExportBucket, "hub_refused/r.csv", true},
	} {
		if got := exists(c.bucket, c.key); got != c.want {
			t.Errorf("s3://%s/%s exists: %v; want %v", c.bucket, c.key, got, c.want)
		}
	}
	equal(t, "queue", h.queued(), []string{bodies[2]})

	// The recipient fixes their side; the next re-drive empties the queue.
	createBucket("refused-landing")
	summary, _, err = h.run(moverRuntime{h.lambda}, Options{})
	if err != nil || summary.Redriven != 1 || summary.Unresolved() != 0 {
		t.Fatalf("after the fix: %q, %v; want the last move re-driven", summary, err)
	}
	if !exists("refused-landing", "hub_refused/r.csv") || exists(naming.ExportBucket, "hub_refused/r.csv") {
		t.Error("hub_refused/r.csv was not moved")
	}
	equal(t, "queue at the end", h.queued(), nil)
}
