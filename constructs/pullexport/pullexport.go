// Package pullexport is one pull dataset: a bucket of its own that the
// roles in pull_arns (in other accounts) may read and list, and write only
// when the dataset allows it. The dataset's users get their access through
// useraccess, on their own roles.
//
// Outside writers can never destroy data beyond recovery. Their only write
// is s3:PutObject, which cannot delete a key but can overwrite one, and an
// overwrite replaces the earlier content for good in an unversioned
// bucket. So an allow_push bucket is always versioned: an overwritten or
// deleted object stays recoverable, as an earlier version, for
// OverwrittenVersionDays. With bucket_versioning: true the dataset keeps
// every earlier version for as long as it exists instead.
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

// OverwrittenVersionDays is how long an allow_push bucket without
// bucket_versioning keeps an earlier version of an object overwritten or
// deleted: long enough for the dataset's users to notice a bad overwrite
// by an outside writer at their next monthly or quarterly use of the data,
// not so long that every file ever replaced is kept. A quarter, as the
// movers' logs are kept.
const OverwrittenVersionDays = 90

// PullExportProps is one pull dataset.
type PullExportProps struct {
	Dataset datasets.Pull
	// AccessLogs is where the bucket's server access logs go.
	AccessLogs *securebucket.AccessLogs
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
	versioning := Versioning(dataset)
	bucket := securebucket.New(this, securebucket.Config{
		Name:                  dataset.BucketName(),
		LogicalID:             func(part string) string { return naming.DatasetLogicalID(naming.KindPull, dataset.Name, part) },
		Versioning:            versioning.Enabled,
		NoncurrentVersionDays: versioning.NoncurrentVersionDays,
		Statements:            ReaderStatements(dataset),
		AccessLogs:            props.AccessLogs,
	})
	this.bucket, this.policy = bucket.Bucket, bucket.Policy
	return this
}

// BucketVersioning is how a pull dataset's bucket keeps earlier versions.
type BucketVersioning struct {
	// Enabled: the bucket is versioned.
	Enabled bool
	// NoncurrentVersionDays: earlier versions are deleted that many days
	// after they were replaced; 0 keeps them.
	NoncurrentVersionDays int
}

// Versioning is the dataset's bucket versioning: bucket_versioning keeps
// every earlier version; allow_push alone keeps them for
// OverwrittenVersionDays (see the package comment).
//
// Turning allow_push off on a bucket without bucket_versioning stops its
// versioning (the plan summary flags it) and keeps the earlier versions it
// holds, with no expiry, until someone deletes them. Turning
// bucket_versioning off on an allow_push bucket keeps it versioned, and its
// earlier versions start to expire: those replaced more than
// OverwrittenVersionDays ago go at once.
func Versioning(dataset datasets.Pull) BucketVersioning {
	switch {
	case dataset.BucketVersioning:
		return BucketVersioning{Enabled: true}
	case dataset.AllowPush:
		return BucketVersioning{Enabled: true, NoncurrentVersionDays: OverwrittenVersionDays}
	}
	return BucketVersioning{}
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
