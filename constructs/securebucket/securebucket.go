// Package securebucket is an S3 bucket that is private and encrypted however
// it is used: all four public-access blocks, default encryption, ACLs
// disabled (the bucket owner owns every object), and a bucket policy that
// refuses requests without TLS or with TLS older than 1.2 on top of the
// caller's own statements.
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
)

// Config describes one bucket.
type Config struct {
	// Name is the bucket name.
	Name string
	// LogicalID turns a part (naming.PartBucket, ...) into the Terraform logical id
	// of that resource; see package naming.
	LogicalID func(part string) string
	// Versioning keeps every version of every object.
	Versioning bool
	// Statements are the caller's bucket policy statements; the TLS denies
	// are added after them.
	Statements []iampolicy.Statement
	// PolicyDependsOn are what the bucket policy waits for besides the
	// bucket: the roles its statements name, which must exist first.
	PolicyDependsOn []cdktf.ITerraformDependable
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

	if config.Versioning {
		versioning := s3bucketversioning.NewS3BucketVersioningA(scope, jsii.String(naming.PartBucketVersioning),
			&s3bucketversioning.S3BucketVersioningAConfig{
				Bucket:                  bucket.Id(),
				VersioningConfiguration: &s3bucketversioning.S3BucketVersioningVersioningConfiguration{Status: jsii.String(versioningStatusEnable)},
			})
		versioning.OverrideLogicalId(jsii.String(config.LogicalID(naming.PartBucketVersioning)))
	}

	policyDependsOn := append([]cdktf.ITerraformDependable{publicAccessBlock}, config.PolicyDependsOn...)
	policy := s3bucketpolicy.NewS3BucketPolicy(scope, jsii.String(naming.PartBucketPolicy), &s3bucketpolicy.S3BucketPolicyConfig{
		Bucket: bucket.Id(),
		Policy: jsii.String(iampolicy.New(slices.Concat(config.Statements, tlsDenies(config.Name))...).JSON()),
		// S3 answers 409 OperationAborted when a bucket's policy and its
		// public-access block change at the same moment; one at a time.
		DependsOn: &policyDependsOn,
	})
	policy.OverrideLogicalId(jsii.String(config.LogicalID(naming.PartBucketPolicy)))

	return &Output{Bucket: bucket, Policy: policy}
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
