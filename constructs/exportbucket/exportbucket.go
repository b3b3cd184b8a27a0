// Package exportbucket is what every push dataset shares: the export bucket
// analysts write into, the one queue where failed moves wait for an
// operator, the alarm that tells one they are waiting, and the bucket's one
// event notification.
//
// Only Analytical Platform users write into the export bucket: its policy
// refuses every object write by any other principal, whatever that
// principal's own policies allow (see WriteDeny).
//
// The queue is shared because every queue costs Terraform a consistency wait
// of about 26 s on create, and one queue with the dataset in each message is
// as easy to read and re-drive as one per dataset. The notification is shared
// because S3 keeps a single notification configuration per bucket: two
// Terraform resources for one bucket would overwrite each other.
package exportbucket

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchmetricalarm"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketnotification"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/sqsqueue"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/ministryofjustice/data-engineering-exports/constructs/iampolicy"
	"github.com/ministryofjustice/data-engineering-exports/constructs/securebucket"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// failedMovesRetentionSeconds is the longest SQS keeps a message (14 days),
// so that a failure over a long weekend is still there to re-drive.
const failedMovesRetentionSeconds = 14 * 24 * 60 * 60

// ObjectCreatedEvents start a move whenever an object lands, however it was
// written (put, multipart upload, copy).
const ObjectCreatedEvents = "s3:ObjectCreated:*"

// objectWriteActions are every S3 action that puts content, metadata, an
// ACL or tags on an object. s3:PutObject also authorizes POST uploads,
// copies into the bucket and every step of a multipart upload; the
// Replicate actions are how a replication rule of another bucket would
// write here. Deletes are not writes: the mover must delete what it moved.
var objectWriteActions = []string{
	"s3:PutObject",
	"s3:PutObjectAcl",
	"s3:PutObjectVersionAcl",
	"s3:PutObjectTagging",
	"s3:PutObjectVersionTagging",
	"s3:PutObjectRetention",
	"s3:PutObjectLegalHold",
	"s3:ReplicateObject",
	"s3:ReplicateTags",
}

// WriteDeny refuses every object write into the bucket by any principal
// that is not an Analytical Platform user's role in the account, whatever
// that principal's own policies allow, an administrator's included: only
// users, each on the prefixes their push policy grants, ever write here.
// Nothing else needs to: the mover only reads and deletes, and S3 writes
// this bucket's access logs into the log bucket. A request that is not
// made by an IAM principal (anonymous, or by a service for itself) has no
// aws:PrincipalArn and is refused too. One statement, whatever the number
// of datasets.
//
// A data engineer who must put an object back uses a user role, or changes
// this statement deliberately, in a reviewed pull request.
func WriteDeny(bucket, accountID string) iampolicy.Statement {
	return iampolicy.Statement{
		Sid:       "DenyObjectWritesExceptPlatformUsers",
		Effect:    iampolicy.Deny,
		Principal: map[string][]string{"AWS": {"*"}},
		Action:    objectWriteActions,
		Resource:  []string{iampolicy.ObjectsARN(bucket, "")},
		Condition: iampolicy.Condition{"ArnNotLike": {"aws:PrincipalArn": {"arn:aws:iam::" + accountID + ":role/" + naming.UserRolePrefix + "*"}}},
	}
}

// Config names the export bucket.
type Config struct {
	// Name is the export bucket's name.
	Name string
	// AccountID is the account that holds the bucket and the users' roles;
	// a token of the caller identity.
	AccountID *string
	// AccessLogs is where the bucket's server access logs go.
	AccessLogs *securebucket.AccessLogs
	// FailedMovesQueue names the failed-moves queue and its alarm.
	FailedMovesQueue string
	// AlarmActions are the ARNs (SNS topics) told when a failed move is
	// waiting in the queue; without any the alarm still shows in CloudWatch.
	AlarmActions []string
}

// Output is the export bucket and its queue.
type Output struct {
	*securebucket.Output
	// FailedMovesQueue receives every event the mover failed to handle after
	// Lambda's retries.
	FailedMovesQueue sqsqueue.SqsQueue
	scope            constructs.Construct
}

// NotificationTarget is one push dataset's entry in the bucket notification.
type NotificationTarget struct {
	// ID names the entry in the notification configuration.
	ID string
	// Prefix is the dataset's key prefix ("<name>/").
	Prefix string
	// FunctionARN is the mover function that receives the events.
	FunctionARN *string
	// Permission lets S3 invoke the function: S3 checks it when the
	// notification is saved, so the notification waits for it.
	Permission cdktf.ITerraformDependable
}

