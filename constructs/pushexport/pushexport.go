// Package pushexport is one push dataset: the mover function that delivers
// every object written under the dataset's prefix of the export bucket to the
// recipient's bucket, the role it runs as, its log group, the permission
// that lets S3 start it and where its failures go.
//
// The role may read and delete only under the dataset's own prefix, write
// only to the recipient's bucket under the same prefix, and only while the
// recipient's account owns it, log only to its own log group and send only
// to the failed-moves queue; and it holds that one grant alone: any other
// inline policy is deleted and any managed policy detached, such as the
// earlier tool's on a role the stack adopts.
package pushexport

import (
	"crypto/sha256"
	"encoding/base64"
	"strconv"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchloggroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepoliciesexclusive"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicyattachmentsexclusive"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lambdafunction"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lambdafunctioneventinvokeconfig"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/lambdapermission"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/ministryofjustice/data-engineering-exports/constructs/exportbucket"
	"github.com/ministryofjustice/data-engineering-exports/constructs/iampolicy"
	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/internal/lambdazip"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// Function settings.
const (
	// Runtime runs a Go binary named bootstrap.
	Runtime = "provided.al2023"
	Handler = lambdazip.BinaryName
	// TimeoutSeconds is Lambda's maximum, so that the largest objects have
	// the longest a single invocation can give them.
	TimeoutSeconds = 900
	// MemoryMB is the memory (and so the CPU and network share) of one
	// invocation.
	MemoryMB = 256
	// LogRetentionDays keeps three months of mover logs: who moved what
	// where, long enough to answer a question about last quarter's exports.
	LogRetentionDays = 90
	// MaximumRetryAttempts is how many times Lambda retries a failed event
	// before sending it to the failed-moves queue.
	MaximumRetryAttempts = 2
	// MaximumEventAgeSeconds is how long Lambda keeps trying an event (for
	// example while throttled) before giving up on it.
	MaximumEventAgeSeconds = 6 * 60 * 60
)

// PushExportProps is one push dataset and what it shares with the others.
type PushExportProps struct {
	Dataset datasets.Push
	// ExportBucket is the name of the bucket users write into.
	ExportBucket string
	// AccountID is the account that owns the export bucket: S3 may invoke
	// the mover for events from that account's bucket only.
	AccountID *string
	// FailedMovesQueueARN receives events the mover failed to handle.
	FailedMovesQueueARN *string
	// Code is the mover's deployment package.
	Code Code
}

// Code is a Lambda deployment package.
type Code struct {
	// Path is the zip, as Terraform will find it.
	Path *string
	// SHA256 is SourceCodeHash of the zip's bytes: Terraform updates the
	// function when, and only when, it changes.
	SHA256 string
}

// SourceCodeHash is Lambda's hash of a deployment package: the base64 of its
// SHA-256.
func SourceCodeHash(zip []byte) string {
	sum := sha256.Sum256(zip)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// PushExport is the construct of one push dataset: a constructs.Construct
// that any CDKTF app can place in its own stack, and use as a scope.
//
// It is made with constructs.NewConstruct_Override, which registers the
// struct itself with jsii: a struct that merely embeds the Construct that
// constructs.NewConstruct returns is unknown to jsii, which panics when it
// is passed as a scope. jsii-runtime-go refuses, in turn, a struct without
// a pointer-receiver method; the accessors below are those methods.
type PushExport struct {
	constructs.Construct
	dataset    datasets.Push
	role       iamrole.IamRole
	logGroup   cloudwatchloggroup.CloudwatchLogGroup
	function   lambdafunction.LambdaFunction
	permission lambdapermission.LambdaPermission
}

// Role is the role the mover runs as, which the recipient's bucket policy
// names.
func (p *PushExport) Role() iamrole.IamRole { return p.role }

// LogGroup holds the mover's logs.
func (p *PushExport) LogGroup() cloudwatchloggroup.CloudwatchLogGroup { return p.logGroup }

// Function is the mover.
func (p *PushExport) Function() lambdafunction.LambdaFunction { return p.function }

// Permission lets S3 invoke Function.
func (p *PushExport) Permission() lambdapermission.LambdaPermission { return p.permission }

// NotificationTarget is the export bucket's notification entry that starts
// the mover for every object created under the dataset's prefix.
func (p *PushExport) NotificationTarget() exportbucket.NotificationTarget {
	return exportbucket.NotificationTarget{
		ID:          naming.DatasetID(naming.KindPush, p.dataset.Name),
		Prefix:      p.dataset.Prefix(),
		FunctionARN: p.function.Arn(),
		Permission:  p.permission,
	}
}

// NewPushExport creates the mover of one push dataset; props must not be nil.
func NewPushExport(scope constructs.Construct, id string, props *PushExportProps) *PushExport {
	dataset := props.Dataset
	this := &PushExport{dataset: dataset}
	constructs.NewConstruct_Override(this, scope, &id)
	logicalID := func(part string) *string {
		return jsii.String(naming.DatasetLogicalID(naming.KindPush, dataset.Name, part))
	}

	this.role = iamrole.NewIamRole(this, jsii.String(naming.PartMoverRole), &iamrole.IamRoleConfig{
		Name:             jsii.String(dataset.MoverName()),
		Path:             jsii.String(naming.MoverRolePath),
		Description:      jsii.String("Moves objects from " + iampolicy.ObjectsARN(props.ExportBucket, dataset.Prefix()) + " to " + dataset.Bucket),
		AssumeRolePolicy: jsii.String(TrustPolicy().JSON()),
	})
	this.role.OverrideLogicalId(logicalID(naming.PartMoverRole))

	this.logGroup = cloudwatchloggroup.NewCloudwatchLogGroup(this, jsii.String(naming.PartMoverLogGroup), &cloudwatchloggroup.CloudwatchLogGroupConfig{
		Name:            jsii.String(naming.MoverLogGroup(dataset.Name)),
		RetentionInDays: jsii.Number(LogRetentionDays),
	})
	this.logGroup.OverrideLogicalId(logicalID(naming.PartMoverLogGroup))

	rolePolicy := iamrolepolicy.NewIamRolePolicy(this, jsii.String(naming.PartMoverRolePolicy), &iamrolepolicy.IamRolePolicyConfig{
		Name:   jsii.String(naming.MoverRolePolicy),
		Role:   this.role.Id(),
		Policy: jsii.String(MoverPolicy(props.ExportBucket, dataset, *this.logGroup.Arn(), *props.FailedMovesQueueARN).JSON()),
	})
	rolePolicy.OverrideLogicalId(logicalID(naming.PartMoverRolePolicy))
	newExclusiveGrant(this, this.role, rolePolicy, logicalID)

	this.function = lambdafunction.NewLambdaFunction(this, jsii.String(naming.PartMoverFunction), &lambdafunction.LambdaFunctionConfig{
		FunctionName:   jsii.String(dataset.MoverName()),
		Role:           this.role.Arn(),
		Runtime:        jsii.String(Runtime),
		Handler:        jsii.String(Handler),
		Architectures:  jsii.Strings(lambdazip.Arch),
		Filename:       props.Code.Path,
		SourceCodeHash: jsii.String(props.Code.SHA256),
		Timeout:        jsii.Number(TimeoutSeconds),
		MemorySize:     jsii.Number(MemoryMB),
		Environment: &lambdafunction.LambdaFunctionEnvironment{Variables: &map[string]*string{
			naming.EnvDestinationBucket:  jsii.String(dataset.Bucket),
			naming.EnvKeepFiles:          jsii.String(strconv.FormatBool(dataset.KeepFiles)),
			naming.EnvDatasetName:        jsii.String(dataset.Name),
			naming.EnvDestinationAccount: jsii.String(dataset.BucketAccount),
			naming.EnvSourceAccount:      props.AccountID,
		}},
		// Lambda would create the log group itself, without retention, if
		// the function could log before Terraform created it.
		DependsOn: &[]cdktf.ITerraformDependable{this.logGroup},
	})
	this.function.OverrideLogicalId(logicalID(naming.PartMoverFunction))

	this.permission = lambdapermission.NewLambdaPermission(this, jsii.String(naming.PartMoverPermission), &lambdapermission.LambdaPermissionConfig{
		StatementId:   jsii.String(naming.MoverPermissionStatementID),
		Action:        jsii.String("lambda:InvokeFunction"),
		FunctionName:  this.function.FunctionName(),
		Principal:     jsii.String("s3.amazonaws.com"),
		SourceArn:     jsii.String(iampolicy.BucketARN(props.ExportBucket)),
		SourceAccount: props.AccountID,
	})
	this.permission.OverrideLogicalId(logicalID(naming.PartMoverPermission))

	invokeConfig := lambdafunctioneventinvokeconfig.NewLambdaFunctionEventInvokeConfig(this, jsii.String(naming.PartMoverInvokeConfig),
		&lambdafunctioneventinvokeconfig.LambdaFunctionEventInvokeConfigConfig{
			FunctionName:             this.function.FunctionName(),
			MaximumRetryAttempts:     jsii.Number(MaximumRetryAttempts),
			MaximumEventAgeInSeconds: jsii.Number(MaximumEventAgeSeconds),
			DestinationConfig: &lambdafunctioneventinvokeconfig.LambdaFunctionEventInvokeConfigDestinationConfig{
				OnFailure: &lambdafunctioneventinvokeconfig.LambdaFunctionEventInvokeConfigDestinationConfigOnFailure{
					Destination: props.FailedMovesQueueARN,
				},
			},
			// Lambda checks that the role may send to the destination.
			DependsOn: &[]cdktf.ITerraformDependable{rolePolicy},
		})
	invokeConfig.OverrideLogicalId(logicalID(naming.PartMoverInvokeConfig))

	return this
}

// newExclusiveGrant makes rolePolicy the role's only grant: Terraform
// deletes every other inline policy on the role and detaches every managed
// policy, at each apply. The role is ours alone, so nothing else has a
// grant there to lose; never use these resources on a role other tools
// manage too, such as a user's alpha_user_* role.
func newExclusiveGrant(scope constructs.Construct, role iamrole.IamRole, rolePolicy iamrolepolicy.IamRolePolicy, logicalID func(string) *string) {
	policies := iamrolepoliciesexclusive.NewIamRolePoliciesExclusive(scope, jsii.String(naming.PartMoverRolePolicies),
		&iamrolepoliciesexclusive.IamRolePoliciesExclusiveConfig{
			RoleName:    role.Name(),
			PolicyNames: jsii.Strings(naming.MoverRolePolicy),
			// The provider reads the role's policies back after the apply:
			// ours must exist by then.
			DependsOn: &[]cdktf.ITerraformDependable{rolePolicy},
		})
	policies.OverrideLogicalId(logicalID(naming.PartMoverRolePolicies))

	attachments := iamrolepolicyattachmentsexclusive.NewIamRolePolicyAttachmentsExclusive(scope, jsii.String(naming.PartMoverRolePolicyAttachments),
		&iamrolepolicyattachmentsexclusive.IamRolePolicyAttachmentsExclusiveConfig{
			RoleName:   role.Name(),
			PolicyArns: &[]*string{},
		})
	attachments.OverrideLogicalId(logicalID(naming.PartMoverRolePolicyAttachments))
}

// TrustPolicy lets Lambda, and nothing else, assume the mover role.
func TrustPolicy() iampolicy.Document {
	return iampolicy.New(iampolicy.Statement{
		Effect:    iampolicy.Allow,
		Principal: map[string][]string{"Service": {"lambda.amazonaws.com"}},
		Action:    []string{"sts:AssumeRole"},
	})
}

// MoverPolicy is everything the mover of dataset may do, and no more.
// logGroupARN and failedMovesQueueARN may be tokens.
func MoverPolicy(exportBucket string, dataset datasets.Push, logGroupARN, failedMovesQueueARN string) iampolicy.Document {
	prefix := dataset.Prefix()
	recipientAccount := iampolicy.Condition{"StringEquals": {"s3:ResourceAccount": {dataset.BucketAccount}}}
	return iampolicy.New(
		iampolicy.Statement{
			Sid:      "ReadAndRemoveOwnPrefix",
			Effect:   iampolicy.Allow,
			Action:   []string{"s3:GetObject", "s3:DeleteObject"},
			Resource: []string{iampolicy.ObjectsARN(exportBucket, prefix)},
		},
		iampolicy.Statement{
			// Only under its own prefix, so no mover sees another dataset's
			// key names. S3 then answers 403 rather than 404 for a key that
			// is gone; the mover settles which with a one-key listing, which
			// carries the prefix. `mover --sweep` lists the same way.
			Sid:       "ListOwnPrefix",
			Effect:    iampolicy.Allow,
			Action:    []string{"s3:ListBucket"},
			Resource:  []string{iampolicy.BucketARN(exportBucket)},
			Condition: iampolicy.PrefixCondition(prefix),
		},
		iampolicy.Statement{
			// Only while the dataset's bucket_account owns the bucket: a
			// bucket ARN names no account, and a name the recipient gives
			// up may be registered by anyone. The mover also names the
			// owner on every request (x-amz-expected-bucket-owner).
			Sid:       "WriteToRecipient",
			Effect:    iampolicy.Allow,
			Action:    naming.RecipientWriteActions(),
			Resource:  []string{iampolicy.ObjectsARN(dataset.Bucket, prefix)},
			Condition: recipientAccount,
		},
		iampolicy.Statement{
			// HeadObject on the copy, to verify it before the source is
			// deleted and to recognise a redelivered event. Effective only
			// where the recipient's bucket policy grants it too; without it
			// the mover relies on S3's answers to the copy.
			Sid:       "ReadBackFromRecipient",
			Effect:    iampolicy.Allow,
			Action:    naming.RecipientReadBackActions(),
			Resource:  []string{iampolicy.ObjectsARN(dataset.Bucket, prefix)},
			Condition: recipientAccount,
		},
		iampolicy.Statement{
			Sid:      "WriteOwnLogs",
			Effect:   iampolicy.Allow,
			Action:   []string{"logs:CreateLogStream", "logs:PutLogEvents"},
			Resource: []string{logGroupARN + ":log-stream:*"},
		},
		iampolicy.Statement{
			Sid:      "ReportFailedMoves",
			Effect:   iampolicy.Allow,
			Action:   []string{"sqs:SendMessage"},
			Resource: []string{failedMovesQueueARN},
		},
	)
}
