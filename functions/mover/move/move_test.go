package move

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// run runs the operator's command line in-process and returns its exit
// status, its log lines and its standard error.
func (w *world) run(env func(string) string, stdin []byte, args ...string) (int, map[string]logLine, string) {
	w.t.Helper()
	var stdout, stderr bytes.Buffer
	code := Command(context.Background(), args, env, bytes.NewReader(stdin), &stdout, &stderr)
	return code, parseLog(w.t, &stdout), stderr.String()
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func TestMovesKeysAsS3EncodesThem(t *testing.T) {
	w := newWorld(t)
	keys := []string{
		dataset + "/with space.csv",
		dataset + "/plus+sign.csv",
		dataset + "/a&b=c?d.csv",
		dataset + "/données/café 東京 ü.parquet",
		dataset + "/nested/deeper/100%.json",
		dataset + "/empty.csv",
	}
	var objects []Object
	bodies := map[string][]byte{}
	for i, key := range keys {
		body := randomBytes(1000 * i) // the last key gets 5,000 bytes; the empty one none
		if strings.HasSuffix(key, "empty.csv") {
			body = nil
		}
		bodies[key] = body
		w.put(key, body, "text/csv", map[string]string{"source-system": "nomis", "row": fmt.Sprint(i)})
		uploader, sourceIP := analystOne, analystOneIP
		if i%2 == 1 {
			uploader, sourceIP = analystTwo, analystTwoIP
		}
		objects = append(objects, Object{Bucket: exportBucket, Key: key, Size: int64(len(body)), Uploader: uploader, SourceIP: sourceIP})
	}
	eventFile := filepath.Join(t.TempDir(), "event.json")
	os.WriteFile(eventFile, s3Event(objects...), 0o600)

	code, logs, stderr := w.run(w.env(nil), nil, "--event", eventFile)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for i, key := range keys {
		w.assertMoved(key, bodies[key], "text/csv", map[string]string{"source-system": "nomis", "row": fmt.Sprint(i)})
		line := logs[key]
		if line.Outcome != string(Moved) || line.Dataset != dataset || line.Size != int64(len(bodies[key])) || line.Error != "" {
			t.Errorf("log for %q = %+v; want outcome moved, dataset %s, size %d", key, line, dataset, len(bodies[key]))
		}
		// Each line names who uploaded its object, and from where, as
		// the event said.
		if line.Uploader != objects[i].Uploader || line.SourceIP != objects[i].SourceIP {
			t.Errorf("log for %q names uploader %q from %q; want %q from %q", key, line.Uploader, line.SourceIP, objects[i].Uploader, objects[i].SourceIP)
		}
		if line.S3Requests != 4 {
			t.Errorf("%q took %d S3 requests; want 4 (head, copy, head, delete)", key, line.S3Requests)
		}
	}
}

func TestMultipartCopyIsByteIdenticalAndKeepsHeaders(t *testing.T) {
	w := newWorld(t)
	key := dataset + "/large file.bin"
	body := randomBytes(12*MiB + 12345)
	meta := map[string]string{"extract-date": "2026-11-21"}
	w.put(key, body, "application/octet-stream", meta)
	m, logs := w.mover(w.env(map[string]string{
		"MULTIPART_THRESHOLD_BYTES": fmt.Sprint(5 * MiB),
		"MULTIPART_PART_BYTES":      fmt.Sprint(5 * MiB),
	}), nil)

	r := m.Move(context.Background(), Object{Bucket: exportBucket, Key: key, Size: int64(len(body))})
	if r.Err != nil || r.Outcome != Moved {
		t.Fatalf("Move = %s, %v", r.Outcome, r.Err)
	}
	w.assertMoved(key, body, "application/octet-stream", meta)
	line := logs.lines(t)[key]
	// head, create, 3 part copies, complete, head, delete
	if !line.Multipart || line.Parts != 3 || line.S3Requests != 8 {
		t.Errorf("log = %+v; want multipart with 3 parts in 8 requests", line)
	}
	uploads, err := w.direct.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: aws.String(recipientBucket)})
	if err != nil || len(uploads.Uploads) != 0 {
		t.Errorf("multipart uploads left in the recipient's bucket: %v, %v", uploads.Uploads, err)
	}
}

