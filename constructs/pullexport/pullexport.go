// Package pullexport is one pull dataset: a bucket of its own that the
// roles in pull_arns (in other accounts) may read and list, and write only
// when the dataset allows it. The dataset's users get their access through
// useraccess, on their own roles.
package pullexport

import (
	"github.com/aws/constructs-go/constructs/v10"

	"github.com/ministryofjustice/data-engineering-exports/constructs/iampolicy"
	"github.com/ministryofjustice/data-engineering-exports/constructs/securebucket"
	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// Config is one pull dataset.
type Config struct {
	Dataset datasets.Pull
}

// Output is the dataset's bucket.
type Output struct {
	*securebucket.Output
}

// New creates the bucket of one pull dataset.
func New(scope constructs.Construct, id string, config Config) *Output {
	dataset := config.Dataset
	bucket := securebucket.New(scope, id, securebucket.Config{
		Name:       dataset.BucketName(),
		LogicalID:  func(part string) string { return naming.DatasetLogicalID(naming.KindPull, dataset.Name, part) },
		Versioning: dataset.BucketVersioning,
		Statements: ReaderStatements(dataset),
	})
	return &Output{Output: bucket}
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
