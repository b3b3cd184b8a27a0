// Package move is the mover: it copies each object pushed to the export
// bucket into the recipient's bucket, verifies the copy, and only then
// deletes the source. It is plain Go over the AWS SDK, so tests run it
// directly against the moto emulator; functions/mover/main.go only wires it
// to the Lambda runtime or to the operator's command line.
package move

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// S3 limits that bound the multipart settings.
const (
	MiB = 1 << 20
	GiB = 1 << 30

	// MaxSingleCopyBytes is the largest object one CopyObject can copy.
	MaxSingleCopyBytes = 5 * GiB
	// MinPartBytes and MaxPartBytes bound an UploadPartCopy part (except
	// the last, which may be smaller).
	MinPartBytes = 5 * MiB
	MaxPartBytes = 5 * GiB
	// MaxParts is the most parts one multipart upload may have.
	MaxParts = 10000
)

// Defaults, and why (docs/mover.md; the measurements are in docs/figures.md).
const (
	// DefaultMultipartThreshold: objects smaller than this are copied by one
	// CopyObject (4 S3 requests per move); larger ones by parallel parts,
	// which finish sooner once an object takes S3 seconds to copy.
	DefaultMultipartThreshold = 256 * MiB
	// DefaultPartBytes: large enough that part requests stay few (a 5 GiB
	// object is 40 parts), small enough that a failed part is cheap to redo.
	// Objects above MaxParts*DefaultPartBytes (1.25 TiB) get larger parts.
	DefaultPartBytes = 128 * MiB
	// DefaultConcurrency: parts copied at once. S3 copies inside its own
	// network, so the mover only waits; 16 requests in flight is far below
	// S3's per-prefix limit of 3,500 writes per second.
	DefaultConcurrency = 16
	// DefaultResponseHeaderTimeout: how long one S3 request may go without
	// response headers before it is retried. S3 answers a copy with its
	// headers at once and keeps the body open while it copies.
	DefaultResponseHeaderTimeout = 2 * time.Minute
)

// Config is the mover's configuration: in Lambda and on the command line it
// comes from the environment (see FromEnv).
type Config struct {
	// DestinationBucket is the recipient's bucket (DESTINATION_BUCKET).
	DestinationBucket string
	// DestinationAccount owns DestinationBucket (DESTINATION_ACCOUNT): every
	// request to that bucket names it as the expected bucket owner, so that
	// S3 refuses the request (403) when anyone else owns a bucket of that
	// name, such as whoever registered it after the recipient deleted theirs.
	DestinationAccount string
	// SourceAccount owns the export bucket (SOURCE_ACCOUNT): the expected
	// owner of every request to it, and the expected source owner of every
	// copy.
	SourceAccount string
	// KeepFiles copies and leaves the source in place (KEEP_FILES).
	KeepFiles bool
	// MultipartThreshold: objects of at least this many bytes are copied in
	// parts (MULTIPART_THRESHOLD_BYTES).
	MultipartThreshold int64
	// PartBytes is the preferred part size (MULTIPART_PART_BYTES); it grows
	// for objects that would otherwise need more than MaxParts parts.
	PartBytes int64
	// Concurrency is how many parts are copied at once
	// (MULTIPART_CONCURRENCY), and how many objects a sweep moves at once.
	Concurrency int
	// DatasetName is the dataset this mover delivers (DATASET_NAME): keys
	// outside DatasetName/ are refused, and it names the dataset in logs.
	// When empty (allowed in Lambda only), any key is moved and its first
	// path segment names the dataset in logs.
	DatasetName string
	// Endpoint, when set, replaces the S3 endpoint and switches to
	// path-style addressing (AWS_ENDPOINT_URL), e.g. for moto.
	Endpoint string
	// MaxAttempts is how many times the SDK tries each request; 0 keeps
	// the SDK's default (AWS_MAX_ATTEMPTS, else 3).
	MaxAttempts int
	// ResponseHeaderTimeout bounds the wait for one response's headers.
	ResponseHeaderTimeout time.Duration
}

