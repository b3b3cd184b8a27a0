// Package securebucket is an S3 bucket that is private and encrypted however
// it is used: all four public-access blocks, default encryption, ACLs
// disabled (the bucket owner owns every object), a bucket policy that
// refuses requests without TLS or with TLS older than 1.2 on top of the
// caller's own statements, a lifecycle that aborts incomplete multipart
// uploads, and, when asked, server access logs sent to a log bucket.
//
// Buckets hold data that outlives any one plan. lifecycle.prevent_destroy
// makes Terraform refuse any plan that would replace or destroy a bucket
// whose resource is still configured. It cannot help once a dataset file,
// and with it the resource block, is removed: that plan is refused by the
// deploy's gate (plan-summary --fail-on-data-risk) instead. As a last line of
// defence no bucket sets force_destroy, so S3 itself refuses to delete a
// bucket that still holds objects.
package securebucket

import (
	"slices"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucket"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketlifecycleconfiguration"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketlogging"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketownershipcontrols"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketpolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketpublicaccessblock"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketserversideencryptionconfiguration"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketversioning"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/ministryofjustice/data-engineering-exports/constructs/iampolicy"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// Bucket settings.
const (
	sseAlgorithm           = "AES256"
	objectOwnership        = "BucketOwnerEnforced"
	minimumTLSVersion      = "1.2"
	versioningStatusEnable = "Enabled"
	ruleStatusEnabled      = "Enabled"
)

// AbortIncompleteUploadsAfterDays is how long S3 keeps the parts of a
// multipart upload that was never completed (or aborted) before deleting
// them. Such parts hold data that no listing shows and nothing moves or
// reads, and they are billed. A week lets an upload interrupted on a Friday
// be resumed after a long weekend; no upload this product makes takes
// longer than a day (the mover's copies finish within Lambda's 15 minutes,
// or within one --sweep run).
const AbortIncompleteUploadsAfterDays = 7

// Lifecycle rule ids, as S3 lists them.
const (
	RuleAbortIncompleteUploads   = "abort-incomplete-multipart-uploads"
	RuleExpireNoncurrentVersions = "expire-noncurrent-versions"
	RuleExpireObjects            = "expire-objects"
)

// Config describes one bucket.
type Config struct {
	// Name is the bucket name.
	Name string
	// LogicalID turns a part (naming.PartBucket, ...) into the Terraform logical id
	// of that resource; see package naming.
	LogicalID func(part string) string
	// Versioning keeps earlier versions of every object overwritten or
	// deleted.
	Versioning bool
	// NoncurrentVersionDays, when not 0, deletes each earlier version that
	// many days after it was overwritten or deleted. 0 keeps them.
	NoncurrentVersionDays int
	// ExpirationDays, when not 0, deletes every object that many days after
	// it was written: a retention period.
	ExpirationDays int
	// Statements are the caller's bucket policy statements; the TLS denies
	// are added after them.
	Statements []iampolicy.Statement
	// PolicyDependsOn are what the bucket policy waits for besides the
	// bucket: the roles its statements name, which must exist first.
	PolicyDependsOn []cdktf.ITerraformDependable
	// AccessLogs, when set, is where S3 writes the bucket's server access
	// logs.
	AccessLogs *AccessLogs
}

// AccessLogs is where buckets send their server access logs.
type AccessLogs struct {
	// Bucket is the log bucket's name; each bucket's logs go under
	// naming.AccessLogPrefix(<bucket>).
	Bucket string
	// Grant is the log bucket's policy, which lets S3 deliver the logs: S3
	// refuses a logging configuration whose target does not allow it.
	Grant cdktf.ITerraformDependable
}

// Output is the created bucket.
type Output struct {
	Bucket s3bucket.S3Bucket
	// Policy is the bucket policy, for anything that must wait for it.
	Policy s3bucketpolicy.S3BucketPolicy
}

// New creates the bucket and the resources that secure it directly in
// scope, so that a construct that is one bucket (pullexport) holds them
// itself.
func New(scope constructs.Construct, config Config) *Output {
	bucket := s3bucket.NewS3Bucket(scope, jsii.String(naming.PartBucket), &s3bucket.S3BucketConfig{
		Bucket:    jsii.String(config.Name),
		Lifecycle: &cdktf.TerraformResourceLifecycle{PreventDestroy: jsii.Bool(true)},
	})
	bucket.OverrideLogicalId(jsii.String(config.LogicalID(naming.PartBucket)))

	publicAccessBlock := s3bucketpublicaccessblock.NewS3BucketPublicAccessBlock(scope, jsii.String(naming.PartBucketPublicAccessBlock),
		&s3bucketpublicaccessblock.S3BucketPublicAccessBlockConfig{
			Bucket:                bucket.Id(),
			BlockPublicAcls:       true,
			BlockPublicPolicy:     true,
			IgnorePublicAcls:      true,
			RestrictPublicBuckets: true,
		})
	publicAccessBlock.OverrideLogicalId(jsii.String(config.LogicalID(naming.PartBucketPublicAccessBlock)))

	encryption := s3bucketserversideencryptionconfiguration.NewS3BucketServerSideEncryptionConfigurationA(scope, jsii.String(naming.PartBucketEncryption),
		&s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationAConfig{
			Bucket: bucket.Id(),
			Rule: []*s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationRuleA{{
				ApplyServerSideEncryptionByDefault: &s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA{
					SseAlgorithm: jsii.String(sseAlgorithm),
				},
			}},
		})
	encryption.OverrideLogicalId(jsii.String(config.LogicalID(naming.PartBucketEncryption)))

	ownership := s3bucketownershipcontrols.NewS3BucketOwnershipControls(scope, jsii.String(naming.PartBucketOwnership),
		&s3bucketownershipcontrols.S3BucketOwnershipControlsConfig{
			Bucket: bucket.Id(),
			Rule:   &s3bucketownershipcontrols.S3BucketOwnershipControlsRule{ObjectOwnership: jsii.String(objectOwnership)},
		})
	ownership.OverrideLogicalId(jsii.String(config.LogicalID(naming.PartBucketOwnership)))

	// The lifecycle waits for versioning: rules about earlier versions are
	// meant for a versioned bucket.
	var lifecycleAfter []cdktf.ITerraformDependable
	if config.Versioning {
		versioning := s3bucketversioning.NewS3BucketVersioningA(scope, jsii.String(naming.PartBucketVersioning),
			&s3bucketversioning.S3BucketVersioningAConfig{
				Bucket:                  bucket.Id(),
				VersioningConfiguration: &s3bucketversioning.S3BucketVersioningVersioningConfiguration{Status: jsii.String(versioningStatusEnable)},
			})
		versioning.OverrideLogicalId(jsii.String(config.LogicalID(naming.PartBucketVersioning)))
		lifecycleAfter = append(lifecycleAfter, versioning)
	}

	policyDependsOn := append([]cdktf.ITerraformDependable{publicAccessBlock}, config.PolicyDependsOn...)
	policy := s3bucketpolicy.NewS3BucketPolicy(scope, jsii.String(naming.PartBucketPolicy), &s3bucketpolicy.S3BucketPolicyConfig{
		Bucket: bucket.Id(),
		Policy: jsii.String(Policy(config.Name, config.Statements).JSON()),
		// S3 answers 409 OperationAborted when a bucket's policy and its
		// public-access block change at the same moment; one at a time.
		DependsOn: &policyDependsOn,
	})
	policy.OverrideLogicalId(jsii.String(config.LogicalID(naming.PartBucketPolicy)))

	newLifecycle(scope, bucket, config, lifecycleAfter)
	if config.AccessLogs != nil {
		logging := s3bucketlogging.NewS3BucketLoggingA(scope, jsii.String(naming.PartBucketLogging), &s3bucketlogging.S3BucketLoggingAConfig{
			Bucket:       bucket.Id(),
			TargetBucket: jsii.String(config.AccessLogs.Bucket),
			TargetPrefix: jsii.String(naming.AccessLogPrefix(config.Name)),
			DependsOn:    &[]cdktf.ITerraformDependable{config.AccessLogs.Grant},
		})
		logging.OverrideLogicalId(jsii.String(config.LogicalID(naming.PartBucketLogging)))
	}

	return &Output{Bucket: bucket, Policy: policy}
}

// newLifecycle creates the bucket's one lifecycle configuration (S3 keeps
// one per bucket: two resources would overwrite each other), every rule
// applying to the whole bucket. The provider waits about a minute after
// writing one for S3 to agree with itself; the buckets' waits run in
// parallel.
func newLifecycle(scope constructs.Construct, bucket s3bucket.S3Bucket, config Config, after []cdktf.ITerraformDependable) {
	type rule = s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRule
	// wholeBucket is an enabled rule for every object; the provider's
	// nested blocks are lists of one.
	wholeBucket := func(id string) *rule {
		return &rule{
			Id:     jsii.String(id),
			Status: jsii.String(ruleStatusEnabled),
			Filter: []*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleFilter{{}},
		}
	}
	abort := wholeBucket(RuleAbortIncompleteUploads)
	abort.AbortIncompleteMultipartUpload = []*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload{{
		DaysAfterInitiation: jsii.Number(AbortIncompleteUploadsAfterDays),
	}}
	rules := []*rule{abort}
	if config.NoncurrentVersionDays > 0 {
		noncurrent := wholeBucket(RuleExpireNoncurrentVersions)
		noncurrent.NoncurrentVersionExpiration = []*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration{{
			NoncurrentDays: jsii.Number(config.NoncurrentVersionDays),
		}}
		// A deleted key's delete marker goes too once no earlier version is
		// left behind it.
		noncurrent.Expiration = []*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleExpiration{{
			ExpiredObjectDeleteMarker: jsii.Bool(true),
		}}
		rules = append(rules, noncurrent)
	}
	if config.ExpirationDays > 0 {
		expire := wholeBucket(RuleExpireObjects)
		expire.Expiration = []*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleExpiration{{
			Days: jsii.Number(config.ExpirationDays),
		}}
		rules = append(rules, expire)
	}
	lifecycleConfig := &s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationConfig{Bucket: bucket.Id(), Rule: rules}
	if len(after) > 0 {
		lifecycleConfig.DependsOn = &after
	}
	lifecycle := s3bucketlifecycleconfiguration.NewS3BucketLifecycleConfiguration(scope, jsii.String(naming.PartBucketLifecycle), lifecycleConfig)
	lifecycle.OverrideLogicalId(jsii.String(config.LogicalID(naming.PartBucketLifecycle)))
}

// Policy is the whole bucket policy of a bucket: the caller's statements,
// then the TLS denies.
func Policy(bucket string, statements []iampolicy.Statement) iampolicy.Document {
	return iampolicy.New(slices.Concat(statements, tlsDenies(bucket))...)
}

// tlsDenies refuse, for everyone, any request over plain HTTP or over TLS
// older than 1.2, whatever an IAM or bucket policy allows.
func tlsDenies(bucket string) []iampolicy.Statement {
	everything := []string{iampolicy.BucketARN(bucket), iampolicy.ObjectsARN(bucket, "")}
	anyone := map[string][]string{"AWS": {"*"}}
	return []iampolicy.Statement{
		{
			Sid:       "DenyInsecureTransport",
			Effect:    iampolicy.Deny,
			Principal: anyone,
			Action:    []string{"s3:*"},
			Resource:  everything,
			Condition: iampolicy.Condition{"Bool": {"aws:SecureTransport": {"false"}}},
		},
		{
			Sid:       "DenyOutdatedTLS",
			Effect:    iampolicy.Deny,
			Principal: anyone,
			Action:    []string{"s3:*"},
			Resource:  everything,
			Condition: iampolicy.Condition{"NumericLessThan": {"s3:TlsVersion": {minimumTLSVersion}}},
		},
	}
}
