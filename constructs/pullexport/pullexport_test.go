package pullexport_test

import (
	"reflect"
	"testing"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketpolicy"

	"github.com/ministryofjustice/data-engineering-exports/constructs/federatedreader"
	"github.com/ministryofjustice/data-engineering-exports/constructs/iampolicy"
	"github.com/ministryofjustice/data-engineering-exports/constructs/pullexport"
	"github.com/ministryofjustice/data-engineering-exports/constructs/securebucket"
	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/federation"
	"github.com/ministryofjustice/data-engineering-exports/testsupport/synthtest"
)

func TestMain(m *testing.M) { synthtest.Main(m) }

var readers = []string{"arn:aws:iam::111122223333:role/reader", "arn:aws:iam::754256621582:role/cp-irsa"}

func TestPullBucket(t *testing.T) {
	for _, tc := range []struct {
		name      string
		allowPush bool
		versioned bool
	}{
		{"read-only", false, false},
		{"allow_push and bucket_versioning", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dataset := datasets.Pull{Name: "new_project", PullARNs: readers, Users: []string{"alpha_user_one"}, AllowPush: tc.allowPush, BucketVersioning: tc.versioned}
			stack := synthtest.Synth(t, func(scope constructs.Construct) {
				pullexport.NewPullExport(scope, "pull", &pullexport.PullExportProps{Dataset: dataset})
			})
			if got := stack.Resource(t, "aws_s3_bucket", "pull-new_project-bucket")["bucket"]; got != "mojap-new-project" {
				t.Errorf("bucket = %v, want mojap-new-project", got)
			}
			if versioned := len(stack.Resources("aws_s3_bucket_versioning")) == 1; versioned != tc.versioned {
				t.Errorf("versioning resource = %v, want %v", versioned, tc.versioned)
			}
			principal := map[string][]string{"AWS": readers}
			want := []iampolicy.Statement{
				{Sid: "PullARNsRead", Effect: "Allow", Principal: principal, Action: []string{"s3:GetObject"},
					Resource: []string{"arn:aws:s3:::mojap-new-project/*"}},
				{Sid: "PullARNsList", Effect: "Allow", Principal: principal, Action: []string{"s3:ListBucket"},
					Resource: []string{"arn:aws:s3:::mojap-new-project"}},
			}
			if tc.allowPush {
				want = append(want, iampolicy.Statement{Sid: "PullARNsWrite", Effect: "Allow", Principal: principal,
					Action: []string{"s3:PutObject"}, Resource: []string{"arn:aws:s3:::mojap-new-project/*"}})
			}
			policy := stack.Policy(t, "aws_s3_bucket_policy", "pull-new_project-bucket_policy", "policy")
			if len(policy.Statement) != len(want)+2 {
				t.Fatalf("policy = %s, want the readers' statements and the two TLS denies", policy.JSON())
			}
			synthtest.AssertPolicy(t, "readers' statements", iampolicy.New(policy.Statement[:len(want)]...), iampolicy.New(want...))
			synthtest.AssertLeastPrivilege(t, "bucket policy", policy)
		})
	}
}

// TestFederatedReaders: the roles of the federated readers are part of the
// PullExport, and the bucket policy names them beside pull_arns, by ARNs
// built from the account id so that the policy is known at plan time; it
// waits for the roles, which must exist when S3 checks the policy.
func TestFederatedReaders(t *testing.T) {
	google := federation.GCPReader{ServiceAccountUniqueID: "104523178690123456789"}
	azure := federation.AzureReader{TenantID: "2f6d3c1e-8b4a-4e5f-9a7d-1c3b5e7f9a2d", ObjectID: "9c1e5a7b-3d2f-4b6a-8e0c-7f1d3b5a9c2e", ClientID: "5b8d2f4a-6c1e-4a3b-9d7f-0e2c4a6b8d1f"}
	dataset := datasets.Pull{Name: "new_project", GCPReaders: []federation.GCPReader{google}, AzureReaders: []federation.AzureReader{azure},
		Users: []string{"alpha_user_one"}, AllowPush: true}
	var export *pullexport.PullExport
	stack := synthtest.Synth(t, func(scope constructs.Construct) {
		providers := federatedreader.NewTenantProviders(scope, federation.Tenants(dataset.AzureReaders))
		export = pullexport.NewPullExport(scope, "pull", &pullexport.PullExportProps{Dataset: dataset, AccountID: jsii.String("123456789012"), AzureProviders: providers})
	})
	if len(export.Readers()) != 2 || export.Readers()[0].Reader != google || export.Readers()[1].Reader != azure {
		t.Errorf("Readers() = %+v, want the Google reader then the Azure reader", export.Readers())
	}
	principal := map[string][]string{"AWS": {
		"arn:aws:iam::123456789012:role/federated-reader/read_new_project-7d25a52f",
		"arn:aws:iam::123456789012:role/federated-reader/read_new_project-326db1c4",
	}}
	want := []iampolicy.Statement{
		{Sid: "PullARNsRead", Effect: "Allow", Principal: principal, Action: []string{"s3:GetObject"}, Resource: []string{"arn:aws:s3:::mojap-new-project/*"}},
		{Sid: "PullARNsList", Effect: "Allow", Principal: principal, Action: []string{"s3:ListBucket"}, Resource: []string{"arn:aws:s3:::mojap-new-project"}},
		{Sid: "PullARNsWrite", Effect: "Allow", Principal: principal, Action: []string{"s3:PutObject"}, Resource: []string{"arn:aws:s3:::mojap-new-project/*"}},
	}
	policy := stack.Policy(t, "aws_s3_bucket_policy", "pull-new_project-bucket_policy", "policy")
	synthtest.AssertPolicy(t, "readers' statements", iampolicy.New(policy.Statement[:len(want)]...), iampolicy.New(want...))
	dependsOn := stack.Resource(t, "aws_s3_bucket_policy", "pull-new_project-bucket_policy")["depends_on"]
	wantDependsOn := []any{"aws_s3_bucket_public_access_block.pull-new_project-bucket_public_access_block",
		"aws_iam_role.pull-new_project-reader_7d25a52f", "aws_iam_role.pull-new_project-reader_326db1c4"}
	if !reflect.DeepEqual(dependsOn, wantDependsOn) {
		t.Errorf("bucket policy depends on %v, want %v", dependsOn, wantDependsOn)
	}
}

