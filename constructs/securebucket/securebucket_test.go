package securebucket_test

import (
	"testing"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/ministryofjustice/data-engineering-exports/constructs/iampolicy"
	"github.com/ministryofjustice/data-engineering-exports/constructs/securebucket"
	"github.com/ministryofjustice/data-engineering-exports/testsupport/synthtest"
)

func TestMain(m *testing.M) { synthtest.Main(m) }

func logicalID(part string) string { return "test-" + part }

// abortRule is in every bucket's lifecycle.
var abortRule = synthtest.WholeBucketRule("abort-incomplete-multipart-uploads",
	map[string]map[string]any{"abort_incomplete_multipart_upload": {"days_after_initiation": 7}})

func TestBucketIsPrivateEncryptedAndOwned(t *testing.T) {
	reader := iampolicy.Statement{
		Sid:       "Read",
		Effect:    iampolicy.Allow,
		Principal: map[string][]string{"AWS": {"arn:aws:iam::111122223333:role/reader"}},
		Action:    []string{"s3:GetObject"},
		Resource:  []string{"arn:aws:s3:::test-bucket/*"},
	}
	stack := synthtest.Synth(t, func(scope constructs.Construct) {
		logs := securebucket.New(constructs.NewConstruct(scope, jsii.String("logs")), securebucket.Config{
			Name: "test-logs", LogicalID: func(part string) string { return "logs-" + part },
		})
		securebucket.New(scope, securebucket.Config{
			Name:                  "test-bucket",
			LogicalID:             logicalID,
			Versioning:            true,
			NoncurrentVersionDays: 30,
			Statements:            []iampolicy.Statement{reader},
			AccessLogs:            &securebucket.AccessLogs{Bucket: "test-logs", Grant: logs.Policy},
		})
	})
	bucket := stack.Resource(t, "aws_s3_bucket", "test-bucket")
	if bucket["bucket"] != "test-bucket" {
		t.Errorf("bucket name = %v", bucket["bucket"])
	}
	if _, set := bucket["force_destroy"]; set {
		t.Error("force_destroy is set: removing a dataset could delete its data")
	}
	if lifecycle, _ := bucket["lifecycle"].(map[string]any); lifecycle["prevent_destroy"] != true {
		t.Errorf("lifecycle = %v; want prevent_destroy, so no plan can destroy a bucket", bucket["lifecycle"])
	}
	stack.HasResourceWithProperties(t, "aws_s3_bucket_public_access_block", map[string]any{
		"bucket":                  "${aws_s3_bucket.test-bucket.id}",
		"block_public_acls":       true,
		"block_public_policy":     true,
		"ignore_public_acls":      true,
		"restrict_public_buckets": true,
	})
	stack.HasResourceWithProperties(t, "aws_s3_bucket_server_side_encryption_configuration", map[string]any{
		"bucket": "${aws_s3_bucket.test-bucket.id}",
		"rule":   []any{map[string]any{"apply_server_side_encryption_by_default": map[string]any{"sse_algorithm": "AES256"}}},
	})
	stack.HasResourceWithProperties(t, "aws_s3_bucket_ownership_controls", map[string]any{
		"bucket": "${aws_s3_bucket.test-bucket.id}",
		"rule":   map[string]any{"object_ownership": "BucketOwnerEnforced"},
	})
	stack.HasResourceWithProperties(t, "aws_s3_bucket_versioning", map[string]any{
		"bucket":                   "${aws_s3_bucket.test-bucket.id}",
		"versioning_configuration": map[string]any{"status": "Enabled"},
	})
	for resourceType, id := range map[string]string{
		"aws_s3_bucket_public_access_block":                  "test-bucket_public_access_block",
		"aws_s3_bucket_server_side_encryption_configuration": "test-bucket_encryption",
		"aws_s3_bucket_ownership_controls":                   "test-bucket_ownership",
		"aws_s3_bucket_versioning":                           "test-bucket_versioning",
		"aws_s3_bucket_policy":                               "test-bucket_policy",
		"aws_s3_bucket_lifecycle_configuration":              "test-bucket_lifecycle",
		"aws_s3_bucket_logging":                              "test-bucket_logging",
	} {
		stack.Resource(t, resourceType, id)
	}
	// The log bucket has 6 (no versioning, no logging of its own).
	if n := stack.Count(); n != 8+6 {
		t.Errorf("%d resources, want 8 (bucket, public access block, encryption, ownership, versioning, policy, lifecycle, logging) and the log bucket's 6", n)
	}

	// Incomplete uploads are aborted and earlier versions expire, over the
	// whole bucket, once versioning is on.
	stack.AssertResource(t, "aws_s3_bucket_lifecycle_configuration", "test-bucket_lifecycle", map[string]any{
		"bucket": "${aws_s3_bucket.test-bucket.id}",
		"rule": []any{
			abortRule,
			synthtest.WholeBucketRule("expire-noncurrent-versions", map[string]map[string]any{
				"noncurrent_version_expiration": {"noncurrent_days": 30},
				"expiration":                    {"expired_object_delete_marker": true},
			}),
		},
		"depends_on": []any{"aws_s3_bucket_versioning.test-bucket_versioning"},
	})
	// Access logs go under the bucket's own prefix, once the log bucket's
	// policy lets S3 deliver them.
	stack.AssertResource(t, "aws_s3_bucket_logging", "test-bucket_logging", map[string]any{
		"bucket":        "${aws_s3_bucket.test-bucket.id}",
		"target_bucket": "test-logs",
		"target_prefix": "test-bucket/",
		"depends_on":    []any{"aws_s3_bucket_policy.logs-bucket_policy"},
	})

	policy := stack.Resource(t, "aws_s3_bucket_policy", "test-bucket_policy")
	if deps, _ := policy["depends_on"].([]any); len(deps) != 1 || deps[0] != "aws_s3_bucket_public_access_block.test-bucket_public_access_block" {
		t.Errorf("policy depends_on = %v, want the public access block (S3 rejects concurrent changes)", policy["depends_on"])
	}
	everything := []string{"arn:aws:s3:::test-bucket", "arn:aws:s3:::test-bucket/*"}
	anyone := map[string][]string{"AWS": {"*"}}
	synthtest.AssertPolicy(t, "bucket policy", stack.Policy(t, "aws_s3_bucket_policy", "test-bucket_policy", "policy"), iampolicy.Document{
		Version: "2012-10-17",
		Statement: []iampolicy.Statement{
			reader,
			{
				Sid: "DenyInsecureTransport", Effect: "Deny", Principal: anyone, Action: []string{"s3:*"}, Resource: everything,
				Condition: iampolicy.Condition{"Bool": {"aws:SecureTransport": {"false"}}},
			},
			{
				Sid: "DenyOutdatedTLS", Effect: "Deny", Principal: anyone, Action: []string{"s3:*"}, Resource: everything,
				Condition: iampolicy.Condition{"NumericLessThan": {"s3:TlsVersion": {"1.2"}}},
			},
		},
	})
}

