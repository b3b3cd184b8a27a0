package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/ministryofjustice/data-engineering-exports/naming"
	"github.com/ministryofjustice/data-engineering-exports/testsupport/motoserver"
)

func runRedrive(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Run(append([]string{"redrive"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestRedriveUsage(t *testing.T) {
	for _, args := range [][]string{
		{"queue"},
		{"--visibility-timeout", "0s"},
		{"--visibility-timeout", "1500ms"},
		{"--visibility-timeout", "13h"},
		{"--max-messages", "-1"},
		{"--no-such-flag"},
	} {
		if code, _, stderr := runRedrive(t, args...); code != 2 || stderr == "" {
			t.Errorf("redrive %q: exit %d, stderr %q; want 2 and the reason", args, code, stderr)
		}
	}
	if code, _, stderr := runRedrive(t, "-h"); code != 0 || !strings.Contains(stderr, "-dry-run") {
		t.Errorf("redrive -h: exit %d, %q", code, stderr)
	}
}

// TestRedriveCommand runs the command against moto as an operator would:
// the queue found by its name, a dry run, one dataset, then everything.
func TestRedriveCommand(t *testing.T) {
	moto := motoserver.StartT(t)
	for _, kv := range moto.Env() {
		name, value, _ := strings.Cut(kv, "=")
		t.Setenv(name, value)
	}
	ctx := t.Context()

	if code, _, stderr := runRedrive(t); code != 1 || stderr != "redrive: the queue "+naming.FailedMovesQueue+" does not exist in this account and region: check the AWS credentials and region, or give the queue's URL\n" {
		t.Errorf("no queue: exit %d, stderr %q", code, stderr)
	}

	queue := sqs.NewFromConfig(moto.AWSConfig())
	if _, err := queue.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(naming.FailedMovesQueue)}); err != nil {
		t.Fatal(err)
	}
	if err := moto.LambdaWithoutDocker(ctx); err != nil {
		t.Fatal(err)
	}
	const dataset = "performance_hub_daily" // the fixture's
	if err := moto.CreateFunction(ctx, naming.MoverName(dataset), nil); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := runRedrive(t); code != 0 || stdout != "the failed-moves queue holds no message: nothing to re-drive\n" || stderr != "" {
		t.Errorf("empty queue: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}

	failed, err := os.ReadFile(filepath.Join("..", "redrive", "testdata", "failed-move.json"))
	if err != nil {
		t.Fatal(err)
	}
	queueURL, err := queue.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(naming.FailedMovesQueue)})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, body := range []string{string(failed), "hello"} {
		out, err := queue.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: queueURL.QueueUrl, MessageBody: aws.String(body)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, aws.ToString(out.MessageId))
	}
	key := "performance_hub_daily: performance_hub_daily/2026-11-22/daily extract (2).csv: "
	stranger := "message " + ids[1] + ": left alone: not a Lambda on-failure destination record: body is not JSON: invalid character 'h' looking for beginning of value; body: hello\n"

	if code, _, stderr := runRedrive(t, "--dataset", "performance_hub_dialy"); code != 2 ||
		stderr != `redrive: --dataset performance_hub_dialy: dataset "performance_hub_dialy" has no mover (no function export_performance_hub_dialy-move in this account and region): the push datasets deployed here are performance_hub_daily`+"\n" {
		t.Errorf("unknown dataset: exit %d, stderr %q", code, stderr)
	}

	code, stdout, stderr := runRedrive(t, "--dry-run")
	if code != 0 || stderr != "" || !strings.Contains(stdout, key+"would re-invoke export_performance_hub_daily-move; it failed 3 times (RetriesExhausted): 1 of 1 objects") ||
		!strings.Contains(stdout, stranger) ||
		!strings.HasSuffix(stdout, "\ndry run, nothing invoked or deleted; 2 messages: 1 would be re-driven, 1 not a mover's (left alone)\n") {
		t.Errorf("dry run: exit %d, stderr %q, stdout:\n%s", code, stderr, stdout)
	}

	// The dataset's message is re-driven; the stranger is not its concern.
	code, stdout, stderr = runRedrive(t, "--dataset", dataset, "--visibility-timeout", "20m")
	if code != 0 || stderr != "" || !strings.Contains(stdout, key+"re-driven by export_performance_hub_daily-move; message deleted\n") ||
		!strings.HasSuffix(stdout, "\n2 messages: 1 re-driven and deleted, 1 not a mover's (left alone)\n") {
		t.Errorf("--dataset: exit %d, stderr %q, stdout:\n%s", code, stderr, stdout)
	}

	// Everything: the stranger stays, so the queue is not clear.
	code, stdout, stderr = runRedrive(t, "--queue-url", aws.ToString(queueURL.QueueUrl))
	if code != 1 || stdout != stranger+"1 message: 1 not a mover's (left alone)\n" ||
		stderr != "redrive: 1 message left in the queue: deal with what each line says, then run redrive again\n" {
		t.Errorf("all: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}

	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	if code, _, stderr := runRedrive(t); code != 2 || !strings.Contains(stderr, "no AWS region") {
		t.Errorf("no region: exit %d, stderr %q", code, stderr)
	}
}