func TestRedeliveryIsANoOpAndMissingObjectsFail(t *testing.T) {
	w := newWorld(t)
	key := dataset + "/daily.csv"
	body := []byte("a,b\n1,2\n")
	w.put(key, body, "text/csv", nil)
	event := s3Event(Object{Bucket: exportBucket, Key: key, Size: int64(len(body))})
	env := w.env(nil)

	if code, _, stderr := w.run(env, event, "--event", "-"); code != 0 {
		t.Fatalf("first delivery: exit %d: %s", code, stderr)
	}
	code, logs, stderr := w.run(env, event, "--event", "-")
	if code != 0 || logs[key].Outcome != string(AlreadyMoved) || logs[key].S3Requests != 2 {
		t.Fatalf("redelivery: exit %d, log %+v, %s; want exit 0, already_moved in 2 requests", code, logs[key], stderr)
	}
	w.assertMoved(key, body, "text/csv", nil)

	// The event reports another size: the destination holds something else.
	otherSize := s3Event(Object{Bucket: exportBucket, Key: key, Size: 999})
	if code, logs, _ := w.run(env, otherSize, "--event", "-"); code != 1 || !strings.Contains(logs[key].Error, "not the 999") {
		t.Errorf("size mismatch: exit %d, log %+v; want exit 1 naming the sizes", code, logs[key])
	}

	// Neither the source nor the destination has it.
	missing := dataset + "/never-pushed.csv"
	code, logs, _ = w.run(env, s3Event(Object{Bucket: exportBucket, Key: missing, Size: 5}), "--event", "-")
	if code != 1 || logs[missing].Outcome != string(Failed) || !strings.Contains(logs[missing].Error, "nothing to move") {
		t.Errorf("missing object: exit %d, log %+v; want exit 1 saying nothing to move", code, logs[missing])
	}
}

func TestKeepFilesCopiesAndKeeps(t *testing.T) {
	w := newWorld(t)
	key := dataset + "/kept.csv"
	body := []byte("keep me")
	w.put(key, body, "text/plain", nil)
	code, logs, stderr := w.run(w.env(map[string]string{"KEEP_FILES": "true"}), s3Event(Object{Bucket: exportBucket, Key: key, Size: 7}), "--event", "-")
	if code != 0 || logs[key].Outcome != string(Copied) || logs[key].S3Requests != 3 {
		t.Fatalf("exit %d, log %+v, %s; want copied in 3 requests", code, logs[key], stderr)
	}
	w.assertDelivered(key, body, "text/plain", nil)
	if got, _, ok := w.get(exportBucket, key); !ok || !bytes.Equal(got, body) {
		t.Error("KEEP_FILES=true deleted or changed the source")
	}
}

func TestRefusingRecipientKeepsSource(t *testing.T) {
	w := newWorld(t)
	small, large := dataset+"/small.csv", dataset+"/large.bin"
	w.put(small, []byte("x"), "text/csv", nil)
	largeBody := randomBytes(6 * MiB)
	w.put(large, largeBody, "application/octet-stream", nil)
	event := s3Event(Object{Bucket: exportBucket, Key: small, Size: 1}, Object{Bucket: exportBucket, Key: large, Size: 6 * MiB})
	env := w.env(map[string]string{
		"DESTINATION_BUCKET":        "recipient-that-does-not-exist",
		"MULTIPART_THRESHOLD_BYTES": fmt.Sprint(5 * MiB),
	})
	code, logs, stderr := w.run(env, event, "--event", "-")
	if code != 1 || !strings.Contains(stderr, "2 of 2 objects were not moved") {
		t.Errorf("exit %d, stderr %q; want exit 1 reporting both objects", code, stderr)
	}
	for _, key := range []string{small, large} {
		if logs[key].Outcome != string(Failed) || !strings.Contains(logs[key].Error, "NoSuchBucket") {
			t.Errorf("log for %q = %+v; want failed with NoSuchBucket", key, logs[key])
		}
		if _, _, ok := w.get(exportBucket, key); !ok {
			t.Errorf("%q was deleted from the source although the copy failed", key)
		}
	}
}

