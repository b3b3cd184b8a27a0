package move

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// fault is what the proxy does to one request instead of passing it on.
type fault string

const (
	internalError fault = "500 InternalError"
	slowDown      fault = "503 SlowDown"
	// resetBefore drops the connection before S3 sees the request.
	resetBefore fault = "connection reset before S3"
	// resetAfter lets S3 do the request, then drops the connection: the
	// mover never learns that it succeeded.
	resetAfter fault = "connection reset after S3"
	// hang never answers; the mover's response timeout gives up.
	hang fault = "timeout before S3"
	// hangAfter lets S3 do the request and never answers.
	hangAfter fault = "timeout after S3"
)

var allFaults = []fault{internalError, slowDown, resetBefore, resetAfter, hang, hangAfter}

// faultProxy stands between the mover and moto on 127.0.0.1. It records
// every request's S3 operation and injects a fault into the request with
// a chosen index.
//
// It also checks each bucket's owner as S3 does: moto (5.2.1) owns every
// bucket with one account and ignores x-amz-expected-bucket-owner and
// x-amz-source-expected-bucket-owner (tried: a HeadObject, a PutObject and
// a CopyObject naming another account all succeed), so the proxy answers
// 403 AccessDenied, S3's answer to a request whose expected owner is not
// the bucket's, and presents the recipient's bucket as owned by an account
// of its own, so that a mover that swapped the two accounts fails.
type faultProxy struct {
	target *url.URL
	server *httptest.Server
	// owners is the account that owns each bucket, as the proxy presents
	// them.
	owners map[string]string

	mu       sync.Mutex
	requests []request
	// aborted holds every upload id the mover sent AbortMultipartUpload for.
	aborted  map[string]bool
	faultAt  int
	fault    fault
	beforeOp map[string]func() // run before forwarding the first request of an operation
	// denied answers 403 AccessDenied, as a bucket policy would, to the
	// operations on buckets it names ("HeadObject recipient-landing").
	denied map[string]bool
}

func newFaultProxy(t testing.TB, target string) *faultProxy {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{target: u, faultAt: -1, owners: map[string]string{exportBucket: ownerAccount, recipientBucket: recipientAccount}}
	p.server = httptest.NewServer(p)
	t.Cleanup(p.server.Close)
	return p
}

// moverThroughProxy starts a fault proxy in front of the world's moto and
// a mover that talks to S3 through it.
func (w *world) moverThroughProxy(extra map[string]string, adjust func(*Config)) (*faultProxy, *Mover, *logBuffer) {
	w.t.Helper()
	proxy := newFaultProxy(w.t, w.moto.Endpoint)
	env := map[string]string{"AWS_ENDPOINT_URL": proxy.server.URL, naming.EnvDestinationAccount: recipientAccount}
	for k, v := range extra {
		env[k] = v
	}
	m, logs := w.mover(w.env(env), adjust)
	return proxy, m, logs
}

// arm makes the request with index at (counting from the next request)
// fail with f; at < 0 disarms.
func (p *faultProxy) arm(at int, f fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests, p.faultAt, p.fault, p.beforeOp = nil, at, f, nil
}

// abortedUpload reports whether the mover sent AbortMultipartUpload for the
// upload.
func (p *faultProxy) abortedUpload(uploadID string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.aborted[uploadID]
}

// request is one request the proxy received.
type request struct {
	op, bucket string
	header     http.Header
}

// recorded is every request since the proxy was last armed.
func (p *faultProxy) recorded() []request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]request(nil), p.requests...)
}

