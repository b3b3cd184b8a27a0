package move

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Outcome is what happened to one object.
type Outcome string

const (
	// Moved: copied, verified and deleted from the source.
	Moved Outcome = "moved"
	// Copied: copied and verified; the source was kept (KEEP_FILES, or the
	// source was replaced by a newer upload while it was being moved).
	Copied Outcome = "copied"
	// AlreadyMoved: a redelivered event; the source is gone and the
	// destination holds an object of the event's size.
	AlreadyMoved Outcome = "already_moved"
	// Failed: nothing was deleted; the source, if it exists, is in place.
	Failed Outcome = "failed"
)

// Object is one object to move, as an event or a listing names it.
type Object struct {
	Bucket string
	// Key is the decoded key (S3 events carry it URL-encoded).
	Key string
	// Size is the size the event or listing reported; it identifies the
	// object at the destination when the source is already gone.
	Size int64
	// Uploader is the principal that wrote the object, as the S3 event
	// names it (userIdentity.principalId: for a user's role session
	// "AWS:<role id>:<session name>"); empty when a listing found the
	// object.
	Uploader string
	// SourceIP is the address the object was written from
	// (requestParameters.sourceIPAddress of the event); empty when a
	// listing found the object.
	SourceIP string
}

// Result is the record of one move; it is logged as one JSON line.
type Result struct {
	Object
	Outcome    Outcome
	Duration   time.Duration
	S3Requests int64
	Multipart  bool
	Parts      int
	// Note explains an unusual success, e.g. a source replaced mid-move.
	Note string
	Err  error
}

func (r *Result) addNote(note string) {
	switch {
	case note == "":
	case r.Note == "":
		r.Note = note
	default:
		r.Note += "; " + note
	}
}

// Mover moves objects to Config.DestinationBucket.
type Mover struct {
	config Config
	s3     *s3.Client
	log    *slog.Logger
}

// New returns a Mover using client (see NewS3Client) and writing one log
// line per object to log.
func New(c Config, client *s3.Client, log *slog.Logger) *Mover {
	return &Mover{config: c, s3: client, log: log}
}

// Move moves one object and logs the result. Its guarantee: whatever fails,
// the object is at the source, at the destination, or both; the source is
// deleted only after the destination has been checked to hold the same
// bytes.
func (m *Mover) Move(ctx context.Context, obj Object) Result {
	ctx, counter := withRequestCounter(ctx)
	start := time.Now()
	r := m.move(ctx, &obj)
	r.Object = obj
	r.Duration = time.Since(start)
	r.S3Requests = counter.Load()
	if r.Err != nil {
		r.Outcome = Failed
	}
	m.logResult(r)
	return r
}

// source is what HeadObject told us about the object being moved.
type source struct {
	*s3.HeadObjectOutput
	etag string
}

// move does the work of Move; it sets obj.Size to the size found at the
// source.
func (m *Mover) move(ctx context.Context, obj *Object) Result {
	if name := m.config.DatasetName; name != "" && !strings.HasPrefix(obj.Key, name+"/") {
		return Result{Err: fmt.Errorf("key %q is not under %s/: this mover delivers dataset %[2]s only; use the DESTINATION_BUCKET and DATASET_NAME of the dataset the key belongs to", obj.Key, name)}
	}
	head, err := m.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &obj.Bucket, Key: &obj.Key, ExpectedBucketOwner: &m.config.SourceAccount})
	switch {
	case isStatus(err, 404):
		return m.checkAlreadyMoved(ctx, *obj)
	case isStatus(err, 403):
		// The mover may list the export bucket only under its own prefix
		// (least privilege), so S3 answers 403, not 404, for a key that is
		// gone. A one-key listing, which carries the prefix, tells which.
		if gone, listErr := m.sourceGone(ctx, *obj); listErr == nil && gone {
			return m.checkAlreadyMoved(ctx, *obj)
		}
		return Result{Err: fmt.Errorf("read source s3://%s/%s: %w (the mover role needs s3:GetObject on its prefix, and the bucket must be owned by SOURCE_ACCOUNT %s)", obj.Bucket, obj.Key, err, m.config.SourceAccount)}
	case err != nil:
		return Result{Err: fmt.Errorf("read source s3://%s/%s: %w", obj.Bucket, obj.Key, err)}
	}
	src := source{HeadObjectOutput: head, etag: aws.ToString(head.ETag)}
	size := aws.ToInt64(head.ContentLength)
	obj.Size = size

	var wantETag string
	r := Result{}
	if size >= m.config.MultipartThreshold {
		r.Multipart = true
		wantETag, r.Parts, err = m.copyMultipart(ctx, *obj, src, size)
	} else {
		wantETag, err = m.copySingle(ctx, *obj, src)
	}
	if err != nil {
		r.Err = fmt.Errorf("copy s3://%s/%s to s3://%s/%s: %w (the source is untouched)%s", obj.Bucket, obj.Key, m.config.DestinationBucket, obj.Key, err, m.refusedCopyHint(err))
		return r
	}
	note, err := m.verify(ctx, obj.Key, size, wantETag)
	r.addNote(note)
	if err != nil {
		r.Err = fmt.Errorf("verify s3://%s/%s: %w (the source is kept)", m.config.DestinationBucket, obj.Key, err)
		return r
	}
	if m.config.KeepFiles {
		r.Outcome = Copied
		return r
	}
	var deleteNote string
	r.Outcome, deleteNote, r.Err = m.deleteSource(ctx, *obj, src)
	r.addNote(deleteNote)
	return r
}