func TestObjectsOfOtherDatasetsAreRefused(t *testing.T) {
	w := newWorld(t)
	key := "court_listings_archive/listing.csv"
	w.put(key, []byte("private"), "text/csv", nil)
	code, logs, _ := w.run(w.env(nil), s3Event(Object{Bucket: exportBucket, Key: key, Size: 7}), "--event", "-")
	if code != 1 || !strings.Contains(logs[key].Error, "not under "+dataset+"/") {
		t.Errorf("exit %d, log %+v; want the key refused", code, logs[key])
	}
	if _, _, ok := w.get(recipientBucket, key); ok {
		t.Error("another dataset's object was delivered to this recipient")
	}
}

func TestSweepMovesEveryPage(t *testing.T) {
	// A page size of 5 makes the 23 objects take 5 pages.
	t.Setenv("MOTO_S3_DEFAULT_MAX_KEYS", "5")
	w := newWorld(t)
	var keys []string
	for i := range 23 {
		key := fmt.Sprintf("%s/backlog/part-%02d.csv", dataset, i)
		keys = append(keys, key)
		w.put(key, []byte(key), "text/csv", nil)
	}
	other := "court_listings_archive/not-mine.csv"
	w.put(other, []byte("x"), "text/csv", nil)

	code, logs, stderr := w.run(w.env(nil), nil, "--sweep", "s3://"+exportBucket+"/"+dataset+"/")
	if code != 0 || len(logs) != len(keys) {
		t.Fatalf("exit %d, %d log lines, %s; want exit 0 and %d lines", code, len(logs), stderr, len(keys))
	}
	for _, key := range keys {
		w.assertMoved(key, []byte(key), "text/csv", nil)
		// A listing does not say who wrote an object: no uploader, rather
		// than a guessed one.
		if line := logs[key]; line.Uploader != "" || line.SourceIP != "" {
			t.Errorf("sweep log for %q names uploader %q from %q; a listing knows neither", key, line.Uploader, line.SourceIP)
		}
	}
	if _, _, ok := w.get(exportBucket, other); !ok {
		t.Error("the sweep touched another dataset's object")
	}
	if code, _, stderr := w.run(w.env(nil), nil, "--sweep", "s3://"+exportBucket+"/"); code != 2 || !strings.Contains(stderr, "not within dataset") {
		t.Errorf("sweep of the whole bucket: exit %d, %q; want refused with exit 2", code, stderr)
	}
}

func TestCommandLineErrors(t *testing.T) {
	w := &world{t: t}
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	good := map[string]string{"DESTINATION_BUCKET": "b", "DESTINATION_ACCOUNT": ownerAccount, "SOURCE_ACCOUNT": ownerAccount, "DATASET_NAME": dataset}
	without := func(name string) map[string]string {
		env := maps.Clone(good)
		delete(env, name)
		return env
	}
	for _, c := range []struct {
		name  string
		env   map[string]string
		args  []string
		stdin string
		want  string
	}{
		{"no mode", good, nil, "", "exactly one of --event"},
		{"both modes", good, []string{"--event", "-", "--sweep", "s3://b/p/"}, "", "exactly one of --event"},
		{"no destination", without("DESTINATION_BUCKET"), []string{"--event", "-"}, "", "DESTINATION_BUCKET is not set"},
		{"no destination account", without("DESTINATION_ACCOUNT"), []string{"--sweep", "s3://b/" + dataset + "/"}, "",
			"DESTINATION_ACCOUNT is not set: set it to the 12-digit id of the AWS account that owns DESTINATION_BUCKET (the dataset file's bucket_account)"},
		{"no source account", without("SOURCE_ACCOUNT"), []string{"--event", "-"}, "",
			"SOURCE_ACCOUNT is not set: set it to the 12-digit id of the AWS account that owns the export bucket"},
		{"no dataset", without("DATASET_NAME"), []string{"--event", "-"}, "", "DATASET_NAME is not set"},
		{"bad sweep URL", good, []string{"--sweep", "mojap-hub-exports/x/"}, "", "is not an S3 URL"},
		{"missing event file", good, []string{"--event", "/nonexistent/event.json"}, "", "/nonexistent/event.json"},
		{"not an event", good, []string{"--event", "-"}, `{"hello":1}`, "expected an S3 event"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := w.run(env(c.env), []byte(c.stdin), c.args...)
			if code != 2 || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 mentioning %q", code, stderr, c.want)
			}
		})
	}
	var stdout bytes.Buffer
	if code := Command(context.Background(), []string{"--help"}, env(nil), nil, &stdout, &stdout); code != 0 || !strings.Contains(stdout.String(), "receive-message") {
		t.Errorf("--help: exit %d, %q", code, stdout.String())
	}
}

