// Package pullexport is one pull dataset: a bucket of its own that the
// roles in pull_arns (in other accounts) may read and list, and write only
// when the dataset allows it. The dataset's users get their access through
// useraccess, on their own roles.
package pullexport

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucket"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketpolicy"

	"github.com/ministryofjustice/data-engineering-exports/constructs/iampolicy"
	"github.com/ministryofjustice/data-engineering-exports/constructs/securebucket"
	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// PullExportProps is one pull dataset.
type PullExportProps struct {
	Dataset datasets.Pull
}

// PullExport is the construct of one pull dataset: a constructs.Construct
// that any CDKTF app can place in its own stack, and use as a scope. It is
// made as pushexport.PushExport is, for the same reasons: see there.
type PullExport struct {
	constructs.Construct
	bucket s3bucket.S3Bucket
	policy s3bucketpolicy.S3BucketPolicy
}

// Bucket is the dataset's bucket.
func (p *PullExport) Bucket() s3bucket.S3Bucket { return p.bucket }

// Policy is the bucket policy, for anything that must wait for it.
func (p *PullExport) Policy() s3bucketpolicy.S3BucketPolicy { return p.policy }

// NewPullExport creates the bucket of one pull dataset; props must not be
// nil.
func NewPullExport(scope constructs.Construct, id string, props *PullExportProps) *PullExport {
	dataset := props.Dataset
	this := &PullExport{}
	constructs.NewConstruct_Override(this, scope, &id)
	bucket := securebucket.New(this, securebucket.Config{
		Name:       dataset.BucketName(),
		LogicalID:  func(part string) string { return naming.DatasetLogicalID(naming.KindPull, dataset.Name, part) },
		Versioning: dataset.BucketVersioning,
		Statements: ReaderStatements(dataset),
	})
	this.bucket, this.policy = bucket.Bucket, bucket.Policy
	return this
}

// ReaderStatements are the bucket policy statements for the dataset's
// pull_arns: read and list, and write with allow_push.
func ReaderStatements(dataset datasets.Pull) []iampolicy.Statement {
	bucket := dataset.BucketName()
	readers := map[string][]string{"AWS": dataset.PullARNs}
	statements := []iampolicy.Statement{
		{
			Sid:       "PullARNsRead",
			Effect:    iampolicy.Allow,
			Principal: readers,
			Action:    []string{"s3:GetObject"},
			Resource:  []string{iampolicy.ObjectsARN(bucket, "")},
		},
		{
			Sid:       "PullARNsList",
			Effect:    iampolicy.Allow,
			Principal: readers,
			Action:    []string{"s3:ListBucket"},
			Resource:  []string{iampolicy.BucketARN(bucket)},
		},
	}
	if dataset.AllowPush {
		statements = append(statements, iampolicy.Statement{
			Sid:       "PullARNsWrite",
			Effect:    iampolicy.Allow,
			Principal: readers,
			Action:    []string{"s3:PutObject"},
			Resource:  []string{iampolicy.ObjectsARN(bucket, "")},
		})
	}
	return statements
}
