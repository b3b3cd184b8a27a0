// Package accesslogbucket is the bucket that keeps the stack's audit trail:
// S3 server access logs of the export bucket and of every pull dataset's
// bucket, one prefix per bucket. A log line records each request to a
// bucket: who (the IAM principal), from where (the IP address), what (the
// operation and key), when, and the answer.
//
// It is a securebucket like the others (private, SSE-S3, ACLs disabled, TLS
// only, never destroyed by Terraform), with two differences: only S3's log
// delivery may write into it, each source bucket under its own prefix; and
// every log expires after RetentionDays. It does not log itself: logging
// its own requests into itself would write a log for every log written.
package accesslogbucket

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/ministryofjustice/data-engineering-exports/constructs/iampolicy"
	"github.com/ministryofjustice/data-engineering-exports/constructs/securebucket"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// RetentionDays is how long an access log is kept: a year, so that any
// question about the last twelve months (an annual audit, an incident or a
// complaint found late, a data sharing agreement's review) can be answered
// from the logs, and a month more for the question that comes a little
// after the year. The logs name people (IAM roles carry user names) and
// their IP addresses, so they are not kept longer than that purpose needs.
const RetentionDays = 400

// LogDeliveryService is the service principal that writes server access
// logs.
const LogDeliveryService = "logging.s3.amazonaws.com"

// Config describes the log bucket.
type Config struct {
	// Name is the log bucket's name.
	Name string
	// AccountID owns the log bucket and every source bucket (S3 logs only
	// into a bucket of the source's own account); a token of the caller
	// identity.
	AccountID *string
	// Sources are the buckets whose logs come here.
	Sources []string
}

// Output is the log bucket.
type Output struct {
	*securebucket.Output
	name string
}

// New creates the log bucket.
func New(scope constructs.Construct, id string, config Config) *Output {
	bucket := securebucket.New(constructs.NewConstruct(scope, jsii.String(id)), securebucket.Config{
		Name:           config.Name,
		LogicalID:      func(part string) string { return naming.SharedLogicalID(naming.AccessLogBucketPartPrefix + part) },
		ExpirationDays: RetentionDays,
		Statements:     DeliveryStatements(config.Name, *config.AccountID, config.Sources),
	})
	return &Output{Output: bucket, name: config.Name}
}

// AccessLogs is what a source bucket needs to send its logs here.
func (o *Output) AccessLogs() *securebucket.AccessLogs {
	return &securebucket.AccessLogs{Bucket: o.name, Grant: o.Policy}
}

// DeliveryStatements let S3's log delivery write each source bucket's logs
// under that bucket's prefix, and nowhere else: one statement per source,
// whose aws:SourceArn names the source bucket and whose resource is its
// prefix, so that no bucket's logs can be written as another's. The
// aws:SourceAccount condition keeps out a bucket of the same name in
// another account (bucket ARNs carry no account). The policy grants nothing
// else: only a principal of the account whose own IAM policy allows it (an
// administrator's) could read, write or delete the logs.
//
// Each statement adds about 380 bytes (for a 30-character bucket name) to a
// policy S3 limits to 20 KB: room for the export bucket and about 50 pull
// datasets (40 if every name were as long as allowed; TestPolicyRoom).
// Before that, trade the per-prefix binding for size: one statement whose
// aws:SourceArn lists every source, about 45 bytes a bucket.
func DeliveryStatements(logBucket, accountID string, sources []string) []iampolicy.Statement {
	statements := make([]iampolicy.Statement, len(sources))
	for i, source := range sources {
		statements[i] = iampolicy.Statement{
			// Bucket names are unique, so are the ids. S3 accepts hyphens
			// in a bucket policy's statement ids (its console writes them
			// in this very grant).
			Sid:       "AccessLogs-" + source,
			Effect:    iampolicy.Allow,
			Principal: map[string][]string{"Service": {LogDeliveryService}},
			Action:    []string{"s3:PutObject"},
			Resource:  []string{iampolicy.ObjectsARN(logBucket, naming.AccessLogPrefix(source))},
			Condition: iampolicy.Condition{
				"ArnEquals":    {"aws:SourceArn": {iampolicy.BucketARN(source)}},
				"StringEquals": {"aws:SourceAccount": {accountID}},
			},
			SingleAsString: true,
		}
	}
	return statements
}
