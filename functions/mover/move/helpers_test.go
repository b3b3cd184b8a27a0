package move

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/ministryofjustice/data-engineering-exports/naming"
	"github.com/ministryofjustice/data-engineering-exports/testsupport/motoserver"
)

const (
	exportBucket    = naming.ExportBucket
	recipientBucket = "recipient-landing"
	dataset         = "performance_hub_daily"
	// ownerAccount owns both buckets: moto owns every bucket with one
	// account. Behind a fault proxy, recipientAccount owns the recipient's
	// bucket (see faultProxy). otherAccount owns neither.
	ownerAccount     = motoserver.AccountID
	recipientAccount = "444455556666"
	otherAccount     = "111122223333"
)

// world is a moto server holding the export bucket and a recipient bucket,
// and a client that talks to moto directly (never through a fault proxy).
type world struct {
	t      testing.TB
	moto   *motoserver.Server
	direct *s3.Client
}

func newWorld(t testing.TB) *world {
	t.Helper()
	srv := motoserver.StartT(t)
	// The SDK reads credentials and region from the process environment.
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	w := &world{t: t, moto: srv, direct: s3.NewFromConfig(srv.AWSConfig(), func(o *s3.Options) { o.UsePathStyle = true })}
	w.createBucket(exportBucket)
	w.createBucket(recipientBucket)
	return w
}

func (w *world) createBucket(name string) {
	w.t.Helper()
	if _, err := w.direct.CreateBucket(context.Background(), &s3.CreateBucketInput{
		Bucket:                    &name,
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: motoserver.Region},
	}); err != nil {
		w.t.Fatal(err)
	}
}

// env is the mover's environment against moto (or against endpoint, e.g.
// a fault proxy, when given).
func (w *world) env(extra map[string]string) func(string) string {
	vars := map[string]string{}
	for _, kv := range w.moto.Env() {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	vars[naming.EnvDestinationBucket] = recipientBucket
	vars[naming.EnvDestinationAccount] = ownerAccount
	vars[naming.EnvSourceAccount] = ownerAccount
	vars[naming.EnvDatasetName] = dataset
	for k, v := range extra {
		vars[k] = v
	}
	return func(k string) string { return vars[k] }
}

// mover builds a Mover from env (see world.env) and returns it with the
// buffer its JSON log lines go to.
func (w *world) mover(env func(string) string, adjust func(*Config)) (*Mover, *logBuffer) {
	w.t.Helper()
	c, err := FromEnv(env)
	if err != nil {
		w.t.Fatal(err)
	}
	if adjust != nil {
		adjust(&c)
	}
	client, err := NewS3Client(context.Background(), c)
	if err != nil {
		w.t.Fatal(err)
	}
	logs := &logBuffer{}
	return New(c, client, slog.New(slog.NewJSONHandler(logs, nil))), logs
}

// put stores an object in the export bucket.
func (w *world) put(key string, body []byte, contentType string, metadata map[string]string) {
	w.t.Helper()
	if _, err := w.direct.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(exportBucket), Key: &key, Body: bytes.NewReader(body),
		ContentType: aws.String(contentType), Metadata: metadata,
	}); err != nil {
		w.t.Fatal(err)
	}
}

// get returns an object's bytes and head, or ok=false when it is absent.
func (w *world) get(bucket, key string) (body []byte, head *s3.HeadObjectOutput, ok bool) {
	w.t.Helper()
	ctx := context.Background()
	head, err := w.direct.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
	if isStatus(err, 404) {
		return nil, nil, false
	}
	if err != nil {
		w.t.Fatal(err)
	}
	out, err := w.direct.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		w.t.Fatal(err)
	}
	defer out.Body.Close()
	body, err = io.ReadAll(out.Body)
	if err != nil {
		w.t.Fatal(err)
	}
	return body, head, true
}

// assertMoved checks the object is at the destination with its bytes,
// content type and metadata, encrypted, and gone from the source.
func (w *world) assertMoved(key string, want []byte, contentType string, metadata map[string]string) {
	w.t.Helper()
	if _, _, ok := w.get(exportBucket, key); ok {
		w.t.Errorf("%q is still in the export bucket", key)
	}
	w.assertDelivered(key, want, contentType, metadata)
}