// copySingle copies the object with one CopyObject pinned to the ETag the
// source had when we read it, and returns the ETag the destination must
// have.
func (m *Mover) copySingle(ctx context.Context, obj Object, src source) (string, error) {
	out, err := m.s3.CopyObject(ctx, &s3.CopyObjectInput{
		Bucket:                    &m.config.DestinationBucket,
		Key:                       &obj.Key,
		ExpectedBucketOwner:       &m.config.DestinationAccount,
		CopySource:                aws.String(copySource(obj.Bucket, obj.Key)),
		ExpectedSourceBucketOwner: &m.config.SourceAccount,
		CopySourceIfMatch:         &src.etag,
		// COPY keeps content type, user metadata and the other headers.
		MetadataDirective: types.MetadataDirectiveCopy,
		// REPLACE with no tags: copying tags would need tagging permissions
		// on both buckets; tags are the sender's bookkeeping.
		TaggingDirective:     types.TaggingDirectiveReplace,
		ACL:                  types.ObjectCannedACLBucketOwnerFullControl,
		ServerSideEncryption: types.ServerSideEncryptionAes256,
	})
	if err != nil {
		return "", err
	}
	if out.CopyObjectResult == nil || out.CopyObjectResult.ETag == nil {
		return "", errors.New("CopyObject answered without an ETag")
	}
	copied := aws.ToString(out.CopyObjectResult.ETag)
	// A single-part source stored with S3-managed or no encryption has the
	// MD5 of its bytes as ETag, and so has its copy: they must agree.
	if isPlainMD5(src.etag) && (src.ServerSideEncryption == "" || src.ServerSideEncryption == types.ServerSideEncryptionAes256) && copied != src.etag {
		return "", fmt.Errorf("the copy has ETag %s but the source has %s: its bytes differ", copied, src.etag)
	}
	return copied, nil
}

// notReadable notes a move verified by S3's answers to the copy alone.
const notReadable = "the recipient does not let the mover read the copy back (grant s3:GetObject to check it): verified by S3's answers to the copy"

// verify reads the destination back: it must have the source's size and
// the ETag our copy produced (so it is our copy, not an older or newer
// object). A recipient may grant only writes: then the copy's own answers,
// already checked (the ETag S3 reports for what it stored), are the
// evidence, and the returned note says so.
func (m *Mover) verify(ctx context.Context, key string, size int64, etag string) (note string, err error) {
	head, err := m.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &m.config.DestinationBucket, Key: &key, ExpectedBucketOwner: &m.config.DestinationAccount})
	if isStatus(err, 403) {
		return notReadable, nil
	}
	if err != nil {
		return "", err
	}
	if got := aws.ToInt64(head.ContentLength); got != size {
		return "", fmt.Errorf("the destination has %d bytes, the source %d", got, size)
	}
	if got := aws.ToString(head.ETag); got != etag {
		return "", fmt.Errorf("the destination has ETag %s, the copy produced %s", got, etag)
	}
	return "", nil
}

// deleteSource deletes exactly the object that was copied: by version id in
// a versioned bucket, else only while its ETag is unchanged, so an object
// uploaded again during the move is left for its own event.
func (m *Mover) deleteSource(ctx context.Context, obj Object, src source) (Outcome, string, error) {
	in := &s3.DeleteObjectInput{Bucket: &obj.Bucket, Key: &obj.Key, ExpectedBucketOwner: &m.config.SourceAccount}
	if v := aws.ToString(src.VersionId); v != "" && v != "null" {
		in.VersionId = &v
	} else {
		in.IfMatch = &src.etag
	}
	_, err := m.s3.DeleteObject(ctx, in)
	switch {
	case err == nil:
		return Moved, "", nil
	case isStatus(err, 412):
		return Copied, "the source was replaced during the move; the newer object stays for its own event", nil
	case isStatus(err, 404):
		return Moved, "the source was already deleted (a concurrent delivery of the same event)", nil
	default:
		return Failed, "", fmt.Errorf("delete source s3://%s/%s after a verified copy: %w (the object is in both buckets; a retry finishes the move)", obj.Bucket, obj.Key, err)
	}
}

