package naming

// Logical-id parts: the last segment of a resource's logical id, which says
// what the resource is within its owner (see DatasetLogicalID and
// SharedLogicalID). The constructs write them; the plan summary, the deploy
// gate and the adoption of existing resources read them back.

// Parts of a push dataset's resources.
const (
	PartMoverRole         = "role"
	PartMoverRolePolicy   = "role_policy"
	PartMoverLogGroup     = "log_group"
	PartMoverFunction     = "function"
	PartMoverPermission   = "permission"
	PartMoverInvokeConfig = "invoke_config"
)

// Parts of a bucket's resources: a pull dataset's bucket uses them as they
// are, the export bucket and the access log bucket with ExportBucketPartPrefix
// or AccessLogBucketPartPrefix before them.
const (
	PartBucket                  = "bucket"
	PartBucketPublicAccessBlock = "bucket_public_access_block"
	PartBucketEncryption        = "bucket_encryption"
	PartBucketOwnership         = "bucket_ownership"
	PartBucketVersioning        = "bucket_versioning"
	PartBucketPolicy            = "bucket_policy"
	PartBucketLifecycle         = "bucket_lifecycle"
	PartBucketLogging           = "bucket_logging"
)

// A pull dataset's federated readers and the Entra tenants' OIDC providers
// have parts derived from their identities: FederatedReaderPart and
// AzureTenantProviderPart (readers.go).

// Parts of the shared resources.
const (
	// ExportBucketPartPrefix starts the parts of the export bucket's
	// resources: shared-export_bucket, shared-export_bucket_policy, ...
	ExportBucketPartPrefix = "export_"
	// AccessLogBucketPartPrefix starts the parts of the access log bucket's
	// resources: shared-access_log_bucket, shared-access_log_bucket_policy, ...
	AccessLogBucketPartPrefix = "access_log_"
	PartFailedMovesQueue      = "failed_moves_queue"
	PartFailedMovesAlarm      = "failed_moves_alarm"
	PartNotification          = "notification"
	PartCallerIdentity        = "caller_identity"
	// PartUserRoles looks up which listed users' roles exist (see
	// DepartedUserCheck).
	PartUserRoles = "user_roles"
)

// Parts of a push dataset's resources that keep its mover role to our grant
// alone: every other inline policy is deleted and every managed policy
// detached, such as those the earlier tool left on a role the stack adopts.
const (
	PartMoverRolePolicies          = "role_policies"
	PartMoverRolePolicyAttachments = "role_policy_attachments"
)