func TestConfigFromEnv(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{}, "DESTINATION_BUCKET is not set"},
		{map[string]string{}, "DESTINATION_ACCOUNT is not set"},
		{map[string]string{}, "SOURCE_ACCOUNT is not set"},
		{map[string]string{"DESTINATION_ACCOUNT": "12345678901"}, `DESTINATION_ACCOUNT is "12345678901": write the 12-digit id of the AWS account that owns DESTINATION_BUCKET`},
		{map[string]string{"SOURCE_ACCOUNT": "arn:aws:iam::123456789012:root"}, `SOURCE_ACCOUNT is "arn:aws:iam::123456789012:root": write the 12-digit id`},
		{map[string]string{"DESTINATION_BUCKET": "arn:aws:s3:::b"}, "write the bare bucket name"},
		{map[string]string{"DESTINATION_BUCKET": "b", "KEEP_FILES": "True"}, `KEEP_FILES is "True": write true or false`},
		{map[string]string{"DESTINATION_BUCKET": "b", "MULTIPART_THRESHOLD_BYTES": fmt.Sprint(5*GiB + 1)}, "MULTIPART_THRESHOLD_BYTES"},
		{map[string]string{"DESTINATION_BUCKET": "b", "MULTIPART_PART_BYTES": "1000"}, "MULTIPART_PART_BYTES"},
		{map[string]string{"DESTINATION_BUCKET": "b", "MULTIPART_CONCURRENCY": "0"}, "MULTIPART_CONCURRENCY"},
		{map[string]string{"DESTINATION_BUCKET": "b", "AWS_MAX_ATTEMPTS": "x"}, "AWS_MAX_ATTEMPTS"},
	} {
		_, err := FromEnv(func(k string) string { return c.env[k] })
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("FromEnv(%v) = %v; want an error mentioning %q", c.env, err, c.want)
		}
	}
	c, err := FromEnv(func(k string) string {
		return map[string]string{"DESTINATION_BUCKET": "b", "DESTINATION_ACCOUNT": "012345678901", "SOURCE_ACCOUNT": ownerAccount, "KEEP_FILES": "true"}[k]
	})
	if err != nil || !c.KeepFiles || c.MultipartThreshold != DefaultMultipartThreshold || c.DestinationAccount != "012345678901" || c.SourceAccount != ownerAccount {
		t.Errorf("FromEnv = %+v, %v", c, err)
	}
}

func TestPartSizeCoversS3sLargestObject(t *testing.T) {
	c := Config{PartBytes: DefaultPartBytes}
	for _, size := range []int64{1, DefaultPartBytes * MaxParts, DefaultPartBytes*MaxParts + 1, 5 << 40} {
		part := c.partBytes(size)
		parts := (size + part - 1) / part
		if parts > MaxParts || part < MinPartBytes || part > MaxPartBytes || part%MiB != 0 {
			t.Errorf("size %d: part %d bytes gives %d parts; want 5 MiB..5 GiB whole MiB parts, at most %d", size, part, parts, MaxParts)
		}
	}
}