func TestVersioningAndLoggingOnlyWhenAsked(t *testing.T) {
	stack := synthtest.Synth(t, func(scope constructs.Construct) {
		securebucket.New(scope, securebucket.Config{Name: "test-bucket", LogicalID: logicalID})
	})
	if versioning := stack.Resources("aws_s3_bucket_versioning"); len(versioning) != 0 {
		t.Errorf("versioning without Versioning: %v", versioning)
	}
	if logging := stack.Resources("aws_s3_bucket_logging"); len(logging) != 0 {
		t.Errorf("logging without AccessLogs: %v", logging)
	}
	// Every bucket aborts incomplete uploads, whatever else it asks.
	stack.AssertResource(t, "aws_s3_bucket_lifecycle_configuration", "test-bucket_lifecycle", map[string]any{
		"bucket": "${aws_s3_bucket.test-bucket.id}",
		"rule":   []any{abortRule},
	})
	// The TLS denies are there even with no statements of the caller's.
	doc := stack.Policy(t, "aws_s3_bucket_policy", "test-bucket_policy", "policy")
	if len(doc.Statement) != 2 || doc.Statement[0].Sid != "DenyInsecureTransport" || doc.Statement[1].Sid != "DenyOutdatedTLS" {
		t.Errorf("policy without caller statements = %s", doc.JSON())
	}
}

// TestExpiration: a retention period expires every object, besides aborting
// incomplete uploads.
func TestExpiration(t *testing.T) {
	stack := synthtest.Synth(t, func(scope constructs.Construct) {
		securebucket.New(scope, securebucket.Config{Name: "test-bucket", LogicalID: logicalID, ExpirationDays: 400})
	})
	stack.AssertResource(t, "aws_s3_bucket_lifecycle_configuration", "test-bucket_lifecycle", map[string]any{
		"bucket": "${aws_s3_bucket.test-bucket.id}",
		"rule": []any{
			abortRule,
			synthtest.WholeBucketRule("expire-objects", map[string]map[string]any{"expiration": {"days": 400}}),
		},
	})
}
