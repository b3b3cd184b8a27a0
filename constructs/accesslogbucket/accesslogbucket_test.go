package accesslogbucket_test

import (
	"fmt"
	"testing"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/ministryofjustice/data-engineering-exports/constructs/accesslogbucket"
	"github.com/ministryofjustice/data-engineering-exports/constructs/securebucket"
	"github.com/ministryofjustice/data-engineering-exports/naming"
	"github.com/ministryofjustice/data-engineering-exports/testsupport/synthtest"
)

func TestMain(m *testing.M) { synthtest.Main(m) }

// TestLogBucket: private, SSE-S3, owned, never destroyed by a plan, every
// log expired after the retention period; its policy lets S3's log delivery,
// and nothing else, write each source bucket's logs under that bucket's
// prefix, for buckets of the account only; TLS denies as every bucket.
func TestLogBucket(t *testing.T) {
	var target string
	stack := synthtest.Synth(t, func(scope constructs.Construct) {
		logs := accesslogbucket.New(scope, "access_log_bucket", accesslogbucket.Config{
			Name:      "mojap-hub-exports-access-logs",
			AccountID: jsii.String("123456789012"),
			Sources:   []string{"mojap-hub-exports", "mojap-tribunal-outcomes"},
		})
		target = logs.AccessLogs().Bucket
	})
	if target != "mojap-hub-exports-access-logs" {
		t.Errorf("sources send their logs to %s", target)
	}
	// No force_destroy: the whole resource is its name and prevent_destroy.
	stack.AssertResource(t, "aws_s3_bucket", "shared-access_log_bucket", map[string]any{
		"bucket":    "mojap-hub-exports-access-logs",
		"lifecycle": map[string]any{"prevent_destroy": true},
	})
	stack.AssertResource(t, "aws_s3_bucket_public_access_block", "shared-access_log_bucket_public_access_block", map[string]any{
		"bucket":                  "${aws_s3_bucket.shared-access_log_bucket.id}",
		"block_public_acls":       true,
		"block_public_policy":     true,
		"ignore_public_acls":      true,
		"restrict_public_buckets": true,
	})
	// SSE-S3: S3 delivers access logs only to buckets encrypted so (not
	// SSE-KMS).
	stack.AssertResource(t, "aws_s3_bucket_server_side_encryption_configuration", "shared-access_log_bucket_encryption", map[string]any{
		"bucket": "${aws_s3_bucket.shared-access_log_bucket.id}",
		"rule":   []any{map[string]any{"apply_server_side_encryption_by_default": map[string]any{"sse_algorithm": "AES256"}}},
	})
	stack.AssertResource(t, "aws_s3_bucket_ownership_controls", "shared-access_log_bucket_ownership", map[string]any{
		"bucket": "${aws_s3_bucket.shared-access_log_bucket.id}",
		"rule":   map[string]any{"object_ownership": "BucketOwnerEnforced"},
	})
	stack.AssertResource(t, "aws_s3_bucket_lifecycle_configuration", "shared-access_log_bucket_lifecycle", map[string]any{
		"bucket": "${aws_s3_bucket.shared-access_log_bucket.id}",
		"rule": []any{
			synthtest.WholeBucketRule("abort-incomplete-multipart-uploads", map[string]map[string]any{"abort_incomplete_multipart_upload": {"days_after_initiation": 7}}),
			synthtest.WholeBucketRule("expire-objects", map[string]map[string]any{"expiration": {"days": 400}}),
		},
	})
	for _, resourceType := range []string{"aws_s3_bucket_versioning", "aws_s3_bucket_logging"} {
		if found := stack.Resources(resourceType); len(found) != 0 {
			t.Errorf("the log bucket has %s %v", resourceType, found)
		}
	}
	if n := stack.Count(); n != 6 {
		t.Errorf("%d resources, want 6 (bucket, public access block, encryption, ownership, policy, lifecycle)", n)
	}

	// The whole document as S3 receives it: the grants name the one
	// service principal and the one resource as plain strings (see
	// iampolicy.Statement.SingleAsString).
	grant := func(source string) string {
		return `{"Sid":"AccessLogs-` + source + `","Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":["s3:PutObject"],` +
			`"Resource":"arn:aws:s3:::mojap-hub-exports-access-logs/` + source + `/*",` +
			`"Condition":{"ArnEquals":{"aws:SourceArn":["arn:aws:s3:::` + source + `"]},"StringEquals":{"aws:SourceAccount":["123456789012"]}}}`
	}
	everything := `["arn:aws:s3:::mojap-hub-exports-access-logs","arn:aws:s3:::mojap-hub-exports-access-logs/*"]`
	want := `{"Version":"2012-10-17","Statement":[` + grant("mojap-hub-exports") + `,` + grant("mojap-tribunal-outcomes") + `,` +
		`{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":{"AWS":["*"]},"Action":["s3:*"],"Resource":` + everything + `,"Condition":{"Bool":{"aws:SecureTransport":["false"]}}},` +
		`{"Sid":"DenyOutdatedTLS","Effect":"Deny","Principal":{"AWS":["*"]},"Action":["s3:*"],"Resource":` + everything + `,"Condition":{"NumericLessThan":{"s3:TlsVersion":["1.2"]}}}]}`
	if got := stack.Resource(t, "aws_s3_bucket_policy", "shared-access_log_bucket_policy")["policy"]; got != want {
		t.Errorf("log bucket policy:\n got %s\nwant %s", got, want)
	}
}

// TestPolicyRoom: S3 refuses a bucket policy over 20 KB, and the log
// bucket's grows by a grant per logged bucket. It holds the export bucket
// and 40 pull buckets whose names are as long as allowed, or 50 of a more
// usual 30 characters (the README's figures).
func TestPolicyRoom(t *testing.T) {
	for _, c := range []struct{ pulls, nameLength int }{{40, 63}, {50, 30}} {
		sources := []string{naming.ExportBucket}
		for i := range c.pulls {
			sources = append(sources, fmt.Sprintf("mojap-%0*d", c.nameLength-len("mojap-"), i))
		}
		policy := securebucket.Policy(naming.AccessLogBucket, accesslogbucket.DeliveryStatements(naming.AccessLogBucket, "123456789012", sources)).JSON()
		if len(policy) > 20*1024 {
			t.Errorf("%d pull buckets of %d-character names: the log bucket's policy has %d bytes, over S3's 20 KB", c.pulls, c.nameLength, len(policy))
		}
	}
}