// TestOutsideWritersCannotDestroyData: an allow_push bucket is versioned
// even without bucket_versioning, so that an outside writer's overwrite
// leaves the earlier content as a version, kept for OverwrittenVersionDays;
// bucket_versioning keeps every version with no expiry. Every bucket aborts
// incomplete uploads and sends its access logs to the log bucket.
func TestOutsideWritersCannotDestroyData(t *testing.T) {
	abort := synthtest.WholeBucketRule("abort-incomplete-multipart-uploads",
		map[string]map[string]any{"abort_incomplete_multipart_upload": {"days_after_initiation": 7}})
	expireOverwritten := synthtest.WholeBucketRule("expire-noncurrent-versions", map[string]map[string]any{
		"noncurrent_version_expiration": {"noncurrent_days": 90},
		"expiration":                    {"expired_object_delete_marker": true},
	})
	for _, tc := range []struct {
		name                        string
		allowPush, bucketVersioning bool
		versioned                   bool
		rules                       []any
	}{
		{"read-only", false, false, false, []any{abort}},
		{"allow_push", true, false, true, []any{abort, expireOverwritten}},
		{"bucket_versioning", false, true, true, []any{abort}},
		{"allow_push and bucket_versioning", true, true, true, []any{abort}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dataset := datasets.Pull{Name: "new_project", PullARNs: readers, Users: []string{"alpha_user_one"}, AllowPush: tc.allowPush, BucketVersioning: tc.bucketVersioning}
			stack := synthtest.Synth(t, func(scope constructs.Construct) {
				grant := s3bucketpolicy.NewS3BucketPolicy(scope, jsii.String("log_grant"), &s3bucketpolicy.S3BucketPolicyConfig{
					Bucket: jsii.String("mojap-hub-exports-access-logs"), Policy: jsii.String("{}"),
				})
				grant.OverrideLogicalId(jsii.String("log_grant"))
				pullexport.NewPullExport(scope, "pull", &pullexport.PullExportProps{
					Dataset:    dataset,
					AccessLogs: &securebucket.AccessLogs{Bucket: "mojap-hub-exports-access-logs", Grant: grant},
				})
			})
			versioning := stack.Resources("aws_s3_bucket_versioning")
			if len(versioning) != map[bool]int{false: 0, true: 1}[tc.versioned] {
				t.Errorf("versioning resources %v, want versioned=%v", versioning, tc.versioned)
			}
			if tc.versioned {
				stack.AssertResource(t, "aws_s3_bucket_versioning", "pull-new_project-bucket_versioning", map[string]any{
					"bucket":                   "${aws_s3_bucket.pull-new_project-bucket.id}",
					"versioning_configuration": map[string]any{"status": "Enabled"},
				})
			}
			lifecycle := map[string]any{"bucket": "${aws_s3_bucket.pull-new_project-bucket.id}", "rule": tc.rules}
			if tc.versioned {
				lifecycle["depends_on"] = []any{"aws_s3_bucket_versioning.pull-new_project-bucket_versioning"}
			}
			stack.AssertResource(t, "aws_s3_bucket_lifecycle_configuration", "pull-new_project-bucket_lifecycle", lifecycle)
			stack.AssertResource(t, "aws_s3_bucket_logging", "pull-new_project-bucket_logging", map[string]any{
				"bucket":        "${aws_s3_bucket.pull-new_project-bucket.id}",
				"target_bucket": "mojap-hub-exports-access-logs",
				"target_prefix": "mojap-new-project/",
				"depends_on":    []any{"aws_s3_bucket_policy.log_grant"},
			})
		})
	}
}