// FromEnv reads the configuration from environment variables through
// getenv (os.Getenv in production). Every error names the variable and what
// to write instead.
func FromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		DestinationBucket:     strings.TrimSpace(getenv(naming.EnvDestinationBucket)),
		DestinationAccount:    strings.TrimSpace(getenv(naming.EnvDestinationAccount)),
		SourceAccount:         strings.TrimSpace(getenv(naming.EnvSourceAccount)),
		DatasetName:           strings.TrimSpace(getenv(naming.EnvDatasetName)),
		Endpoint:              strings.TrimSpace(getenv("AWS_ENDPOINT_URL")),
		MultipartThreshold:    DefaultMultipartThreshold,
		PartBytes:             DefaultPartBytes,
		Concurrency:           DefaultConcurrency,
		ResponseHeaderTimeout: DefaultResponseHeaderTimeout,
	}
	var errs []string
	if c.DestinationBucket == "" {
		errs = append(errs, "DESTINATION_BUCKET is not set: set it to the recipient's bucket name (a name, not an ARN)")
	} else if strings.HasPrefix(c.DestinationBucket, "arn:") || strings.Contains(c.DestinationBucket, "/") {
		errs = append(errs, fmt.Sprintf("DESTINATION_BUCKET is %q: write the bare bucket name, without arn:aws:s3::: or a path", c.DestinationBucket))
	}
	checkAccount := func(name, account, owner string) {
		switch {
		case account == "":
			errs = append(errs, fmt.Sprintf("%s is not set: set it to the 12-digit id of the AWS account that owns %s", name, owner))
		case !naming.IsAccountID(account):
			errs = append(errs, fmt.Sprintf("%s is %q: write the 12-digit id of the AWS account that owns %s", name, account, owner))
		}
	}
	checkAccount(naming.EnvDestinationAccount, c.DestinationAccount, "DESTINATION_BUCKET (the dataset file's bucket_account)")
	checkAccount(naming.EnvSourceAccount, c.SourceAccount, "the export bucket (the account the stack is deployed in)")
	switch v := getenv(naming.EnvKeepFiles); v {
	case "", "false":
	case "true":
		c.KeepFiles = true
	default:
		errs = append(errs, fmt.Sprintf("KEEP_FILES is %q: write true or false", v))
	}
	parseInt := func(name, unit string, min, max int64, into *int64) {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			return
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < min || n > max {
			errs = append(errs, fmt.Sprintf("%s is %q: write a whole number of %s from %d to %d", name, v, unit, min, max))
			return
		}
		*into = n
	}
	parseInt("MULTIPART_THRESHOLD_BYTES", "bytes", 1, MaxSingleCopyBytes, &c.MultipartThreshold)
	parseInt("MULTIPART_PART_BYTES", "bytes", MinPartBytes, MaxPartBytes, &c.PartBytes)
	concurrency := int64(c.Concurrency)
	parseInt("MULTIPART_CONCURRENCY", "parts", 1, 256, &concurrency)
	c.Concurrency = int(concurrency)
	if v := strings.TrimSpace(getenv("AWS_MAX_ATTEMPTS")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			errs = append(errs, fmt.Sprintf("AWS_MAX_ATTEMPTS is %q: write a whole number of at least 1", v))
		}
		c.MaxAttempts = n
	}
	if len(errs) > 0 {
		return Config{}, fmt.Errorf("mover configuration: %s", strings.Join(errs, "; "))
	}
	return c, nil
}

// partBytes is the part size for an object of size bytes: the configured
// size, grown to a whole MiB that keeps the object within MaxParts parts.
func (c Config) partBytes(size int64) int64 {
	part := max(c.PartBytes, MinPartBytes)
	if need := (size + MaxParts - 1) / MaxParts; need > part {
		part = (need + MiB - 1) / MiB * MiB
	}
	return min(part, MaxPartBytes)
}
