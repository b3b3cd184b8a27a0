package pullexport_test

import (
	"testing"

	"github.com/aws/constructs-go/constructs/v10"

	"github.com/ministryofjustice/data-engineering-exports/constructs/iampolicy"
	"github.com/ministryofjustice/data-engineering-exports/constructs/pullexport"
	"github.com/ministryofjustice/data-engineering-exports/datasets"
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