func (p *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	bucket, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	index, op := len(p.requests), operation(r)
	p.requests = append(p.requests, request{op: op, bucket: bucket, header: r.Header.Clone()})
	if op == "AbortMultipartUpload" {
		if p.aborted == nil {
			p.aborted = map[string]bool{}
		}
		p.aborted[r.URL.Query().Get("uploadId")] = true
	}
	f := fault("")
	if index == p.faultAt {
		f = p.fault
	}
	hook := p.beforeOp[op]
	delete(p.beforeOp, op)
	deny := p.denied[op+" "+bucket] || !p.ownersAsExpected(r, bucket)
	p.mu.Unlock()
	if hook != nil {
		hook()
	}
	if deny {
		s3Error(w, 403, "AccessDenied", "Access Denied")
		return
	}

	switch f {
	case internalError:
		s3Error(w, 500, "InternalError", "We encountered an internal error. Please try again.")
	case slowDown:
		s3Error(w, 503, "SlowDown", "Please reduce your request rate.")
	case resetBefore:
		reset(w)
	case hang:
		waitForClientToGiveUp(r)
	case resetAfter, hangAfter:
		resp, err := p.forward(r)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		if f == resetAfter {
			reset(w)
		} else {
			waitForClientToGiveUp(r)
		}
	default:
		resp, err := p.forward(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	}
}

// waitForClientToGiveUp holds a request unanswered until the client closes
// the connection. The server notices a closed connection only once the
// request body has been read.
func waitForClientToGiveUp(r *http.Request) {
	io.Copy(io.Discard, r.Body)
	select {
	case <-r.Context().Done():
	case <-time.After(time.Minute):
	}
}

// ownersAsExpected is S3's bucket owner condition: a request that names an
// expected owner of its bucket, or of its copy source's bucket, other than
// the owner, is refused. A request that names none passes, as on S3.
func (p *faultProxy) ownersAsExpected(r *http.Request, bucket string) bool {
	if expected := r.Header.Get(headerExpectedOwner); expected != "" && expected != p.owners[bucket] {
		return false
	}
	source, _, _ := strings.Cut(strings.TrimPrefix(r.Header.Get("X-Amz-Copy-Source"), "/"), "/")
	if expected := r.Header.Get(headerExpectedSourceOwner); expected != "" && expected != p.owners[source] {
		return false
	}
	return true
}

// The headers of S3's bucket owner condition.
const (
	headerExpectedOwner       = "X-Amz-Expected-Bucket-Owner"
	headerExpectedSourceOwner = "X-Amz-Source-Expected-Bucket-Owner"
)

func (p *faultProxy) forward(r *http.Request) (*http.Response, error) {
	out := r.Clone(context.WithoutCancel(r.Context()))
	out.RequestURI = ""
	out.URL.Scheme, out.URL.Host = p.target.Scheme, p.target.Host
	return http.DefaultTransport.RoundTrip(out)
}

func s3Error(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message><RequestId>fault</RequestId></Error>`, code, message)
}

// reset closes the client's connection with a TCP RST.
func reset(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	conn.(*net.TCPConn).SetLinger(0)
	conn.Close()
}

// operation names the S3 API call an HTTP request makes.
func operation(r *http.Request) string {
	q := r.URL.Query()
	copying := r.Header.Get("X-Amz-Copy-Source") != ""
	switch {
	case r.Method == http.MethodHead:
		return "HeadObject"
	case r.Method == http.MethodPut && copying && q.Has("uploadId"):
		return "UploadPartCopy"
	case r.Method == http.MethodPut && copying:
		return "CopyObject"
	case r.Method == http.MethodPost && q.Has("uploads"):
		return "CreateMultipartUpload"
	case r.Method == http.MethodPost && q.Has("uploadId"):
		return "CompleteMultipartUpload"
	case r.Method == http.MethodDelete && q.Has("uploadId"):
		return "AbortMultipartUpload"
	case r.Method == http.MethodDelete:
		return "DeleteObject"
	case r.Method == http.MethodGet && q.Get("list-type") == "2":
		return "ListObjectsV2"
	}
	return r.Method + " " + r.URL.Path
}

// TestEveryFailedAttemptKeepsTheObject injects each kind of fault into each
// request of a move, small and multipart, with the SDK's retries off so that
// every fault fails the attempt. After each failed attempt the object must
// be whole in the source or the destination (or both), never neither, and
// a second attempt must complete the move. Every request of every attempt,
// the aborts of failed multipart copies included, must name its bucket's
// owner.
func TestEveryFailedAttemptKeepsTheObject(t *testing.T) {
	w := newWorld(t)
	proxy, m, _ := w.moverThroughProxy(map[string]string{
		"AWS_MAX_ATTEMPTS":          "1",
		"MULTIPART_THRESHOLD_BYTES": fmt.Sprint(5 * MiB),
		"MULTIPART_PART_BYTES":      fmt.Sprint(5 * MiB),
	}, func(c *Config) { c.ResponseHeaderTimeout = 2 * time.Second })
	ctx := context.Background()
	namedOwner := map[string]bool{} // "op bucket" of every request checked

	for _, size := range []int{1234, 12*MiB + 7} {
		key := fmt.Sprintf("%s/fault/%d bytes.bin", dataset, size)
		body := randomBytes(size)
		obj := Object{Bucket: exportBucket, Key: key, Size: int64(size)}
		fresh := func() {
			w.direct.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(recipientBucket), Key: &key})
			w.put(key, body, "application/octet-stream", map[string]string{"k": "v"})
		}

		// A clean move tells which requests a move makes.
		fresh()
		_, source, _ := w.get(exportBucket, key)
		proxy.arm(-1, "")
		if r := m.Move(ctx, obj); r.Err != nil {
			t.Fatalf("clean move of %d bytes: %v", size, r.Err)
		}
		clean := proxy.recorded()
		assertPinned(t, clean, aws.ToString(source.ETag))
		assertOwnersNamed(t, "clean move", clean, namedOwner)

		for at := range clean {
			for _, f := range allFaults {
				name := fmt.Sprintf("%d bytes, %s on request %d (%s)", size, f, at, clean[at].op)
				fresh()
				proxy.arm(at, f)
				first := m.Move(ctx, obj)
				assertOwnersNamed(t, name, proxy.recorded(), namedOwner)
				inSource, inDest := w.holds(exportBucket, key, body), w.holds(recipientBucket, key, body)
				if !inSource && !inDest {
					t.Fatalf("%s: the object is in neither bucket (outcome %s, %v)", name, first.Outcome, first.Err)
				}
				if first.Err == nil && inSource {
					t.Errorf("%s: reported %s but the source is still there", name, first.Outcome)
				}
				if first.Multipart {
					w.assertNoPartsLeft(name, proxy.abortedUpload)
				}
				proxy.arm(-1, "")
				second := m.Move(ctx, obj)
				assertOwnersNamed(t, name+", retry", proxy.recorded(), namedOwner)
				if second.Err != nil {
					t.Errorf("%s: retry failed: %v", name, second.Err)
				}
				if w.holds(exportBucket, key, body) || !w.holds(recipientBucket, key, body) {
					t.Errorf("%s: after the retry (outcome %s) the object is not moved", name, second.Outcome)
				}
			}
		}
	}
	// Each request a move makes to the recipient was among those checked.
	for _, op := range []string{"HeadObject", "CopyObject", "CreateMultipartUpload", "UploadPartCopy", "CompleteMultipartUpload", "AbortMultipartUpload"} {
		if !namedOwner[op+" "+recipientBucket] {
			t.Errorf("no %s to the recipient was checked for its expected owner (checked: %v)", op, slices.Sorted(maps.Keys(namedOwner)))
		}
	}
}

// assertPinned checks every copy request carries the source's ETag as
// x-amz-copy-source-if-match, and the delete as If-Match. moto ignores the
// copy condition, so this is the check that the mover asks S3 for it.
func assertPinned(t *testing.T, requests []request, etag string) {
	t.Helper()
	copies := 0
	for _, r := range requests {
		pin := ""
		switch r.op {
		case "CopyObject", "UploadPartCopy":
			copies++
			pin = r.header.Get("X-Amz-Copy-Source-If-Match")
		case "DeleteObject":
			pin = r.header.Get("If-Match")
		default:
			continue
		}
		if pin != etag {
			t.Errorf("%s pinned to %q; want the source's ETag %s", r.op, pin, etag)
		}
	}
	if copies == 0 {
		t.Errorf("no copy request among %v", requests)
	}
}

// assertOwnersNamed checks every request names its bucket's owner as the
// expected bucket owner (the recipient's account on requests to the
// recipient, ours on requests to the export bucket), and every copy names
// the export bucket's owner as the expected source owner. It adds the
// "op bucket" of each request to checked.
func assertOwnersNamed(t *testing.T, label string, requests []request, checked map[string]bool) {
	t.Helper()
	want := map[string]string{recipientBucket: recipientAccount, exportBucket: ownerAccount}
	for _, r := range requests {
		checked[r.op+" "+r.bucket] = true
		if got := r.header.Get(headerExpectedOwner); got != want[r.bucket] {
			t.Errorf("%s: %s to %s has %s %q; want %q", label, r.op, r.bucket, headerExpectedOwner, got, want[r.bucket])
		}
		copying := r.op == "CopyObject" || r.op == "UploadPartCopy"
		if got := r.header.Get(headerExpectedSourceOwner); copying && got != ownerAccount {
			t.Errorf("%s: %s has %s %q; want the export bucket's owner %q", label, r.op, headerExpectedSourceOwner, got, ownerAccount)
		}
	}
}

// holds reports whether bucket has key with exactly body.
func (w *world) holds(bucket, key string, body []byte) bool {
	got, _, ok := w.get(bucket, key)
	return ok && bytes.Equal(got, body)
}

// assertNoPartsLeft checks a failed multipart copy left no copied parts in
// the recipient's bucket that the mover did not abort, then removes what is
// left. An upload may remain with no parts (no data, no cost) when the
// answer to CreateMultipartUpload was lost, so the mover never learnt its
// id.
//
// A part copy whose request the mover gave up on can still be running inside
// moto when the mover aborts (S3 documents the same: parts in flight may
// complete after an abort), and moto then keeps parts of, or cannot list
// (500), an upload the mover did abort; and when the injected fault hits
// the abort request itself, the upload stays (the mover's error names it).
// What the mover must do is send the abort; so parts left on an upload it
// sent one for are logged, and parts on one it never aborted fail the test.
func (w *world) assertNoPartsLeft(label string, aborted func(uploadID string) bool) {
	w.t.Helper()
	ctx := context.Background()
	var lastErr error
	for attempt := 0; attempt < 10; attempt++ {
		if lastErr = w.checkNoPartsLeft(ctx, label, aborted); lastErr == nil {
			return
		}
		time.Sleep(300 * time.Millisecond)
	}
	w.t.Fatalf("%s: listing the recipient's multipart uploads: %v", label, lastErr)
}

func (w *world) checkNoPartsLeft(ctx context.Context, label string, aborted func(uploadID string) bool) error {
	out, err := w.direct.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(recipientBucket)})
	if err != nil {
		return err
	}
	for _, u := range out.Uploads {
		id := aws.ToString(u.UploadId)
		parts, err := w.direct.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(recipientBucket), Key: u.Key, UploadId: u.UploadId})
		switch {
		case err != nil && !(isStatus(err, 500) && aborted(id)):
			return err
		case err != nil:
			w.t.Logf("%s: moto cannot list the parts of upload %s, which the mover aborted while a part copy was still running in moto", label, id)
		case len(parts.Parts) > 0 && aborted(id):
			w.t.Logf("%s: moto kept %d parts of upload %s after the mover aborted it, while part copies were still running in moto", label, len(parts.Parts), id)
		case len(parts.Parts) > 0:
			w.t.Errorf("%s: a multipart upload with %d copied parts was not aborted", label, len(parts.Parts))
		}
		w.direct.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(recipientBucket), Key: u.Key, UploadId: u.UploadId})
	}
	return nil
}

// TestSDKRetriesTransientFaults: with the SDK's default retries a single
// 503 SlowDown costs one more request and nothing else; the log counts it.
func TestSDKRetriesTransientFaults(t *testing.T) {
	w := newWorld(t)
	proxy, m, logs := w.moverThroughProxy(nil, nil)
	key := dataset + "/retried.csv"
	w.put(key, []byte("retry me"), "text/csv", nil)
	proxy.arm(1, slowDown) // the CopyObject
	if r := m.Move(context.Background(), Object{Bucket: exportBucket, Key: key, Size: 8}); r.Err != nil {
		t.Fatal(r.Err)
	}
	if line := logs.lines(t)[key]; line.Outcome != string(Moved) || line.S3Requests != 5 {
		t.Errorf("log = %+v; want moved in 5 requests (4 and one retry)", line)
	}
	w.assertMoved(key, []byte("retry me"), "text/csv", nil)
}

// TestSourceReplacedDuringMoveIsKept: when a user uploads the key again
// while it is being moved, the pinned delete leaves the new upload for its
// own event.
func TestSourceReplacedDuringMoveIsKept(t *testing.T) {
	w := newWorld(t)
	proxy, m, _ := w.moverThroughProxy(nil, nil)
	key := dataset + "/replaced.csv"
	w.put(key, []byte("version one"), "text/csv", nil)
	proxy.mu.Lock()
	proxy.beforeOp = map[string]func(){"DeleteObject": func() { w.put(key, []byte("version two"), "text/csv", nil) }}
	proxy.mu.Unlock()

	r := m.Move(context.Background(), Object{Bucket: exportBucket, Key: key, Size: 11})
	if r.Err != nil || r.Outcome != Copied || !strings.Contains(r.Note, "replaced") {
		t.Fatalf("Move = %s (%s), %v; want copied with a note", r.Outcome, r.Note, r.Err)
	}
	if !w.holds(recipientBucket, key, []byte("version one")) || !w.holds(exportBucket, key, []byte("version two")) {
		t.Error("want version one delivered and version two still in the export bucket")
	}
}

// TestRecipientThatGrantsOnlyWrites: when the recipient's policy does not
// let the mover read the copy back, the move relies on S3's answers to the
// copy, and says so in the log line.
func TestRecipientThatGrantsOnlyWrites(t *testing.T) {
	w := newWorld(t)
	proxy, m, _ := w.moverThroughProxy(map[string]string{
		"MULTIPART_THRESHOLD_BYTES": fmt.Sprint(5 * MiB),
		"MULTIPART_PART_BYTES":      fmt.Sprint(5 * MiB),
	}, nil)
	proxy.mu.Lock()
	proxy.denied = map[string]bool{"HeadObject " + recipientBucket: true}
	proxy.mu.Unlock()
	for _, size := range []int{10, 11 * MiB} {
		key := fmt.Sprintf("%s/write-only/%d.bin", dataset, size)
		body := randomBytes(size)
		w.put(key, body, "application/octet-stream", nil)
		r := m.Move(context.Background(), Object{Bucket: exportBucket, Key: key, Size: int64(size)})
		if r.Err != nil || r.Outcome != Moved || r.Note != notReadable {
			t.Errorf("%d bytes: Move = %s (%q), %v; want moved with the note", size, r.Outcome, r.Note, r.Err)
		}
		w.assertMoved(key, body, "application/octet-stream", nil)
	}
}

// TestSourceThatAnswers403WhenGone: with s3:ListBucket limited to its own
// prefix, the mover hears 403 for a source key that is gone. It must still
// treat a redelivery as a no-op, and a real refusal as a failure that keeps
// the object.
func TestSourceThatAnswers403WhenGone(t *testing.T) {
	w := newWorld(t)
	proxy, m, _ := w.moverThroughProxy(nil, nil)
	key := dataset + "/listed-only/daily.csv"
	body := []byte("a,b\n")
	w.put(key, body, "text/csv", nil)
	obj := Object{Bucket: exportBucket, Key: key, Size: int64(len(body))}
	if r := m.Move(context.Background(), obj); r.Err != nil || r.Outcome != Moved {
		t.Fatalf("first delivery = %s, %v; want moved", r.Outcome, r.Err)
	}
	proxy.mu.Lock()
	proxy.denied = map[string]bool{"HeadObject " + exportBucket: true}
	proxy.mu.Unlock()
	if r := m.Move(context.Background(), obj); r.Err != nil || r.Outcome != AlreadyMoved {
		t.Errorf("redelivery behind a 403 = %s, %v; want already_moved", r.Outcome, r.Err)
	}

	present := dataset + "/listed-only/refused.csv"
	w.put(present, body, "text/csv", nil)
	r := m.Move(context.Background(), Object{Bucket: exportBucket, Key: present, Size: int64(len(body))})
	if r.Err == nil || !strings.Contains(r.Err.Error(), "s3:GetObject") {
		t.Errorf("readable-by-list but refused source = %s, %v; want a failure naming s3:GetObject", r.Outcome, r.Err)
	}
	if _, _, ok := w.get(exportBucket, present); !ok {
		t.Error("the refused source was not kept")
	}
	checked := map[string]bool{}
	assertOwnersNamed(t, "moves behind a 403", proxy.recorded(), checked)
	if !checked["ListObjectsV2 "+exportBucket] {
		t.Error("no listing of the export bucket was checked for its expected owner")
	}
}

// TestRecipientOwnedByAnotherAccount: when the recipient's bucket is owned
// by an account other than the dataset's bucket_account (say the recipient
// deleted it and someone else registered the name), S3 refuses every
// request to it, so the move fails, nothing is delivered, and the source is
// kept for a later delivery. The fault proxy refuses as S3 does, since moto
// does not check owners (see faultProxy).
func TestRecipientOwnedByAnotherAccount(t *testing.T) {
	w := newWorld(t)
	_, m, logs := w.moverThroughProxy(map[string]string{
		naming.EnvDestinationAccount: otherAccount,
		"MULTIPART_THRESHOLD_BYTES":  fmt.Sprint(5 * MiB),
		"MULTIPART_PART_BYTES":       fmt.Sprint(5 * MiB),
	}, nil)
	for _, size := range []int{10, 11 * MiB} {
		key := fmt.Sprintf("%s/another-owner/%d.bin", dataset, size)
		body := randomBytes(size)
		w.put(key, body, "application/octet-stream", nil)
		r := m.Move(context.Background(), Object{Bucket: exportBucket, Key: key, Size: int64(size)})
		if r.Outcome != Failed || r.Err == nil || !strings.Contains(r.Err.Error(), "AccessDenied") ||
			!strings.Contains(r.Err.Error(), "not owned by DESTINATION_ACCOUNT "+otherAccount) {
			t.Errorf("%d bytes: Move = %s, %v; want failed with AccessDenied, naming DESTINATION_ACCOUNT", size, r.Outcome, r.Err)
		}
		if !w.holds(exportBucket, key, body) {
			t.Errorf("%d bytes: the source was not kept", size)
		}
		if _, _, delivered := w.get(recipientBucket, key); delivered {
			t.Errorf("%d bytes: delivered to a bucket owned by another account", size)
		}
		if line := logs.lines(t)[key]; line.Outcome != string(Failed) || line.Error == "" {
			t.Errorf("%d bytes: log %+v; want outcome failed with the error", size, line)
		}
	}
	uploads, err := w.direct.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: aws.String(recipientBucket)})
	if err != nil || len(uploads.Uploads) != 0 {
		t.Errorf("multipart uploads started in the bucket of another account: %v, %v", uploads.Uploads, err)
	}
}