// sourceGone lists the source bucket from the object's key to tell whether
// the key still exists.
func (m *Mover) sourceGone(ctx context.Context, obj Object) (bool, error) {
	out, err := m.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &obj.Bucket, Prefix: &obj.Key, MaxKeys: aws.Int32(1), ExpectedBucketOwner: &m.config.SourceAccount})
	if err != nil {
		return false, err
	}
	// A key sorts before every longer key it is a prefix of.
	return len(out.Contents) == 0 || aws.ToString(out.Contents[0].Key) != obj.Key, nil
}

// checkAlreadyMoved handles a source that is gone: a redelivered event whose
// object the destination already holds succeeds without doing anything.
func (m *Mover) checkAlreadyMoved(ctx context.Context, obj Object) Result {
	dest := m.config.DestinationBucket
	head, err := m.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &dest, Key: &obj.Key, ExpectedBucketOwner: &m.config.DestinationAccount})
	switch {
	case err == nil && aws.ToInt64(head.ContentLength) == obj.Size:
		return Result{Outcome: AlreadyMoved}
	case err == nil:
		return Result{Err: fmt.Errorf("s3://%s/%s is gone and s3://%s/%s has %d bytes, not the %d the event reported: a newer upload of the same key was probably moved after this one; check the recipient has the version they expect",
			obj.Bucket, obj.Key, dest, obj.Key, aws.ToInt64(head.ContentLength), obj.Size)}
	case isStatus(err, 404) || isStatus(err, 403):
		return Result{Err: fmt.Errorf("nothing to move: s3://%s/%s does not exist and s3://%s/%s is absent (or not readable by the mover); it was probably moved by an earlier delivery and then removed by the recipient, or deleted before it could be moved",
			obj.Bucket, obj.Key, dest, obj.Key)}
	default:
		return Result{Err: fmt.Errorf("s3://%s/%s is gone; checking s3://%s/%s failed: %w", obj.Bucket, obj.Key, dest, obj.Key, err)}
	}
}

// refusedCopyHint says, after a copy S3 refused with 403, what to check.
func (m *Mover) refusedCopyHint(err error) string {
	if !isStatus(err, 403) {
		return ""
	}
	return fmt.Sprintf(": S3 refuses a copy when s3://%s is not owned by DESTINATION_ACCOUNT %s (the dataset's bucket_account), when the export bucket is not owned by SOURCE_ACCOUNT %s, or when the recipient's bucket policy does not grant the mover role s3:PutObject",
		m.config.DestinationBucket, m.config.DestinationAccount, m.config.SourceAccount)
}

// copySource is the x-amz-copy-source value: bucket/key, URL-encoded
// except for the slashes.
func copySource(bucket, key string) string {
	escaped := strings.ReplaceAll(url.QueryEscape(bucket+"/"+key), "+", "%20")
	return strings.ReplaceAll(escaped, "%2F", "/")
}

// isPlainMD5 reports whether etag is a single-part ETag (a quoted MD5),
// not a multipart one ("...-N").
func isPlainMD5(etag string) bool {
	return len(etag) == 34 && !strings.Contains(etag, "-")
}

// isStatus reports whether err is an S3 answer with the HTTP status code.
func isStatus(err error, code int) bool {
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == code
}

func (m *Mover) logResult(r Result) {
	dataset := m.config.DatasetName
	if dataset == "" {
		dataset, _, _ = strings.Cut(r.Key, "/")
	}
	attrs := []slog.Attr{
		slog.String("dataset", dataset),
		slog.String("bucket", r.Bucket),
		slog.String("key", r.Key),
		slog.String("destination_bucket", m.config.DestinationBucket),
		slog.Int64("size", r.Size),
		slog.Int64("bytes_per_second", bytesPerSecond(r.Size, r.Duration)),
		slog.Int64("duration_ms", r.Duration.Milliseconds()),
		slog.Int64("s3_requests", r.S3Requests),
		slog.String("outcome", string(r.Outcome)),
		slog.Bool("multipart", r.Multipart),
	}
	if r.Parts > 0 {
		attrs = append(attrs, slog.Int("parts", r.Parts))
	}
	// Who wrote the object and from where: the audit trail from an export
	// back to the person, with the export bucket's access logs.
	if r.Uploader != "" {
		attrs = append(attrs, slog.String("uploader", r.Uploader))
	}
	if r.SourceIP != "" {
		attrs = append(attrs, slog.String("source_ip", r.SourceIP))
	}
	if r.Note != "" {
		attrs = append(attrs, slog.String("note", r.Note))
	}
	level := slog.LevelInfo
	if r.Err != nil {
		level = slog.LevelError
		attrs = append(attrs, slog.String("error", r.Err.Error()))
	}
	m.log.LogAttrs(context.Background(), level, "move", attrs...)
}

func bytesPerSecond(size int64, d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64(float64(size) / d.Seconds())
}
