// Package datasets is the model of the dataset files analysts write: one YAML
// file per dataset under push/ or pull/. It reads and validates those files and
// derives every AWS name from a dataset's name, so that the constructs never
// invent a name of their own. It knows nothing of CDKTF or Terraform.
package datasets

import (
	"fmt"
	"strings"
)

// ExportBucket is the shared bucket that users write push exports into, one
// prefix per push dataset.
const ExportBucket = "mojap-hub-exports"

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

// Push is a dataset file in datasets/push/<name>.yaml.
type Push struct {
	// Name identifies the dataset: lower-case letters, digits and underscores,
	// equal to the file name without ".yaml".
	Name string `json:"name"`
	// Bucket is the recipient's bucket name (never an ARN): every object
	// written under ExportBucket/<name>/ is moved there, under the same key.
	Bucket string `json:"bucket"`
	// Users are the Analytical Platform IAM roles (alpha_user_<github user>)
	// allowed to write under the dataset's prefix.
	Users []string `json:"users"`
	// Paperwork links to the DPIA or data sharing agreement for the export.
	Paperwork string `json:"paperwork"`
	// KeepFiles makes the mover copy objects and leave them in the export
	// bucket instead of moving them.
	KeepFiles bool `json:"keep_files,omitempty"`

	// File is the path the dataset was loaded from, for messages.
	File string `json:"-"`
}

// Pull is a dataset file in datasets/pull/<name>.yaml.
type Pull struct {
	// Name identifies the dataset: lower-case letters, digits and underscores,
	// equal to the file name without ".yaml".
	Name string `json:"name"`
	// PullARNs are IAM role ARNs in other accounts allowed to read the
	// dataset's bucket.
	PullARNs []string `json:"pull_arns"`
	// Users are the Analytical Platform IAM roles allowed to read and write
	// the dataset's bucket.
	Users []string `json:"users"`
	// Paperwork links to the DPIA or data sharing agreement for the export.
	Paperwork string `json:"paperwork"`
	// AllowPush lets the PullARNs write to the bucket as well as read it.
	AllowPush bool `json:"allow_push,omitempty"`
	// BucketVersioning turns on versioning for the dataset's bucket.
	BucketVersioning bool `json:"bucket_versioning,omitempty"`

	// File is the path the dataset was loaded from, for messages.
	File string `json:"-"`
}

// Set is every dataset in a datasets directory, each kind sorted by name.
type Set struct {
	Push []Push
	Pull []Pull
}

// Name length limits, so that every derived name fits its AWS limit.
const (
	// MaxPushNameLength keeps MoverName (export_<name>-move) within the
	// 64-character limit on IAM role and Lambda function names.
	MaxPushNameLength = 64 - len("export_") - len("-move")
	// MaxPullNameLength keeps BucketName (mojap-<name>) within the
	// 63-character limit on bucket names.
	MaxPullNameLength = 63 - len("mojap-")
)

// MoverName is the name of both the mover's IAM role and its Lambda function.
func (p Push) MoverName() string { return "export_" + p.Name + "-move" }

// MoverRolePath is the IAM path of the mover role: recipients grant
// arn:aws:iam::<account>:role/service-role/export_<name>-move.
const MoverRolePath = "/service-role/"

// Prefix is the key prefix, in ExportBucket, that belongs to the dataset.
func (p Push) Prefix() string { return p.Name + "/" }

// BucketName is the name of the pull dataset's own bucket: mojap- and the
// dataset name with underscores as hyphens.
func (p Pull) BucketName() string {
	return "mojap-" + strings.ReplaceAll(p.Name, "_", "-")
}

// String names a dataset for people: "push dataset new_project".
func (k Kind) String() string { return string(k) }

// ID is the stable identifier of a dataset across the whole product:
// "<kind>-<name>". It is the construct id and the prefix of every Terraform
// logical id the dataset owns (see LogicalID), so that a plan can be mapped
// back to datasets without guessing: names never contain a hyphen.
func ID(kind Kind, name string) string { return fmt.Sprintf("%s-%s", kind, name) }
