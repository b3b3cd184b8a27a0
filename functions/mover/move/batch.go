package move

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"
)

// deadlineMargin is kept back from Lambda's deadline so that a move cut
// short can still abort its multipart upload and log before Lambda stops
// the process.
const deadlineMargin = 10 * time.Second

// HandleS3Event is the Lambda handler. It returns an error when any object
// failed, so Lambda retries the event and, when retries are exhausted,
// sends it to the failed-moves queue.
func (m *Mover) HandleS3Event(ctx context.Context, ev events.S3Event) error {
	objects, err := ObjectsFromEvent(ev)
	if err != nil {
		m.log.Error("event", "error", err.Error())
		return err
	}
	if deadline, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-deadlineMargin))
		defer cancel()
	}
	return m.MoveAll(ctx, objects)
}

// MoveAll moves objects, Config.Concurrency at a time, and reports how many
// failed (each failure is in its own log line).
func (m *Mover) MoveAll(ctx context.Context, objects []Object) error {
	var tally tally
	group := m.group()
	for _, obj := range objects {
		group.Go(func() error { tally.add(m.Move(ctx, obj)); return nil })
	}
	group.Wait()
	return tally.err()
}

// Sweep moves every object under s3://bucket/prefix, listing it page by
// page: the recovery after an outage, or for objects too large to move
// within Lambda's 15 minutes.
func (m *Mover) Sweep(ctx context.Context, bucket, prefix string) error {
	var tally tally
	group := m.group()
	pages := s3.NewListObjectsV2Paginator(m.s3, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix, ExpectedBucketOwner: &m.config.SourceAccount})
	var listErr error
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			listErr = fmt.Errorf("list s3://%s/%s: %w", bucket, prefix, err)
			break
		}
		for _, item := range page.Contents {
			obj := Object{Bucket: bucket, Key: aws.ToString(item.Key), Size: aws.ToInt64(item.Size)}
			group.Go(func() error { tally.add(m.Move(ctx, obj)); return nil })
		}
	}
	group.Wait()
	if listErr != nil {
		return fmt.Errorf("%w (after %d objects)", listErr, tally.total.Load())
	}
	return tally.err()
}

func (m *Mover) group() *errgroup.Group {
	group := new(errgroup.Group)
	group.SetLimit(max(m.config.Concurrency, 1))
	return group
}

// tally counts the results of many moves.
type tally struct{ total, failed atomic.Int64 }

func (t *tally) add(r Result) {
	t.total.Add(1)
	if r.Outcome == Failed {
		t.failed.Add(1)
	}
}

func (t *tally) err() error {
	if n := t.failed.Load(); n > 0 {
		return fmt.Errorf("%d of %d objects were not moved (their log lines have outcome %q); each is still in the source bucket or already at the destination", n, t.total.Load(), Failed)
	}
	return nil
}
