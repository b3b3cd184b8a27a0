// Package datasets is the model of the dataset files analysts write: one YAML
// file per dataset under push/ or pull/. It reads and validates those files and
// derives every AWS name from a dataset's name, so that the constructs never
// invent a name of their own. It knows nothing of CDKTF or Terraform.
package datasets

import (
	"github.com/ministryofjustice/data-engineering-exports/federation"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// Kind is the kind of export a dataset file asks for (naming.Kind).
type Kind = naming.Kind

// The two kinds, as naming declares them.
const (
	KindPush = naming.KindPush
	KindPull = naming.KindPull
)

// Push is a dataset file in datasets/push/<name>.yaml.
type Push struct {
	// Name identifies the dataset: lower-case letters, digits and underscores,
	// equal to the file name without ".yaml".
	Name string `json:"name"`
	// Bucket is the recipient's bucket name (never an ARN): every object
	// written under the export bucket at <name>/ is moved there, under the same key.
	Bucket string `json:"bucket"`
	// BucketAccount is the 12-digit id of the AWS account that owns Bucket.
	// The mover sends it as the expected bucket owner on every request to
	// the recipient, so that a bucket of the same name registered by anyone
	// else after the recipient deleted theirs receives nothing.
	BucketAccount string `json:"bucket_account"`
	// Users are the Analytical Platform IAM roles (alpha_user_<github user>)
	// allowed to write under the dataset's prefix.
	Users []string `json:"users"`
	// Paperwork names the DPIA or data sharing agreement for the export.
	Paperwork References `json:"paperwork"`
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
	// dataset's bucket. A file may leave them out, or empty, when it lists
	// federated readers: a pull dataset needs at least one reader of any
	// kind (checkReaders).
	PullARNs []string `json:"pull_arns"`
	// GCPReaders are Google Cloud service accounts, and AzureReaders Entra
	// ID principals, that read the bucket without AWS keys, each through a
	// role of its own that trusts that one identity (package federation).
	// Like PullARNs, they may write with AllowPush.
	GCPReaders   []federation.GCPReader   `json:"gcp_readers,omitempty"`
	AzureReaders []federation.AzureReader `json:"azure_readers,omitempty"`
	// Users are the Analytical Platform IAM roles allowed to read and write
	// the dataset's bucket.
	Users []string `json:"users"`
	// Paperwork names the DPIA or data sharing agreement for the export.
	Paperwork References `json:"paperwork"`
	// AllowPush lets the PullARNs and the federated readers write to the
	// bucket as well as read it.
	AllowPush bool `json:"allow_push,omitempty"`
	// BucketVersioning turns on versioning for the dataset's bucket.
	BucketVersioning bool `json:"bucket_versioning,omitempty"`

	// File is the path the dataset was loaded from, for messages.
	File string `json:"-"`
}

// References name the paperwork behind an export: each one a web link to a
// document, or text naming it by its identifier ("DPIA 17056"); see
// PaperworkProblem. A file writes one reference as a plain value, several
// as a list.
type References []string

// Set is every dataset in a datasets directory, each kind sorted by name.
type Set struct {
	Push []Push
	Pull []Pull
}

// MoverName is the name of both the mover's IAM role and its Lambda function.
func (p Push) MoverName() string { return naming.MoverName(p.Name) }

// Prefix is the key prefix, in naming.ExportBucket, that belongs to the
// dataset.
func (p Push) Prefix() string { return naming.ExportPrefix(p.Name) }

// BucketName is the name of the pull dataset's own bucket.
func (p Pull) BucketName() string { return naming.PullBucket(p.Name) }

// Readers are the pull dataset's federated readers: the Google readers,
// then the Azure readers, each in the file's order.
func (p Pull) Readers() []federation.Reader {
	readers := make([]federation.Reader, 0, len(p.GCPReaders)+len(p.AzureReaders))
	for _, r := range p.GCPReaders {
		readers = append(readers, r)
	}
	for _, r := range p.AzureReaders {
		readers = append(readers, r)
	}
	return readers
}
