// Package naming is the contract between every part of the product that
// writes a name and every part that reads it back: the dataset kinds and
// where their files live, the export bucket, every AWS name derived from a
// dataset's name, the Terraform logical-id scheme, the policy names on users'
// roles, the mover's environment variables, the actions a mover may use in
// its recipient's bucket and where the dataset files' JSON Schema lives.
//
// The dataset model, the constructs, the mover, the plan summary, the branch
// check and the migration tools all import it, so renaming anything here is a
// compile error everywhere it matters rather than a test that still passes.
// It imports nothing but the standard library.
package naming

import (
	"path"
	"strings"
)

// Kind is the kind of export a dataset file asks for; it is also the name of
// the directory the file lives in.
type Kind string

const (
	// KindPush datasets move every object written under their prefix of the
	// export bucket to a recipient bucket in another account.
	KindPush Kind = "push"
	// KindPull datasets get a bucket of their own that roles in other accounts
	// may read.
	KindPull Kind = "pull"
)

// Kinds is every kind, in the order files are listed and reported.
var Kinds = []Kind{KindPush, KindPull}

// String is the kind as written in paths and messages: "push" or "pull".
func (k Kind) String() string { return string(k) }

// Where dataset files live.
const (
	// DatasetsDir is the directory, relative to the repository root, holding
	// the datasets production deploys: DatasetsDir/<kind>/<name>.yaml.
	DatasetsDir = "datasets"
	// ExamplesDir holds invented datasets, in the same layout, that the
	// tests, the golden file and `make demo` read; production never does.
	ExamplesDir = "examples/datasets"
	// FileExtension is the only extension a dataset file may have.
	FileExtension = ".yaml"
)

// DatasetFile is the path of a dataset's file under dir, with forward
// slashes: "datasets/push/new_project.yaml".
func DatasetFile(dir string, kind Kind, name string) string {
	return path.Join(dir, string(kind), name+FileExtension)
}

// DatasetID is the stable identifier of a dataset across the whole product:
// "<kind>-<name>". It is the construct id, the notification entry id and the
// prefix of every logical id the dataset owns.
func DatasetID(kind Kind, name string) string { return string(kind) + "-" + name }

// Where the stack deploys: the synthesizer writes it, and the tools that
// tell readers where their bucket is read it.
const (
	// DefaultRegion is where the Analytical Platform keeps its data.
	DefaultRegion = "eu-west-1"
	// EnvRegion, set, is the region instead.
	EnvRegion = "EXPORTS_REGION"
)

// ExportBucket is the shared bucket that users write push exports into, one
// prefix per push dataset.
const ExportBucket = "mojap-hub-exports"

// AccessLogBucket receives the server access logs of every bucket of the
// stack: the export bucket and every pull dataset's bucket.
const AccessLogBucket = ExportBucket + "-access-logs"

// AccessLogPrefix is the key prefix, in AccessLogBucket, under which S3
// writes the access logs of one bucket: "<bucket>/".
func AccessLogPrefix(bucket string) string { return bucket + "/" }

// UserRolePrefix starts the name of every Analytical Platform user's IAM
// role (alpha_user_<user>): dataset files list such roles, and only such
// roles may write into the export bucket.
const UserRolePrefix = "alpha_user_"

// FailedMovesQueue is the name of the queue (and of its alarm) where moves
// that failed after every retry wait for an operator.
const FailedMovesQueue = ExportBucket + "-failed-moves"

// ExportPrefix is the key prefix, in ExportBucket, that belongs to a push
// dataset: "<name>/".
func ExportPrefix(dataset string) string { return dataset + "/" }

// MoverName is the name of both a push dataset's IAM role and its Lambda
// function: recipients name the role in their bucket policies.
func MoverName(dataset string) string { return moverPrefix + dataset + moverSuffix }

const (
	moverPrefix = "export_"
	moverSuffix = "-move"
)

// MoverRolePath is the IAM path of every mover role: recipients grant
// arn:aws:iam::<account>:role/service-role/export_<name>-move.
const MoverRolePath = "/service-role/"

// MoverLogGroup is the log group Lambda writes a mover's logs to.
func MoverLogGroup(dataset string) string { return "/aws/lambda/" + MoverName(dataset) }

// PullBucket is the name of a pull dataset's own bucket: mojap- and the
// dataset name with underscores as hyphens.
func PullBucket(dataset string) string {
	return pullBucketPrefix + strings.ReplaceAll(dataset, "_", "-")
}

const pullBucketPrefix = "mojap-"