// New creates the export bucket, the failed-moves queue and its alarm.
func New(scope constructs.Construct, id string, config Config) *Output {
	scope = constructs.NewConstruct(scope, &id)
	bucket := securebucket.New(constructs.NewConstruct(scope, jsii.String("bucket")), securebucket.Config{
		Name:       config.Name,
		LogicalID:  func(part string) string { return naming.SharedLogicalID(naming.ExportBucketPartPrefix + part) },
		Statements: []iampolicy.Statement{WriteDeny(config.Name, *config.AccountID)},
		AccessLogs: config.AccessLogs,
	})
	queue := sqsqueue.NewSqsQueue(scope, jsii.String(naming.PartFailedMovesQueue), &sqsqueue.SqsQueueConfig{
		Name:                    jsii.String(config.FailedMovesQueue),
		MessageRetentionSeconds: jsii.Number(failedMovesRetentionSeconds),
		SqsManagedSseEnabled:    true,
	})
	queue.OverrideLogicalId(jsii.String(naming.SharedLogicalID(naming.PartFailedMovesQueue)))
	newFailedMovesAlarm(scope, queue, config)
	return &Output{Output: bucket, FailedMovesQueue: queue, scope: scope}
}

// newFailedMovesAlarm watches the queue: a message there is a file that
// stayed in the export bucket after every retry, so one is enough to alarm.
// SQS publishes its metrics every 5 minutes; missing data means no queue
// activity, which is the healthy state.
func newFailedMovesAlarm(scope constructs.Construct, queue sqsqueue.SqsQueue, config Config) {
	var actions *[]*string
	if len(config.AlarmActions) > 0 {
		actions = jsii.Strings(config.AlarmActions...)
	}
	alarm := cloudwatchmetricalarm.NewCloudwatchMetricAlarm(scope, jsii.String(naming.PartFailedMovesAlarm), &cloudwatchmetricalarm.CloudwatchMetricAlarmConfig{
		AlarmName: jsii.String(config.FailedMovesQueue),
		AlarmDescription: jsii.String("A file pushed for export could not be moved to its recipient after every retry: it is still in " +
			config.Name + ". `go run ./cmd/exports redrive --dry-run` shows each failure; fix the cause; `go run ./cmd/exports redrive` moves the files again. Runbook: " +
			naming.DocURL("failed-moves-runbook.md")),
		Namespace:          jsii.String("AWS/SQS"),
		MetricName:         jsii.String("ApproximateNumberOfMessagesVisible"),
		Dimensions:         &map[string]*string{"QueueName": queue.Name()},
		Statistic:          jsii.String("Maximum"),
		Period:             jsii.Number(300),
		EvaluationPeriods:  jsii.Number(1),
		Threshold:          jsii.Number(0),
		ComparisonOperator: jsii.String("GreaterThanThreshold"),
		TreatMissingData:   jsii.String("notBreaching"),
		AlarmActions:       actions,
		OkActions:          actions,
	})
	alarm.OverrideLogicalId(jsii.String(naming.SharedLogicalID(naming.PartFailedMovesAlarm)))
}

// AddNotification creates the bucket's one notification configuration, with
// an entry per target. With no targets it creates nothing, so that the
// bucket has no configuration at all.
func (o *Output) AddNotification(targets []NotificationTarget) {
	if len(targets) == 0 {
		return
	}
	entries := make([]*s3bucketnotification.S3BucketNotificationLambdaFunction, len(targets))
	permissions := make([]cdktf.ITerraformDependable, len(targets))
	for i, target := range targets {
		entries[i] = &s3bucketnotification.S3BucketNotificationLambdaFunction{
			Id:                jsii.String(target.ID),
			LambdaFunctionArn: target.FunctionARN,
			Events:            jsii.Strings(ObjectCreatedEvents),
			FilterPrefix:      jsii.String(target.Prefix),
		}
		permissions[i] = target.Permission
	}
	notification := s3bucketnotification.NewS3BucketNotification(o.scope, jsii.String(naming.PartNotification),
		&s3bucketnotification.S3BucketNotificationConfig{
			Bucket:         o.Bucket.Id(),
			LambdaFunction: entries,
			DependsOn:      &permissions,
		})
	notification.OverrideLogicalId(jsii.String(naming.SharedLogicalID(naming.PartNotification)))
}
