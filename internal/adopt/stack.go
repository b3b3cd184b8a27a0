package adopt

import (
	"maps"
	"slices"
	"strings"

	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// The Terraform resource types adopt imports: every resource of the exports
// stack that the earlier tool deployed as well, or that can exist already
// under the name the stack gives it. The failed-moves queue and its alarm
// are left out (the earlier tool had neither; nothing else makes them),
// and so are the resources that keep a mover role's grant exclusive (they
// have no object of their own in AWS).
const (
	typeBucket                  = "aws_s3_bucket"
	typeBucketPolicy            = "aws_s3_bucket_policy"
	typeBucketVersioning        = "aws_s3_bucket_versioning"
	typeBucketPublicAccessBlock = "aws_s3_bucket_public_access_block"
	typeBucketEncryption        = "aws_s3_bucket_server_side_encryption_configuration"
	typeBucketOwnership         = "aws_s3_bucket_ownership_controls"
	typeBucketNotification      = "aws_s3_bucket_notification"
	typeRole                    = "aws_iam_role"
	typeRolePolicy              = "aws_iam_role_policy"
	typeLogGroup                = "aws_cloudwatch_log_group"
	typeFunction                = "aws_lambda_function"
	typePermission              = "aws_lambda_permission"
	typeInvokeConfig            = "aws_lambda_function_event_invoke_config"
)

// ImportableTypes lists them, sorted.
var ImportableTypes = slices.Sorted(slices.Values([]string{
	typeBucket, typeBucketPolicy, typeBucketVersioning, typeBucketPublicAccessBlock, typeBucketEncryption,
	typeBucketOwnership, typeBucketNotification, typeRole, typeRolePolicy, typeLogGroup, typeFunction,
	typePermission, typeInvokeConfig,
}))

func address(resourceType, logicalID string) string { return resourceType + "." + logicalID }

// bucket is one bucket of the stack and the logical ids of its resources.
type bucket struct {
	name       string
	logicalID  func(part string) string
	versioning bool
}

func exportBucket() bucket {
	return bucket{
		name:      naming.ExportBucket,
		logicalID: func(part string) string { return naming.SharedLogicalID(naming.ExportBucketPartPrefix + part) },
	}
}

func pullBucket(pull datasets.Pull) bucket {
	return bucket{
		name:       pull.BucketName(),
		logicalID:  func(part string) string { return naming.DatasetLogicalID(naming.KindPull, pull.Name, part) },
		versioning: pull.BucketVersioning,
	}
}

// settings are the bucket's resources besides the bucket itself, each
// imported by the bucket's name, with the S3 call that says whether it
// exists.
func (b bucket) settings() []struct{ resourceType, part string } {
	settings := []struct{ resourceType, part string }{
		{typeBucketPolicy, naming.PartBucketPolicy},
		{typeBucketPublicAccessBlock, naming.PartBucketPublicAccessBlock},
		{typeBucketEncryption, naming.PartBucketEncryption},
		{typeBucketOwnership, naming.PartBucketOwnership},
	}
	if b.versioning {
		settings = append(settings, struct{ resourceType, part string }{typeBucketVersioning, naming.PartBucketVersioning})
	}
	return settings
}

func pushAddress(resourceType string, push datasets.Push, part string) string {
	return address(resourceType, naming.DatasetLogicalID(naming.KindPush, push.Name, part))
}

// users is who has which policy in the stack, by role name in lower case
// (IAM role names do not depend on case, and ours are lower case).
type users struct {
	// push holds the roles with a push policy, and their datasets.
	push map[string][]datasets.Push
	// pull holds, for each role, the pull datasets it has a policy for.
	pull map[string]map[string]bool
}

func usersOf(set datasets.Set) users {
	u := users{push: map[string][]datasets.Push{}, pull: map[string]map[string]bool{}}
	for _, user := range set.PushByUser() {
		u.push[strings.ToLower(user.Role)] = user.Datasets
	}
	for _, pull := range set.Pull {
		for _, role := range pull.Users {
			role = strings.ToLower(role)
			if u.pull[role] == nil {
				u.pull[role] = map[string]bool{}
			}
			u.pull[role][pull.Name] = true
		}
	}
	return u
}

// roles are the user roles the stack gives a policy, sorted.
func (u users) roles() []string {
	roles := map[string]bool{}
	for role := range u.push {
		roles[role] = true
	}
	for role := range u.pull {
		roles[role] = true
	}
	return slices.Sorted(maps.Keys(roles))
}

// Addresses is every address adopt may import into for set: each is a
// resource of the stack that set synthesizes (stacks tests check it).
func Addresses(set datasets.Set) []string {
	var addresses []string
	buckets := []bucket{exportBucket()}
	for _, pull := range set.Pull {
		buckets = append(buckets, pullBucket(pull))
	}
	for _, b := range buckets {
		addresses = append(addresses, address(typeBucket, b.logicalID(naming.PartBucket)))
		for _, s := range b.settings() {
			addresses = append(addresses, address(s.resourceType, b.logicalID(s.part)))
		}
	}
	if len(set.Push) > 0 {
		addresses = append(addresses, address(typeBucketNotification, naming.SharedLogicalID(naming.PartNotification)))
	}
	for _, push := range set.Push {
		addresses = append(addresses,
			pushAddress(typeRole, push, naming.PartMoverRole),
			pushAddress(typeRolePolicy, push, naming.PartMoverRolePolicy),
			pushAddress(typeLogGroup, push, naming.PartMoverLogGroup),
			pushAddress(typeFunction, push, naming.PartMoverFunction),
			pushAddress(typePermission, push, naming.PartMoverPermission),
			pushAddress(typeInvokeConfig, push, naming.PartMoverInvokeConfig))
	}
	for _, user := range set.PushByUser() {
		addresses = append(addresses, address(typeRolePolicy, naming.UserPushLogicalID(user.Role)))
	}
	for _, pull := range set.Pull {
		for _, role := range pull.Users {
			addresses = append(addresses, address(typeRolePolicy, naming.PullUserLogicalID(pull.Name, role)))
		}
	}
	slices.Sort(addresses)
	return addresses
}