func (w *world) assertDelivered(key string, want []byte, contentType string, metadata map[string]string) {
	w.t.Helper()
	got, head, ok := w.get(recipientBucket, key)
	switch {
	case !ok:
		w.t.Errorf("%q is not in the recipient's bucket", key)
	case !bytes.Equal(got, want):
		w.t.Errorf("%q at the destination has %d bytes that differ from the %d pushed", key, len(got), len(want))
	case aws.ToString(head.ContentType) != contentType:
		w.t.Errorf("%q content type = %q, want %q", key, aws.ToString(head.ContentType), contentType)
	case head.ServerSideEncryption != types.ServerSideEncryptionAes256:
		w.t.Errorf("%q server-side encryption = %q, want AES256", key, head.ServerSideEncryption)
	default:
		for k, v := range metadata {
			if head.Metadata[k] != v {
				w.t.Errorf("%q metadata %s = %q, want %q (all: %v)", key, k, head.Metadata[k], v, head.Metadata)
			}
		}
	}
}

// Who uploads in the tests, as S3 events name them: a role session of an
// analyst (AWS:<role id>:<session name>) from an address of the
// documentation range, and another analyst from another.
const (
	analystOne   = "AWS:AROAQXRCEXAMPLE5ZV2MB:analyst_one"
	analystOneIP = "203.0.113.42"
	analystTwo   = "AWS:AROAQXRCEXAMPLE7KD4NT:analyst_two"
	analystTwoIP = "198.51.100.7"
)

// s3Event is the notification S3 sends for objects in the export bucket:
// keys form-encoded, as S3 does ("+" for a space, "%XX" otherwise, "/"
// kept), with each object's uploader and source address.
func s3Event(objects ...Object) []byte {
	ev := events.S3Event{}
	for _, o := range objects {
		rec := events.S3EventRecord{
			EventVersion: "2.1", EventSource: "aws:s3", AWSRegion: motoserver.Region,
			EventTime: time.Now().UTC(), EventName: "ObjectCreated:Put",
		}
		rec.S3.SchemaVersion = "1.0"
		rec.S3.Bucket = events.S3Bucket{Name: o.Bucket, Arn: "arn:aws:s3:::" + o.Bucket}
		rec.S3.Object = events.S3Object{Key: strings.ReplaceAll(url.QueryEscape(o.Key), "%2F", "/"), Size: o.Size}
		rec.PrincipalID = events.S3UserIdentity{PrincipalID: o.Uploader}
		rec.RequestParameters = events.S3RequestParameters{SourceIPAddress: o.SourceIP}
		ev.Records = append(ev.Records, rec)
	}
	data, _ := json.Marshal(ev)
	return data
}

// logBuffer collects the mover's JSON log lines; safe for concurrent moves.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// logLine is one line of the mover's log.
type logLine struct {
	Dataset        string `json:"dataset"`
	Key            string `json:"key"`
	Size           int64  `json:"size"`
	BytesPerSecond int64  `json:"bytes_per_second"`
	DurationMS     int64  `json:"duration_ms"`
	S3Requests     int64  `json:"s3_requests"`
	Outcome        string `json:"outcome"`
	Multipart      bool   `json:"multipart"`
	Parts          int    `json:"parts"`
	Uploader       string `json:"uploader"`
	SourceIP       string `json:"source_ip"`
	Note           string `json:"note"`
	Error          string `json:"error"`
}

// lines parses the log so far, keyed by object key, and empties it.
func (l *logBuffer) lines(t testing.TB) map[string]logLine {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	return parseLog(t, &l.buf)
}

func parseLog(t testing.TB, r io.Reader) map[string]logLine {
	t.Helper()
	out := map[string]logLine{}
	scanner := bufio.NewScanner(r)
	for scanner.Scan() {
		var line logLine
		if err := json.Unmarshal(scanner.Bytes(), &line); err != nil {
			t.Fatalf("log line %q is not JSON: %v", scanner.Text(), err)
		}
		if _, dup := out[line.Key]; dup {
			t.Fatalf("two log lines for %q", line.Key)
		}
		out[line.Key] = line
	}
	if err := scanner.Err(); err != nil && !errors.Is(err, io.EOF) {
		t.Fatal(err)
	}
	return out
}