// Name length limits, so that every derived name fits its AWS limit.
const (
	// MaxPushNameLength keeps MoverName within the 64-character limit on IAM
	// role and Lambda function names.
	MaxPushNameLength = 64 - len(moverPrefix) - len(moverSuffix)
	// MaxPullNameLength keeps PullBucket within the 63-character limit on
	// bucket names.
	MaxPullNameLength = 63 - len(pullBucketPrefix)
)

// Policy names on the users' alpha_user_* roles.
const (
	// UserPushPolicy is a user's one policy for all their push prefixes.
	UserPushPolicy = "data-engineering-exports-push"
	// userPullPolicyPrefix starts a user's policy for one pull dataset.
	userPullPolicyPrefix = "data-engineering-exports-pull-"
)

// UserPullPolicy is the name of a user's policy for one pull dataset.
func UserPullPolicy(dataset string) string { return userPullPolicyPrefix + dataset }

// MoverRolePolicy is the name of a mover role's one inline policy.
const MoverRolePolicy = "move"

// MoverPermissionStatementID is the statement id of the permission, in a
// mover function's resource policy, that lets S3 invoke it.
const MoverPermissionStatementID = "AllowExportBucket"

// ImportsFile is the file, beside push/ and pull/ in a datasets directory,
// that lists the resources that already exist and that the stack adopts
// with Terraform import blocks instead of creating them: `exports adopt`
// writes it, synthesis reads it.
const ImportsFile = "imports.yaml"

// ImportsFilePath is the imports file of the datasets directory dir.
func ImportsFilePath(dir string) string { return path.Join(dir, ImportsFile) }

// Names the earlier tool (the Python/Pulumi program this product replaces)
// gave what it deployed, where they differ from ours: adopt finds them, and
// the switch removes or replaces them.
const (
	// EarlierMoverRolePolicy is the inline policy on its mover roles.
	EarlierMoverRolePolicy = "s3-access"
	// EarlierUserPushPolicy is a user's one policy for all their push
	// prefixes.
	EarlierUserPushPolicy = "hub_exports"
	// earlierUserPullPolicyPrefix starts a user's policy for one pull
	// dataset: hub-exports-pull-<name as the earlier tool's file wrote it>.
	earlierUserPullPolicyPrefix = "hub-exports-pull-"
)

// EarlierUserPullPolicy is the earlier tool's name for a user's policy for
// one pull dataset, name as its file wrote it (hyphens and capitals too).
func EarlierUserPullPolicy(name string) string { return earlierUserPullPolicyPrefix + name }

// ParseEarlierUserPullPolicy reads the dataset back from a policy name of
// EarlierUserPullPolicy, in our form, hyphens as underscores, as the
// migration writes a pull dataset's name ("hub-exports-pull-cjs-dashboard"
// gives "cjs_dashboard"). ok is false for any other name.
func ParseEarlierUserPullPolicy(policy string) (dataset string, ok bool) {
	name, ok := strings.CutPrefix(policy, earlierUserPullPolicyPrefix)
	if !ok || name == "" {
		return "", false
	}
	return strings.ReplaceAll(name, "-", "_"), true
}

// The mover's environment: what the stack sets on each function and the
// mover reads to know where a file goes.
const (
	// EnvDestinationBucket is the recipient's bucket.
	EnvDestinationBucket = "DESTINATION_BUCKET"
	// EnvKeepFiles, "true", copies and leaves the source in place.
	EnvKeepFiles = "KEEP_FILES"
	// EnvDatasetName is the dataset the function delivers: keys outside its
	// prefix are refused.
	EnvDatasetName = "DATASET_NAME"
	// EnvDestinationAccount is the account that owns the recipient's bucket
	// (the dataset's bucket_account): the mover sends it as the expected
	// bucket owner on every request to that bucket.
	EnvDestinationAccount = "DESTINATION_ACCOUNT"
	// EnvSourceAccount is the account that owns the export bucket: the
	// expected owner on requests to it, and the expected source owner on
	// copies.
	EnvSourceAccount = "SOURCE_ACCOUNT"
)

// RepositoryURL is this repository on GitHub. Text that leaves the
// repository (a plan comment, a CLI message, an alarm description) links a
// page of the documentation as DocURL(page): a relative link would not
// resolve there.
const RepositoryURL = "https://github.com/ministryofjustice/data-engineering-exports/"

// DocURL is the address of a page under docs/ on main, with an optional
// "#anchor" after the page: DocURL("failed-moves-runbook.md").
func DocURL(page string) string { return RepositoryURL + "blob/main/docs/" + page }

// IsAccountID is true for an AWS account id as every part of the product
// writes one: exactly 12 digits, leading zeros kept.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
