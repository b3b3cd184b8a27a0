// Package pullexport is one pull dataset: a bucket of its own that the
// roles in pull_arns (in other accounts) and the roles of its federated
// readers on Google Cloud and Azure (federatedreader) may read and list, and
// write only when the dataset allows it. The dataset's users get their
// access through useraccess, on their own roles.
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
	"fmt"
	"slices"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucket"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketpolicy"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/ministryofjustice/data-engineering-exports/constructs/federatedreader"
	"github.com/ministryofjustice/data-engineering-exports/constructs/iampolicy"
	"github.com/ministryofjustice/data-engineering-exports/constructs/securebucket"
	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/federation"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// OverwrittenVersionDays is how long an allow_push bucket without
// bucket_versioning keeps an earlier version of an object overwritten or
// deleted: long enough for the dataset's users to notice a bad overwrite
// by an outside writer at their next monthly or quarterly use of the data,
// not so long that every file ever replaced is kept. A quarter, as the
// movers' logs are kept.
const OverwrittenVersionDays = 90

// PullExportProps is one pull dataset and, when it has federated readers,
// what their roles need.
type PullExportProps struct {
	Dataset datasets.Pull
	// AccountID is the account the stack deploys to (a token), needed only
	// with federated readers: the bucket policy names their roles by ARNs
	// built from it.
	AccountID *string
	// AzureProviders holds the OIDC provider of every tenant of the
	// dataset's Azure readers (federatedreader.NewTenantProviders).
	AzureProviders federatedreader.TenantProviders
	// AccessLogs is where the bucket's server access logs go.
	AccessLogs *securebucket.AccessLogs
}

// Reader is one federated reader of the dataset and its role.
type Reader struct {
	federation.Reader
	Role iamrole.IamRole
}

// PullExport is the construct of one pull dataset: a constructs.Construct
// that any CDKTF app can place in its own stack, and use as a scope. It is
// made as pushexport.PushExport is, for the same reasons: see there.
type PullExport struct {
	constructs.Construct
	bucket  s3bucket.S3Bucket
	policy  s3bucketpolicy.S3BucketPolicy
	readers []Reader
}

// Bucket is the dataset's bucket.
func (p *PullExport) Bucket() s3bucket.S3Bucket { return p.bucket }

// Policy is the bucket policy, for anything that must wait for it.
func (p *PullExport) Policy() s3bucketpolicy.S3BucketPolicy { return p.policy }

// Readers are the dataset's federated readers, with their roles.
func (p *PullExport) Readers() []Reader { return p.readers }

// NewPullExport creates the bucket of one pull dataset and the roles of its
// federated readers; props must not be nil.
func NewPullExport(scope constructs.Construct, id string, props *PullExportProps) *PullExport {
	dataset := props.Dataset
	this := &PullExport{}
	constructs.NewConstruct_Override(this, scope, &id)
	accountID := ""
	var roles []cdktf.ITerraformDependable
	for _, reader := range dataset.Readers() {
		if props.AccountID == nil {
			panic(fmt.Sprintf("pullexport: dataset %s has federated readers, but no AccountID to name their roles by", dataset.Name))
		}
		accountID = *props.AccountID
		role := federatedreader.NewRole(this, federatedreader.RoleProps{
			Dataset: dataset.Name, Reader: reader, AccountID: props.AccountID, Providers: props.AzureProviders,
		})
		this.readers = append(this.readers, Reader{Reader: reader, Role: role})
		roles = append(roles, role)
	}
	versioning := Versioning(dataset)
	bucket := securebucket.New(this, securebucket.Config{
		Name:                  dataset.BucketName(),
		LogicalID:             func(part string) string { return naming.DatasetLogicalID(naming.KindPull, dataset.Name, part) },
		Versioning:            versioning.Enabled,
		NoncurrentVersionDays: versioning.NoncurrentVersionDays,
		Statements:            ReaderStatements(dataset, accountID),
		AccessLogs:            props.AccessLogs,
		// S3 refuses a policy naming a role that does not exist yet.
		PolicyDependsOn: roles,
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
// pull_arns and the roles of its federated readers in accountID: read and
// list, and write with allow_push.
func ReaderStatements(dataset datasets.Pull, accountID string) []iampolicy.Statement {
	bucket := dataset.BucketName()
	principals := slices.Clone(dataset.PullARNs)
	for _, reader := range dataset.Readers() {
		principals = append(principals, federatedreader.RoleARN(dataset.Name, reader, accountID))
	}
	readers := map[string][]string{"AWS": principals}
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