func TestParseEventsAcceptsEveryOperatorInput(t *testing.T) {
	want := Object{Bucket: exportBucket, Key: dataset + "/a b+c.csv", Size: 3, Uploader: analystOne, SourceIP: analystOneIP}
	s3 := s3Event(want)
	failure := fmt.Appendf(nil, `{"version":"1.0","timestamp":"2026-11-22T03:00:00.000Z","requestContext":{"requestId":"r1","functionArn":"arn:aws:lambda:eu-west-1:123456789012:function:export_%s-move:$LATEST","condition":"RetriesExhausted","approximateInvokeCount":3},"requestPayload":%s,"responseContext":{"statusCode":200,"executedVersion":"$LATEST","functionError":"Unhandled"},"responsePayload":{"errorMessage":"boom","errorType":"errorString"}}`, dataset, s3)
	body, _ := json.Marshal(string(failure))
	sqs := fmt.Appendf(nil, `{"Messages":[{"MessageId":"m1","ReceiptHandle":"h","MD5OfBody":"x","Body":%s},{"MessageId":"m2","ReceiptHandle":"h2","MD5OfBody":"y","Body":%s}]}`, body, body)
	for name, input := range map[string][]byte{"S3 event": s3, "on-failure record": failure, "receive-message output": sqs} {
		got, err := ParseEvents(input)
		if err != nil || len(got) == 0 {
			t.Errorf("%s: %v, %v", name, got, err)
			continue
		}
		for _, o := range got {
			if o != want {
				t.Errorf("%s: got %+v; want %+v", name, o, want)
			}
		}
	}
	if got, err := ParseEvents([]byte(`{"Service":"Amazon S3","Event":"s3:TestEvent"}`)); err != nil || len(got) != 0 {
		t.Errorf("S3 test event: %v, %v; want nothing to do", got, err)
	}
	for input, wantErr := range map[string]string{
		`not json`: "not JSON",
		`{"Records":[{"eventSource":"aws:sqs"}]}`:       "aws:sqs",
		`{"Messages":[{"MessageId":"m1","Body":"{}"}]}`: "Messages[0] (MessageId m1).Body",
		`{"requestPayload":{"Records":[{"eventSource":"aws:s3","s3":{"bucket":{"name":"b"},"object":{"key":"%zz"}}}]}}`: "requestPayload: not an S3 event notification: invalid URL escape",
	} {
		if _, err := ParseEvents([]byte(input)); err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("ParseEvents(%s) = %v; want an error mentioning %q", input, err, wantErr)
		}
	}
}

// TestEventNamesTheUploader reads an event as S3 writes it (the shape of
// AWS's documented example, with an analyst's role session): the uploader
// is userIdentity.principalId, the address requestParameters.sourceIPAddress.
func TestEventNamesTheUploader(t *testing.T) {
	event := `{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"eu-west-1","eventTime":"2026-11-21T09:14:03.512Z",` +
		`"eventName":"ObjectCreated:CompleteMultipartUpload","userIdentity":{"principalId":"` + analystOne + `"},` +
		`"requestParameters":{"sourceIPAddress":"` + analystOneIP + `"},` +
		`"responseElements":{"x-amz-request-id":"C3D13FE58DE4C810","x-amz-id-2":"FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD"},` +
		`"s3":{"s3SchemaVersion":"1.0","configurationId":"push-` + dataset + `",` +
		`"bucket":{"name":"` + exportBucket + `","ownerIdentity":{"principalId":"A3NL1KOZZKExample"},"arn":"arn:aws:s3:::` + exportBucket + `"},` +
		`"object":{"key":"` + dataset + `/2026-11-21/daily+extract.csv","size":1048576,"eTag":"d41d8cd98f00b204e9800998ecf8427e-2","sequencer":"0055AED6DCD90281E5"}}}]}`
	got, err := ParseEvents([]byte(event))
	want := []Object{{Bucket: exportBucket, Key: dataset + "/2026-11-21/daily extract.csv", Size: 1048576, Uploader: analystOne, SourceIP: analystOneIP}}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("ParseEvents = %+v, %v; want %+v", got, err, want)
	}
}
